// Package gctune sets the garbage collector for a serving process.
//
// A server's live heap is small next to what it allocates per request
// (headers, JSON, rows), so with Go's default GOGC=100 the collector runs
// every few hundred requests and its pauses and assists made the tail of
// record logging (issue 10: p99 9–12 ms at 8 connections against 7.7–8.4
// ms with GOGC=400, measured in the same benchmark). A higher percentage
// with a soft memory ceiling trades some memory for that tail; the
// ceiling keeps a large street's heap from growing five-fold.
package gctune

import (
	"os"
	"runtime/debug"
	"sync"
)

// Percent and Limit are what Server sets when the environment does not.
const (
	Percent = 400
	Limit   = 2 << 30 // bytes; soft: the collector works harder near it
)

// Server applies Percent and Limit unless GOGC or GOMEMLIMIT is set, and
// returns a function that restores the previous settings (for tests and
// benchmarks).
func Server() (restore func()) {
	prevPct, prevLimit := -2, int64(-1)
	if os.Getenv("GOGC") == "" {
		prevPct = debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		prevLimit = debug.SetMemoryLimit(Limit)
	}
	return func() {
		if prevPct != -2 {
			debug.SetGCPercent(prevPct)
		}
		if prevLimit >= 0 {
			debug.SetMemoryLimit(prevLimit)
		}
	}
}

// BoundedPercent is the collector's percentage while Bounded work runs.
const BoundedPercent = 100

var (
	boundedMu   sync.Mutex
	boundedRuns int
	boundedPrev int
)

// Bounded lowers the collector's percentage to BoundedPercent, if it is
// higher, until the returned function is called; calls may overlap. Work
// whose memory must stay bounded whatever the input (an import of 100,000
// rows must peak under 300 MB) runs inside it: at the server's Percent
// the heap a dry run leaves for the collector reached about 570 MB against
// 220–250 MB at 100, and records logged meanwhile pay only for the
// minutes an import takes.
func Bounded() (done func()) {
	boundedMu.Lock()
	if boundedRuns == 0 {
		boundedPrev = debug.SetGCPercent(BoundedPercent)
		if boundedPrev >= 0 && boundedPrev < BoundedPercent {
			debug.SetGCPercent(boundedPrev) // already tighter: keep it
		}
	}
	boundedRuns++
	boundedMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			boundedMu.Lock()
			defer boundedMu.Unlock()
			if boundedRuns--; boundedRuns == 0 {
				debug.SetGCPercent(boundedPrev)
			}
		})
	}
}
