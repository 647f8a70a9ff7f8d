package match

import (
	"context"
	"errors"
)

// scaler is Goldberg's cost-scaling push-relabel method for min-cost flow,
// laid out for one component. Unlike augmenting-path methods it does not
// slow down when capacity is nearly exhausted: prices move many units at
// once instead of one long path per unit.
//
// Left nodes are volunteers, whose supply is their capacity; right nodes
// are elders, which absorb up to their slots. (Either orientation is
// correct; this one measured slightly faster.) Nodes: left 0..nL-1, right
// nL..nL+nR-1, sink t = nL+nR. Arcs: left→right pairs (capacity 1), left→t "idle" arcs
// (capacity = supply), right→t arcs (capacity = slots). Sending every
// unit through the idle arcs is a feasible start. Costs are integers scaled
// so that 1-optimality at the end means exact optimality.
type scaler struct {
	nL, nR, t int32

	lOff  []int32 // pair arcs of left node u: lOff[u]..lOff[u+1]
	src   []int32 // pair arc → left node
	dst   []int32 // pair arc → right node, 0-based (node nL+dst)
	cst   []int64 // pair arc → scaled cost of the current stage
	flow  []bool  // pair arc → carries a unit
	fixed []bool  // pair arc → frozen by stage A

	rOff []int32 // incoming pair arcs of right node r: rArc[rOff[r]..rOff[r+1]]
	rArc []int32
	held [][]int32 // per right node: its unfrozen pair arcs carrying flow,
	// the only arcs by which it can send excess back

	supply, idle []int32 // per left node: capacity and flow of its idle arc
	capa, load   []int32 // per right node: capacity and flow of its arc to t
	idleFixed    []bool
	capFixed     []bool

	price  []int64
	excess []int64
	cur    []int32 // current-arc position per node
	queue  []int32
	queued []bool
	eps    int64

	relabels int // since the last price update
	dist     []int64
	done     []bool
	buckets  [][]int32
}

// scaleCheckEvery bounds how often the solver polls for cancellation.
const scaleCheckEvery = 1 << 12

// solve runs refine with ε divided by alpha each round, down to 1, from the
// current flow and prices (which must be eps0-optimal).
func (s *scaler) solve(ctx context.Context, eps0 int64) error {
	const alpha = 8
	for s.eps = eps0; ; {
		s.eps = max(s.eps/alpha, 1)
		if err := s.refine(ctx); err != nil {
			return err
		}
		if s.eps == 1 {
			return nil
		}
	}
}

// refine turns an (alpha·ε)-optimal flow into an ε-optimal one: saturate
// every arc with negative reduced cost, then push the resulting excesses
// along admissible arcs (reduced cost < 0), relabelling nodes that have none.
func (s *scaler) refine(ctx context.Context) error {
	s.saturateNegative()
	s.priceUpdate()
	for u := range s.t + 1 {
		if s.excess[u] > 0 {
			s.enqueue(u)
		}
	}
	for head := 0; head < len(s.queue); head++ {
		if head%scaleCheckEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		u := s.queue[head]
		s.queued[u] = false
		if !s.discharge(u) {
			return errStuck
		}
		if head > len(s.queue)/2 && head > 1<<16 { // drop the consumed front now and then
			s.queue = append(s.queue[:0], s.queue[head+1:]...)
			head = -1
		}
	}
	s.queue = s.queue[:0]
	return nil
}

func (s *scaler) enqueue(u int32) {
	if !s.queued[u] {
		s.queued[u] = true
		s.queue = append(s.queue, u)
	}
}

// moveExcess records δ units leaving u for w.
func (s *scaler) moveExcess(u, w int32, d int64) {
	s.excess[u] -= d
	s.excess[w] += d
	if s.excess[w] > 0 && s.excess[w] <= d {
		s.enqueue(w)
	}
}

// saturateNegative starts a refine: every residual arc with negative
// reduced cost is filled, which makes the flow 0-optimal at the price of
// excesses and deficits.
func (s *scaler) saturateNegative() {
	for l := range s.nL {
		pl := s.price[l]
		for k := s.lOff[l]; k < s.lOff[l+1]; k++ {
			if s.fixed[k] {
				continue
			}
			r := s.nL + s.dst[k]
			rc := s.cst[k] + pl - s.price[r]
			if !s.flow[k] && rc < 0 {
				s.flow[k] = true
				s.excess[l]--
				s.excess[r]++
			} else if s.flow[k] && rc > 0 {
				s.flow[k] = false
				s.excess[l]++
				s.excess[r]--
			}
		}
		if !s.idleFixed[l] {
			s.idle[l] = s.saturateToSink(l, s.idle[l], s.supply[l])
		}
	}
	for ri := range s.nR {
		if !s.capFixed[ri] {
			s.load[ri] = s.saturateToSink(s.nL+ri, s.load[ri], s.capa[ri])
		}
	}
	s.rebuildHeld()
}

// rebuildHeld lists each right node's unfrozen flowing arcs in arc order.
func (s *scaler) rebuildHeld() {
	if s.held == nil {
		s.held = make([][]int32, s.nR)
	}
	for ri := range s.held {
		s.held[ri] = s.held[ri][:0]
	}
	for k, f := range s.flow {
		if f && !s.fixed[k] {
			s.held[s.dst[k]] = append(s.held[s.dst[k]], int32(k))
		}
	}
}

// saturateToSink handles a zero-cost arc u→t with flow f of capacity c.
func (s *scaler) saturateToSink(u, f, c int32) int32 {
	rc := s.price[u] - s.price[s.t]
	switch {
	case rc < 0 && f < c:
		s.excess[u] -= int64(c - f)
		s.excess[s.t] += int64(c - f)
		return c
	case rc > 0 && f > 0:
		s.excess[u] += int64(f)
		s.excess[s.t] -= int64(f)
		return 0
	}
	return f
}

// errStuck would mean a bug: a node with excess always has a residual arc
// back to where the excess came from.
var errStuck = errors.New("match: internal error: cost scaling stuck on a node without residual arcs")

// discharge pushes u's excess away, relabelling whenever it runs out of
// admissible arcs; it reports false if u cannot be relabelled.
func (s *scaler) discharge(u int32) bool {
	for s.excess[u] > 0 {
		var done bool
		switch {
		case u < s.nL:
			done = s.pushLeft(u)
		case u < s.t:
			done = s.pushRight(u)
		default:
			done = s.pushSink()
		}
		if !done {
			// Price updates run at every refine; look-ahead keeps relabels
			// rare enough that more are only a safety valve.
			if s.relabels > 256*int(s.t) {
				s.priceUpdate()
				continue
			}
			if !s.relabel(u) {
				return false
			}
			s.relabels++
			s.cur[u] = 0
		}
	}
	return true
}
