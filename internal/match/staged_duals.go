package match

// freezeFace fixes every arc whose reduced cost under the exact stage-A
// prices pi is not zero; stage A's flow must already agree with them.
func (s *scaler) freezeFace(pi, weight []int64) error {
	for k := range s.cst {
		rc := -weight[k] + pi[s.src[k]] - pi[s.nL+s.dst[k]]
		if (rc > 0 && s.flow[k]) || (rc < 0 && !s.flow[k]) {
			return errInternal
		}
		s.fixed[k] = rc != 0
	}
	for e := range s.nL {
		rc := pi[e] - pi[s.t]
		if (rc > 0 && s.idle[e] > 0) || (rc < 0 && s.idle[e] < s.supply[e]) {
			return errInternal
		}
		s.idleFixed[e] = rc != 0
	}
	for lv := range s.nR {
		rc := pi[s.nL+lv] - pi[s.t]
		if (rc > 0 && s.load[lv] > 0) || (rc < 0 && s.load[lv] < s.capa[lv]) {
			return errInternal
		}
		s.capFixed[lv] = rc != 0
	}
	return nil
}

// exactPrices turns the 1-optimal prices of stage A into exact optimal
// prices for its priority part alone: shortest distances from a virtual
// source joined to every node at cost 0. With r = cost + price difference
// + 1 >= 0 Dijkstra applies; a path's r-length is unit·(priority length) +
// tie-breakers + arc count, where the last two lie in [-off, off+n] and
// 2·off+n < unit, so the priority length is recovered by exact division.
func (s *scaler) exactPrices(unit, off int64) []int64 {
	n := s.t + 1
	pmax := s.price[0]
	for _, p := range s.price {
		pmax = max(pmax, p)
	}
	dist := make([]int64, n)
	done := make([]bool, n)
	var h priceHeap
	for u := range n {
		dist[u] = pmax - s.price[u] + 1
		h.push(dist[u], u)
	}
	for len(h) > 0 {
		d, u := h.pop()
		if done[u] || d != dist[u] {
			continue
		}
		done[u] = true
		pu := s.price[u]
		s.residualArcs(u, func(w int32, c int64) {
			if nd := d + c + pu - s.price[w] + 1; nd < dist[w] {
				dist[w] = nd
				h.push(nd, w)
			}
		})
	}
	pi := make([]int64, n)
	for u := range n {
		q := dist[u] + s.price[u] - pmax + off
		pi[u] = q / unit
		if q%unit < 0 {
			pi[u]-- // floor, not truncation
		}
	}
	return pi
}

// priceHeap is a binary min-heap of (distance, node) with ties by node.
type priceHeap []struct {
	d int64
	u int32
}

func (h *priceHeap) less(i, j int) bool {
	q := *h
	return q[i].d < q[j].d || (q[i].d == q[j].d && q[i].u < q[j].u)
}

func (h *priceHeap) push(d int64, u int32) {
	*h = append(*h, struct {
		d int64
		u int32
	}{d, u})
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

func (h *priceHeap) pop() (int64, int32) {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	*h = q[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if l+1 < n && h.less(l+1, l) {
			m = l + 1
		}
		if !h.less(m, i) {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	return top.d, top.u
}
