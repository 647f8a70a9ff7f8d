package notify

import "time"

// Default retry schedule: 10 s after the first failure, doubling, at most
// 30 minutes apart. A message is retried until delivered (never dropped).
const (
	BackoffBase = 10 * time.Second
	BackoffCap  = 30 * time.Minute
)

// Backoff is the wait after the n-th failed attempt (n ≥ 1): base·2^(n-1)
// up to limit, with "equal jitter" — half fixed, half random from r in
// [0, 1) — so that messages failing together (the gateway was down) do
// not all come back in the same second.
func Backoff(n int, base, limit time.Duration, r float64) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	if r < 0 || r >= 1 {
		r = 0
	}
	return d/2 + time.Duration(r*float64(d/2))
}
