package compliance

import (
	"fmt"
	"slices"

	"carecircle/internal/calendar"
)

// Row is one persisted cell of the state: the records counted towards one
// requirement of one standard for one pairing in one period. A store keeps
// rows in a table keyed by (pairing, standard, period, requirement) and
// writes back the rows a change touched.
type Row struct {
	Pairing  string `json:"pairing"`
	Standard string `json:"standard"`
	Period   string `json:"period"` // the period label
	// Requirement is 0 for the main requirement, i+1 for Also[i].
	Requirement int     `json:"requirement"`
	Entries     []Entry `json:"entries"` // empty: delete the row
}

// Entry is a counted record with its local date.
type Entry struct {
	Record RecordID      `json:"record"`
	Date   calendar.Date `json:"date"`
}

// Rows returns every non-empty cell, for a full snapshot.
func (s *State) Rows() []Row {
	var out []Row
	for _, p := range s.order {
		out = s.appendPairingRows(out, p)
	}
	return out
}

// PairingRows returns the non-empty cells of one pairing, e.g. to write
// back after SetPairingEnd.
func (s *State) PairingRows(id string) ([]Row, error) {
	p := s.pairings[id]
	if p == nil {
		return nil, fmt.Errorf("unknown pairing %q", id)
	}
	return s.appendPairingRows(nil, p), nil
}

func (s *State) appendPairingRows(out []Row, p *pairing) []Row {
	for _, t := range p.tracks {
		for r := range t.tallies {
			for k := range t.tallies[r].cells() {
				out = append(out, s.row(p, t, r, t.base+k))
			}
		}
	}
	return out
}

// RowsOf returns the cells a record belongs to, as they are now; call it
// after Apply or Remove to persist exactly what changed. Rows with no
// entries left are to be deleted.
func (s *State) RowsOf(r Record) ([]Row, error) {
	var out []Row
	err := s.each(&r, func(p *pairing, t *track, i int, mask uint8, _ calendar.Date) {
		for req := range t.tallies {
			if mask&(1<<req) != 0 {
				out = append(out, s.row(p, t, req, i))
			}
		}
	})
	return out, err
}

func (s *State) row(p *pairing, t *track, req, i int) Row {
	label := ""
	if t.v.Period.Fixed() {
		label = calendar.Label(t.v.Period, i)
	} else if per, ok := t.period(s.cal, p.bday, i); ok {
		label = per.Label
	}
	c := t.at(req, i)
	row := Row{Pairing: p.ID, Standard: t.v.Code, Period: label, Requirement: req, Entries: make([]Entry, len(c))}
	for j, e := range c {
		row.Entries[j] = Entry{Record: e.id, Date: e.day}
	}
	return row
}

// LoadRows restores cells saved with Rows into a state that already has
// its elders and pairings, replacing what those cells held.
func (s *State) LoadRows(rows []Row) error {
	for n, row := range rows {
		if err := s.loadRow(row); err != nil {
			return fmt.Errorf("row %d: %w", n, err)
		}
	}
	return nil
}

func (s *State) loadRow(row Row) error {
	p := s.pairings[row.Pairing]
	if p == nil {
		return fmt.Errorf("unknown pairing %q", row.Pairing)
	}
	for _, t := range p.tracks {
		if t.v.Code != row.Standard {
			continue
		}
		i, err := t.indexOfLabel(row.Period)
		if err != nil {
			continue // a version of another period kind may own the label
		}
		per, ok := t.period(s.cal, p.bday, i)
		if !ok || !t.v.governs(per.From) || i < t.base {
			continue
		}
		if row.Requirement < 0 || row.Requirement >= len(t.tallies) {
			return fmt.Errorf("standard %s has no requirement %d", row.Standard, row.Requirement)
		}
		c := make([]entry, len(row.Entries))
		for j, e := range row.Entries {
			c[j] = entry{id: e.Record, day: e.Date}
		}
		slices.SortFunc(c, func(a, b entry) int { return byID(a, b.id) })
		t.tallies[row.Requirement].set(i-t.base, slices.CompactFunc(c, func(a, b entry) bool { return a.id == b.id }))
		return nil
	}
	return fmt.Errorf("pairing %s has no period %q of standard %q", row.Pairing, row.Period, row.Standard)
}
