package match

import (
	"context"
	"errors"
	"math"
)

// The network simplex below follows the primal network simplex of LEMON
// (Király & Kovács, "Efficient implementations of minimum-cost flow
// algorithms", 2012): a strongly feasible spanning tree stored as
// parent/thread/successor-count arrays, an artificial root with big-M arcs,
// and block-search pricing. It needs only addition and comparison of costs,
// so it runs directly on the lexicographic cost tuple and is exact.

// cost is an arc cost in the lexicographic objective: a is minus the
// priority, b minus the neighbour count, c the pair cost in millimetres.
// Comparing tuples instead of packing them into one integer keeps the
// objective exact for any instance size; the tuples form an ordered abelian
// group, which is all the network simplex needs.
type cost struct{ a, b, c int64 }

func (x cost) add(y cost) cost { return cost{x.a + y.a, x.b + y.b, x.c + y.c} }
func (x cost) sub(y cost) cost { return cost{x.a - y.a, x.b - y.b, x.c - y.c} }

func (x cost) less(y cost) bool {
	if x.a != y.a {
		return x.a < y.a
	}
	if x.b != y.b {
		return x.b < y.b
	}
	return x.c < y.c
}

const (
	stateUpper int8 = -1 // non-tree arc at its capacity
	stateTree  int8 = 0
	stateLower int8 = 1 // non-tree arc at zero flow

	dirUp   int8 = 1  // tree arc points from the node to its parent
	dirDown int8 = -1 // tree arc points from the parent to the node

	capInf = math.MaxInt32
)

// errNotOptimal would mean a bug: with the unfilled arcs every instance is
// feasible, so artificial arcs must end empty.
var errNotOptimal = errors.New("match: internal error: network simplex ended with artificial flow")

// network is one component as a min-cost flow problem. Nodes: elders
// 0..nE-1 (supply = their slots), volunteers nE..nE+nV-1, sink t = nE+nV
// (demand = all slots), root = t+1. Arcs: [0, m) elder→volunteer pairs,
// then elder→t "unfilled" arcs, then volunteer→t capacity arcs, then one
// artificial arc per node to or from the root.
type network struct {
	nNodes, root, m, artStart int32

	src, dst   []int32
	capa, flow []int32
	state      []int8
	edgeC      []int64 // third cost level of the pair arcs
	nodeA      []int64 // minus priority, for arcs leaving an elder
	nodeB      []int64 // minus one for arcs entering a neighbour volunteer
	art        cost

	pi                                           []cost
	parent, pred, thread, revThread, succ, lastS []int32
	predDir                                      []int8
	dirty                                        []int32

	inArc, join, uIn, vIn, uOut, vOut int32
	delta                             int32
	block, nextArc                    int32
}

// arcCost is computed rather than stored: a district instance has millions
// of pair arcs and their cost is determined by the endpoints and distance.
func (ns *network) arcCost(e int32) cost {
	if e < ns.m {
		return cost{ns.nodeA[ns.src[e]], ns.nodeB[ns.dst[e]], ns.edgeC[e]}
	}
	if e >= ns.artStart && ns.src[e] == ns.root {
		return ns.art
	}
	return cost{}
}

// reduced is the arc's reduced cost oriented so that negative means
// "entering improves the objective".
func (ns *network) reduced(e int32) cost {
	c := ns.arcCost(e).add(ns.pi[ns.src[e]]).sub(ns.pi[ns.dst[e]])
	if ns.state[e] == stateUpper {
		return cost{-c.a, -c.b, -c.c}
	}
	return c
}

// initTree builds the starting strongly feasible tree: every node hangs off
// the root by an artificial arc carrying its supply, and the big-M cost on
// root→demand arcs makes every real route cheaper.
func (ns *network) initTree(supply []int32) {
	n := ns.nNodes
	r := ns.root
	ns.parent[r], ns.pred[r], ns.thread[r], ns.revThread[0] = -1, -1, 0, r
	ns.succ[r], ns.lastS[r] = n+1, r-1
	for u := int32(0); u < n; u++ {
		e := ns.artStart + u
		ns.parent[u], ns.pred[u] = r, e
		ns.thread[u], ns.revThread[u+1] = u+1, u
		ns.succ[u], ns.lastS[u] = 1, u
		ns.capa[e], ns.state[e] = capInf, stateTree
		if supply[u] >= 0 {
			ns.predDir[u], ns.src[e], ns.dst[e], ns.flow[e] = dirUp, u, r, supply[u]
		} else {
			ns.predDir[u], ns.src[e], ns.dst[e], ns.flow[e] = dirDown, r, u, -supply[u]
			ns.pi[u] = ns.art
		}
	}
}

// findEnteringArc is block search: scan a block of arcs, take the most
// violating one, otherwise move on; it fails only after a full round finds
// nothing, which is the optimality proof.
func (ns *network) findEnteringArc() bool {
	var best cost
	found := false
	cnt := ns.block
	end := ns.artStart
	e := ns.nextArc
	for range end {
		if ns.state[e] != stateTree {
			if c := ns.reduced(e); c.less(best) {
				best, ns.inArc, found = c, e, true
			}
		}
		if e++; e == end {
			e = 0
		}
		if cnt--; cnt == 0 {
			if found {
				ns.nextArc = e
				return true
			}
			cnt = ns.block
		}
	}
	ns.nextArc = e
	return found
}

func (ns *network) findJoinNode() {
	u, v := ns.src[ns.inArc], ns.dst[ns.inArc]
	for u != v {
		if ns.succ[u] < ns.succ[v] {
			u = ns.parent[u]
		} else {
			v = ns.parent[v]
		}
	}
	ns.join = u
}

// residualUp is the capacity left on the tree arc above u when the cycle
// flows in direction dir relative to the arc's tree orientation.
func (ns *network) residual(u int32, along int8) int32 {
	e := ns.pred[u]
	if ns.predDir[u] == along {
		if ns.capa[e] == capInf {
			return capInf
		}
		return ns.capa[e] - ns.flow[e]
	}
	return ns.flow[e]
}

// findLeavingArc picks the blocking arc of the cycle; the strict/non-strict
// comparisons keep the tree strongly feasible, which rules out cycling.
func (ns *network) findLeavingArc() bool {
	first, second := ns.src[ns.inArc], ns.dst[ns.inArc]
	if ns.state[ns.inArc] == stateUpper {
		first, second = second, first
	}
	ns.delta = ns.capa[ns.inArc]
	result := 0
	for u := first; u != ns.join; u = ns.parent[u] {
		if d := ns.residual(u, dirDown); d < ns.delta {
			ns.delta, ns.uOut, result = d, u, 1
		}
	}
	for u := second; u != ns.join; u = ns.parent[u] {
		if d := ns.residual(u, dirUp); d <= ns.delta {
			ns.delta, ns.uOut, result = d, u, 2
		}
	}
	if result == 1 {
		ns.uIn, ns.vIn = first, second
	} else {
		ns.uIn, ns.vIn = second, first
	}
	return result != 0
}

func (ns *network) changeFlow(change bool) {
	if ns.delta > 0 {
		val := int32(ns.state[ns.inArc]) * ns.delta
		ns.flow[ns.inArc] += val
		for u := ns.src[ns.inArc]; u != ns.join; u = ns.parent[u] {
			ns.flow[ns.pred[u]] -= int32(ns.predDir[u]) * val
		}
		for u := ns.dst[ns.inArc]; u != ns.join; u = ns.parent[u] {
			ns.flow[ns.pred[u]] += int32(ns.predDir[u]) * val
		}
	}
	if change {
		ns.state[ns.inArc] = stateTree
		if out := ns.pred[ns.uOut]; ns.flow[out] == 0 {
			ns.state[out] = stateLower
		} else {
			ns.state[out] = stateUpper
		}
	} else {
		ns.state[ns.inArc] = -ns.state[ns.inArc]
	}
}

// updatePotential shifts the potentials of the re-hung subtree so the
// entering arc has zero reduced cost.
func (ns *network) updatePotential() {
	c := ns.arcCost(ns.inArc)
	if ns.predDir[ns.uIn] == dirDown {
		c = cost{-c.a, -c.b, -c.c}
	}
	sigma := ns.pi[ns.vIn].sub(ns.pi[ns.uIn]).sub(c)
	end := ns.thread[ns.lastS[ns.uIn]]
	for u := ns.uIn; u != end; u = ns.thread[u] {
		ns.pi[u] = ns.pi[u].add(sigma)
	}
}

// run pivots to optimality, checking for cancellation now and then.
func (ns *network) run(ctx context.Context) error {
	for it := 0; ns.findEnteringArc(); it++ {
		if it%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ns.findJoinNode()
		change := ns.findLeavingArc()
		if ns.delta >= capInf {
			return errNotOptimal // an unbounded cycle cannot exist with these costs
		}
		ns.changeFlow(change)
		if change {
			ns.updateTreeStructure()
			ns.updatePotential()
		}
	}
	for e := ns.artStart; e < ns.artStart+ns.nNodes; e++ {
		if ns.flow[e] != 0 {
			return errNotOptimal
		}
	}
	return nil
}

// newNetwork lays out the component as described on network and returns it
// with the global edge index of every pair arc.
func (g *graph) newNetwork(c *component, volLocal []int32) (*network, []int32) {
	nE, nV := int32(len(c.elders)), int32(len(c.vols))
	var m int32
	for _, i := range c.elders {
		m += int32(g.off[i+1] - g.off[i])
	}
	n := nE + nV + 1
	t := nE + nV
	total := m + nE + nV + n
	ns := &network{
		nNodes: n, root: n, m: m, artStart: m + nE + nV,
		src: make([]int32, total), dst: make([]int32, total),
		capa: make([]int32, total), flow: make([]int32, total), state: make([]int8, total),
		edgeC: make([]int64, m), nodeA: make([]int64, n), nodeB: make([]int64, n),
		pi: make([]cost, n+1), parent: make([]int32, n+1), pred: make([]int32, n+1),
		thread: make([]int32, n+1), revThread: make([]int32, n+1), succ: make([]int32, n+1),
		lastS: make([]int32, n+1), predDir: make([]int8, n+1),
	}
	edges := make([]int32, 0, m)
	supply := make([]int32, n)
	e := int32(0)
	for li, i := range c.elders {
		u := int32(li)
		ns.nodeA[u] = -int64(g.in.Elders[i].Priority)
		supply[u] = int32(g.slots[i])
		supply[t] -= supply[u]
		for k := g.off[i]; k < g.off[i+1]; k++ {
			ns.src[e], ns.dst[e], ns.capa[e] = u, nE+volLocal[g.vol[k]], 1
			ns.edgeC[e] = g.costMM(k)
			edges = append(edges, int32(k))
			e++
		}
	}
	for u := range nE { // unfilled arcs
		ns.src[e], ns.dst[e], ns.capa[e] = u, t, supply[u]
		e++
	}
	for lv, j := range c.vols { // capacity arcs
		v := nE + int32(lv)
		if g.neighbour[j] {
			ns.nodeB[v] = -1
		}
		ns.src[e], ns.dst[e], ns.capa[e] = v, t, int32(min(g.capacity[j], math.MaxInt32-1))
		e++
	}
	for e := range ns.artStart {
		ns.state[e] = stateLower
	}
	// Any simple path's cost has |a| <= n*MaxPriority, so this big-M
	// dominates at the first level.
	ns.art = cost{a: int64(n+1) * (MaxPriority + 1)}
	ns.block = max(int32(math.Sqrt(float64(ns.artStart))), 10)
	ns.initTree(supply)
	return ns, edges
}
