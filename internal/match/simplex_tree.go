package match

// updateTreeStructure re-hangs the subtree cut off by the leaving arc below
// the entering arc. The tree is kept as a preorder thread (thread/revThread),
// subtree sizes (succ) and last-in-preorder successors (lastS), so that
// finding the cycle, re-hanging and shifting potentials cost time
// proportional to the changed part only. This is LEMON's procedure.
func (ns *network) updateTreeStructure() {
	oldRevThread := ns.revThread[ns.uOut]
	oldSucc := ns.succ[ns.uOut]
	oldLastSucc := ns.lastS[ns.uOut]
	ns.vOut = ns.parent[ns.uOut]

	if ns.uIn == ns.uOut {
		ns.rehangLeaf(oldRevThread, oldLastSucc)
	} else {
		ns.reverseStem(oldRevThread, oldLastSucc, oldSucc)
	}
	ns.fixAncestors(oldRevThread, oldLastSucc, oldSucc)
}

// rehangLeaf handles the simple case where the node below the leaving arc
// is the entering arc's own endpoint: its subtree moves as a block.
func (ns *network) rehangLeaf(oldRevThread, oldLastSucc int32) {
	u, v := ns.uIn, ns.vIn
	ns.parent[u] = v
	ns.pred[u] = ns.inArc
	ns.predDir[u] = ns.dirOf(u)
	if ns.thread[v] != ns.uOut {
		after := ns.thread[oldLastSucc]
		ns.thread[oldRevThread] = after
		ns.revThread[after] = oldRevThread
		after = ns.thread[v]
		ns.thread[v] = ns.uOut
		ns.revThread[ns.uOut] = v
		ns.thread[oldLastSucc] = after
		ns.revThread[after] = oldLastSucc
	}
}

func (ns *network) dirOf(u int32) int8 {
	if u == ns.src[ns.inArc] {
		return dirUp
	}
	return dirDown
}

// reverseStem re-hangs the path ("stem") from uIn up to uOut: each stem
// node becomes the child of the previous one, and their subtrees are spliced
// into the thread after vIn in the new preorder.
func (ns *network) reverseStem(oldRevThread, oldLastSucc, oldSucc int32) {
	threadContinue := ns.thread[ns.vIn]
	if oldRevThread == ns.vIn { // then join == vOut as well
		threadContinue = ns.thread[oldLastSucc]
	}
	stem, parStem := ns.uIn, ns.vIn
	last := ns.lastS[ns.uIn]
	after := ns.thread[last]
	ns.thread[ns.vIn] = ns.uIn
	ns.dirty = append(ns.dirty[:0], ns.vIn)
	for stem != ns.uOut {
		next := ns.parent[stem]
		ns.thread[last] = next
		ns.dirty = append(ns.dirty, last)
		before := ns.revThread[stem]
		ns.thread[before] = after
		ns.revThread[after] = before
		ns.parent[stem] = parStem
		parStem, stem = stem, next
		if ns.lastS[stem] == ns.lastS[parStem] {
			last = ns.revThread[parStem]
		} else {
			last = ns.lastS[stem]
		}
		after = ns.thread[last]
	}
	ns.parent[ns.uOut] = parStem
	ns.thread[last] = threadContinue
	ns.revThread[threadContinue] = last
	ns.lastS[ns.uOut] = last
	if oldRevThread != ns.vIn {
		ns.thread[oldRevThread] = after
		ns.revThread[after] = oldRevThread
	}
	for _, u := range ns.dirty {
		ns.revThread[ns.thread[u]] = u
	}
	// Walk the stem downwards: each node takes over its old parent's tree
	// arc (reversed), and subtree sizes and last successors are recomputed.
	sc, ls := int32(0), ns.lastS[ns.uOut]
	for u, p := ns.uOut, ns.parent[ns.uOut]; u != ns.uIn; u, p = p, ns.parent[p] {
		ns.pred[u] = ns.pred[p]
		ns.predDir[u] = -ns.predDir[p]
		sc += ns.succ[u] - ns.succ[p]
		ns.succ[u] = sc
		ns.lastS[p] = ls
	}
	ns.pred[ns.uIn] = ns.inArc
	ns.predDir[ns.uIn] = ns.dirOf(ns.uIn)
	ns.succ[ns.uIn] = oldSucc
}

// fixAncestors updates last successors and subtree sizes on the two paths
// from vIn and vOut up to the join node.
func (ns *network) fixAncestors(oldRevThread, oldLastSucc, oldSucc int32) {
	upLimitOut := int32(-1)
	if ns.lastS[ns.join] == ns.vIn {
		upLimitOut = ns.join
	}
	lastSuccOut := ns.lastS[ns.uOut]
	for u := ns.vIn; u != -1 && ns.lastS[u] == ns.vIn; u = ns.parent[u] {
		ns.lastS[u] = lastSuccOut
	}
	switch {
	case ns.join != oldRevThread && ns.vIn != oldRevThread:
		for u := ns.vOut; u != upLimitOut && ns.lastS[u] == oldLastSucc; u = ns.parent[u] {
			ns.lastS[u] = oldRevThread
		}
	case lastSuccOut != oldLastSucc:
		for u := ns.vOut; u != upLimitOut && ns.lastS[u] == oldLastSucc; u = ns.parent[u] {
			ns.lastS[u] = lastSuccOut
		}
	}
	for u := ns.vIn; u != ns.join; u = ns.parent[u] {
		ns.succ[u] += oldSucc
	}
	for u := ns.vOut; u != ns.join; u = ns.parent[u] {
		ns.succ[u] -= oldSucc
	}
}
