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

// TestAHiddenTotalIsNotTheSumOfShownParts: a total hidden for another sum
// would be given back by its parts added up, so one of them is hidden too.
func TestAHiddenTotalIsNotTheSumOfShownParts(t *testing.T) {
	var s Set
	// Two communities' elders (3 and 20) add up to the street's; the
	// second community's 20 are 12 active and 8 paused.
	for k, n := range map[string]int64{"a": 3, "b": 20, "street": 23, "b.active": 12, "b.paused": 8} {
		s.Count(k, n)
	}
	s.Sum("street", "a", "b")
	s.Sum("b", "b.active", "b.paused")
	got := []string{s.Text("a"), s.Text("b"), s.Text("street"), s.Text("b.active"), s.Text("b.paused")}
	if !slices.Equal(got, []string{"<5", "*", "23", "12", "*"}) {
		t.Errorf("shown %v", got)
	}
}

// TestFixedNumbersStay: numbers decided in a finer table (a quarter's
// months) keep their state; the coarser total is hidden when a month's is,
// and what the months give back anyway is never picked to hide.
func TestFixedNumbersStay(t *testing.T) {
	for _, c := range []struct {
		name   string
		months [3]int64
		states [3]State
		want   string // the quarter as shown
	}{
		{"all shown", [3]int64{10, 12, 9}, [3]State{Shown, Shown, Shown}, "31"},
		{"one month <5", [3]int64{10, 3, 9}, [3]State{Shown, Small, Shown}, "*"},
		{"one month hidden", [3]int64{10, 7, 9}, [3]State{Shown, Hidden, Shown}, "*"},
		{"two hidden, 5 or more", [3]int64{10, 3, 7}, [3]State{Shown, Small, Hidden}, "20"},
		{"two hidden, under 5", [3]int64{10, 2, 1}, [3]State{Shown, Small, Small}, "*"},
	} {
		var s Set
		var q int64
		keys := make([]string, 3)
		for i, n := range c.months {
			keys[i] = fmt.Sprint("m", i)
			s.Count(keys[i], n)
			s.Fix(keys[i], c.states[i])
			q += n
		}
		s.Count("q", q)
		s.Sum("q", keys...)
		for i, k := range keys {
			if s.State(k) != c.states[i] {
				t.Errorf("%s: month %d changed to %v", c.name, i, s.State(k))
			}
		}
		if s.Text("q") != c.want {
			t.Errorf("%s: quarter %s, want %s", c.name, s.Text("q"), c.want)
		}
	}

	// Two communities' quarters add up to the street's. Community a's
	// second month is <5, so its quarter is hidden; b's months are all
	// shown, so hiding b's quarter would hide nothing: the street's
	// quarter is hidden instead.
	var s Set
	months := map[string]int64{"a1": 10, "a2": 3, "a3": 9, "b1": 20, "b2": 20, "b3": 20, "s1": 30, "s2": 23, "s3": 29}
	for _, k := range []string{"a1", "a2", "a3", "b1", "b2", "b3", "s1", "s2", "s3"} {
		s.Count(k, months[k])
		st := Shown
		if k == "a2" {
			st = Small
		} else if k == "b2" || k == "s2" {
			st = Hidden // as the month's report hid them
		}
		s.Fix(k, st)
	}
	s.Count("a", 22)
	s.Count("b", 60)
	s.Count("s", 82)
	s.Sum("s", "a", "b")
	s.Sum("a", "a1", "a2", "a3")
	s.Sum("b", "b1", "b2", "b3")
	s.Sum("s", "s1", "s2", "s3")
	if got := []string{s.Text("a"), s.Text("b"), s.Text("s")}; !slices.Equal(got, []string{"*", "*", "*"}) {
		t.Errorf("quarters shown %v", got)
	}
	s = Set{}
	for _, k := range []string{"a1", "a2", "a3", "b1", "b2", "b3"} {
		s.Count(k, months[k])
		st := Shown
		if k == "a2" {
			st = Small
		}
		s.Fix(k, st)
	}
	s.Count("a", 22)
	s.Count("b", 60)
	s.Count("s", 82)
	s.Sum("s", "a", "b")
	s.Sum("a", "a1", "a2", "a3")
	s.Sum("b", "b1", "b2", "b3")
	if got := []string{s.Text("a"), s.Text("b"), s.Text("s")}; !slices.Equal(got, []string{"*", "60", "*"}) {
		t.Errorf("b's months all shown: quarters shown %v", got)
	}
}
