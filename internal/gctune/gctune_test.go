package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestServerSetsAndRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	debug.SetMemoryLimit(math.MaxInt64)
	restore := Server()
	if got := debug.SetGCPercent(-1); got != Percent {
		t.Errorf("GC percent %d, want %d", got, Percent)
	}
	debug.SetGCPercent(Percent)
	if got := debug.SetMemoryLimit(-1); got != Limit {
		t.Errorf("memory limit %d, want %d", got, Limit)
	}
	restore()
	if got := debug.SetGCPercent(-1); got != 100 {
		t.Errorf("after restore GC percent %d, want 100", got)
	}
	debug.SetGCPercent(100)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after restore memory limit %d, want none", got)
	}
}

func TestServerLeavesTheOperatorsChoice(t *testing.T) {
	t.Setenv("GOGC", "50")
	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetGCPercent(50)
	defer debug.SetGCPercent(before)
	restore := Server()
	defer restore()
	if got := debug.SetGCPercent(-1); got != 50 {
		t.Errorf("GOGC=50 given, GC percent became %d", got)
	}
	debug.SetGCPercent(50)
}

// TestBoundedTightensWhileWorkRuns: overlapping bounded work keeps the
// collector at BoundedPercent until the last one ends, and never loosens
// a tighter setting.
func TestBoundedTightensWhileWorkRuns(t *testing.T) {
	before := debug.SetGCPercent(Percent)
	defer debug.SetGCPercent(before)
	gc := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	first, second := Bounded(), Bounded()
	if got := gc(); got != BoundedPercent {
		t.Fatalf("during bounded work GC percent %d, want %d", got, BoundedPercent)
	}
	first()
	first() // twice is once
	if got := gc(); got != BoundedPercent {
		t.Fatalf("with one bounded run left GC percent %d, want %d", got, BoundedPercent)
	}
	second()
	if got := gc(); got != Percent {
		t.Fatalf("after bounded work GC percent %d, want %d back", got, Percent)
	}
	debug.SetGCPercent(50)
	done := Bounded()
	if got := gc(); got != 50 {
		t.Fatalf("bounded work loosened GC percent 50 to %d", got)
	}
	done()
	if got := gc(); got != 50 {
		t.Fatalf("after bounded work GC percent %d, want 50", got)
	}
}
