package compliance

import (
	"math/rand/v2"
	"slices"
	"testing"

	"carecircle/internal/calendar"
)

// TestTallyMatchesModel drives a tally with random adds, removes, cuts and
// sets and compares it with a plain map of sorted slices.
func TestTallyMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var tl tally
		model := map[int][]entry{}
		for range 300 {
			k, id := rng.IntN(8), RecordID(rng.IntN(12))
			e := entry{id: id, day: calendar.Date(k*10 + int(id))}
			switch op := rng.IntN(10); {
			case op < 5:
				tl.add(k, e)
				if _, found := slices.BinarySearchFunc(model[k], id, byID); !found {
					model[k] = append(model[k], e)
					slices.SortFunc(model[k], func(a, b entry) int { return byID(a, b.id) })
				}
			case op < 8:
				tl.remove(k, id)
				model[k] = slices.DeleteFunc(model[k], func(x entry) bool { return x.id == id })
			case op < 9:
				last := calendar.Date(rng.IntN(90))
				tl.cutAfter(k, last)
				for j := k; j < 8; j++ {
					model[j] = slices.DeleteFunc(model[j], func(x entry) bool { return x.day > last })
				}
			default:
				c := slices.Clone(model[(k+1)%8])
				tl.set(k, c)
				model[k] = c
			}
			for j := range 9 {
				if got := tl.at(j); !slices.Equal(got, model[j]) && (len(got) > 0 || len(model[j]) > 0) {
					t.Fatalf("round %d period %d: %v, want %v", round, j, got, model[j])
				}
			}
			for k, c := range tl.cells() {
				if len(c) == 0 || !slices.Equal(c, model[k]) {
					t.Fatalf("round %d: cells() gave %d %v", round, k, c)
				}
			}
		}
	}
}
