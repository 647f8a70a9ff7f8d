package mask

import (
	"fmt"
	"slices"
	"testing"
)

// TestNoSumGivesASmallCountBack: a hidden count can be had neither by
// subtracting the numbers shown from the total, nor from a percentage.
func TestNoSumGivesASmallCountBack(t *testing.T) {
	for _, c := range []struct {
		parts []int64
		want  []string // the parts, then the total, as shown
	}{
		{[]int64{3, 10, 12}, []string{"<5", "*", "12", "25"}},
		{[]int64{1, 1, 40}, []string{"<5", "<5", "*", "42"}},
		{[]int64{2, 4, 9}, []string{"<5", "<5", "9", "15"}},
		{[]int64{0, 7, 9}, []string{"0", "7", "9", "16"}},
		{[]int64{3, 0}, []string{"<5", "0", "<5"}},
		{[]int64{4}, []string{"<5", "<5"}},
		{nil, []string{"0"}},
		{[]int64{5, 5}, []string{"5", "5", "10"}},
		// 101 elders: 93 active, 5 paused, 3 moved (the example).
		{[]int64{93, 5, 3, 0}, []string{"93", "*", "<5", "0", "101"}},
	} {
		var s Set
		var keys []string
		var sum int64
		for i, n := range c.parts {
			k := fmt.Sprint("part", i)
			s.Count(k, n)
			keys, sum = append(keys, k), sum+n
		}
		s.Count("total", sum)
		s.Sum("total", keys...)
		var got []string
		for _, k := range append(keys, "total") {
			got = append(got, s.Text(k))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: shown %v, want %v", c.parts, got, c.want)
		}
	}
}

// TestRatesAndChains: a percentage of a hidden count is hidden; hiding a
// cell for one sum makes another sum hide more.
func TestRatesAndChains(t *testing.T) {
	var s Set
	s.Count("active", 30)
	s.Count("paired", 27)
	s.Count("unpaired", 3)
	s.Value("rate", 90, 30, "active", "paired")
	s.Sum("active", "paired", "unpaired")
	if got := []string{s.Text("active"), s.Text("paired"), s.Text("unpaired"), s.State("rate").Text()}; !slices.Equal(got, []string{"30", "*", "<5", "*"}) {
		t.Errorf("shown %v", got)
	}

	// Two communities by two statuses with totals both ways.
	var g Set
	cells := map[string]int64{"a.x": 20, "a.y": 2, "b.x": 30, "b.y": 40}
	for k, n := range cells {
		g.Count(k, n)
	}
	g.Count("a", 22)
	g.Count("b", 70)
	g.Count("t.x", 50)
	g.Count("t.y", 42)
	g.Count("t", 92)
	g.Sum("a", "a.x", "a.y")
	g.Sum("b", "b.x", "b.y")
	g.Sum("t.x", "a.x", "b.x")
	g.Sum("t.y", "a.y", "b.y")
	g.Sum("t", "a", "b")
	g.Sum("t", "t.x", "t.y")
	for _, rel := range g.sums {
		var hidden int
		var sum float64
		for _, p := range rel.parts {
			if !g.Shown(p) {
				hidden++
				sum += g.vals[p].n
			}
		}
		if g.Shown(rel.total) && hidden > 0 && (hidden < 2 || sum < Threshold) {
			t.Errorf("sum %s gives a hidden part back", rel.total)
		}
	}
	if g.State("a.y") != Small {
		t.Errorf("a.y is %v", g.State("a.y"))
	}
	if g.State("unknown") != Shown || g.Has("unknown") {
		t.Error("an unknown key")
	}
	var r Set
	r.Value("hours", 2.5, 3)
	if r.State("hours") != Small {
		t.Error("hours resting on three people are not <5")
	}
}
