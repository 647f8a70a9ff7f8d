package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/pairplan"
)

// MatchTimeout bounds one matching run, so a street-wide plan of a huge
// street cannot hold a request forever; a community plan takes milliseconds.
const MatchTimeout = time.Minute

// RejectionDays is how long a rejected suggestion is not made again: long
// enough to stop nagging, short enough that circumstances may change.
const RejectionDays = 90

// SettleDays is how long an elder who was just given a social or committee
// volunteer is left out of the suggestions before a neighbour volunteer is
// sought again (仍缺邻居志愿者 1 名).
const SettleDays = 30

// MatchScope chooses what to match: one community, or (0) everything the
// actor manages; MaxDistanceM 0 means pairplan.DefaultReachM.
type MatchScope struct {
	CommunityID  int64
	MaxDistanceM float64
}

// Matching is a plan with the people it names, for display.
type Matching struct {
	pairplan.Plan
	Elders     map[int64]care.Elder
	Volunteers map[int64]care.Volunteer
	// Rejections are the recent rejections of each planned elder's
	// suggestions, newest first: an elder suggested again after one says
	// which pair was rejected, by whom and when.
	Rejections map[int64][]Rejection
}

// Rejection is a suggestion staff rejected.
type Rejection struct {
	VolunteerID   int64
	VolunteerName string
	Reason        string
	By            string // the display name of who rejected it (else the user name)
	At            time.Time
}

// SuggestPairings plans pairings (SPEC §3 就近结对) for every elder in
// service within the scope who has no active neighbour volunteer, among the
// active volunteers who are not clinic staff, honouring wishes, capacity
// and recent rejections. Only station and community staff may match.
func (db *DB) SuggestPairings(ctx context.Context, a care.Actor, s MatchScope) (*Matching, error) {
	where, args, vwhere, vargs, err := db.matchScope(ctx, a, &s)
	if err != nil {
		return nil, err
	}
	m := &Matching{Elders: map[int64]care.Elder{}, Volunteers: map[int64]care.Volunteer{}, Rejections: map[int64][]Rejection{}}
	in := pairplan.Input{MaxDistanceM: s.MaxDistanceM}
	comms, err := db.Communities(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range comms {
		in.Communities = append(in.Communities, pairplan.Community{ID: c.ID, Buildings: c.Buildings})
	}
	if in.Elders, err = db.matchElders(ctx, m, where, args); err != nil {
		return nil, err
	}
	var households householdGroups // a household matched as one (household_match.go)
	if in.Elders, households, err = db.groupHouseholds(ctx, in.Elders); err != nil {
		return nil, err
	}
	if in.Volunteers, err = db.matchVolunteers(ctx, m, vwhere, vargs); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, MatchTimeout)
	defer cancel()
	if m.Plan, err = pairplan.Make(ctx, in); err != nil {
		return nil, fmt.Errorf("suggest pairings for %d elders, %d volunteers: %w", len(in.Elders), len(in.Volunteers), err)
	}
	spreadHouseholds(&m.Plan, households)
	return m, nil
}

// matchScope validates the scope and returns the conditions on elders (e)
// and volunteers (v) it selects.
func (db *DB) matchScope(ctx context.Context, a care.Actor, s *MatchScope) (string, []any, string, []any, error) {
	if !a.EditsRegistry() {
		return "", nil, "", nil, care.ErrForbidden()
	}
	switch {
	case s.MaxDistanceM == 0:
		s.MaxDistanceM = pairplan.DefaultReachM
	case math.IsNaN(s.MaxDistanceM) || s.MaxDistanceM < 50 || s.MaxDistanceM > pairplan.MaxReachM:
		return "", nil, "", nil, care.FieldErrors{"max_distance_m": care.Msg{
			ZH: fmt.Sprintf("结对距离应在 50 到 %.0f 米之间", pairplan.MaxReachM),
			EN: fmt.Sprintf("must be between 50 and %.0f metres", pairplan.MaxReachM)}}.Err()
	}
	escope, eargs, err := elderScope(a)
	if err != nil {
		return "", nil, "", nil, err
	}
	vscope, vargs, err := volunteerScope(a)
	if err != nil {
		return "", nil, "", nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, s.CommunityID); err != nil {
		return "", nil, "", nil, err
	}
	if s.CommunityID > 0 {
		escope, eargs = escope+" AND e.community_id = ?", append(eargs, s.CommunityID)
		vscope, vargs = vscope+" AND v.community_id = ?", append(vargs, s.CommunityID)
	}
	return escope, eargs, vscope, vargs, nil
}

// matchElders loads the elders to plan for, with their current team and
// the suggestions rejected lately. An elder whose neighbour volunteer has
// left or paused counts as without one, so the plan proposes a successor.
func (db *DB) matchElders(ctx context.Context, m *Matching, where string, args []any) ([]pairplan.Elder, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+elderColumns+` FROM elders e WHERE `+where+` AND e.status = 'active'
 AND NOT EXISTS (SELECT 1 FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
   WHERE p.elder_id = e.id AND p.ended_on IS NULL AND v.kind = 'neighbour' AND v.status = 'active')
 ORDER BY e.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("match elders: %w", err)
	}
	var out []pairplan.Elder
	today := db.today()
	for rows.Next() {
		e, err := db.scanElder(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		m.Elders[e.ID] = *e
		out = append(out, pairplan.Elder{ID: e.ID, CommunityID: e.CommunityID, Building: e.Building, Lat: e.Lat, Lon: e.Lon,
			Priority: e.Priority(today), Declined: e.Wishes.DeclinePairing, DeclineReason: e.Wishes.DeclineReason,
			Prefer: e.Wishes.Prefer, Refuse: e.Wishes.Refuse, Needs: e.Needs})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	idx := map[int64]int{}
	for i, e := range out {
		idx[e.ID] = i
	}
	err = db.eachPair(ctx, `SELECT p.elder_id, p.volunteer_id FROM pairings p JOIN elders e ON e.id = p.elder_id
 WHERE `+where+` AND p.ended_on IS NULL`, args, func(elder, vol int64) {
		if i, ok := idx[elder]; ok {
			out[i].Team = append(out[i].Team, vol)
		}
	})
	if err != nil {
		return nil, err
	}
	// Active social and committee volunteers already serving: such an
	// elder has enough of those roles and only waits for a neighbour, and
	// not at all while the last of them is new (SettleDays), so an elder
	// just accepted does not come back at once with another volunteer.
	settle := dateString(db.today().AddDate(0, 0, -SettleDays))
	recent := map[int64]bool{}
	err = db.eachPair(ctx, `SELECT p.elder_id, CASE WHEN p.started_on > ? THEN 1 ELSE 0 END FROM pairings p JOIN elders e ON e.id = p.elder_id
 JOIN volunteers v ON v.id = p.volunteer_id
 WHERE `+where+` AND p.ended_on IS NULL AND v.status = 'active' AND v.kind IN ('social', 'committee')`, append([]any{settle}, args...), func(elder, isNew int64) {
		if i, ok := idx[elder]; ok {
			out[i].Supplements++
			recent[elder] = recent[elder] || isNew == 1
		}
	})
	if err != nil {
		return nil, err
	}
	if len(recent) > 0 {
		out = slices.DeleteFunc(out, func(e pairplan.Elder) bool { return recent[e.ID] })
		clear(idx)
		for i, e := range out {
			idx[e.ID] = i
		}
	}
	since := stamp(db.Now().AddDate(0, 0, -RejectionDays))
	rows, err = db.read.QueryContext(ctx, db.q(`SELECT r.elder_id, r.volunteer_id, v.name, r.reason, COALESCE(NULLIF(u.display_name, ''), r.created_by), r.created_at
 FROM pairing_rejections r JOIN elders e ON e.id = r.elder_id JOIN volunteers v ON v.id = r.volunteer_id
 LEFT JOIN users u ON u.username = r.created_by
 WHERE `+where+` AND r.created_at >= ? ORDER BY r.created_at DESC, r.id DESC`), append(append([]any{}, args...), since)...)
	if err != nil {
		return nil, fmt.Errorf("match rejections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var elder int64
		var rj Rejection
		var at string
		if err := rows.Scan(&elder, &rj.VolunteerID, &rj.VolunteerName, &rj.Reason, &rj.By, &at); err != nil {
			return nil, err
		}
		if i, ok := idx[elder]; ok {
			out[i].Rejected = append(out[i].Rejected, rj.VolunteerID)
			rj.At = parseStamp(at)
			m.Rejections[elder] = append(m.Rejections[elder], rj)
		}
	}
	return out, rows.Err()
}

func (db *DB) eachPair(ctx context.Context, query string, args []any, fn func(a, b int64)) error {
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var x, y int64
		if err := rows.Scan(&x, &y); err != nil {
			return err
		}
		fn(x, y)
	}
	return rows.Err()
}

// matchVolunteers loads the active volunteers who are not clinic staff,
// with the places they have left. Full ones are kept (with no place left)
// so an elder can be told that everyone near is full.
func (db *DB) matchVolunteers(ctx context.Context, m *Matching, where string, args []any) ([]pairplan.Volunteer, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+volunteerColumns+`,
 `+householdLoadSQL+`
 FROM volunteers v WHERE `+where+` AND v.status = 'active' AND v.kind <> 'clinic' ORDER BY v.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("match volunteers: %w", err)
	}
	defer rows.Close()
	var out []pairplan.Volunteer
	for rows.Next() {
		var load int
		v, err := scanVolunteer(scanPlus{rows, &load})
		if err != nil {
			return nil, err
		}
		m.Volunteers[v.ID] = *v
		out = append(out, pairplan.Volunteer{ID: v.ID, CommunityID: v.CommunityID, Kind: v.Kind, Address: v.Address,
			Lat: v.Lat, Lon: v.Lon, Free: max(v.Capacity-load, 0), Skills: v.Skills})
	}
	return out, rows.Err()
}

// scanPlus scans a row whose first columns are read by another scanner and
// whose last column goes to extra.
type scanPlus struct {
	row   interface{ Scan(...any) error }
	extra any
}

func (s scanPlus) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }

// Pick names an elder and a volunteer, as in a suggestion.
type Pick struct {
	ElderID     int64
	VolunteerID int64
}

// RejectSuggestions records that staff rejected these suggestions, so the
// matcher does not make them again for RejectionDays. Elders and
// volunteers outside the actor's scope are not found.
func (db *DB) RejectSuggestions(ctx context.Context, a care.Actor, picks []Pick, reason string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	f := care.FieldErrors{}
	reason = trimmed(f, "reason", reason, false, 200)
	if err := f.Err(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range picks {
			if _, err := db.getElder(ctx, tx, a, p.ElderID); err != nil {
				return err
			}
			if _, err := db.getVolunteer(ctx, tx, a, p.VolunteerID); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO pairing_rejections (elder_id, volunteer_id, reason, created_at, created_by)
 VALUES (?,?,?,?,?) RETURNING id`), p.ElderID, p.VolunteerID, reason, db.now(), a.Username).Scan(&id); err != nil {
				return err
			}
			if err := db.audit(ctx, tx, a, "create", "pairing_rejection", id, nil,
				map[string]any{"elder_id": p.ElderID, "volunteer_id": p.VolunteerID, "reason": reason}); err != nil {
				return err
			}
		}
		return nil
	})
}

// VolunteerLoad is a volunteer with how many elders they serve now.
type VolunteerLoad struct {
	care.Volunteer
	Load int
}

// FreeVolunteers lists the active volunteers in scope (one community or
// all the actor manages) who can take on more elders, most room first.
func (db *DB) FreeVolunteers(ctx context.Context, a care.Actor, communityID int64) ([]VolunteerLoad, error) {
	s := MatchScope{CommunityID: communityID}
	_, _, where, args, err := db.matchScope(ctx, a, &s)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT * FROM (SELECT `+volunteerColumns+`, `+householdLoadSQL+` AS taken FROM volunteers v
 WHERE `+where+` AND v.status = 'active') x WHERE x.taken < x.capacity
 ORDER BY x.capacity - x.taken DESC, (x.kind = 'neighbour') DESC, x.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("free volunteers: %w", err)
	}
	defer rows.Close()
	var out []VolunteerLoad
	for rows.Next() {
		var vl VolunteerLoad
		v, err := scanVolunteer(scanPlus{rows, &vl.Load})
		if err != nil {
			return nil, err
		}
		vl.Volunteer = *v
		out = append(out, vl)
	}
	return out, rows.Err()
}

// UnpairedElders lists the elders in service in scope with nobody in their
// team, highest priority first.
func (db *DB) UnpairedElders(ctx context.Context, a care.Actor, communityID int64) ([]care.Elder, error) {
	s := MatchScope{CommunityID: communityID}
	where, args, _, _, err := db.matchScope(ctx, a, &s)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+elderColumns+` FROM elders e WHERE `+where+` AND e.status = 'active'
 AND NOT EXISTS (SELECT 1 FROM pairings p WHERE p.elder_id = e.id AND p.ended_on IS NULL) ORDER BY e.priority DESC, e.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("unpaired elders: %w", err)
	}
	defer rows.Close()
	var out []care.Elder
	for rows.Next() {
		e, err := db.scanElder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}
