//go:build race

package demo

// raceEnabled tells tests that fill several databases to leave the extra
// fills to the run without the race detector, where they take seconds.
const raceEnabled = true
