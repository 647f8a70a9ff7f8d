package match

import "math"

// relabel lowers u's price as far as ε-optimality allows, which makes at
// least one residual arc admissible: reduced costs c + p(u) - p(w) must stay
// >= -ε, so the new p(u) is max over residual arcs of p(w) - c, minus ε. It
// reports false, changing nothing, when u has no residual arc at all. It is
// written out per node kind because it is the innermost loop of the solver.
func (s *scaler) relabel(u int32) bool {
	const none = math.MinInt64
	best := int64(none)
	switch {
	case u < s.nL:
		for k := s.lOff[u]; k < s.lOff[u+1]; k++ {
			if !s.flow[k] && !s.fixed[k] {
				best = max(best, s.price[s.nL+s.dst[k]]-s.cst[k])
			}
		}
		if !s.idleFixed[u] && s.idle[u] < s.supply[u] {
			best = max(best, s.price[s.t])
		}
	case u < s.t:
		r := u - s.nL
		for _, k := range s.held[r] {
			best = max(best, s.price[s.src[k]]+s.cst[k])
		}
		if !s.capFixed[r] && s.load[r] < s.capa[r] {
			best = max(best, s.price[s.t])
		}
	default:
		s.residualArcs(u, func(w int32, c int64) {
			best = max(best, s.price[w]-c)
		})
	}
	if best == none {
		return false
	}
	s.price[u] = best - s.eps
	return true
}

// residualArcs calls f for every residual arc u→w with its scaled cost.
func (s *scaler) residualArcs(u int32, f func(w int32, c int64)) {
	switch {
	case u < s.nL:
		for k := s.lOff[u]; k < s.lOff[u+1]; k++ {
			if !s.flow[k] && !s.fixed[k] {
				f(s.nL+s.dst[k], s.cst[k])
			}
		}
		if !s.idleFixed[u] && s.idle[u] < s.supply[u] {
			f(s.t, 0)
		}
	case u < s.t:
		ri := u - s.nL
		for _, k := range s.held[ri] {
			f(s.src[k], -s.cst[k])
		}
		if !s.capFixed[ri] && s.load[ri] < s.capa[ri] {
			f(s.t, 0)
		}
	default:
		for l := range s.nL {
			if !s.idleFixed[l] && s.idle[l] > 0 {
				f(l, 0)
			}
		}
		for ri := range s.nR {
			if !s.capFixed[ri] && s.load[ri] > 0 {
				f(s.nL+ri, 0)
			}
		}
	}
}
