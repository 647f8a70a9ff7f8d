package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"carecircle/internal/care"
)

// The daily knock (敲门问候) is a welfare check: an elder living alone who
// has not been greeted by the set hour raises an alert to the community.

// greetedIDs selects (with the day's month and bounds as arguments) the
// elders greeted that day by anyone. A greeting struck out, or corrected to
// another type or time, does not count: the check errs on the side of
// raising the alarm. Only life services have the type greeting, so the
// kind is not looked at and the day index covers the whole query.
const greetedIDs = `SELECT g.elder_id FROM service_records g WHERE g.month = ? AND g.type = 'greeting' AND g.at >= ? AND g.at < ?
 AND g.amends IS NULL AND g.id NOT IN (SELECT c.amends FROM service_records c WHERE c.amends > 0
  AND (c.changes LIKE '%"void":true%' OR c.changes LIKE '%"type":%' OR c.changes LIKE '%"at":%'))`

// dayArgs are the arguments of greetedIDs for a local day.
func (db *DB) dayArgs(day time.Time) []any {
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, db.Loc)
	return []any{monthOf(start), stamp(start), stamp(start.AddDate(0, 0, 1))}
}

// Carer is a volunteer who serves an elder, as a welfare check shows them.
type Carer struct {
	VolunteerID int64
	Name, Phone string
}

// UngreetedElder is an active elder not greeted on a day, with who should
// knock and whom to call.
type UngreetedElder struct {
	ElderID, CommunityID int64
	Name                 string
	Building, Unit, Room string
	Phone                string
	Alone                bool
	Priority             int
	Neighbours           []Carer // current neighbour volunteers; none is itself a warning
	Contacts             []care.Contact
}

// communityFilter limits a staff query to the actor's scope and an
// optional community: the station its street, community staff their own
// community. Other roles have their own lists.
func (db *DB) communityFilter(ctx context.Context, a care.Actor, communityID int64) (string, []any, error) {
	if err := db.CheckCommunityFilter(ctx, a, communityID); err != nil {
		return "", nil, err
	}
	switch a.Role {
	case care.RoleStation:
		if communityID > 0 {
			return "e.street_id = ? AND e.community_id = ?", []any{a.StreetID, communityID}, nil
		}
		return "e.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		if communityID > 0 && communityID != a.CommunityID {
			return "", nil, care.ErrNotFound("社区 / community")
		}
		return "e.community_id = ?", []any{a.CommunityID}, nil
	}
	return "", nil, care.ErrForbidden()
}

// NotGreeted lists the active elders not greeted on day, those living
// alone first, then by priority. Elders without a neighbour volunteer are
// included: the check must not miss them.
func (db *DB) NotGreeted(ctx context.Context, a care.Actor, communityID int64, day time.Time) ([]UngreetedElder, error) {
	scope, args, err := db.communityFilter(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT e.id, e.community_id, e.name, e.building, e.unit, e.room, e.phone,
 e.living_situation, e.priority, e.emergency_contacts FROM elders e
 WHERE `+scope+` AND e.status = 'active' AND e.id NOT IN (`+greetedIDs+`)
 ORDER BY CASE WHEN e.living_situation = 'alone' THEN 0 ELSE 1 END, e.priority DESC, e.id`), append(args, db.dayArgs(day)...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UngreetedElder
	idx := map[int64]int{}
	for rows.Next() {
		var u UngreetedElder
		var living, contacts string
		if err := rows.Scan(&u.ElderID, &u.CommunityID, &u.Name, &u.Building, &u.Unit, &u.Room, &u.Phone, &living, &u.Priority, &contacts); err != nil {
			return nil, err
		}
		u.Alone = living == "alone"
		if err := json.Unmarshal([]byte(contacts), &u.Contacts); err != nil {
			return nil, err
		}
		idx[u.ElderID] = len(out)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(out))
	for i, u := range out {
		ids[i] = u.ElderID
	}
	// Only the listed elders' neighbours: on a street of 20,000 reading all
	// pairings would cost more than the list.
	err = db.eachChunk(ids, func(cond string, cargs []any) error {
		return db.neighbours(ctx, strings.ReplaceAll(cond, "#", "e.id"), cargs, func(elder int64, c Carer) {
			out[idx[elder]].Neighbours = append(out[idx[elder]].Neighbours, c)
		})
	})
	return out, err
}

// neighbours reports the current neighbour volunteers of the elders that
// match scope (on alias e).
func (db *DB) neighbours(ctx context.Context, scope string, args []any, fn func(elder int64, c Carer)) error {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT p.elder_id, v.id, v.name, v.phone FROM pairings p
 JOIN volunteers v ON v.id = p.volunteer_id JOIN elders e ON e.id = p.elder_id
 WHERE `+scope+` AND p.ended_on IS NULL AND v.kind = 'neighbour' ORDER BY p.responsible DESC, p.id`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var elder int64
		var c Carer
		if err := rows.Scan(&elder, &c.VolunteerID, &c.Name, &c.Phone); err != nil {
			return err
		}
		fn(elder, c)
	}
	return rows.Err()
}

// Alert is a raised welfare alert with what staff need to act on it.
type Alert struct {
	ID, ElderID, CommunityID, StreetID int64
	Kind                               string
	Day                                time.Time
	Status                             string // open, acknowledged, resolved
	RaisedAt                           time.Time
	RaisedBy                           string // alert_job, or demo for the demo's own
	UpdatedAt                          time.Time
	Note                               string
	ElderName, ElderPhone              string
	Building, Unit, Room               string
	CommunityName                      string
	Neighbours                         []Carer
	Contacts                           []care.Contact
	// GreetedAt is the first greeting of that day when one was logged after
	// all: the alert stays until staff resolve it, marked so they know.
	GreetedAt *time.Time
	// Escalation is who the chain told, when, how, and whether it arrived
	// (GetAlert only).
	Escalation []EscalationEntry
	// EscalationStopped says why the chain stopped: greeted, acknowledged,
	// resolved; empty while it runs or when every step was taken.
	EscalationStopped string
}

// AlertEvent is one step in an alert's history.
type AlertEvent struct {
	At     time.Time
	By     string
	Status string
	Note   string
}

// AlertStatuses are the states of an alert, with their labels.
var AlertStatuses = []care.Choice{
	{Code: "open", Label: care.Msg{ZH: "待处理", EN: "open"}},
	{Code: "acknowledged", Label: care.Msg{ZH: "已知悉", EN: "acknowledged"}},
	{Code: "resolved", Label: care.Msg{ZH: "已解决", EN: "resolved"}},
}

// AlertFilter selects alerts.
type AlertFilter struct {
	CommunityID int64
	// Open limits the list to alerts not yet resolved.
	Open  bool
	Limit int
}

const alertColumns = `a.id, a.elder_id, a.community_id, a.street_id, a.kind, a.day, a.status, a.raised_at, a.raised_by, a.updated_at,
 a.note, e.name, e.phone, e.building, e.unit, e.room, c.name, e.emergency_contacts,
 (SELECT MIN(g.at) FROM service_records g WHERE g.elder_id = a.elder_id AND g.month = SUBSTR(a.day, 1, 7)
  AND g.kind = 'life' AND g.type = 'greeting' AND g.amends IS NULL AND g.at >= a.day_from AND g.at < a.day_to)`

// Alerts lists the alerts the actor's community or street received, open
// ones first, newest first.
func (db *DB) Alerts(ctx context.Context, a care.Actor, f AlertFilter) ([]Alert, error) {
	scope, args, err := db.communityFilter(ctx, a, f.CommunityID)
	if err != nil {
		return nil, err
	}
	if f.Open {
		scope += " AND a.status <> 'resolved'"
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	return db.queryAlerts(ctx, scope+` ORDER BY CASE WHEN a.status = 'resolved' THEN 1 ELSE 0 END, a.day DESC, a.id DESC LIMIT ?`,
		append(args, f.Limit)...)
}

func (db *DB) queryAlerts(ctx context.Context, where string, args ...any) ([]Alert, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+alertColumns+` FROM alerts a JOIN elders e ON e.id = a.elder_id JOIN communities c ON c.id = a.community_id WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	idx := map[int64][]int{}
	for rows.Next() {
		al, err := db.scanAlert(rows)
		if err != nil {
			return nil, err
		}
		idx[al.ElderID] = append(idx[al.ElderID], len(out))
		out = append(out, *al)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, 0, len(idx))
	for id := range idx {
		ids = append(ids, id)
	}
	return out, db.eachChunk(ids, func(cond string, cargs []any) error {
		return db.neighbours(ctx, strings.ReplaceAll(cond, "#", "e.id"), cargs, func(elder int64, c Carer) {
			for _, i := range idx[elder] {
				out[i].Neighbours = append(out[i].Neighbours, c)
			}
		})
	})
}

func (db *DB) scanAlert(row interface{ Scan(...any) error }) (*Alert, error) {
	var al Alert
	var day, raised, updated, contacts string
	var greeted sql.NullString
	if err := row.Scan(&al.ID, &al.ElderID, &al.CommunityID, &al.StreetID, &al.Kind, &day, &al.Status, &raised, &al.RaisedBy,
		&updated, &al.Note, &al.ElderName, &al.ElderPhone, &al.Building, &al.Unit, &al.Room, &al.CommunityName, &contacts, &greeted); err != nil {
		return nil, err
	}
	al.Day, al.RaisedAt, al.UpdatedAt = parseDate(day), parseStamp(raised), parseStamp(updated)
	if greeted.Valid {
		t := parseStamp(greeted.String)
		al.GreetedAt = &t
	}
	if err := json.Unmarshal([]byte(contacts), &al.Contacts); err != nil {
		return nil, err
	}
	return &al, nil
}

// GetAlert returns an alert of the actor's scope and its history.
func (db *DB) GetAlert(ctx context.Context, a care.Actor, id int64) (*Alert, []AlertEvent, error) {
	scope, args, err := db.communityFilter(ctx, a, 0)
	if err != nil {
		return nil, nil, err
	}
	list, err := db.queryAlerts(ctx, scope+" AND a.id = ?", append(args, id)...)
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, care.ErrNotFound("提醒 / alert")
	}
	if list[0].Escalation, err = db.alertEscalation(ctx, id); err != nil {
		return nil, nil, err
	}
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT esc_stopped FROM alerts WHERE id = ?`), id).Scan(&list[0].EscalationStopped); err != nil {
		return nil, nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT at, by_user, status, note FROM alert_events WHERE alert_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var events []AlertEvent
	for rows.Next() {
		var ev AlertEvent
		var at string
		if err := rows.Scan(&at, &ev.By, &ev.Status, &ev.Note); err != nil {
			return nil, nil, err
		}
		ev.At = parseStamp(at)
		events = append(events, ev)
	}
	return &list[0], events, rows.Err()
}

// AcknowledgeAlert records that staff have seen an open alert and are on it.
func (db *DB) AcknowledgeAlert(ctx context.Context, a care.Actor, id int64, note string) error {
	return db.moveAlert(ctx, a, id, "acknowledged", strings.TrimSpace(note), "open")
}

// ResolveAlert closes an alert with a note saying what was found: the
// elder was visited, reached by phone, or is away.
func (db *DB) ResolveAlert(ctx context.Context, a care.Actor, id int64, note string) error {
	note = strings.TrimSpace(note)
	if note == "" {
		return care.FieldErrors{"note": care.Msg{ZH: "请写明处理情况（已上门、已电话联系等）", EN: "say what was done (visited, reached by phone…)"}}.Err()
	}
	return db.moveAlert(ctx, a, id, "resolved", note, "open", "acknowledged")
}

func (db *DB) moveAlert(ctx context.Context, a care.Actor, id int64, to, note string, from ...string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	if len([]rune(note)) > 500 {
		return care.FieldErrors{"note": care.MsgTooLong}.Err()
	}
	scope, args, err := db.communityFilter(ctx, a, 0)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, db.q(`SELECT a.status FROM alerts a JOIN elders e ON e.id = a.elder_id WHERE a.id = ? AND `+scope+db.dialect.forUpdate),
			append([]any{id}, args...)...).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return care.ErrNotFound("提醒 / alert")
		}
		if err != nil {
			return err
		}
		if !containsStr(from, status) {
			return care.Errorf(care.EConflict, "提醒已是“%s”状态 / the alert is already %s", care.Label(AlertStatuses, status, "zh"), status)
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE alerts SET status = ?, note = CASE WHEN ? = '' THEN note ELSE ? END, updated_at = ? WHERE id = ?`),
			to, note, note, db.now(), id); err != nil {
			return err
		}
		if err := db.alertEvent(ctx, tx, id, a.Username, to, note); err != nil {
			return err
		}
		// Acknowledged or resolved, the chain stops at once (escalation.go).
		if _, err := db.stopChain(ctx, tx, id, to, db.displayName(ctx, tx, a), db.Now()); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, to, "alert", id, map[string]string{"status": status}, map[string]string{"status": to, "note": note})
	})
}

func (db *DB) alertEvent(ctx context.Context, tx *sql.Tx, id int64, by, status, note string) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO alert_events (alert_id, at, by_user, status, note) VALUES (?,?,?,?,?)`), id, db.now(), by, status, note)
	return err
}

// RaiseNotGreetedAlerts raises, once per elder and day, an alert for every
// active elder living alone who has not been greeted on day, in every
// street. Raising again (a second run, a restart) adds nothing. by names
// who raised them in the audit log and on the alert.
func (db *DB) RaiseNotGreetedAlerts(ctx context.Context, day time.Time, by string) (int, error) {
	raised := 0
	cache := &stepCache{onDuty: map[int64][]care.User{}}
	const notGreeted = `SELECT e.id FROM elders e WHERE e.status = 'active' AND e.living_situation = 'alone'
 AND e.id NOT IN (` + greetedIDs + `)`
	ids, err := queryIDs(ctx, db.read, db.q(notGreeted+` ORDER BY e.id`), db.dayArgs(day)...)
	if err != nil {
		return 0, err
	}
	// A street's alerts are raised in transactions of alertBatch elders,
	// not one: on SQLite a raise holds the only writer, and 2,000 alerts
	// with their first messages took 1.2–1.7 s that no greeting could be
	// stored in. Each batch asks again who is still not greeted; a raise
	// cut short is finished by the next (alerts are unique per elder and
	// day).
	for len(ids) > 0 {
		batch := ids[:min(len(ids), alertBatch)]
		ids = ids[len(batch):]
		n := 0
		err := db.tx(ctx, func(tx *sql.Tx) error {
			args := db.dayArgs(day)
			for _, id := range batch {
				args = append(args, id)
			}
			still, err := queryIDs(ctx, tx, db.q(notGreeted+` AND e.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(batch)), ",")+`) ORDER BY e.id`), args...)
			if err != nil {
				return err
			}
			for _, id := range still {
				ok, err := db.insertAlert(ctx, tx, id, day, by, cache)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return raised, err
		}
		raised += n
	}
	return raised, nil
}

// alertBatch is how many elders one transaction of a raise looks at (a
// variable for the tests).
var alertBatch = 100

// RaiseAlert raises the not-greeted alert of one elder for day, if the
// elder is active and lives alone; the demo uses it to show an alert
// before the day's hour has come. It reports whether an alert was added.
func (db *DB) RaiseAlert(ctx context.Context, a care.Actor, elderID int64, day time.Time, by string) (bool, error) {
	if !a.EditsRegistry() && a.Role != care.RoleAdmin {
		return false, care.ErrForbidden()
	}
	var added bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var status, living string
		err := tx.QueryRowContext(ctx, db.q(`SELECT status, living_situation FROM elders WHERE id = ?`), elderID).Scan(&status, &living)
		if errors.Is(err, sql.ErrNoRows) {
			return care.ErrNotFound("服务对象 / elder")
		}
		if err != nil {
			return err
		}
		if status != "active" || living != "alone" {
			return care.Errorf(care.EInvalid, "只有服务中的独居老人会触发未问候提醒 / only active elders living alone raise this alert")
		}
		added, err = db.insertAlert(ctx, tx, elderID, day, by, &stepCache{onDuty: map[int64][]care.User{}})
		return err
	})
	return added, err
}

// insertAlert adds the alert unless that elder already has one for day,
// and takes the first step of its escalation chain (escalation.go).
func (db *DB) insertAlert(ctx context.Context, tx *sql.Tx, elderID int64, day time.Time, by string, cache *stepCache) (bool, error) {
	now, bounds := db.now(), db.dayArgs(day)
	var id int64
	err := tx.QueryRowContext(ctx, db.q(`INSERT INTO alerts (kind, elder_id, community_id, street_id, day, day_from, day_to, status,
 raised_at, raised_by, updated_at)
 SELECT 'not_greeted', e.id, e.community_id, e.street_id, ?, ?, ?, 'open', ?, ?, ? FROM elders e WHERE e.id = ?
 ON CONFLICT (elder_id, day, kind) DO NOTHING RETURNING id`), dateString(day), bounds[1], bounds[2], now, by, now, elderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := db.alertEvent(ctx, tx, id, by, "open", ""); err != nil {
		return false, err
	}
	if err := db.alertStep(ctx, tx, id, elderID, day, cache); err != nil {
		return false, err
	}
	return true, db.audit(ctx, tx, care.Actor{Username: by}, "raise", "alert", id, nil, map[string]any{"elder_id": elderID, "day": dateString(day)})
}
