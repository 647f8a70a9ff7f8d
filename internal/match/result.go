package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// solveGreedy fills g.matched with the baseline assignment described on Greedy.
func (g *graph) solveGreedy() {
	order := make([]int, len(g.in.Elders))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(g.in.Elders[b].Priority, g.in.Elders[a].Priority)
	})
	used := make([]int, len(g.in.Volunteers))
	var edges []int
	for _, i := range order {
		edges = edges[:0]
		for k := g.off[i]; k < g.off[i+1]; k++ {
			edges = append(edges, k)
		}
		slices.SortStableFunc(edges, func(a, b int) int {
			if c := cmp.Compare(g.costMM(a), g.costMM(b)); c != 0 {
				return c
			}
			return cmp.Compare(g.distMM[a], g.distMM[b])
		})
		filled := 0
		for _, k := range edges {
			if filled == g.slots[i] {
				break
			}
			if j := g.vol[k]; used[j] < g.capacity[j] {
				used[j]++
				g.matched[k] = true
				filled++
			}
		}
	}
}

// result turns g.matched into the public Result.
func (g *graph) result() Result {
	r := Result{Pairs: []Pair{}, Unmatched: []Unmatched{}}
	var total float64
	var edges []int
	for i := range g.in.Elders {
		e := &g.in.Elders[i]
		edges = edges[:0]
		for k := g.off[i]; k < g.off[i+1]; k++ {
			if g.matched[k] {
				edges = append(edges, k)
			}
		}
		// Edges are in volunteer order already, so a stable sort by distance
		// gives the documented tie-break.
		slices.SortStableFunc(edges, func(a, b int) int { return cmp.Compare(g.distMM[a], g.distMM[b]) })
		for _, k := range edges {
			v := &g.in.Volunteers[g.vol[k]]
			d := Distance(e.Lat, e.Lon, v.Lat, v.Lon)
			p := Pair{
				Elder: e.ID, Volunteer: v.ID, DistanceM: round2(d),
				Kind: v.Kind, Preferred: g.preferred[k],
			}
			p.Reason = g.pairReason(i, k, d)
			r.Pairs = append(r.Pairs, p)
			r.Objective.Priority += int64(e.Priority)
			if g.neighbour[g.vol[k]] {
				r.Objective.NeighbourSlots++
			}
			if !p.Preferred {
				total += d
			}
		}
		if missing := slotsOf(e) - len(edges); missing > 0 {
			r.Unmatched = append(r.Unmatched, Unmatched{Elder: e.ID, Slots: missing, Reason: g.unmatchedReason(i)})
		}
	}
	r.Objective.TotalCostM = round2(total)
	return r
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// unmatchedReason picks the most specific explanation: nobody in reach at
// all, then everybody in reach refused, else the allowed ones were used up
// (including capacity 0 and having fewer allowed volunteers than slots).
func (g *graph) unmatchedReason(i int) Reason {
	switch {
	case g.inReach[i] == 0:
		return ReasonNoneInReach
	case g.allowed[i] == 0:
		return ReasonRefusedAll
	}
	return ReasonCapacityTaken
}

// pairReason explains a pair by its kind, distance, rank among the elder's
// usable volunteers and preference, e.g. "neighbour volunteer 70 m away,
// nearest of 3 usable in reach; preferred by the elder".
func (g *graph) pairReason(i, k int, d float64) string {
	rank, n := 1, g.off[i+1]-g.off[i]
	for q := g.off[i]; q < g.off[i+1]; q++ {
		if g.distMM[q] < g.distMM[k] {
			rank++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s volunteer %s away, ", g.in.Volunteers[g.vol[k]].Kind, humanDistance(d))
	switch {
	case n == 1:
		b.WriteString("the only usable volunteer in reach")
	case rank == 1:
		fmt.Fprintf(&b, "nearest of %d usable in reach", n)
	default:
		fmt.Fprintf(&b, "%s nearest of %d usable in reach", ordinal(rank), n)
	}
	if g.preferred[k] {
		b.WriteString("; preferred by the elder")
	}
	return b.String()
}

func humanDistance(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}

func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
