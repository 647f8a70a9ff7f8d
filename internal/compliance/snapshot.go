package compliance

import (
	"encoding/binary"
	"errors"
	"fmt"

	"carecircle/internal/calendar"
)

// A pairing's cells in binary, for a snapshot of the whole state: the
// tracks' period numbers and records as varint deltas, a few bytes a cell.
// Unlike Rows (one labelled row per cell, parsed back label by label) it
// is written and read in one pass over the tallies: a street of 7.3
// million cells restores in about a second instead of a minute. The
// encoding is only meaningful to a State built with the same standards
// and pairing; LoadPairing checks the shape and refuses anything else.

// AppendPairing appends the binary form of a pairing's cells to buf.
func (s *State) AppendPairing(buf []byte, id string) ([]byte, error) {
	p := s.pairings[id]
	if p == nil {
		return buf, fmt.Errorf("unknown pairing %q", id)
	}
	buf = binary.AppendUvarint(buf, uint64(len(p.tracks)))
	for _, t := range p.tracks {
		buf = binary.AppendVarint(buf, int64(t.base))
		buf = binary.AppendUvarint(buf, uint64(len(t.tallies)))
		for r := range t.tallies {
			buf = t.tallies[r].appendBinary(buf)
		}
	}
	return buf, nil
}

func (t *tally) appendBinary(buf []byte) []byte {
	n := 0
	for _, sl := range t.first {
		if sl.used {
			n++
		}
	}
	buf = binary.AppendUvarint(buf, uint64(n))
	prevK, prevID, prevDay := 0, RecordID(0), calendar.Date(0)
	for k, sl := range t.first {
		if !sl.used {
			continue
		}
		rest := t.more[k]
		buf = binary.AppendUvarint(buf, uint64(k-prevK))
		buf = binary.AppendUvarint(buf, uint64(1+len(rest)))
		prevK = k
		put := func(e entry) {
			buf = binary.AppendVarint(buf, int64(e.id-prevID))
			buf = binary.AppendVarint(buf, int64(e.day-prevDay))
			prevID, prevDay = e.id, e.day
		}
		put(sl.entry)
		for _, e := range rest {
			put(e)
		}
	}
	return buf
}

var errSnapshot = errors.New("compliance: snapshot does not fit the state")

// LoadPairing restores a pairing's cells written by AppendPairing into a
// state with the same standards and pairing, and returns the bytes after
// them.
func (s *State) LoadPairing(id string, data []byte) ([]byte, error) {
	p := s.pairings[id]
	if p == nil {
		return data, fmt.Errorf("unknown pairing %q", id)
	}
	d := decoder{data: data}
	if d.uvarint() != uint64(len(p.tracks)) {
		return data, errSnapshot
	}
	for _, t := range p.tracks {
		if d.varint() != int64(t.base) || d.uvarint() != uint64(len(t.tallies)) {
			return data, errSnapshot
		}
		for r := range t.tallies {
			if err := t.tallies[r].loadBinary(&d); err != nil {
				return data, err
			}
		}
	}
	if d.err != nil {
		return data, d.err
	}
	return d.data, nil
}

func (t *tally) loadBinary(d *decoder) error {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.data)) {
		return errSnapshot
	}
	t.first, t.more = nil, nil
	k, prevID, prevDay := 0, RecordID(0), calendar.Date(0)
	for range n {
		k += int(d.uvarint())
		m := d.uvarint()
		if d.err != nil || m == 0 || m > uint64(len(d.data)) || k > 1<<24 {
			return errSnapshot
		}
		next := func() entry {
			prevID += RecordID(d.varint())
			prevDay += calendar.Date(d.varint())
			return entry{id: prevID, day: prevDay}
		}
		if k >= len(t.first) {
			t.first = append(t.first, make([]slot, k+1-len(t.first))...)
		}
		t.first[k] = slot{next(), true}
		if m > 1 {
			rest := make([]entry, m-1)
			for j := range rest {
				rest[j] = next()
			}
			if t.more == nil {
				t.more = map[int][]entry{}
			}
			t.more[k] = rest
		}
	}
	return d.err
}

// decoder reads varints, remembering the first error.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.err, d.data = errSnapshot, nil
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.err, d.data = errSnapshot, nil
		return 0
	}
	d.data = d.data[n:]
	return v
}
