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
