package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Report units: a community, a street (broken down by community) or a
// district (broken down by street).
const (
	UnitCommunity = "community"
	UnitStreet    = "street"
	UnitDistrict  = "district"
)

// ReportUnit is what a statistics report (统计上报) covers, and the parts
// its tables have a line for.
type ReportUnit struct {
	Kind     string
	ID       int64 // the community or street; 0 for a district
	Name     string
	District string
	StreetID int64 // the street of a street or community unit
	Parts    []ReportPart
}

// ReportPart is one line of a report's tables: a community of a street,
// a street of a district, or the community itself.
type ReportPart struct {
	ID          int64
	Name        string
	Communities []int64
}

// Period is a month or a quarter of local days [From, Until).
type Period struct {
	Label       string // 2026-11 or 2026-Q4
	Months      []string
	From, Until time.Time
}

var periodRE = regexp.MustCompile(`^(\d{4})-(?:(\d{2})|Q([1-4]))$`)

// ParsePeriod reads "2026-11" (a month) or "2026-Q4" (a quarter).
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	m := periodRE.FindStringSubmatch(strings.TrimSpace(s))
	bad := care.FieldErrors{"period": care.Msg{ZH: "统计期应写成 2026-11（月）或 2026-Q4（季度）", EN: "the period is a month like 2026-11 or a quarter like 2026-Q4"}}.Err()
	if m == nil {
		return Period{}, bad
	}
	year, _ := strconv.Atoi(m[1])
	first, n := 0, 1
	if m[2] != "" {
		first, _ = strconv.Atoi(m[2])
		if first < 1 || first > 12 {
			return Period{}, bad
		}
	} else {
		q, _ := strconv.Atoi(m[3])
		first, n = 3*q-2, 3
	}
	from := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, loc)
	p := Period{Label: m[0], From: from, Until: from.AddDate(0, n, 0)}
	for i := 0; i < n; i++ {
		p.Months = append(p.Months, monthOf(from.AddDate(0, i, 0)))
	}
	return p, nil
}

// LastDay is the period's last day, as stored dates are written.
func (p Period) LastDay() string { return dateString(p.Until.AddDate(0, 0, -1)) }

// ResolveReportUnit finds the unit a name names, among what the actor may
// report on: a street or community name ("和平街道", "安康社区", or
// "和平街道/安康社区" when two streets have a community of that name), or a
// district name for district viewers. The station reports on its street and
// its communities, community staff on their community, viewers on their
// street or, without one, on any street, community or district.
func (db *DB) ResolveReportUnit(ctx context.Context, a care.Actor, name string) (ReportUnit, error) {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
	default:
		return ReportUnit{}, care.ErrForbidden()
	}
	name = strings.TrimSpace(name)
	streets, err := db.Streets(ctx, a)
	if err != nil {
		return ReportUnit{}, err
	}
	cond, args := communityScope(a)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, c.street_id, c.name FROM communities c WHERE `+cond+` ORDER BY c.street_id, c.id`), args...)
	if err != nil {
		return ReportUnit{}, err
	}
	type comm struct {
		id, street int64
		name       string
	}
	var comms []comm
	for rows.Next() {
		var c comm
		if err := rows.Scan(&c.id, &c.street, &c.name); err != nil {
			rows.Close()
			return ReportUnit{}, err
		}
		comms = append(comms, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ReportUnit{}, err
	}
	streetName := map[int64]care.Street{}
	for _, s := range streets {
		streetName[s.ID] = s
	}
	unitOfStreet := func(s care.Street) ReportUnit {
		u := ReportUnit{Kind: UnitStreet, ID: s.ID, Name: s.Name, District: s.District, StreetID: s.ID}
		for _, c := range comms {
			if c.street == s.ID {
				u.Parts = append(u.Parts, ReportPart{ID: c.id, Name: c.name, Communities: []int64{c.id}})
			}
		}
		return u
	}
	var found []ReportUnit
	// Community staff report on their own community only.
	if a.Role != care.RoleCommunity {
		for _, s := range streets {
			if s.Name == name || strconv.FormatInt(s.ID, 10) == name {
				found = append(found, unitOfStreet(s))
			}
		}
	}
	for _, c := range comms {
		if a.Role == care.RoleCommunity && c.id != a.CommunityID {
			continue
		}
		s := streetName[c.street]
		if c.name == name || s.Name+"/"+c.name == name {
			found = append(found, ReportUnit{Kind: UnitCommunity, ID: c.id, Name: c.name, District: s.District, StreetID: c.street,
				Parts: []ReportPart{{ID: c.id, Name: c.name, Communities: []int64{c.id}}}})
		}
	}
	if len(found) == 0 && a.Role == care.RoleViewer && a.StreetID == 0 {
		u := ReportUnit{Kind: UnitDistrict, Name: name, District: name}
		for _, s := range streets {
			if s.District == name {
				su := unitOfStreet(s)
				p := ReportPart{ID: s.ID, Name: s.Name}
				for _, c := range su.Parts {
					p.Communities = append(p.Communities, c.ID)
				}
				u.Parts = append(u.Parts, p)
			}
		}
		if len(u.Parts) > 0 {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return ReportUnit{}, care.FieldErrors{"unit": care.Msg{ZH: "没有可统计的单位“" + name + "”（请写街道或社区的名称）",
			EN: fmt.Sprintf("no unit %q you may report on (give a street or community name)", name)}}.Err()
	case 1:
		return found[0], nil
	}
	return ReportUnit{}, care.FieldErrors{"unit": care.Msg{ZH: "“" + name + "”不止一个，请写成 街道/社区",
		EN: fmt.Sprintf("%q names several units; write street/community", name)}}.Err()
}

// ReportUnits lists the units the actor may report on, for a chooser.
func (db *DB) ReportUnits(ctx context.Context, a care.Actor) ([]string, error) {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
	default:
		return nil, care.ErrForbidden()
	}
	streets, err := db.Streets(ctx, a)
	if err != nil {
		return nil, err
	}
	comms, err := db.Communities(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	if a.Role == care.RoleViewer && a.StreetID == 0 {
		for _, s := range streets {
			if s.District != "" && !seen[s.District] {
				seen[s.District] = true
				out = append(out, s.District)
			}
		}
	}
	if a.Role != care.RoleCommunity {
		for _, s := range streets {
			out = append(out, s.Name)
		}
	}
	for _, c := range comms {
		if a.Role != care.RoleCommunity || c.ID == a.CommunityID {
			out = append(out, c.Name)
		}
	}
	return out, nil
}

// ReportCounts are the aggregate numbers of one part of a report, by key:
//
//	elders, elders.new, elders.status.S, elders.self_care.S, elders.category.C
//	pairing.active, pairing.paired, pairing.unpaired, pairing.reason.R
//	services, services.elders, services.K.T, services.K.T.minutes
//	volunteers, volunteers.active, volunteers.kind.K, volunteers.serving,
//	volunteers.records, volunteers.minutes, volunteers.hours_tenths (the typed opening hours)
//	hours.credited, hours.credited.K (the ledger's minutes credited in the period, by volunteer kind), hours.balance
//	cards, cards.signed, cards.pass, cards.needs_improvement
//	cases.opened.K, cases.resolved.K, cases.open.K
//	trainings.held, trainings.trained, commendations (report_training.go)
//
// Elders and volunteers are the register as it stands when the report is
// made (elders.new: registered in the period; 高龄 as of the period's end);
// pairing is as it stood on the period's last day, for the elders active
// now; services, cards and cases are those of the period.
type ReportCounts map[string]int64

// ReportData is a report's numbers: one ReportCounts per part of the unit.
type ReportData struct {
	Unit   ReportUnit
	Period Period
	Parts  []ReportCounts
}

// Unpaired reasons, in the order reports list them.
var UnpairedReasons = []string{"declined", "waiting_relay", "not_yet"}

// Report computes a report's numbers with aggregate SQL, the same on both
// databases. The unit must come from ResolveReportUnit for the same actor.
func (db *DB) Report(ctx context.Context, a care.Actor, u ReportUnit, p Period) (*ReportData, error) {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
	default:
		return nil, care.ErrForbidden()
	}
	part := map[int64]int{}
	var ids []string
	for i, pt := range u.Parts {
		for _, c := range pt.Communities {
			part[c] = i
			ids = append(ids, strconv.FormatInt(c, 10))
		}
	}
	d := &ReportData{Unit: u, Period: p, Parts: make([]ReportCounts, len(u.Parts))}
	for i := range d.Parts {
		d.Parts[i] = ReportCounts{}
	}
	if len(ids) == 0 {
		return d, nil
	}
	// The ids are integers from the database, safe to inline; a list of
	// placeholders would differ per unit and defeat the statement cache.
	in := "(" + strings.Join(ids, ",") + ")"
	until, last := stamp(p.Until), p.LastDay()
	months := "('" + strings.Join(p.Months, "','") + "')"
	add := func(community int64, key string, n int64) {
		if i, ok := part[community]; ok && n != 0 {
			d.Parts[i][key] += n
		}
	}
	cutoff := dateString(p.Until.AddDate(-care.AdvancedAge, 0, 0))
	timed := map[int64]int64{} // minutes of timed services per volunteer
	steps := []struct {
		query string
		args  []any
		scan  func(r *sql.Rows) error
	}{
		{`SELECT e.community_id, e.status, e.self_care, e.categories, CASE WHEN e.birth_date < ? THEN 1 ELSE 0 END,
 CASE WHEN e.created_at >= ? AND e.created_at < ? THEN 1 ELSE 0 END, COUNT(*)
 FROM elders e WHERE e.community_id IN ` + in + ` GROUP BY 1, 2, 3, 4, 5, 6`,
			[]any{cutoff, stamp(p.From), until}, func(r *sql.Rows) error {
				var c, old, isNew, n int64
				var status, selfCare, cats string
				if err := r.Scan(&c, &status, &selfCare, &cats, &old, &isNew, &n); err != nil {
					return err
				}
				add(c, "elders", n)
				add(c, "elders.new", isNew*n)
				add(c, "elders.status."+status, n)
				add(c, "elders.self_care."+selfCare, n)
				for _, cat := range strings.Split(strings.Trim(cats, ","), ",") {
					if cat != "" && cat != "advanced_age" {
						add(c, "elders.category."+cat, n)
					}
				}
				add(c, "elders.category.advanced_age", old*n)
				return nil
			}},
		// Pairing of active elders on the period's last day, and why the
		// others have none: they declined, their volunteer left and a
		// successor is awaited (待接力), or not paired yet.
		{`SELECT e.community_id,
 CASE WHEN EXISTS (SELECT 1 FROM pairings p WHERE p.elder_id = e.id AND p.started_on <= ? AND (p.ended_on IS NULL OR p.ended_on >= ?)) THEN 'paired'
  WHEN e.wishes LIKE '%"decline_pairing":true%' THEN 'declined'
  WHEN EXISTS (SELECT 1 FROM pairings p WHERE p.elder_id = e.id AND p.needs_successor = ?) THEN 'waiting_relay'
  ELSE 'not_yet' END, COUNT(*)
 FROM elders e WHERE e.community_id IN ` + in + ` AND e.status = 'active' GROUP BY 1, 2`,
			[]any{last, last, true}, func(r *sql.Rows) error {
				var c, n int64
				var state string
				if err := r.Scan(&c, &state, &n); err != nil {
					return err
				}
				add(c, "pairing.active", n)
				if state == "paired" {
					add(c, "pairing.paired", n)
				} else {
					add(c, "pairing.unpaired", n)
					add(c, "pairing.reason."+state, n)
				}
				return nil
			}},
		// The record steps read the month index only (see migration 6):
		// first counted per month, elder, type and volunteer in index
		// order, then summed by community.
		{`SELECT e.community_id, x.type, SUM(x.n) FROM (SELECT r.month, r.elder_id, r.type, COUNT(*) AS n FROM service_records r
 WHERE r.month IN ` + months + counted + ` GROUP BY r.month, r.elder_id, r.type) x
 JOIN elders e ON e.id = x.elder_id WHERE e.community_id IN ` + in + ` GROUP BY 1, 2`,
			nil, func(r *sql.Rows) error {
				var c, n int64
				var typ string
				if err := r.Scan(&c, &typ, &n); err != nil {
					return err
				}
				add(c, "services", n)
				add(c, "services."+serviceKind(typ)+"."+typ, n)
				return nil
			}},
		{`SELECT e.community_id, COUNT(DISTINCT x.elder_id), COUNT(*) FROM (SELECT DISTINCT r.month, r.elder_id FROM service_records r
 WHERE r.month IN ` + months + counted + `) x
 JOIN elders e ON e.id = x.elder_id WHERE e.community_id IN ` + in + ` GROUP BY 1`,
			nil, func(r *sql.Rows) error {
				var c, elders, cards int64
				if err := r.Scan(&c, &elders, &cards); err != nil {
					return err
				}
				add(c, "services.elders", elders)
				add(c, "cards", cards)
				return nil
			}},
		{`SELECT e.community_id, r.type, r.volunteer_id, ` + db.minutesBetween("r.at", "r.end_at") + ` FROM service_records r JOIN elders e ON e.id = r.elder_id
 WHERE r.month IN ` + months + ` AND r.end_at IS NOT NULL` + counted + ` AND e.community_id IN ` + in,
			nil, func(r *sql.Rows) error {
				var c, minutes int64
				var typ string
				var vol sql.NullInt64
				if err := r.Scan(&c, &typ, &vol, &minutes); err != nil {
					return err
				}
				add(c, "services."+serviceKind(typ)+"."+typ+".minutes", minutes)
				if vol.Valid {
					timed[vol.Int64] += minutes
				}
				return nil
			}},
		// The hours ledger (README "服务时长 / Hours ledger and time bank"):
		// hours credited in the period (services and activities net of
		// reversals) and the balances as they stand, by volunteer kind.
		{`SELECT l.community_id, v.kind, SUM(CASE WHEN l.source IN ('service', 'reversal', 'activity') AND l.at >= ? AND l.at < ?
 THEN l.minutes ELSE 0 END), SUM(l.minutes) FROM hours_ledger l JOIN volunteers v ON v.id = l.volunteer_id
 WHERE l.community_id IN ` + in + ` GROUP BY 1, 2`,
			[]any{stamp(p.From), until}, func(r *sql.Rows) error {
				var c, credited, balance int64
				var kind string
				if err := r.Scan(&c, &kind, &credited, &balance); err != nil {
					return err
				}
				add(c, "hours.credited", credited)
				add(c, "hours.credited."+kind, credited)
				add(c, "hours.balance", balance)
				return nil
			}},
		{`SELECT v.community_id, v.status, v.kind, COUNT(*), SUM(v.hours_tenths)
 FROM volunteers v WHERE v.community_id IN ` + in + ` GROUP BY 1, 2, 3`,
			nil, func(r *sql.Rows) error {
				var c, n, tenths int64
				var status, kind string
				if err := r.Scan(&c, &status, &kind, &n, &tenths); err != nil {
					return err
				}
				add(c, "volunteers", n)
				add(c, "volunteers.hours_tenths", tenths)
				if status == "active" {
					add(c, "volunteers.active", n)
					add(c, "volunteers.kind."+kind, n)
				}
				return nil
			}},
		{`SELECT v.community_id, COUNT(DISTINCT x.volunteer_id), SUM(x.n) FROM (SELECT r.month, r.elder_id, r.type, r.volunteer_id, COUNT(*) AS n
 FROM service_records r WHERE r.month IN ` + months + counted + ` AND r.volunteer_id IS NOT NULL GROUP BY r.month, r.elder_id, r.type, r.volunteer_id) x
 JOIN volunteers v ON v.id = x.volunteer_id WHERE v.community_id IN ` + in + ` GROUP BY 1`,
			nil, func(r *sql.Rows) error {
				var c, serving, n int64
				if err := r.Scan(&c, &serving, &n); err != nil {
					return err
				}
				add(c, "volunteers.serving", serving)
				add(c, "volunteers.records", n)
				return nil
			}},
		{`SELECT e.community_id, s.result, COUNT(*) FROM card_signatures s JOIN elders e ON e.id = s.elder_id
 WHERE s.month IN ` + months + ` AND e.community_id IN ` + in + ` GROUP BY 1, 2`,
			nil, func(r *sql.Rows) error {
				var c, n int64
				var result string
				if err := r.Scan(&c, &result, &n); err != nil {
					return err
				}
				add(c, "cards.signed", n)
				add(c, "cards."+result, n)
				return nil
			}},
		// A case's status at the period's end is that of its last step
		// before it: a case resolved later was still open then.
		{`SELECT e.community_id, k.kind, CASE WHEN k.opened_at >= ? THEN 1 ELSE 0 END,
 COALESCE((SELECT ev.status FROM case_events ev WHERE ev.case_id = k.id AND ev.at < ? ORDER BY ev.id DESC LIMIT 1), 'open'), COUNT(*)
 FROM cases k JOIN elders e ON e.id = k.elder_id WHERE k.opened_at < ? AND e.community_id IN ` + in + ` GROUP BY 1, 2, 3, 4`,
			[]any{stamp(p.From), until, until}, func(r *sql.Rows) error {
				var c, opened, n int64
				var kind, status string
				if err := r.Scan(&c, &kind, &opened, &status, &n); err != nil {
					return err
				}
				add(c, "cases.opened."+kind, opened*n)
				if status != "resolved" {
					add(c, "cases.open."+kind, n)
				}
				return nil
			}},
		{`SELECT e.community_id, k.kind, COUNT(DISTINCT k.id) FROM case_events ev JOIN cases k ON k.id = ev.case_id JOIN elders e ON e.id = k.elder_id
 WHERE ev.status = 'resolved' AND ev.at >= ? AND ev.at < ? AND e.community_id IN ` + in + ` GROUP BY 1, 2`,
			[]any{stamp(p.From), until}, func(r *sql.Rows) error {
				var c, n int64
				var kind string
				if err := r.Scan(&c, &kind, &n); err != nil {
					return err
				}
				add(c, "cases.resolved."+kind, n)
				return nil
			}},
	}
	for _, s := range steps {
		if err := db.each(ctx, s.query, s.args, s.scan); err != nil {
			return nil, err
		}
	}

	if err := db.volunteerMinutes(ctx, timed, func(c, minutes int64) { add(c, "volunteers.minutes", minutes) }); err != nil {
		return nil, err
	}
	if err := db.reportTraining(ctx, in, p, add); err != nil {
		return nil, err
	}
	if err := db.reportActivities(ctx, in, p, add); err != nil {
		return nil, err
	}
	if err := db.reportRequests(ctx, in, p, add); err != nil {
		return nil, err
	}
	return d, db.applyAmendments(ctx, d, part, months, in)
}

// volunteerMinutes adds the timed services' minutes to the volunteers'
// communities.
func (db *DB) volunteerMinutes(ctx context.Context, timed map[int64]int64, add func(community, minutes int64)) error {
	if len(timed) == 0 {
		return nil
	}
	ids := make([]string, 0, len(timed))
	for id := range timed {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	return db.each(ctx, `SELECT id, community_id FROM volunteers WHERE id IN (`+strings.Join(ids, ",")+`)`, nil, func(r *sql.Rows) error {
		var id, c int64
		if err := r.Scan(&id, &c); err != nil {
			return err
		}
		add(c, timed[id])
		return nil
	})
}

// applyAmendments moves the services corrected to another type, with their
// minutes: amendments are few, so they are read apart rather than joined
// to every record (struck-out records are left out by the queries). A
// time correction keeps the record in its original month, as the card
// shows it.
func (db *DB) applyAmendments(ctx context.Context, d *ReportData, part map[int64]int, months, in string) error {
	type fix struct {
		community int64
		from, to  string // types
		newest    int64  // the amendment that set to
		minutes   int64
		void      bool
	}
	fixes := map[int64]*fix{}
	var order []int64
	// CROSS JOIN makes SQLite start from the few amendments, not from the
	// month's records; with no ORDER BY it reads them through the amends
	// index, so the newest is picked here.
	err := db.each(ctx, `SELECT o.id, a.id, e.community_id, o.type, o.at, o.end_at, a.type, a.changes
 FROM service_records a CROSS JOIN service_records o JOIN elders e ON e.id = o.elder_id
 WHERE a.amends > 0 AND o.id = a.amends AND o.month IN `+months+` AND e.community_id IN `+in, nil, func(r *sql.Rows) error {
		var id, aID, c int64
		var typ, at, aType, changes string
		var end sql.NullString
		if err := r.Scan(&id, &aID, &c, &typ, &at, &end, &aType, &changes); err != nil {
			return err
		}
		f := fixes[id]
		if f == nil {
			f = &fix{community: c, from: typ}
			if end.Valid {
				f.minutes = int64(math.Round(parseStamp(end.String).Sub(parseStamp(at)).Minutes()))
			}
			fixes[id] = f
			order = append(order, id)
		}
		var ch map[string]any
		if changes != "" {
			if err := json.Unmarshal([]byte(changes), &ch); err != nil {
				return err
			}
		}
		if v, _ := ch["void"].(bool); v {
			f.void = true // striking out is final
		}
		if aID > f.newest { // the newest amendment holds the record as corrected
			f.to, f.newest = aType, aID
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range order {
		f := fixes[id]
		i, ok := part[f.community]
		if f.void || f.to == f.from || !ok {
			continue
		}
		c := d.Parts[i]
		from, to := "services."+serviceKind(f.from)+"."+f.from, "services."+serviceKind(f.to)+"."+f.to
		c[from]--
		c[to]++
		if f.minutes != 0 {
			c[from+".minutes"] -= f.minutes
			c[to+".minutes"] += f.minutes
		}
	}
	return nil
}

// countEach adds under key the (community, n) rows of a read query.
func (db *DB) countEach(ctx context.Context, query string, args []any, key string, add func(community int64, key string, n int64)) error {
	return db.each(ctx, query, args, func(rows *sql.Rows) error {
		var c, n int64
		if err := rows.Scan(&c, &n); err != nil {
			return err
		}
		add(c, key, n)
		return nil
	})
}

// each runs a read query and scans every row.
func (db *DB) each(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// minutesBetween is the whole minutes between two stored times.
func (db *DB) minutesBetween(from, to string) string {
	if db.dialect == postgres {
		return fmt.Sprintf("CAST(ROUND(EXTRACT(EPOCH FROM (CAST(%s AS timestamptz) - CAST(%s AS timestamptz))) / 60) AS BIGINT)", to, from)
	}
	return fmt.Sprintf("CAST(ROUND((julianday(%s) - julianday(%s)) * 1440) AS INTEGER)", to, from)
}
