package tracker

import (
	"cmp"
	"context"
	"slices"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// Roles lists the pairing roles in the order tables show them.
var Roles = []string{"neighbour", "social", "committee", "clinic"}

// PairingInfo describes a tracked pairing.
type PairingInfo struct {
	Key         string
	ElderID     int64
	CommunityID int64
	VolunteerID *int64 // nil for the elder's clinic
	Role        string
	From        calendar.Date
	To          *calendar.Date
}

// Committee reports whether the pairing is the community committee's place
// in the elder's circle (no volunteer; the clinic's has none either).
func (p PairingInfo) Committee() bool {
	return p.VolunteerID == nil && p.Role == string(compliance.RoleCommittee)
}

func (st *street) info(p *store.TrackedPairing) PairingInfo {
	var community int64
	if e := st.elders[p.ElderID]; e != nil {
		community = e.CommunityID
	}
	return PairingInfo{Key: p.Key, ElderID: p.ElderID, CommunityID: community, VolunteerID: p.VolunteerID, Role: p.Role, From: p.From, To: p.To}
}

// ParseMonth reads a month written 2026-11 and returns its days [from, until).
func ParseMonth(m string) (from, until calendar.Date, err error) {
	if err := store.ValidMonth(m); err != nil {
		return 0, 0, err
	}
	t, _ := time.Parse("2006-01", m)
	return dateOf(t), dateOf(t.AddDate(0, 1, 0)), nil
}

// judge is the outcome of a status at now: tallies do not depend on when
// one looks, only whether a period has closed or passed its deadline.
func judge(s compliance.Status, now time.Time) compliance.Outcome {
	switch {
	case s.Outcome == compliance.Met:
		return compliance.Met
	case !now.Before(s.Closes):
		return compliance.Missed
	case !now.Before(s.Deadline):
		return compliance.Overdue
	}
	return compliance.Due
}

// monthStatuses returns, for the pairings given, every period in force
// during the month's days [from, until) that has begun, judged at now. A
// period that spans two months (a week, a quarter, a festival window)
// belongs to both. Periods that ended before the first record kept are not
// judged. Its cost is that of the periods returned.
func (st *street) monthStatuses(keys []string, from, until calendar.Date, now time.Time) ([]compliance.Status, error) {
	var out []compliance.Status
	err := st.eachStatus(keys, from, until, now, func(s compliance.Status) { out = append(out, s) })
	return out, err
}

// eachStatus calls fn with each status monthStatuses would return.
func (st *street) eachStatus(keys []string, from, until calendar.Date, now time.Time, fn func(compliance.Status)) error {
	if st.firstDay == 0 {
		return nil
	}
	from = max(from, st.firstDay)
	asOf := now
	if end := st.cal.Start(until).Add(-time.Nanosecond); end.Before(asOf) {
		asOf = end
	}
	if st.cal.DateOf(asOf) < from || len(keys) == 0 {
		return nil
	}
	return st.state.Each(compliance.Query{AsOf: asOf, Since: from, Pairings: keys}, func(s compliance.Status) {
		s.Outcome = judge(s, now)
		fn(s)
	})
}

// keys returns the pairings to report: of active elders, optionally of
// one community, in a stable order.
func (st *street) keys(community int64, keep func(p *store.TrackedPairing) bool) []string {
	var out []*store.TrackedPairing
	for _, p := range st.pairings {
		e := st.elders[p.ElderID]
		if e == nil || e.Status != "active" || st.skipped[e.ID] || (community != 0 && e.CommunityID != community) {
			continue
		}
		if keep == nil || keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *store.TrackedPairing) int {
		return cmp.Or(cmp.Compare(a.ElderID, b.ElderID), cmp.Compare(a.Key, b.Key))
	})
	keys := make([]string, len(out))
	for i, p := range out {
		keys[i] = p.Key
	}
	return keys
}

// Counts tallies outcomes.
type Counts struct {
	Met, Due, Overdue, Missed int
}

func (c *Counts) add(o compliance.Outcome) {
	switch o {
	case compliance.Met:
		c.Met++
	case compliance.Due:
		c.Due++
	case compliance.Overdue:
		c.Overdue++
	default:
		c.Missed++
	}
}

// Judged is the number of periods that count towards the rate: met, or
// past their deadline. Periods still due are not judged yet.
func (c Counts) Judged() int { return c.Met + c.Overdue + c.Missed }

// Rate is the share of judged periods that were met, in percent; ok is
// false when nothing was judged yet.
func (c Counts) Rate() (pct float64, ok bool) {
	if c.Judged() == 0 {
		return 0, false
	}
	return 100 * float64(c.Met) / float64(c.Judged()), true
}

// TableRow is one line of the compliance table: a community, a role and
// a standard, with the outcomes of its periods in the month.
type TableRow struct {
	CommunityID int64
	Role        string
	Standard    string
	Counts
}

type tableEntry struct {
	version uint64
	at      time.Time
	rows    []TableRow
}

// table returns the street's compliance table for the months first to
// last, cached while nothing changed and for at most TableTTL.
func (st *street) table(first, last string, now time.Time) ([]TableRow, error) {
	cacheKey := first + "/" + last
	if e := st.tables[cacheKey]; e != nil && e.version == st.version && now.Sub(e.at) < st.t.cfg.TableTTL && !now.Before(e.at) {
		return e.rows, nil
	}
	rows, err := st.aggregate(st.keys(0, nil), first, last, now)
	if err != nil {
		return nil, err
	}
	st.tables[cacheKey] = &tableEntry{version: st.version, at: now, rows: rows}
	return rows, nil
}

// aggregate counts the outcomes of the pairings keys in the months first
// to last by community, role and standard.
func (st *street) aggregate(keys []string, first, last string, now time.Time) ([]TableRow, error) {
	from, _, err := ParseMonth(first)
	if err != nil {
		return nil, err
	}
	_, until, err := ParseMonth(last)
	if err != nil {
		return nil, err
	}
	type key struct {
		community int64
		role      string
		standard  string
	}
	idx := map[key]int{}
	var rows []TableRow
	err = st.eachStatus(keys, from, until, now, func(s compliance.Status) {
		p := st.pairings[s.Pairing]
		k := key{st.elders[p.ElderID].CommunityID, p.Role, s.Standard}
		i, ok := idx[k]
		if !ok {
			i = len(rows)
			idx[k] = i
			rows = append(rows, TableRow{CommunityID: k.community, Role: k.role, Standard: k.standard})
		}
		rows[i].add(s.Outcome)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b TableRow) int {
		return cmp.Or(cmp.Compare(a.CommunityID, b.CommunityID), cmp.Compare(slices.Index(Roles, a.Role), slices.Index(Roles, b.Role)),
			cmp.Compare(st.codeIndex(a.Standard), st.codeIndex(b.Standard)))
	})
	return rows, nil
}

func (st *street) codeIndex(code string) int {
	return slices.IndexFunc(st.stds, func(s compliance.Standard) bool { return s.Code == code })
}

// scope returns the street and the community (0: all) an actor's
// compliance views cover: the station its street, community staff their
// own community.
func (t *Tracker) scope(ctx context.Context, a care.Actor, community int64) (int64, int64, error) {
	if !a.EditsRegistry() {
		return 0, 0, care.ErrForbidden()
	}
	// A community the actor cannot see is 404, never an empty table.
	if err := t.db.CheckCommunityFilter(ctx, a, community); err != nil {
		return 0, 0, err
	}
	if a.Role == care.RoleCommunity {
		return a.StreetID, a.CommunityID, nil
	}
	return a.StreetID, community, nil
}

// Table returns the compliance table for a month: by community, role and
// standard, for the station's street or the community's own community.
func (t *Tracker) Table(ctx context.Context, a care.Actor, month string, community int64) ([]TableRow, error) {
	return t.PeriodTable(ctx, a, month, month, community)
}

// PeriodTable is the compliance table of the months first to last (a
// quarter's report): each period in force during them counted once.
func (t *Tracker) PeriodTable(ctx context.Context, a care.Actor, first, last string, community int64) ([]TableRow, error) {
	if a.Role == care.RoleClinic {
		return t.clinicTable(ctx, a, first, last, community)
	}
	streetID, community, err := t.scope(ctx, a, community)
	if err != nil {
		return nil, err
	}
	var out []TableRow
	err = t.with(ctx, streetID, func(st *street) error {
		rows, err := st.table(first, last, t.db.Now())
		for _, r := range rows {
			if community == 0 || r.CommunityID == community {
				out = append(out, r)
			}
		}
		return err
	})
	return out, err
}

// TrendPoint is one role's rate in one month, for the chart.
type TrendPoint struct {
	Month string
	Role  string
	Counts
}

// Trend returns each role's outcomes in each of the months given.
func (t *Tracker) Trend(ctx context.Context, a care.Actor, months []string, community int64) ([]TrendPoint, error) {
	var out []TrendPoint
	for _, m := range months {
		rows, err := t.Table(ctx, a, m, community)
		if err != nil {
			return nil, err
		}
		for _, role := range Roles {
			p := TrendPoint{Month: m, Role: role}
			for _, r := range rows {
				if r.Role == role {
					p.Met, p.Due, p.Overdue, p.Missed = p.Met+r.Met, p.Due+r.Due, p.Overdue+r.Overdue, p.Missed+r.Missed
				}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// PairingSummary is a pairing's outcomes in a month, per standard.
type PairingSummary struct {
	PairingInfo
	Standards []StandardCounts
}

// StandardCounts are one standard's outcomes.
type StandardCounts struct {
	Standard string
	Counts
}

// CommunityPairings is the drill-down from the table: each pairing of a
// community's active elders with its outcomes in the month.
func (t *Tracker) CommunityPairings(ctx context.Context, a care.Actor, community int64, month string) ([]PairingSummary, error) {
	streetID, community, err := t.scope(ctx, a, community)
	if err != nil {
		return nil, err
	}
	if community == 0 {
		return nil, care.FieldErrors{"community_id": care.Msg{ZH: "请选择社区", EN: "choose a community"}}.Err()
	}
	from, until, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	var out []PairingSummary
	err = t.with(ctx, streetID, func(st *street) error {
		keys := st.keys(community, nil)
		statuses, err := st.monthStatuses(keys, from, until, t.db.Now())
		if err != nil {
			return err
		}
		idx := map[string]int{}
		for _, k := range keys {
			idx[k] = len(out)
			out = append(out, PairingSummary{PairingInfo: st.info(st.pairings[k])})
		}
		for _, s := range statuses {
			ps := &out[idx[s.Pairing]]
			j := slices.IndexFunc(ps.Standards, func(c StandardCounts) bool { return c.Standard == s.Standard })
			if j < 0 {
				j = len(ps.Standards)
				ps.Standards = append(ps.Standards, StandardCounts{Standard: s.Standard})
			}
			ps.Standards[j].add(s.Outcome)
		}
		return nil
	})
	return out, err
}
