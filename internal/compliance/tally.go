package compliance

import (
	"iter"
	"slices"

	"carecircle/internal/calendar"
)

// entry is one counted record with its local date, kept so that shortening
// a pairing can drop records after its new end without reading them again.
type entry struct {
	id  RecordID
	day calendar.Date
}

// slot is the first (lowest-id) record of a period, if any.
type slot struct {
	entry
	used bool
}

// tally holds, for one requirement of one track, the records counted in
// each period k (0 = the track's base period), sorted by id. Nearly every
// period holds zero or one record – a day's greeting – so the first record
// lives inline in a dense array without pointers, which costs no allocation
// per period and nothing for the garbage collector to scan; the rare
// further records live in a map.
type tally struct {
	first []slot
	more  map[int][]entry
}

// add counts e in period k, once.
func (t *tally) add(k int, e entry) {
	if k >= len(t.first) {
		t.first = slices.Grow(t.first, k+1-len(t.first))[:k+1]
	}
	s := &t.first[k]
	switch {
	case !s.used:
		*s = slot{e, true}
		return
	case s.id == e.id:
		return
	case e.id < s.id:
		e, s.entry = s.entry, e
	}
	if t.more == nil {
		t.more = map[int][]entry{}
	}
	rest := t.more[k]
	if n := len(rest); n == 0 || rest[n-1].id < e.id {
		t.more[k] = append(rest, e) // ids mostly arrive in increasing order
	} else if j, found := slices.BinarySearchFunc(rest, e.id, byID); !found {
		t.more[k] = slices.Insert(rest, j, e)
	}
}

// remove uncounts record id from period k.
func (t *tally) remove(k int, id RecordID) {
	if k < 0 || k >= len(t.first) || !t.first[k].used {
		return
	}
	rest := t.more[k]
	if s := &t.first[k]; s.id == id {
		if len(rest) == 0 {
			*s = slot{}
			return
		}
		s.entry, rest = rest[0], rest[1:]
	} else if j, found := slices.BinarySearchFunc(rest, id, byID); found {
		rest = slices.Delete(rest, j, j+1)
	}
	t.setMore(k, rest)
}

func (t *tally) setMore(k int, rest []entry) {
	if len(rest) == 0 {
		delete(t.more, k)
		return
	}
	if t.more == nil {
		t.more = map[int][]entry{}
	}
	t.more[k] = rest
}

// at returns the records of period k, sorted by id.
func (t *tally) at(k int) []entry {
	if k < 0 || k >= len(t.first) || !t.first[k].used {
		return nil
	}
	return append([]entry{t.first[k].entry}, t.more[k]...)
}

// set replaces the records of period k with c, sorted by id and unique.
func (t *tally) set(k int, c []entry) {
	if k >= len(t.first) {
		t.first = slices.Grow(t.first, k+1-len(t.first))[:k+1]
	}
	if len(c) == 0 {
		t.first[k] = slot{}
		t.setMore(k, nil)
		return
	}
	t.first[k] = slot{c[0], true}
	t.setMore(k, slices.Clone(c[1:]))
}

// cutAfter drops records dated after last from periods k ≥ from.
func (t *tally) cutAfter(from int, last calendar.Date) {
	for k := max(from, 0); k < len(t.first); k++ {
		if c := t.at(k); len(c) > 0 {
			t.set(k, slices.DeleteFunc(c, func(e entry) bool { return e.day > last }))
		}
	}
	n := len(t.first)
	for n > 0 && !t.first[n-1].used {
		n--
	}
	clear(t.first[n:]) // so that a later grow starts from empty slots
	t.first = t.first[:n]
}

// cells yields the non-empty periods in order.
func (t *tally) cells() iter.Seq2[int, []entry] {
	return func(yield func(int, []entry) bool) {
		for k, s := range t.first {
			if s.used && !yield(k, t.at(k)) {
				return
			}
		}
	}
}

func byID(e entry, id RecordID) int {
	switch {
	case e.id < id:
		return -1
	case e.id > id:
		return 1
	}
	return 0
}
