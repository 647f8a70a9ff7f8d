package compliance

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"carecircle/internal/calendar"
)

// RecordID identifies a service record; the store's row id.
type RecordID int64

// Record is the part of a service record that compliance needs.
type Record struct {
	ID    RecordID
	Elder string
	By    string // the volunteer (or clinic worker) who served
	Kind  string
	Type  string
	At    time.Time
	// Amount is the donation in yuan; only whether it is positive matters here.
	Amount float64
}

// Elder is the part of an elder's registration that compliance needs: the
// birthday is a festival occasion.
type Elder struct {
	ID            string
	BirthDate     calendar.Date
	LunarBirthday bool
}

// Pairing puts a carer of some role beside an elder for a span of days.
type Pairing struct {
	ID        string
	Elder     string
	Volunteer string
	Role      Role
	From      calendar.Date
	To        *calendar.Date // last day, inclusive; nil while open-ended
}

// Config is what a State is built from.
type Config struct {
	Calendar  *calendar.Calendar
	Standards []Standard
}

// State is the compliance state of a set of pairings: per pairing, per
// standard version, per period, the records that counted. Records update it
// one at a time; statuses are derived from it and the calendar alone.
// A State is not safe for concurrent use.
type State struct {
	cal      *calendar.Calendar
	codes    []string
	byRole   map[Role][]*version
	elders   map[string]*calendar.Birthday
	pairings map[string]*pairing
	order    []*pairing
	byElder  map[string][]*pairing
	scratch  []int
	// horizon, when set, is the last day records are expected for: a
	// period's records are first kept with room up to it (SetHorizon).
	horizon calendar.Date
}

type pairing struct {
	Pairing
	last   calendar.Date // inclusive; maxDate while open-ended
	bday   *calendar.Birthday
	tracks []*track // in code order, then by effective date
}

// NewState returns an empty state for the standards, which it validates.
// Changing the standards later means building a new State with Rebuild.
func NewState(cfg Config) (*State, error) {
	if cfg.Calendar == nil {
		return nil, errors.New("compliance: no calendar")
	}
	if err := ValidateStandards(cfg.Standards, cfg.Calendar); err != nil {
		return nil, err
	}
	s := &State{cal: cfg.Calendar, byRole: map[Role][]*version{}, elders: map[string]*calendar.Birthday{},
		pairings: map[string]*pairing{}, byElder: map[string][]*pairing{}}
	var versions []*version
	for _, std := range cfg.Standards {
		code := slices.Index(s.codes, std.Code)
		if code < 0 {
			code = len(s.codes)
			s.codes = append(s.codes, std.Code)
		}
		v := &version{Standard: std, code: code, from: std.EffectiveFrom, until: maxDate,
			reqs: append([]Requirement{{Counts: std.Counts, Required: std.Required}}, std.Also...)}
		if std.EffectiveFrom == 0 {
			v.from = minDate
		}
		if std.Period == calendar.KindFestival {
			v.occasions = std.Festivals
			if len(v.occasions) == 0 {
				v.occasions = occasionCodes(cfg.Calendar)
			}
		}
		versions = append(versions, v)
	}
	slices.SortStableFunc(versions, func(a, b *version) int {
		if a.code != b.code {
			return a.code - b.code
		}
		return int(a.from - b.from)
	})
	for i, v := range versions {
		if i+1 < len(versions) && versions[i+1].code == v.code {
			v.until = versions[i+1].from
		}
		s.byRole[v.Role] = append(s.byRole[v.Role], v)
	}
	return s, nil
}

// AddElder registers an elder's birthday. Elders must be added before
// their pairings.
func (s *State) AddElder(e Elder) error {
	if e.ID == "" {
		return errors.New("elder without id")
	}
	if _, ok := s.elders[e.ID]; ok {
		return fmt.Errorf("elder %s added twice", e.ID)
	}
	b, err := s.cal.BirthdayOf(e.BirthDate, e.LunarBirthday)
	if err != nil {
		return fmt.Errorf("elder %s: %w", e.ID, err)
	}
	s.elders[e.ID] = &b
	return nil
}

// AddPairing starts tracking a pairing. It starts empty: if records of the
// pair already exist, apply those dated within the pairing.
func (s *State) AddPairing(p Pairing) error {
	switch {
	case p.ID == "" || p.Volunteer == "":
		return errors.New("pairing needs an id and a volunteer")
	case s.pairings[p.ID] != nil:
		return fmt.Errorf("pairing %s added twice", p.ID)
	case !p.Role.Valid():
		return fmt.Errorf("pairing %s: unknown role %q", p.ID, p.Role)
	case p.To != nil && *p.To < p.From:
		return fmt.Errorf("pairing %s ends (%s) before it starts (%s)", p.ID, *p.To, p.From)
	}
	bday, ok := s.elders[p.Elder]
	if !ok {
		return fmt.Errorf("pairing %s: unknown elder %q", p.ID, p.Elder)
	}
	pr := &pairing{Pairing: p, last: maxDate, bday: bday}
	if p.To != nil {
		pr.last = *p.To
	}
	for _, v := range s.byRole[p.Role] {
		pr.tracks = append(pr.tracks, newTrack(v, p.From))
	}
	s.pairings[p.ID] = pr
	s.order = append(s.order, pr)
	s.byElder[p.Elder] = append(s.byElder[p.Elder], pr)
	return nil
}

// SetPairingEnd sets (or clears, with nil) the last day of a pairing.
// Shortening drops the records after the new end, touching only the
// periods from there on. Lengthening cannot know the records it now
// covers: when replay is true, apply the pair's records dated from
// replayFrom to the new end again (records already counted are ignored).
func (s *State) SetPairingEnd(id string, to *calendar.Date) (replayFrom calendar.Date, replay bool, err error) {
	p := s.pairings[id]
	if p == nil {
		return 0, false, fmt.Errorf("unknown pairing %q", id)
	}
	last := maxDate
	if to != nil {
		if *to < p.From {
			return 0, false, fmt.Errorf("pairing %s cannot end (%s) before it starts (%s)", id, *to, p.From)
		}
		last = *to
	}
	old := p.last
	p.last, p.To = last, to
	if last > old {
		return old + 1, true, nil
	}
	for _, t := range p.tracks {
		i := calendar.IndexOf(t.v.Period, last)
		if t.v.Period == calendar.KindFestival {
			i = (last.Year() - 1) * len(t.v.occasions)
		}
		t.cutAfter(i, last)
	}
	return 0, false, nil
}

// SetHorizon tells the state the last day records are expected for, e.g.
// today before a rebuild: each tally is then made with room for its
// periods up to that day at once instead of growing a period at a time
// (most of a rebuild's copying and fresh memory). It changes nothing else.
func (s *State) SetHorizon(day calendar.Date) { s.horizon = day }

// Apply counts a record for every pairing of its elder and author whose
// days include the record's local date. Applying a record twice is harmless.
func (s *State) Apply(r Record) error {
	return s.each(&r, func(_ *pairing, t *track, i int, mask uint8, day calendar.Date) {
		if s.horizon != 0 {
			t.reserve(s.horizon)
		}
		t.add(i, mask, entry{id: r.ID, day: day})
	})
}

// Remove uncounts a record, e.g. one voided by an amendment. It needs the
// record's content as it was applied, not a scan of other records.
func (s *State) Remove(r Record) error {
	return s.each(&r, func(_ *pairing, t *track, i int, mask uint8, _ calendar.Date) { t.remove(i, mask, r.ID) })
}

// each calls fn for every period cell a record belongs to.
func (s *State) each(r *Record, fn func(p *pairing, t *track, i int, mask uint8, day calendar.Date)) error {
	if err := r.check(); err != nil {
		return err
	}
	day := s.cal.DateOf(r.At)
	for _, p := range s.byElder[r.Elder] {
		if p.Volunteer != r.By || day < p.From || day > p.last {
			continue
		}
		for _, t := range p.tracks {
			mask := t.v.mask(r)
			if mask == 0 {
				continue
			}
			s.scratch = t.indexesOn(s.cal, p.bday, day, s.scratch[:0])
			for _, i := range s.scratch {
				fn(p, t, i, mask, day)
			}
		}
	}
	return nil
}

func (r *Record) check() error {
	switch {
	case r.Elder == "" || r.By == "" || r.Kind == "":
		return fmt.Errorf("record %d: elder, author and kind are required", r.ID)
	case r.At.IsZero():
		return fmt.Errorf("record %d: no time", r.ID)
	}
	return nil
}

// Rebuild builds the state from scratch. records may be a database cursor:
// it is read once, in any order.
func Rebuild(cfg Config, elders []Elder, pairings []Pairing, records iter.Seq[Record]) (*State, error) {
	s, err := NewState(cfg)
	if err != nil {
		return nil, err
	}
	for _, e := range elders {
		if err := s.AddElder(e); err != nil {
			return nil, err
		}
	}
	for _, p := range pairings {
		if err := s.AddPairing(p); err != nil {
			return nil, err
		}
	}
	for r := range records {
		if err := s.Apply(r); err != nil {
			return nil, err
		}
	}
	return s, nil
}
