package tracker

import (
	"encoding/binary"
	"errors"
	"fmt"

	"carecircle/internal/calendar"
	"carecircle/internal/store"
)

// A street's state is saved as one snapshot: a header (the settings
// version, the watermark, the first record's day), the tracked pairings,
// then each pairing's cells in the engine's binary form
// (compliance.State.AppendPairing), each prefixed by its length so that a
// pairing the registry no longer has is skipped. About 6 bytes a cell: a
// street of 7.3 million records is some 40 MB, written in chunks (see
// store.SaveComplianceSnapshot) and read back in about a second, where
// the cells saved row by row took 18 s (SQLite) to 97 s (PostgreSQL).

const snapshotMagic = "CCS1"

// snapshot is a decoded snapshot: the cells stay encoded until loaded.
type snapshot struct {
	settings  int64
	watermark int64
	firstDay  calendar.Date
	pairings  []store.TrackedPairing
	cells     [][]byte // per pairing, in the order of pairings
}

// encode writes the street's state as a snapshot. The caller holds the
// street (or owns it, while it is built aside).
func (st *street) encode() ([]byte, error) {
	list := st.trackedList()
	buf := make([]byte, 0, 1<<20)
	buf = append(buf, snapshotMagic...)
	buf = binary.AppendVarint(buf, st.settings)
	buf = binary.AppendVarint(buf, st.watermark)
	buf = binary.AppendVarint(buf, int64(st.firstDay))
	buf = binary.AppendUvarint(buf, uint64(len(list)))
	for _, p := range list {
		buf = appendString(buf, p.Key)
		buf = binary.AppendVarint(buf, p.ElderID)
		var vol int64
		if p.VolunteerID != nil {
			vol = *p.VolunteerID
		}
		buf = binary.AppendVarint(buf, vol)
		buf = appendString(buf, p.Role)
		buf = binary.AppendVarint(buf, int64(p.From))
		var to int64
		if p.To != nil {
			to = int64(*p.To) + 1<<40 // 0: open
		}
		buf = binary.AppendVarint(buf, to)
		buf = appendString(buf, p.Birthday)
	}
	var cells []byte
	for _, p := range list {
		var err error
		if cells, err = st.state.AppendPairing(cells[:0], p.Key); err != nil {
			return nil, err
		}
		buf = binary.AppendUvarint(buf, uint64(len(cells)))
		buf = append(buf, cells...)
	}
	return buf, nil
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

var errBadSnapshot = errors.New("tracker: unreadable compliance snapshot")

// decodeSnapshot reads a snapshot written by encode.
func decodeSnapshot(data []byte) (*snapshot, error) {
	r := reader{data: data}
	if string(r.bytes(len(snapshotMagic))) != snapshotMagic {
		return nil, errBadSnapshot
	}
	s := &snapshot{settings: r.varint(), watermark: r.varint(), firstDay: calendar.Date(r.varint())}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.data)) {
		return nil, errBadSnapshot
	}
	s.pairings = make([]store.TrackedPairing, n)
	for i := range s.pairings {
		p := &s.pairings[i]
		p.Key, p.ElderID = r.string(), r.varint()
		if vol := r.varint(); vol != 0 {
			p.VolunteerID = &vol
		}
		p.Role, p.From = r.string(), calendar.Date(r.varint())
		if to := r.varint(); to != 0 {
			d := calendar.Date(to - 1<<40)
			p.To = &d
		}
		p.Birthday = r.string()
	}
	s.cells = make([][]byte, n)
	for i := range s.cells {
		s.cells[i] = r.bytes(int(r.uvarint()))
	}
	if r.err != nil || len(r.data) != 0 {
		return nil, fmt.Errorf("%w (%d bytes left)", errBadSnapshot, len(r.data))
	}
	return s, nil
}

// reader reads a snapshot, remembering the first error.
type reader struct {
	data []byte
	err  error
}

func (r *reader) fail() { r.err, r.data = errBadSnapshot, nil }

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.data) {
		r.fail()
		return nil
	}
	b := r.data[:n:n]
	r.data = r.data[n:]
	return b
}

func (r *reader) string() string { return string(r.bytes(int(r.uvarint()))) }
