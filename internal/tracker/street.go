package tracker

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// street is one street's compliance state and what it was built from.
// Every field is guarded by mu. The state itself (view) is replaced whole:
// a rebuild builds a new one aside, on a street value of its own that no
// answer sees, and swaps it in only when complete.
type street struct {
	t  *Tracker
	id int64

	mu sync.Mutex
	*view

	// version counts changes of the state, so cached tables know when they
	// are out of date.
	version uint64
	tables  map[string]*tableEntry
	stale   bool // a change the state cannot follow: rebuild

	rb rebuilding
}

// view is a street's state as one build made it and catch-ups kept it up.
type view struct {
	settings  int64 // the settings version the state was built with
	cal       *calendar.Calendar
	stds      []compliance.Standard
	state     *compliance.State
	watermark int64
	// firstDay is the day of the first record kept (0: none yet). Periods
	// before it are not judged: a pairing registered with an earlier start
	// has no history to be judged by.
	firstDay calendar.Date

	pairings   map[string]*store.TrackedPairing
	byElder    map[int64][]*store.TrackedPairing
	elders     map[int64]*store.ComplianceElder
	kinds      map[int64]string // volunteer id → kind
	skipped    map[int64]bool   // elders the calendar cannot place (no birthday)
	engineKeys map[keyID]string // engine keys made so far (keyOf)
}

// fresh returns a street value for building a new state aside.
func (st *street) fresh() *street {
	return &street{t: st.t, id: st.id, view: &view{}, tables: map[string]*tableEntry{}}
}

// Keys of elders, carers and pairings in the compliance engine.
func elderKey(id int64) string     { return strconv.FormatInt(id, 10) }
func volunteerKey(id int64) string { return "v" + strconv.FormatInt(id, 10) }
func pairingKey(id int64) string   { return "p" + strconv.FormatInt(id, 10) }
func clinicKey(elder int64) string { return "k" + strconv.FormatInt(elder, 10) }

// committeeKey is the community committee's place in every elder's circle
// (issue 15 point 4): the programme puts the 居委会 in each circle, not
// only where a committee member was paired.
func committeeKey(elder int64) string { return "c" + strconv.FormatInt(elder, 10) }

// The author keys of the organisations' own records.
const (
	clinicCarer    = "clinic"
	committeeCarer = "committee"
)

// isClinic and isCommittee tell the organisations' pseudo-pairings, which
// have no volunteer, apart.
func isClinic(p *store.TrackedPairing) bool {
	return p.VolunteerID == nil && p.Role == string(compliance.RoleClinic)
}

func isCommittee(p *store.TrackedPairing) bool {
	return p.VolunteerID == nil && p.Role == string(compliance.RoleCommittee)
}

func carerOf(p *store.TrackedPairing) string {
	switch {
	case isCommittee(p):
		return committeeCarer
	case p.VolunteerID == nil:
		return clinicCarer
	}
	return volunteerKey(*p.VolunteerID)
}

func birthdayOf(e *store.ComplianceElder) string {
	s := e.BirthDate.Format(time.DateOnly)
	if e.LunarBirthday {
		s += "L"
	}
	return s
}

func dateOf(t time.Time) calendar.Date { return calendar.NewDate(t.Year(), t.Month(), t.Day()) }

// noteDay keeps the day of the earliest record seen.
func (st *street) noteDay(at time.Time) {
	if d := st.cal.DateOf(at); st.firstDay == 0 || d < st.firstDay {
		st.firstDay = d
	}
}

// configure reads the street's standards and festivals.
func (st *street) configure(ctx context.Context) error {
	set, err := st.t.db.StreetStandards(ctx, st.id)
	if err != nil {
		return err
	}
	cfg, err := set.Config(st.t.db.Loc)
	if err != nil {
		return fmt.Errorf("street %d: %w", st.id, err)
	}
	state, err := compliance.NewState(cfg)
	if err != nil {
		return fmt.Errorf("street %d standards: %w", st.id, err)
	}
	st.settings, st.cal, st.stds, st.state = set.Version, cfg.Calendar, cfg.Standards, state
	return nil
}

// assemble starts a fresh state with the elders and the given tracked
// pairings (as saved). New pairings are added by syncElders, which also
// counts their past records, or by rebuild.
func (st *street) assemble(elders []store.ComplianceElder, facts []store.PairingFact, tracked []store.TrackedPairing) error {
	st.pairings, st.byElder = map[string]*store.TrackedPairing{}, map[int64][]*store.TrackedPairing{}
	st.elders, st.kinds, st.skipped = map[int64]*store.ComplianceElder{}, map[int64]string{}, map[int64]bool{}
	for i := range elders {
		st.addElder(&elders[i])
	}
	for _, f := range facts {
		st.kinds[f.VolunteerID] = f.Kind
	}
	for i := range tracked {
		p := &tracked[i]
		if st.elders[p.ElderID] == nil || st.skipped[p.ElderID] {
			continue
		}
		if err := st.addPairing(p); err != nil {
			return err
		}
	}
	return nil
}

func (st *street) addElder(e *store.ComplianceElder) {
	st.elders[e.ID] = e
	err := st.state.AddElder(compliance.Elder{ID: elderKey(e.ID), BirthDate: dateOf(e.BirthDate), LunarBirthday: e.LunarBirthday})
	if err != nil {
		st.skipped[e.ID] = true
		st.t.log.Warn("compliance: elder not tracked", "elder", e.ID, "err", err)
	}
}

func (st *street) addPairing(p *store.TrackedPairing) error {
	err := st.state.AddPairing(compliance.Pairing{ID: p.Key, Elder: elderKey(p.ElderID), Volunteer: carerOf(p),
		Role: compliance.Role(p.Role), From: p.From, To: p.To})
	if err != nil {
		return fmt.Errorf("pairing %s: %w", p.Key, err)
	}
	st.pairings[p.Key] = p
	st.byElder[p.ElderID] = append(st.byElder[p.ElderID], p)
	return nil
}

func groupFacts(facts []store.PairingFact) map[int64][]store.PairingFact {
	out := map[int64][]store.PairingFact{}
	for _, f := range facts {
		out[f.ElderID] = append(out[f.ElderID], f)
	}
	return out
}

// needsRebuild reports a difference the engine cannot apply in place.
func needsRebuild(have, want *store.TrackedPairing) bool {
	return have.Role != want.Role || have.From != want.From || have.Birthday != want.Birthday
}

func sameDay(a, b *calendar.Date) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// derive returns the pairings an elder should have tracked, from the
// registry and, for the clinic's and the committee's pseudo-pairings, the
// ones tracked already (have and committee, or nil): their days exist
// only in the tracker. Every elder has the committee of their community
// in the circle, from the first day of their service.
func (st *street) derive(e *store.ComplianceElder, facts []store.PairingFact, have, committee *store.TrackedPairing) []*store.TrackedPairing {
	bday := birthdayOf(e)
	var out []*store.TrackedPairing
	first := dateOf(e.Registered)
	for _, f := range facts {
		from := dateOf(f.StartedOn)
		first = min(first, from)
		p := &store.TrackedPairing{Key: pairingKey(f.ID), ElderID: e.ID, VolunteerID: &f.VolunteerID, Role: f.Kind, From: from, Birthday: bday}
		if f.EndedOn != nil {
			to := max(from, dateOf(*f.EndedOn))
			p.To = &to
		}
		out = append(out, p)
	}
	if committee == nil {
		out = append(out, &store.TrackedPairing{Key: committeeKey(e.ID), ElderID: e.ID, Role: string(compliance.RoleCommittee), From: first, Birthday: bday})
	} else {
		p := *committee
		p.To, p.Birthday = nil, bday
		out = append(out, &p)
	}
	key := clinicKey(e.ID)
	switch {
	case e.ClinicID != nil && have == nil:
		out = append(out, &store.TrackedPairing{Key: key, ElderID: e.ID, Role: string(compliance.RoleClinic), From: first, Birthday: bday})
	case e.ClinicID != nil:
		p := *have
		p.To, p.Birthday = nil, bday
		out = append(out, &p)
	case have != nil && have.To == nil:
		// The clinic assignment was removed: the clinic's days end yesterday.
		p := *have
		to := max(p.From, st.t.today()-1)
		p.To, p.Birthday = &to, bday
		out = append(out, &p)
	case have != nil:
		p := *have
		p.Birthday = bday
		out = append(out, &p)
	}
	return out
}

// records maps a stored record to the engine's records: one per author key
// it counts for (see the package comment).
func (st *street) records(r *store.ComplianceRecord) []compliance.Record {
	return st.appendRecords(nil, r)
}

// appendRecords is records appending to out: a rebuild maps millions of
// records into one buffer, with the keys made once per elder and carer.
func (st *street) appendRecords(out []compliance.Record, r *store.ComplianceRecord) []compliance.Record {
	base := compliance.Record{ID: compliance.RecordID(r.ID), Elder: st.keyOf(r.ElderID, false), Kind: r.Kind, Type: r.Type, At: r.At,
		Amount: float64(r.AmountCents) / 100}
	with := func(by string) compliance.Record { c := base; c.By = by; return c }
	switch {
	case r.VolunteerID != nil:
		out = append(out, with(st.keyOf(*r.VolunteerID, true)))
		switch kind := st.kinds[*r.VolunteerID]; {
		case r.Kind == "health" && kind == string(compliance.RoleClinic):
			out = append(out, with(clinicCarer))
		case kind == string(compliance.RoleCommittee) || r.ByCommittee:
			// A committee member's visit, or one the committee organised,
			// is the committee's too.
			out = append(out, with(committeeCarer))
		}
		return out
	case r.Kind == "health":
		return append(out, with(clinicCarer))
	}
	// Community staff recording for the committee as an organisation.
	out = append(out, with(committeeCarer))
	n := len(out)
	for _, p := range st.byElder[r.ElderID] {
		if p.Role == string(compliance.RoleCommittee) && p.VolunteerID != nil {
			if by := st.keyOf(*p.VolunteerID, true); !slices.ContainsFunc(out[n:], func(c compliance.Record) bool { return c.By == by }) {
				out = append(out, with(by))
			}
		}
	}
	return out
}

// keyOf returns the engine's key of an elder or a volunteer, made once.
func (st *street) keyOf(id int64, volunteer bool) string {
	k := keyID{id, volunteer}
	if s, ok := st.engineKeys[k]; ok {
		return s
	}
	s := elderKey(id)
	if volunteer {
		s = volunteerKey(id)
	}
	if st.engineKeys == nil {
		st.engineKeys = map[keyID]string{}
	}
	st.engineKeys[k] = s
	return s
}

type keyID struct {
	id        int64
	volunteer bool
}

// readSettings configures the street's standards and reads what a load
// and a rebuild both start from: its elders and pairings.
func (st *street) readSettings(ctx context.Context) ([]store.ComplianceElder, []store.PairingFact, error) {
	db := st.t.db
	if err := st.configure(ctx); err != nil {
		return nil, nil, err
	}
	elders, err := db.ComplianceElders(ctx, st.id, nil)
	if err != nil {
		return nil, nil, err
	}
	facts, err := db.CompliancePairings(ctx, st.id, nil)
	return elders, facts, err
}

// assembleFresh starts a state for a rebuild: pairings as the registry
// says now, the clinic's days kept as tracked (they exist only here).
func (st *street) assembleFresh(elders []store.ComplianceElder, facts []store.PairingFact, tracked []store.TrackedPairing) error {
	if err := st.assemble(elders, facts, nil); err != nil {
		return err
	}
	clinics, committees := map[int64]*store.TrackedPairing{}, map[int64]*store.TrackedPairing{}
	for i := range tracked {
		switch p := &tracked[i]; {
		case isCommittee(p):
			committees[p.ElderID] = p
		case isClinic(p):
			clinics[p.ElderID] = p
		}
	}
	byElder := groupFacts(facts)
	for i := range elders {
		e := &elders[i]
		if st.skipped[e.ID] {
			continue
		}
		for _, p := range st.derive(e, byElder[e.ID], clinics[e.ID], committees[e.ID]) {
			if err := st.addPairing(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// trackedList returns the tracked pairings in a stable order.
func (st *street) trackedList() []store.TrackedPairing {
	out := make([]store.TrackedPairing, 0, len(st.pairings))
	for _, p := range st.pairings {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b store.TrackedPairing) int {
		if a.ElderID != b.ElderID {
			return int(a.ElderID - b.ElderID)
		}
		return compareStr(a.Key, b.Key)
	})
	return out
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cells yields the state's cells a few pairings at a time, so a large
// street is written without holding all its rows at once.
func (st *street) cells() iter.Seq[[]compliance.Row] {
	return func(yield func([]compliance.Row) bool) {
		var batch []compliance.Row
		for _, p := range st.trackedList() {
			rows, err := st.state.PairingRows(p.Key)
			if err != nil {
				continue
			}
			batch = append(batch, rows...)
			if len(batch) >= 2000 {
				if !yield(batch) {
					return
				}
				batch = nil
			}
		}
		if len(batch) > 0 {
			yield(batch)
		}
	}
}
