package store

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"time"

	"carecircle/internal/ratelimit"
)

// LoginBegin counts one login attempt on every rule's key unless one of
// them must still wait (ratelimit.Store): then nothing is counted and it
// returns the longest wait left. Each key is one conditional upsert, which
// locks its row, so concurrent attempts on several servers are each
// counted and none slips through a wait.
func (db *DB) LoginBegin(ctx context.Context, rules []ratelimit.Rule, forget time.Duration) (time.Duration, error) {
	now := db.Now()
	nowMS, staleMS := now.UnixMilli(), now.Add(-forget).UnixMilli()
	var wait time.Duration
	errWait := errors.New("wait")
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rules {
			first := r.NextDelay(1, 0).Milliseconds()
			var n int
			err := tx.QueryRowContext(ctx, db.q(`INSERT INTO login_attempts (key, count, since, last_ms, delay_ms) VALUES (?, 1, ?, ?, ?)
 ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN login_attempts.last_ms < ? THEN 1 ELSE login_attempts.count + 1 END,
  delay_ms = CASE WHEN login_attempts.last_ms < ? THEN excluded.delay_ms
   WHEN login_attempts.count + 1 < ? THEN 0
   WHEN login_attempts.delay_ms * 2 < ? THEN ?
   WHEN login_attempts.delay_ms * 2 > ? THEN ?
   ELSE login_attempts.delay_ms * 2 END,
  since = CASE WHEN login_attempts.last_ms < ? THEN excluded.since ELSE login_attempts.since END,
  last_ms = excluded.last_ms
 WHERE login_attempts.last_ms < ? OR login_attempts.last_ms + login_attempts.delay_ms <= ?
 RETURNING count`), r.Key, stamp(now), nowMS, first,
				staleMS, staleMS, r.Free, ratelimit.FirstDelay.Milliseconds(), ratelimit.FirstDelay.Milliseconds(),
				r.MaxDelay.Milliseconds(), r.MaxDelay.Milliseconds(), staleMS, staleMS, nowMS).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) { // must wait: count nothing
				var until int64
				if err := tx.QueryRowContext(ctx, db.q(`SELECT last_ms + delay_ms FROM login_attempts WHERE key = ?`), r.Key).Scan(&until); err != nil {
					return err
				}
				wait = time.Duration(until-nowMS) * time.Millisecond
				return errWait
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errWait) {
		return max(wait, time.Millisecond), nil
	}
	return 0, err
}

// LoginForgive takes back the attempt of a good login: the user's count is
// cleared, the address's lowered by one (and its wait dropped once it is
// within its free attempts again).
func (db *DB) LoginForgive(ctx context.Context, rules []ratelimit.Rule) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for i, r := range rules {
			query, args := `DELETE FROM login_attempts WHERE key = ?`, []any{r.Key}
			if i > 0 {
				query = `UPDATE login_attempts SET count = count - 1, delay_ms = CASE WHEN count - 1 < ? THEN 0 ELSE delay_ms END
 WHERE key = ? AND count > 0`
				args = []any{r.Free, r.Key}
			}
			if _, err := tx.ExecContext(ctx, db.q(query), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeLogins forgets keys left alone for longer than forget; serve runs it
// daily with ratelimit.Forget.
func (db *DB) PurgeLogins(ctx context.Context, forget time.Duration) error {
	_, err := db.write.ExecContext(ctx, db.q(`DELETE FROM login_attempts WHERE last_ms < ?`), db.Now().Add(-forget).UnixMilli())
	return err
}

// hashSlots bounds how many password hashes run at once: each argon2id
// hash takes 64 MiB, so a flood of logins must queue, not multiply memory.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// withHashSlot runs fn when a slot is free, or gives up with ctx.
func withHashSlot(ctx context.Context, fn func()) error {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-hashSlots }()
	fn()
	return nil
}
