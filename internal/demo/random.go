package demo

import (
	"fmt"
	"time"
)

// The helpers below draw only from f.rng, so the demo is the same on every
// run apart from dates, which follow the database clock.

func pick[T any](f *filler, list []T) T { return list[f.rng.IntN(len(list))] }

func (f *filler) chance(p float64) bool { return f.rng.Float64() < p }

// between returns an integer in [lo, hi].
func (f *filler) between(lo, hi int) int { return lo + f.rng.IntN(hi-lo+1) }

// weighted returns the index of one of the weights, drawn in proportion.
func (f *filler) weighted(weights ...float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	u := f.rng.Float64() * sum
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// sample draws k distinct items, each with probability in proportion to its
// weight among those left, in the order drawn.
func sample[T any](f *filler, items []T, weights []float64, k int) []T {
	items, weights = append([]T(nil), items...), append([]float64(nil), weights...)
	var out []T
	for len(out) < k && len(items) > 0 {
		i := f.weighted(weights...)
		out = append(out, items[i])
		items, weights = append(items[:i], items[i+1:]...), append(weights[:i], weights[i+1:]...)
	}
	return out
}

// birthForAge returns a birth date that makes a person exactly age years old
// today, on a random day of that year of life.
func (f *filler) birthForAge(age int) time.Time {
	return f.today.AddDate(-age, 0, -f.between(1, 364))
}

// monthsAgo returns a day between lo and hi months before today.
func (f *filler) monthsAgo(lo, hi int) time.Time {
	return f.today.AddDate(0, -f.between(lo, hi), -f.between(0, 27))
}

// mobilePrefixes are real mainland carrier prefixes, so numbers look right.
var mobilePrefixes = []string{
	"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
	"155", "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199",
}

// mobile returns an unused 11-digit mobile number.
func (f *filler) mobile() string {
	for {
		n := pick(f, mobilePrefixes) + fmt.Sprintf("%08d", f.rng.IntN(100000000))
		if !f.phones[n] {
			f.phones[n] = true
			return n
		}
	}
}

// landline returns an unused Nanjing fixed-line number (025, 8 digits), as
// many older people still have one.
func (f *filler) landline() string {
	for {
		n := fmt.Sprintf("025-%d%07d", pick(f, []int{5, 8}), f.rng.IntN(10000000))
		if !f.phones[n] {
			f.phones[n] = true
			return n
		}
	}
}
