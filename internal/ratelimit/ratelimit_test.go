package ratelimit

import (
	"testing"
	"time"
)

func TestLimiterBlocksAfterMaxAndRecovers(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	l := New(3, time.Minute)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if !l.Allowed("u:alice", "ip:1") {
			t.Fatalf("attempt %d blocked too early", i)
		}
		l.Fail("u:alice", "ip:1")
	}
	if l.Allowed("u:alice") || l.Allowed("ip:1") || l.Allowed("u:bob", "ip:1") {
		t.Fatal("fourth attempt must be blocked for the user and the address")
	}
	if !l.Allowed("u:bob", "ip:2") {
		t.Fatal("other users from other addresses are not blocked")
	}
	now = now.Add(2 * time.Minute)
	if !l.Allowed("u:alice", "ip:1") {
		t.Fatal("the block must end after the window")
	}
}
