package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestLimiterBlocksAfterMaxAndRecovers(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	l := New(3, time.Minute)
	l.store = newMemory(func() time.Time { return now })
	begin := func(user, ip string) bool {
		ok, err := l.Begin(ctx, Keys(user, ip))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i := 0; i < 3; i++ {
		if !begin("alice", "1") {
			t.Fatalf("attempt %d blocked too early", i)
		}
	}
	if begin("alice", "2") || begin(" Alice", "3") || begin("bob", "1") {
		t.Fatal("the fourth attempt is blocked for the user (however written) and the address")
	}
	if !begin("bob", "2") {
		t.Fatal("other users from other addresses are not blocked")
	}
	now = now.Add(2 * time.Minute)
	if !begin("alice", "1") {
		t.Fatal("the block must end after the window")
	}
}

// TestGoodLoginsFromOneOfficeAreNotBlocked: a successful login takes its
// attempt back, so many colleagues behind one address can log in.
func TestGoodLoginsFromOneOfficeAreNotBlocked(t *testing.T) {
	ctx := context.Background()
	l := New(3, time.Minute)
	for i := range 20 {
		keys := Keys("user"+string(rune('a'+i)), "10.0.0.1")
		if ok, _ := l.Begin(ctx, keys); !ok {
			t.Fatalf("colleague %d blocked", i)
		}
		l.Succeeded(ctx, keys)
	}
}
