package match

// The push functions scan a node's residual arcs from its current-arc
// position and push along admissible ones (reduced cost < 0). They report
// whether the excess is gone (true) or the arcs ran out and the node needs
// a relabel (false). Arcs before the current-arc position are known not to
// be admissible; only a relabel of the node itself can change that, and it
// resets the position. Positions: a left node's pair arcs then its idle arc;
// a right node's held arcs (reversed) then its arc to t; the sink's reversed
// idle arcs then its reversed capacity arcs.

func (s *scaler) pushLeft(l int32) bool {
	pl := s.price[l]
	base, end := s.lOff[l], s.lOff[l+1]
	for k := base + s.cur[l]; k < end; k++ {
		if s.flow[k] || s.fixed[k] {
			continue
		}
		r := s.nL + s.dst[k]
		if s.price[r]-s.cst[k] <= pl || !s.lookAhead(r) || s.price[r]-s.cst[k] <= pl {
			continue
		}
		s.flow[k] = true
		s.held[s.dst[k]] = append(s.held[s.dst[k]], k)
		s.moveExcess(l, r, 1)
		if s.excess[l] == 0 {
			s.cur[l] = k + 1 - base
			return true
		}
	}
	s.cur[l] = end - base
	if !s.idleFixed[l] && s.idle[l] < s.supply[l] && s.price[s.t] > pl {
		d := min(s.excess[l], int64(s.supply[l]-s.idle[l]))
		s.idle[l] += int32(d)
		s.moveExcess(l, s.t, d)
		return s.excess[l] == 0
	}
	return false
}

func (s *scaler) pushRight(r int32) bool {
	ri := r - s.nL
	pr := s.price[r]
	held := s.held[ri]
	for j := s.cur[r]; j < int32(len(held)); {
		k := held[j]
		l := s.src[k]
		if -s.cst[k]+pr-s.price[l] >= 0 || !s.lookAhead(l) || -s.cst[k]+pr-s.price[l] >= 0 {
			j++
			continue
		}
		s.flow[k] = false
		last := len(held) - 1
		held[j] = held[last] // position j now holds an arc not yet scanned
		held = held[:last]
		s.held[ri] = held
		s.moveExcess(r, l, 1)
		if s.excess[r] == 0 {
			s.cur[r] = j
			return true
		}
	}
	s.cur[r] = int32(len(held))
	if !s.capFixed[ri] && s.load[ri] < s.capa[ri] && s.price[s.t] > pr {
		d := min(s.excess[r], int64(s.capa[ri]-s.load[ri]))
		s.load[ri] += int32(d)
		s.moveExcess(r, s.t, d)
		return s.excess[r] == 0
	}
	return false
}

func (s *scaler) pushSink() bool {
	pt := s.price[s.t]
	for u := s.cur[s.t]; u < s.t; u++ {
		var f *int32
		if u < s.nL {
			if s.idleFixed[u] {
				continue
			}
			f = &s.idle[u]
		} else {
			if s.capFixed[u-s.nL] {
				continue
			}
			f = &s.load[u-s.nL]
		}
		if *f > 0 && pt-s.price[u] < 0 {
			d := min(s.excess[s.t], int64(*f))
			*f -= int32(d)
			s.moveExcess(s.t, u, d)
			if s.excess[s.t] == 0 {
				s.cur[s.t] = u
				return true
			}
		}
	}
	s.cur[s.t] = s.t
	return false
}

// lookAhead is CS2's push look-ahead: before pushing into w, make sure w
// could pass the unit on. If w is not a deficit and has no admissible arc,
// it is relabelled now, and the caller re-checks its arc, which often stops
// being admissible; that saves a push there and back. It always allows the
// push when w has no residual arc at all.
func (s *scaler) lookAhead(w int32) bool {
	if s.excess[w] < 0 || s.hasOutlet(w) {
		return true
	}
	if s.relabel(w) {
		s.relabels++
		s.cur[w] = 0
	}
	return true
}

// hasOutlet reports whether x has an admissible arc, moving its current-arc
// position up to it.
func (s *scaler) hasOutlet(x int32) bool {
	px := s.price[x]
	if x < s.nL {
		base, end := s.lOff[x], s.lOff[x+1]
		for k := base + s.cur[x]; k < end; k++ {
			if !s.flow[k] && !s.fixed[k] && s.price[s.nL+s.dst[k]]-s.cst[k] > px {
				s.cur[x] = k - base
				return true
			}
		}
		s.cur[x] = end - base
		return !s.idleFixed[x] && s.idle[x] < s.supply[x] && s.price[s.t] > px
	}
	ri := x - s.nL
	held := s.held[ri]
	for j := s.cur[x]; j < int32(len(held)); j++ {
		k := held[j]
		if -s.cst[k]+px-s.price[s.src[k]] < 0 {
			s.cur[x] = j
			return true
		}
	}
	s.cur[x] = int32(len(held))
	return !s.capFixed[ri] && s.load[ri] < s.capa[ri] && s.price[s.t] > px
}
