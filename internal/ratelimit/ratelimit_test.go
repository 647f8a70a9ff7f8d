package ratelimit

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *clock                   { return &clock{time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)} }
func testLimiter(c *clock, free int) *Limiter {
	return NewWithStore(free, 15*time.Minute, newMemory(c.Now))
}

// wait is the refusal's wait, 0 when the attempt may go on.
func wait(t *testing.T, l *Limiter, user, ip string) time.Duration {
	t.Helper()
	err := l.Begin(context.Background(), Keys(user, ip))
	if err == nil {
		return 0
	}
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.ERateLimited || ce.RetryAfter <= 0 {
		t.Fatalf("refusal: %v", err)
	}
	return ce.RetryAfter
}

func TestDelaysGrowPerUsername(t *testing.T) {
	c := newClock()
	l := testLimiter(c, 3)
	for i := range 3 {
		if w := wait(t, l, "alice", "10.0.0."+string(rune('1'+i))); w != 0 {
			t.Fatalf("free attempt %d refused (%v)", i, w)
		}
	}
	if w := wait(t, l, " Alice", "10.0.0.9"); w != time.Second {
		t.Fatalf("after 3 failures the username (however written) waits 1 s from any address: %v", w)
	}
	if wait(t, l, "bob", "10.0.0.1") != 0 {
		t.Fatal("another user from the same address is not held up")
	}
	// Each allowed attempt doubles the wait; refused ones do not count.
	for _, want := range []time.Duration{2, 4, 8, 16} {
		c.Advance(time.Second * (want / 2))
		if w := wait(t, l, "alice", "10.0.0.1"); w != 0 {
			t.Fatalf("attempt after the wait refused: %v", w)
		}
		for range 5 {
			if w := wait(t, l, "alice", "10.0.0.1"); w != want*time.Second {
				t.Fatalf("wait %v, want %v", w, want*time.Second)
			}
		}
	}
	for range 20 { // the wait stops growing at the cap
		c.Advance(time.Hour)
		wait(t, l, "alice", "10.0.0.1")
	}
	if w := wait(t, l, "alice", "10.0.0.1"); w != 15*time.Minute {
		t.Fatalf("capped wait %v", w)
	}
	c.Advance(Forget)
	if w := wait(t, l, "alice", "10.0.0.1"); w != 0 {
		t.Fatalf("a key left alone for a day starts afresh: %v", w)
	}
}

// TestSharedOfficeAddress: many colleagues behind one address log in; one
// of them failing often holds the address up for at most a minute, and a
// good login clears the username.
func TestSharedOfficeAddress(t *testing.T) {
	c := newClock()
	l := testLimiter(c, 3)
	ctx := context.Background()
	for i := range 40 {
		keys := Keys("user"+string(rune('a'+i%26))+string(rune('a'+i/26)), "10.0.0.1")
		if err := l.Begin(ctx, keys); err != nil {
			t.Fatalf("colleague %d: %v", i, err)
		}
		l.Succeeded(ctx, keys)
	}
	for i := range 15 { // a guesser in the office: 15 usernames, 1 guess each
		if w := wait(t, l, "victim"+string(rune('a'+i)), "10.0.0.1"); w != 0 {
			t.Fatalf("guess %d: %v", i, w)
		}
	}
	if w := wait(t, l, "colleague", "10.0.0.1"); w != time.Second {
		t.Fatalf("after 15 failures the address waits a second: %v", w)
	}
	for range 30 {
		c.Advance(2 * time.Minute)
		wait(t, l, "guess", "10.0.0.1")
	}
	if w := wait(t, l, "colleague", "10.0.0.1"); w > time.Minute {
		t.Fatalf("the address waits at most a minute: %v", w)
	}
	c.Advance(time.Minute)
	keys := Keys("colleague", "10.0.0.1")
	if err := l.Begin(ctx, keys); err != nil {
		t.Fatal(err)
	}
	l.Succeeded(ctx, keys)
	if w := wait(t, l, "colleague", "10.0.0.2"); w != 0 {
		t.Fatalf("a good login clears the username: %v", w)
	}
}
