package match

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
)

// Solving a component takes two exact stages, each with int64 costs.
//
// Stage A maximises Σ(priority + [neighbour]) over filled slots. This has
// the same optimal set as "priority first, then neighbour slots": a
// lexicographically best assignment also has the most neighbour slots of
// any feasible assignment (take the alternating trails of its symmetric
// difference with any other assignment B; a trail that would add a
// neighbour slot without losing priority would contradict optimality, and
// every other trail keeps or lowers the neighbour count), so maximising the
// sum reaches both maxima at once and nothing else.
//
// Stage B minimises the pair cost over stage A's optimal face: with exact
// optimal prices from stage A, complementary slackness says an arc with
// non-zero reduced cost has the same flow in every stage-A optimum, so those
// arcs are frozen and stage B re-optimises only the rest.
//
// Splitting the stages keeps every number small; a single combined cost
// would need far more than 64 bits once scaled.

var errInternal = errors.New("match: internal error: stage A duals inconsistent with its flow")

// fitsInt64 reports whether cost scaling with the given largest scaled cost
// stays far from overflow: prices move by at most about (α+2)·N·ε per round,
// summing to well under 16·N·ε0 overall.
func fitsInt64(nodes, eps0 int64) bool {
	return 16*float64(nodes)*float64(eps0) < float64(math.MaxInt64)/16
}

// newScaler lays out component c, volunteers on the left, with the pair
// arcs picked by sel; it returns the global edge of every pair arc.
func (g *graph) newScaler(c *component, loc *locals, sel []bool) (*scaler, []int32) {
	nL, nR := int32(len(c.vols)), int32(len(c.elders))
	s := &scaler{
		nL: nL, nR: nR, t: nL + nR, lOff: make([]int32, nL+1),
		supply: make([]int32, nL), idle: make([]int32, nL), idleFixed: make([]bool, nL),
		capa: make([]int32, nR), load: make([]int32, nR), capFixed: make([]bool, nR),
		rOff: make([]int32, nR+1),
	}
	for _, i := range c.elders {
		for k := g.off[i]; k < g.off[i+1]; k++ {
			if sel[k] {
				s.lOff[loc.vol[g.vol[k]]+1]++
			}
		}
	}
	for lv := range nL {
		s.lOff[lv+1] += s.lOff[lv]
	}
	m := s.lOff[nL]
	edges := make([]int32, m)
	s.src, s.dst = make([]int32, m), make([]int32, m)
	next := append([]int32(nil), s.lOff[:nL]...)
	for li, i := range c.elders {
		for k := g.off[i]; k < g.off[i+1]; k++ {
			if !sel[k] {
				continue
			}
			lv := loc.vol[g.vol[k]]
			a := next[lv]
			next[lv]++
			edges[a], s.src[a], s.dst[a] = int32(k), lv, int32(li)
			s.rOff[li+1]++
		}
		s.capa[li] = int32(g.slots[i])
	}
	for lv, j := range c.vols {
		s.supply[lv] = int32(min(g.capacity[j], math.MaxInt32/2))
		s.idle[lv] = s.supply[lv] // the feasible start: nobody matched
	}
	s.cst, s.flow, s.fixed = make([]int64, m), make([]bool, m), make([]bool, m)
	for li := range nR {
		s.rOff[li+1] += s.rOff[li]
	}
	s.rArc = make([]int32, m)
	next = append(next[:0], s.rOff[:nR]...)
	for k, r := range s.dst {
		s.rArc[next[r]] = int32(k)
		next[r]++
	}
	n := s.t + 1
	s.price, s.excess, s.cur = make([]int64, n), make([]int64, n), make([]int32, n)
	s.queued = make([]bool, n)
	return s, edges
}

// locals maps global elder and volunteer indices to their index within
// their component; each belongs to exactly one component, so one shared
// pair of slices serves all components, also in parallel.
type locals struct {
	elder, vol []int32
}

// solveStaged solves one component with cost scaling, or reports false when
// the component is too large for int64 arithmetic.
//
// Most of an elder's pairs are far too costly to matter, so it solves a
// sparse subproblem first and then prices out every left-out pair against
// the exact optimal prices of both stages (a lexicographic dual
// certificate). Pairs with a negative reduced cost join and the subproblem
// is solved again; when none is left the subproblem's optimum is optimal for
// the whole component.
func (g *graph) solveStaged(ctx context.Context, c *component, loc *locals, sel []bool) (bool, error) {
	g.seedSelection(c, sel)
	var warm *duals
	for {
		s, edges := g.newScaler(c, loc, sel)
		d, ok, err := g.solveSubproblem(ctx, c, s, edges, warm)
		if !ok || err != nil {
			return ok, err
		}
		for k, gk := range edges {
			g.matched[gk] = s.flow[k]
		}
		added := g.priceOut(c, loc, sel, s.nL, d)
		if added == 0 {
			return true, nil
		}
		warm = d
	}
}

// duals are exact optimal prices of a subproblem, by local node: piA for
// priority+neighbour, piB for the pair cost on stage A's optimal face.
type duals struct{ piA, piB []int64 }

// seedCount is how many nearest neighbour volunteers and how many nearest
// other volunteers each elder starts with, besides those it prefers. It is
// a variable only so tests can force extra pricing rounds.
var seedCount = 12

// seedSelection picks each elder's preferred volunteers and its seedCount
// nearest neighbour and non-neighbour volunteers.
func (g *graph) seedSelection(c *component, sel []bool) {
	var ks []int
	for _, i := range c.elders {
		ks = ks[:0]
		for k := g.off[i]; k < g.off[i+1]; k++ {
			sel[k] = g.preferred[k]
			ks = append(ks, k)
		}
		slices.SortStableFunc(ks, func(a, b int) int { return cmp.Compare(g.distMM[a], g.distMM[b]) })
		var nb, other int
		for _, k := range ks {
			if g.neighbour[g.vol[k]] {
				sel[k] = sel[k] || nb < seedCount
				nb++
			} else {
				sel[k] = sel[k] || other < seedCount
				other++
			}
		}
	}
}

// priceOut adds every unselected pair whose reduced cost under the
// lexicographic prices (piA, piB) is negative and returns how many it added.
func (g *graph) priceOut(c *component, loc *locals, sel []bool, nL int32, d *duals) int {
	piA, piB := d.piA, d.piB
	added := 0
	for li, i := range c.elders {
		r := nL + int32(li)
		w0 := int64(g.in.Elders[i].Priority)
		for k := g.off[i]; k < g.off[i+1]; k++ {
			if sel[k] {
				continue
			}
			l := loc.vol[g.vol[k]]
			w := w0
			if g.neighbour[g.vol[k]] {
				w++
			}
			rc := -w + piA[l] - piA[r]
			if rc == 0 {
				rc = g.costMM(k) + piB[l] - piB[r]
			}
			if rc < 0 {
				sel[k] = true
				added++
			}
		}
	}
	return added
}

// solveSubproblem runs both stages on s and returns exact optimal prices of
// each: piA for priority+neighbour, piB for the pair cost.
//
// Stage A's costs carry the distance as a tie-breaker below one unit of
// priority: C = -(priority+neighbour)·unit + tb, where tb is the pair cost
// in millimetres shifted right until the numbers fit. With
// unit > n·(2·maxTB+1) any ε=1-optimal flow is exactly optimal for the
// priority part (a cycle improving it by 1 would cost < -n), and it is
// already nearly optimal for distance, which makes stage B short.
func (g *graph) solveSubproblem(ctx context.Context, c *component, s *scaler, edges []int32, warm *duals) (*duals, bool, error) {
	n := int64(s.t) + 1
	weight := make([]int64, len(edges)) // priority + neighbour, per pair arc
	mm := make([]int64, len(edges))
	var maxW, maxMM int64
	for k, gk := range edges {
		weight[k] = int64(g.in.Elders[c.elders[s.dst[k]]].Priority)
		if g.neighbour[g.vol[gk]] {
			weight[k]++
		}
		mm[k] = g.costMM(int(gk))
		maxW, maxMM = max(maxW, weight[k]), max(maxMM, mm[k])
	}
	shift, unit := uint(0), int64(0)
	for ; ; shift++ {
		tb := maxMM >> shift
		unit = n*(2*tb+1) + 1
		if fitsInt64(n, maxW*unit+tb) {
			break
		}
		if tb == 0 {
			return nil, false, nil
		}
	}
	for k := range s.cst {
		s.cst[k] = -weight[k]*unit + mm[k]>>shift
	}
	eps0 := maxW*unit + maxMM>>shift
	if warm != nil && shift == 0 {
		eps0 = min(eps0, s.warmStart(g, edges, warm, unit))
	}
	if err := s.solve(ctx, eps0); err != nil {
		return nil, true, err
	}
	d := &duals{piA: s.exactPrices(unit, n*(maxMM>>shift))}
	if err := s.freezeFace(d.piA, weight); err != nil {
		return nil, true, err
	}
	if maxMM == 0 {
		d.piB = make([]int64, n)
		return d, true, nil
	}
	if !fitsInt64(n, maxMM*(n+1)) {
		return nil, false, nil
	}
	if err := s.stageB(ctx, d.piA, unit, shift, mm); err != nil {
		return nil, true, err
	}
	d.piB = s.exactPrices(n+1, 0)
	return d, true, nil
}

// warmStart continues from the previous round: its flow (in g.matched) and
// prices unit·piA + piB, which are exactly optimal for this round's stage-A
// costs on every arc the previous round had (on its face the priority part
// of the reduced cost is 0 and the distance part >= 0; elsewhere the
// priority part is at least one unit, more than any distance difference).
// Only the arcs added since violate optimality; it returns by how much at
// most, which is where cost scaling resumes. Without headroom for the
// prices it leaves the cold start in place and returns the cold ε.
func (s *scaler) warmStart(g *graph, edges []int32, d *duals, unit int64) int64 {
	cold := int64(math.MaxInt64)
	for u := range s.price {
		if p := float64(unit)*float64(d.piA[u]) + float64(d.piB[u]); math.Abs(p) > float64(math.MaxInt64)/64 {
			return cold
		}
	}
	for u := range s.price {
		s.price[u] = unit*d.piA[u] + d.piB[u]
	}
	for k, gk := range edges {
		if s.flow[k] = g.matched[gk]; s.flow[k] {
			s.idle[s.src[k]]--
			s.load[s.dst[k]]++
		}
	}
	worst := int64(1)
	for k := range s.cst {
		rc := s.cst[k] + s.price[s.src[k]] - s.price[s.nL+s.dst[k]]
		if s.flow[k] {
			rc = -rc
		}
		worst = max(worst, -rc)
	}
	for u := range s.t {
		var room, used bool
		if u < s.nL {
			room, used = s.idle[u] < s.supply[u], s.idle[u] > 0
		} else {
			room, used = s.load[u-s.nL] < s.capa[u-s.nL], s.load[u-s.nL] > 0
		}
		rc := s.price[u] - s.price[s.t]
		if room {
			worst = max(worst, -rc)
		}
		if used {
			worst = max(worst, rc)
		}
	}
	return worst
}

// stageB minimises the pair cost on the frozen face. Its costs are
// millimetres times scale > n, so ε = 1 at the end means exact. Stage A's
// prices minus unit·(exact stage-A prices) are already nearly optimal for
// the tie-breaker on every unfrozen arc, so scaled they make a warm start at
// ε = scale·2^(shift+1); if that could overflow, start cold.
func (s *scaler) stageB(ctx context.Context, pi []int64, unit int64, shift uint, mm []int64) error {
	n := int64(s.t) + 1
	scale := n + 1
	maxMM := int64(0)
	for k := range s.cst {
		s.cst[k] = mm[k] * scale
		maxMM = max(maxMM, mm[k])
	}
	warm := scale << (shift + 1)
	// Only price differences matter, so measure from the sink's price; that
	// keeps the numbers near path lengths in millimetres.
	qt := s.price[s.t] - unit*pi[s.t]
	var far int64
	for u := range s.price {
		q := s.price[u] - unit*pi[u] - qt
		s.price[u] = q
		far = max(far, q, -q)
	}
	limit := float64(math.MaxInt64) / 8
	if warm >= maxMM*scale || float64(far<<shift)*float64(scale)+16*float64(n)*float64(warm) > limit {
		clear(s.price)
		return s.solve(ctx, maxMM*scale)
	}
	for u := range s.price {
		s.price[u] = s.price[u] << shift * scale
	}
	return s.solve(ctx, warm)
}
