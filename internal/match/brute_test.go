package match

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// exactObjective is the objective in the solver's own integer units, so
// comparisons are exact: priority sum, neighbour slots, cost in mm.
type exactObjective struct {
	p, nb, mm int64
}

func (x exactObjective) better(y exactObjective) bool {
	if x.p != y.p {
		return x.p > y.p
	}
	if x.nb != y.nb {
		return x.nb > y.nb
	}
	return x.mm < y.mm
}

// pairFacts is what the brute force knows about one allowed pair, derived
// from the instance directly rather than from the solver's graph.
type pairFacts struct {
	v     int
	gain  exactObjective
	valid bool
}

func allowedPairs(in *Instance) [][]pairFacts {
	out := make([][]pairFacts, len(in.Elders))
	for i, e := range in.Elders {
		for j, v := range in.Volunteers {
			if v.Kind == KindClinic || v.Capacity == 0 {
				continue
			}
			d := Distance(e.Lat, e.Lon, v.Lat, v.Lon)
			if d > in.MaxDistanceM || contains(e.Refuse, v.ID) {
				continue
			}
			g := exactObjective{p: int64(e.Priority), mm: toMM(d)}
			if v.Kind == KindNeighbour {
				g.nb = 1
			}
			if contains(e.Prefer, v.ID) {
				g.mm = 0
			}
			out[i] = append(out[i], pairFacts{v: j, gain: g, valid: true})
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// bruteForce enumerates every feasible assignment (each elder picks a
// subset of its allowed volunteers of size <= slots, capacities respected)
// and returns the best objective and the best neighbour count of any
// assignment at all.
func bruteForce(in *Instance) (best exactObjective, maxNB int64) {
	pairs := allowedPairs(in)
	left := make([]int, len(in.Volunteers))
	for j, v := range in.Volunteers {
		left[j] = v.Capacity
	}
	var rec func(i, from, used int, acc exactObjective)
	rec = func(i, from, used int, acc exactObjective) {
		if i == len(in.Elders) {
			if acc.better(best) {
				best = acc
			}
			maxNB = max(maxNB, acc.nb)
			return
		}
		rec(i+1, 0, 0, acc) // elder i takes no more volunteers
		if used == slotsOf(&in.Elders[i]) {
			return
		}
		for q := from; q < len(pairs[i]); q++ {
			pf := pairs[i][q]
			if left[pf.v] == 0 {
				continue
			}
			left[pf.v]--
			rec(i, q+1, used+1, exactObjective{acc.p + pf.gain.p, acc.nb + pf.gain.nb, acc.mm + pf.gain.mm})
			left[pf.v]++
		}
	}
	rec(0, 0, 0, exactObjective{})
	return best, maxNB
}

// checkFeasible verifies a Result against the instance and returns its
// exact objective.
func checkFeasible(t *testing.T, in *Instance, r Result) exactObjective {
	t.Helper()
	el, vo := map[string]int{}, map[string]int{}
	for i, e := range in.Elders {
		el[e.ID] = i
	}
	for j, v := range in.Volunteers {
		vo[v.ID] = j
	}
	load := make([]int, len(in.Volunteers))
	got := make([]int, len(in.Elders))
	seen := map[[2]int]bool{}
	var o exactObjective
	for _, p := range r.Pairs {
		i, j := el[p.Elder], vo[p.Volunteer]
		e, v := in.Elders[i], in.Volunteers[j]
		d := Distance(e.Lat, e.Lon, v.Lat, v.Lon)
		switch {
		case d > in.MaxDistanceM:
			t.Errorf("pair %s-%s out of reach (%.1f m)", e.ID, v.ID, d)
		case contains(e.Refuse, v.ID):
			t.Errorf("pair %s-%s was refused", e.ID, v.ID)
		case v.Kind == KindClinic:
			t.Errorf("clinic volunteer %s matched", v.ID)
		case seen[[2]int{i, j}]:
			t.Errorf("pair %s-%s repeated", e.ID, v.ID)
		}
		seen[[2]int{i, j}] = true
		load[j]++
		got[i]++
		o.p += int64(e.Priority)
		if v.Kind == KindNeighbour {
			o.nb++
		}
		if !contains(e.Prefer, v.ID) {
			o.mm += toMM(d)
		}
	}
	for j, v := range in.Volunteers {
		if load[j] > v.Capacity {
			t.Errorf("volunteer %s over capacity: %d > %d", v.ID, load[j], v.Capacity)
		}
	}
	for i, e := range in.Elders {
		if got[i] > slotsOf(&e) {
			t.Errorf("elder %s over slots: %d", e.ID, got[i])
		}
	}
	if o.p != r.Objective.Priority || o.nb != int64(r.Objective.NeighbourSlots) {
		t.Errorf("reported objective %+v, recomputed %+v", r.Objective, o)
	}
	return o
}

// randomInstance makes a small instance around one point with ~1 km reach,
// so some pairs are in reach and some not; duplicate locations create
// exact distance ties, and priorities 1–3 create priority ties.
func randomInstance(r *rand.Rand, maxE, maxV, maxSlots, maxCap int) Instance {
	in := Instance{MaxDistanceM: 1000}
	spot := func() (float64, float64) {
		return 31.2 + r.Float64()*0.02, 121.4 + r.Float64()*0.02
	}
	kinds := []Kind{KindNeighbour, KindNeighbour, KindSocial, KindCommittee, KindClinic}
	nV := 1 + r.IntN(maxV)
	for j := range nV {
		v := Volunteer{ID: fmt.Sprintf("v%d", j), Capacity: r.IntN(maxCap + 1), Kind: kinds[r.IntN(len(kinds))]}
		if j > 0 && r.IntN(5) == 0 {
			v.Lat, v.Lon = in.Volunteers[j-1].Lat, in.Volunteers[j-1].Lon
		} else {
			v.Lat, v.Lon = spot()
		}
		in.Volunteers = append(in.Volunteers, v)
	}
	for i := range 1 + r.IntN(maxE) {
		e := Elder{ID: fmt.Sprintf("e%d", i), Priority: 1 + r.IntN(3), Slots: r.IntN(maxSlots + 1)}
		e.Lat, e.Lon = spot()
		for j := range nV {
			switch r.IntN(8) {
			case 0:
				e.Refuse = append(e.Refuse, fmt.Sprintf("v%d", j))
			case 1:
				e.Prefer = append(e.Prefer, fmt.Sprintf("v%d", j))
			}
		}
		in.Elders = append(in.Elders, e)
	}
	return in
}

func TestSolveMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	greedyWorse := 0
	for n := range 300 {
		in := randomInstance(r, 6, 5, 2, 2)
		res, err := Solve(in)
		if err != nil {
			t.Fatal(err)
		}
		got := checkFeasible(t, &in, res)
		want, maxNB := bruteForce(&in)
		if got != want {
			t.Fatalf("instance %d: Solve %+v, brute force %+v\n%+v", n, got, want, in)
		}
		if got.nb != maxNB {
			t.Errorf("instance %d: optimum has %d neighbour slots, but %d are possible", n, got.nb, maxNB)
		}
		if math.Abs(res.Objective.TotalCostM-float64(got.mm)/1000) > 0.01*float64(len(res.Pairs)+1) {
			t.Errorf("instance %d: total_cost_m %v vs %d mm", n, res.Objective.TotalCostM, got.mm)
		}
		if want.better(checkFeasible(t, &in, Greedy(in))) {
			greedyWorse++
		}
	}
	t.Logf("greedy was suboptimal on %d of 300 random instances", greedyWorse)
	if greedyWorse == 0 {
		t.Error("random instances never separate greedy from optimal; they are too easy")
	}
}

// TestEnginesAgree cross-checks the cost-scaling engine against the
// tuple-cost network simplex on instances too big to brute-force.
func TestEnginesAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for n := range 40 {
		in := randomInstance(r, 120, 60, 3, 3)
		scaled, err := Solve(in)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := checkFeasible(t, &in, scaled), simplexObjective(t, &in); a != b {
			t.Fatalf("instance %d: cost scaling %+v, network simplex %+v", n, a, b)
		}
	}
}

// simplexObjective solves every component with the network simplex alone.
func simplexObjective(t *testing.T, in *Instance) exactObjective {
	t.Helper()
	g, err := buildGraph(in)
	if err != nil {
		t.Fatal(err)
	}
	volLocal := make([]int32, len(in.Volunteers))
	for _, c := range g.components() {
		for lv, j := range c.vols {
			volLocal[j] = int32(lv)
		}
		ns, edges := g.newNetwork(&c, volLocal)
		if err := ns.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for e, k := range edges {
			g.matched[k] = ns.flow[e] == 1
		}
	}
	return checkFeasible(t, in, g.result())
}
