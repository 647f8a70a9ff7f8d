package match

import (
	"cmp"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
)

// graph holds the allowed elder→volunteer pairs in compressed sparse rows
// (edges of elder i are off[i]..off[i+1], sorted by volunteer index) plus the
// per-edge state shared by Solve and Greedy. Edge data lives in parallel
// slices rather than structs to keep a district instance (millions of edges)
// compact.
type graph struct {
	in        *Instance
	off       []int   // per elder, len(Elders)+1
	vol       []int32 // edge → volunteer index
	distMM    []int64 // edge → distance, whole millimetres
	preferred []bool  // edge → volunteer is in the elder's prefer list
	matched   []bool  // edge → part of the assignment

	slots     []int  // per elder: wanted slots capped by its edge count
	capacity  []int  // per volunteer: usable capacity (0 for clinic)
	neighbour []bool // per volunteer
	inReach   []int32
	allowed   []int32
}

// errTooDense guards the int32 edge indices used by the flow solver.
var errTooDense = errors.New("instance too dense: more than 2^31-1 elder-volunteer pairs in reach")

func toMM(m float64) int64 { return int64(math.Round(m * 1000)) }

// costMM is the third objective level of an edge.
func (g *graph) costMM(k int) int64 {
	if g.preferred[k] {
		return 0
	}
	return g.distMM[k]
}

// cellKey names a cube of the 3-D grid over unit vectors.
type cellKey struct{ x, y, z int64 }

// spatialIndex buckets volunteers by cubes of the unit sphere's embedding in
// 3-D. Working with unit vectors instead of latitude/longitude keeps it
// correct at the poles and across the antimeridian: a great-circle distance
// of at most d implies a chord of at most 2·sin(d/2R), so every candidate
// lies in one of the 27 cubes around the elder's cube when the cube side is
// that chord.
type spatialIndex struct {
	side   float64
	chord2 float64 // squared chord threshold, padded for rounding
	pts    [][3]float64
	order  []int32 // volunteer indices sorted by cell
	cells  map[cellKey][2]int32
}

func unitVector(lat, lon float64) [3]float64 {
	const rad = math.Pi / 180
	p, l := lat*rad, lon*rad
	return [3]float64{math.Cos(p) * math.Cos(l), math.Cos(p) * math.Sin(l), math.Sin(p)}
}

func (s *spatialIndex) key(p [3]float64) cellKey {
	return cellKey{int64(math.Floor(p[0] / s.side)), int64(math.Floor(p[1] / s.side)), int64(math.Floor(p[2] / s.side))}
}

func newSpatialIndex(in *Instance) *spatialIndex {
	theta := math.Min(in.MaxDistanceM/EarthRadiusM, math.Pi)
	// Padding by a relative 1e-9 plus ~6 µm absorbs floating error; the
	// haversine test afterwards is the one that decides.
	chord := 2*math.Sin(theta/2)*(1+1e-9) + 1e-12
	s := &spatialIndex{side: chord, chord2: chord * chord, cells: map[cellKey][2]int32{}}
	s.pts = make([][3]float64, len(in.Volunteers))
	keys := make([]cellKey, len(in.Volunteers))
	for j := range in.Volunteers {
		v := &in.Volunteers[j]
		if v.Kind == KindClinic {
			continue
		}
		s.pts[j] = unitVector(v.Lat, v.Lon)
		keys[j] = s.key(s.pts[j])
		s.order = append(s.order, int32(j))
	}
	slices.SortFunc(s.order, func(a, b int32) int {
		ka, kb := keys[a], keys[b]
		if c := cmpInt(ka.x, kb.x); c != 0 {
			return c
		}
		if c := cmpInt(ka.y, kb.y); c != 0 {
			return c
		}
		if c := cmpInt(ka.z, kb.z); c != 0 {
			return c
		}
		return cmpInt(a, b)
	})
	for lo := 0; lo < len(s.order); {
		k := keys[s.order[lo]]
		hi := lo + 1
		for hi < len(s.order) && keys[s.order[hi]] == k {
			hi++
		}
		s.cells[k] = [2]int32{int32(lo), int32(hi)}
		lo = hi
	}
	return s
}

// near calls f for every non-clinic volunteer whose chord distance to p may
// be within reach.
func (s *spatialIndex) near(p [3]float64, f func(j int32)) {
	c := s.key(p)
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for dz := int64(-1); dz <= 1; dz++ {
				span, ok := s.cells[cellKey{c.x + dx, c.y + dy, c.z + dz}]
				if !ok {
					continue
				}
				for _, j := range s.order[span[0]:span[1]] {
					q := s.pts[j]
					d0, d1, d2 := p[0]-q[0], p[1]-q[1], p[2]-q[2]
					if d0*d0+d1*d1+d2*d2 <= s.chord2 {
						f(j)
					}
				}
			}
		}
	}
}

type cmpable interface{ ~int | ~int32 | ~int64 }

func cmpInt[T cmpable](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// buildGraph finds every allowed pair. A pair is an edge when it is within
// reach, not refused, and the volunteer is non-clinic with capacity > 0;
// inReach/allowed counts also include capacity-0 volunteers so unmatched
// reasons describe the neighbourhood, not just the graph. Elders are
// scanned in parallel chunks that are concatenated in order, so the result
// does not depend on scheduling.
func buildGraph(in *Instance) (*graph, error) {
	nE, nV := len(in.Elders), len(in.Volunteers)
	g := &graph{
		in: in, off: make([]int, nE+1), slots: make([]int, nE),
		capacity: make([]int, nV), neighbour: make([]bool, nV),
		inReach: make([]int32, nE), allowed: make([]int32, nE),
	}
	byID := make(map[string]int32, nV)
	for j := range in.Volunteers {
		v := &in.Volunteers[j]
		byID[v.ID] = int32(j)
		if v.Kind != KindClinic && v.Capacity > 0 {
			g.capacity[j] = v.Capacity
		}
		g.neighbour[j] = v.Kind == KindNeighbour
	}
	idx := newSpatialIndex(in)
	workers := max(1, min(runtime.GOMAXPROCS(0), nE/1024))
	chunks := make([]edgeChunk, workers)
	var wg sync.WaitGroup
	for w := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunks[w] = g.scanElders(idx, byID, nE*w/workers, nE*(w+1)/workers)
		}()
	}
	wg.Wait()
	total := 0
	for _, c := range chunks {
		total += len(c.vol)
	}
	if total > math.MaxInt32 {
		return nil, errTooDense
	}
	g.vol = make([]int32, 0, total)
	g.distMM = make([]int64, 0, total)
	g.preferred = make([]bool, 0, total)
	for _, c := range chunks {
		g.vol = append(g.vol, c.vol...)
		g.distMM = append(g.distMM, c.distMM...)
		g.preferred = append(g.preferred, c.preferred...)
	}
	for i := range nE {
		g.off[i+1] += g.off[i]
		g.slots[i] = min(slotsOf(&in.Elders[i]), g.off[i+1]-g.off[i])
	}
	g.matched = make([]bool, total)
	return g, nil
}

// edgeChunk holds the edges of a range of elders, in elder order.
type edgeChunk struct {
	vol       []int32
	distMM    []int64
	preferred []bool
}

// scanElders collects the edges of elders lo..hi-1 and records each elder's
// degree in g.off[i+1] and its neighbourhood counts.
func (g *graph) scanElders(idx *spatialIndex, byID map[string]int32, lo, hi int) edgeChunk {
	in := g.in
	var c edgeChunk
	var refuse, prefer []int32
	type cand struct {
		j int32
		d int64
	}
	var cands []cand
	for i := lo; i < hi; i++ {
		e := &in.Elders[i]
		refuse, prefer = lookup(refuse[:0], byID, e.Refuse), lookup(prefer[:0], byID, e.Prefer)
		cands = cands[:0]
		idx.near(unitVector(e.Lat, e.Lon), func(j int32) {
			v := &in.Volunteers[j]
			d := Distance(e.Lat, e.Lon, v.Lat, v.Lon)
			if !(d <= in.MaxDistanceM) {
				return
			}
			g.inReach[i]++
			if slices.Contains(refuse, j) {
				return
			}
			g.allowed[i]++
			if g.capacity[j] > 0 {
				cands = append(cands, cand{j, toMM(d)})
			}
		})
		// Volunteer order, so the graph does not depend on the cell scan order.
		slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(a.j, b.j) })
		for _, x := range cands {
			c.vol = append(c.vol, x.j)
			c.distMM = append(c.distMM, x.d)
			c.preferred = append(c.preferred, slices.Contains(prefer, x.j))
		}
		g.off[i+1] = len(cands)
	}
	return c
}

func lookup(dst []int32, byID map[string]int32, ids []string) []int32 {
	for _, id := range ids {
		if j, ok := byID[id]; ok {
			dst = append(dst, j)
		}
	}
	return dst
}

// component is a connected piece of the pair graph; pieces share no elder or
// volunteer, so they are solved independently.
type component struct {
	elders []int32 // input order
	vols   []int32 // input order
}

// components splits the graph with union-find. Components are ordered by
// their first elder and list members in input order, which keeps everything
// downstream deterministic.
func (g *graph) components() []component {
	nE, nV := len(g.in.Elders), len(g.in.Volunteers)
	parent := make([]int32, nE+nV)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := 0; i < nE; i++ {
		for k := g.off[i]; k < g.off[i+1]; k++ {
			a, b := find(int32(i)), find(int32(nE)+g.vol[k])
			if a != b {
				parent[max(a, b)] = min(a, b) // root is always the smallest member
			}
		}
	}
	compOf := make([]int32, nE+nV)
	var comps []component
	for i := 0; i < nE; i++ {
		if g.off[i] == g.off[i+1] {
			continue
		}
		r := find(int32(i))
		if r == int32(i) {
			compOf[r] = int32(len(comps))
			comps = append(comps, component{})
		}
		c := &comps[compOf[r]]
		c.elders = append(c.elders, int32(i))
	}
	for j := 0; j < nV; j++ {
		x := int32(nE + j)
		if r := find(x); r != x {
			c := &comps[compOf[r]]
			c.vols = append(c.vols, int32(j))
		}
	}
	return comps
}
