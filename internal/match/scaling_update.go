package match

// maxUpdateDist truncates price updates: distances are counted in ε-steps
// and nodes farther than this are all treated as "far", which is still
// valid (see priceUpdate) and keeps the bucket array small.
const maxUpdateDist = 1 << 14

// priceUpdate is the global price-update heuristic of cost scaling: it
// lowers every price at once by as many ε-steps as relabelling would
// eventually have to, measured as a shortest-path distance to the nearest
// deficit node where an arc u→w "costs" the number of ε-decrements of p(u)
// that would make it admissible (0 if it already is). Prices stay
// ε-optimal: p(u) drops by d(u)·ε and d(u) <= len(u,w) + d(w) on every
// residual arc. Nodes not reached within maxUpdateDist drop by the largest
// distance settled, which is below len(u,w) + d(w) for all their arcs.
// It is Dial's algorithm, since distances are small integers.
func (s *scaler) priceUpdate() {
	n := s.t + 1
	if s.dist == nil {
		s.dist = make([]int64, n)
		s.done = make([]bool, n)
	}
	for b := range s.buckets {
		s.buckets[b] = s.buckets[b][:0]
	}
	for u := range n {
		s.done[u] = false
		s.dist[u] = -1
		if s.excess[u] < 0 {
			s.dist[u] = 0
			s.bucketPush(0, u)
		}
	}
	var far int64
	for b := 0; b < len(s.buckets); b++ {
		for i := 0; i < len(s.buckets[b]); i++ {
			w := s.buckets[b][i]
			if s.done[w] || s.dist[w] != int64(b) {
				continue
			}
			s.done[w] = true
			far = int64(b)
			s.relaxInto(w, int64(b))
		}
	}
	for u := range n {
		d := far
		if s.done[u] {
			d = s.dist[u]
		}
		s.price[u] -= d * s.eps
		s.cur[u] = 0
	}
	s.relabels = 0
}

func (s *scaler) bucketPush(d int64, u int32) {
	for int64(len(s.buckets)) <= d {
		s.buckets = append(s.buckets, nil)
	}
	s.buckets[d] = append(s.buckets[d], u)
}

// reach offers distance d + len(u→w) to u, where rc is the arc's reduced
// cost.
func (s *scaler) reach(u int32, d, rc int64) {
	if s.done[u] {
		return
	}
	if rc >= 0 {
		d += rc/s.eps + 1
	}
	if d <= maxUpdateDist && (s.dist[u] < 0 || d < s.dist[u]) {
		s.dist[u] = d
		s.bucketPush(d, u)
	}
}

// relaxInto scans the residual arcs u→w into the settled node w.
func (s *scaler) relaxInto(w int32, d int64) {
	pw := s.price[w]
	switch {
	case w < s.nL: // from right nodes over flowing pair arcs, from t over the idle arc
		for k := s.lOff[w]; k < s.lOff[w+1]; k++ {
			if s.flow[k] && !s.fixed[k] {
				r := s.nL + s.dst[k]
				s.reach(r, d, -s.cst[k]+s.price[r]-pw)
			}
		}
		if !s.idleFixed[w] && s.idle[w] > 0 {
			s.reach(s.t, d, s.price[s.t]-pw)
		}
	case w < s.t: // from left nodes over free pair arcs, from t over the capacity arc
		for _, k := range s.rArc[s.rOff[w-s.nL]:s.rOff[w-s.nL+1]] {
			if !s.flow[k] && !s.fixed[k] {
				l := s.src[k]
				s.reach(l, d, s.cst[k]+s.price[l]-pw)
			}
		}
		if r := w - s.nL; !s.capFixed[r] && s.load[r] > 0 {
			s.reach(s.t, d, s.price[s.t]-pw)
		}
	default: // from every node whose arc to t has room
		for l := range s.nL {
			if !s.idleFixed[l] && s.idle[l] < s.supply[l] {
				s.reach(l, d, s.price[l]-pw)
			}
		}
		for r := range s.nR {
			if !s.capFixed[r] && s.load[r] < s.capa[r] {
				s.reach(s.nL+r, d, s.price[s.nL+r]-pw)
			}
		}
	}
}
