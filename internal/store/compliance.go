package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
)

// This file reads what the compliance tracker (internal/tracker) is built
// from: elders, pairings and service records as facts, without an actor.
// The tracker is part of the server, not a user; what it shows to people
// goes through scoped calls.

// ComplianceElder is what compliance tracking needs of an elder.
type ComplianceElder struct {
	ID, StreetID, CommunityID int64
	BirthDate                 time.Time
	LunarBirthday             bool
	ClinicID                  *int64
	Status                    string
	Registered                time.Time // the local date the elder was registered
}

// ComplianceElders returns the elders of a street (streetID 0: of any
// street), all of them or those with the given ids.
func (db *DB) ComplianceElders(ctx context.Context, streetID int64, ids []int64) ([]ComplianceElder, error) {
	var out []ComplianceElder
	err := db.eachChunk(ids, func(cond string, args []any) error {
		where, wargs := "1 = 1", []any{}
		if streetID != 0 {
			where, wargs = "e.street_id = ?", []any{streetID}
		}
		rows, err := db.read.QueryContext(ctx, db.q(`SELECT e.id, e.street_id, e.community_id, e.birth_date, e.lunar_birthday, e.clinic_id,
 e.status, e.created_at FROM elders e WHERE `+where+` AND `+strings.ReplaceAll(cond, "#", "e.id")+` ORDER BY e.id`), append(wargs, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e ComplianceElder
			var birth, created string
			var clinic sql.NullInt64
			if err := rows.Scan(&e.ID, &e.StreetID, &e.CommunityID, &birth, &e.LunarBirthday, &clinic, &e.Status, &created); err != nil {
				return err
			}
			e.BirthDate = parseDate(birth)
			if clinic.Valid {
				e.ClinicID = &clinic.Int64
			}
			r := parseStamp(created).In(db.Loc)
			e.Registered = time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.UTC)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// eachChunk calls fn with a condition on "#" (the id column) and its
// arguments: everything when ids is nil, otherwise chunks of an IN list.
func (db *DB) eachChunk(ids []int64, fn func(cond string, args []any) error) error {
	if ids == nil {
		return fn("1 = 1", nil)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if err := fn("# IN ("+strings.TrimSuffix(strings.Repeat("?,", n), ",")+")", args); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// PairingFact is a row of the pairings table with the volunteer's kind.
type PairingFact struct {
	ID, ElderID, VolunteerID int64
	Kind                     string
	StartedOn                time.Time
	EndedOn                  *time.Time
}

// CompliancePairings returns the pairings, current and ended, of a
// street's elders (all, or those given).
func (db *DB) CompliancePairings(ctx context.Context, streetID int64, elderIDs []int64) ([]PairingFact, error) {
	var out []PairingFact
	err := db.eachChunk(elderIDs, func(cond string, args []any) error {
		rows, err := db.read.QueryContext(ctx, db.q(`SELECT p.id, p.elder_id, p.volunteer_id, v.kind, p.started_on, p.ended_on
 FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id JOIN elders e ON e.id = p.elder_id
 WHERE e.street_id = ? AND `+strings.ReplaceAll(cond, "#", "p.elder_id")+` ORDER BY p.id`), append([]any{streetID}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p PairingFact
			var started string
			var ended sql.NullString
			if err := rows.Scan(&p.ID, &p.ElderID, &p.VolunteerID, &p.Kind, &started, &ended); err != nil {
				return err
			}
			p.StartedOn = parseDate(started)
			if ended.Valid {
				t := parseDate(ended.String)
				p.EndedOn = &t
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// ComplianceRecord is a service record as compliance counts it: the
// original with its amendments applied.
type ComplianceRecord struct {
	ID, ElderID int64
	VolunteerID *int64
	Kind, Type  string
	At          time.Time
	AmountCents int64
	ByCommittee bool // a visit the committee organised
	// Voided is set when an amendment struck the record out.
	Voided bool
}

// RecordEvent is a stored record in id order: a service, or an amendment
// of the service Amends.
type RecordEvent struct {
	ID, ElderID int64
	Amends      *int64
	Record      ComplianceRecord // the service itself; zero for an amendment
}

const complianceRecordColumns = `r.id, r.elder_id, r.volunteer_id, r.kind, r.type, r.at, r.amount_cents, r.amends, r.changes, r.by_committee`

type scannedRecord struct {
	rec     ComplianceRecord
	amends  *int64
	changes string
}

func scanComplianceRecord(row interface{ Scan(...any) error }) (scannedRecord, error) {
	var s scannedRecord
	var vol, amends sql.NullInt64
	var at string
	if err := row.Scan(&s.rec.ID, &s.rec.ElderID, &vol, &s.rec.Kind, &s.rec.Type, &at, &s.rec.AmountCents, &amends, &s.changes, &s.rec.ByCommittee); err != nil {
		return s, err
	}
	s.rec.At = parseStamp(at)
	if vol.Valid {
		s.rec.VolunteerID = &vol.Int64
	}
	if amends.Valid {
		s.amends = &amends.Int64
	}
	return s, nil
}

// RecordEventsAfter returns up to limit records of a street's elders with
// ids after the given one, in id order: the tracker's catch-up from its
// watermark, an index range on the id.
func (db *DB) RecordEventsAfter(ctx context.Context, streetID, after int64, limit int) ([]RecordEvent, error) {
	// CROSS JOIN keeps SQLite walking the id index from the watermark
	// instead of every record of the street's elders.
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+complianceRecordColumns+` FROM service_records r CROSS JOIN elders e
 WHERE e.id = r.elder_id AND r.id > ? AND e.street_id = ? ORDER BY r.id LIMIT ?`), after, streetID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecordEvent
	for rows.Next() {
		s, err := scanComplianceRecord(rows)
		if err != nil {
			return nil, err
		}
		ev := RecordEvent{ID: s.rec.ID, ElderID: s.rec.ElderID, Amends: s.amends}
		if s.amends == nil {
			ev.Record = s.rec
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// AmendmentEffect returns a record as it stood just before an amendment
// and just after it, so the tracker can uncount the one and count the other.
func (db *DB) AmendmentEffect(ctx context.Context, originalID, amendmentID int64) (before, after ComplianceRecord, err error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+complianceRecordColumns+` FROM service_records r
 WHERE (r.id = ? OR r.amends = ?) AND r.id <= ? ORDER BY r.id`), originalID, originalID, amendmentID)
	if err != nil {
		return before, after, err
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanComplianceRecord(rows)
		if err != nil {
			return before, after, err
		}
		if s.amends == nil {
			before, after = s.rec, s.rec
			continue
		}
		before = after
		if err := amendRecord(&after, s.changes); err != nil {
			return before, after, err
		}
	}
	return before, after, rows.Err()
}

// amendRecord applies an amendment's corrected fields (see AddAmendment).
// Striking out is final, as the card shows it.
func amendRecord(r *ComplianceRecord, changes string) error {
	if changes == "" {
		return nil
	}
	var ch map[string]any
	if err := json.Unmarshal([]byte(changes), &ch); err != nil {
		return err
	}
	if s, ok := ch["type"].(string); ok {
		r.Type = s
	}
	if s, ok := ch["at"].(string); ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			r.At = t
		}
	}
	if n, ok := ch["amount_cents"].(float64); ok {
		r.AmountCents = int64(n)
	}
	if v, _ := ch["void"].(bool); v {
		r.Voided = true
	}
	return nil
}

// ElderComplianceRecords returns an elder's records as amended, dated from
// day on (local), with ids up to maxID: what a pairing that starts or grows
// longer must count. It reads the elder's months from the card index.
func (db *DB) ElderComplianceRecords(ctx context.Context, elderID int64, from calendar.Date, maxID int64) ([]ComplianceRecord, error) {
	y, m, d := from.YMD()
	start := time.Date(y, m, d, 0, 0, 0, 0, db.Loc)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+complianceRecordColumns+` FROM service_records r
 WHERE r.elder_id = ? AND r.id <= ? AND (r.amends IS NOT NULL OR r.month >= ?) ORDER BY r.id`), elderID, maxID, monthOf(start))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ComplianceRecord
	idx := map[int64]int{}
	for rows.Next() {
		s, err := scanComplianceRecord(rows)
		if err != nil {
			return nil, err
		}
		if s.amends == nil {
			idx[s.rec.ID] = len(out)
			out = append(out, s.rec)
		} else if i, ok := idx[*s.amends]; ok {
			if err := amendRecord(&out[i], s.changes); err != nil {
				return nil, err
			}
		}
	}
	kept := out[:0]
	for _, r := range out {
		if !r.Voided && !r.At.Before(start) {
			kept = append(kept, r)
		}
	}
	return kept, rows.Err()
}

// EachComplianceRecord streams every record of a street's elders with ids
// up to maxID, as amended, voided ones left out: the full rebuild. It reads
// the table straight through in parts, a few side by side on connections
// of their own (bulk.go), and keeps the street's records in Go, which
// beats any index for all of them. On SQLite the records come in id order;
// on PostgreSQL month by month, nearly so.
// Amendments are few, so they are read first and kept. fn runs on the
// caller's goroutine; its record is reused.
func (db *DB) EachComplianceRecord(ctx context.Context, streetID, maxID int64, fn func(*ComplianceRecord) error) error {
	elders, err := db.ComplianceElders(ctx, streetID, nil)
	if err != nil {
		return err
	}
	ours := make(map[int64]bool, len(elders))
	for _, e := range elders {
		ours[e.ID] = true
	}
	amendments, err := db.amendmentsUpTo(ctx, maxID, ours)
	if err != nil {
		return err
	}
	var r ComplianceRecord
	var vol int64
	keep := func(elder int64) bool { return ours[elder] }
	return db.eachBulk(ctx, maxID, keep, func(recs []bulkRecord) error {
		for i := range recs {
			b := &recs[i]
			r = ComplianceRecord{ID: b.ID, ElderID: b.ElderID, Kind: b.Kind, Type: b.Type,
				At: time.UnixMilli(b.AtMillis).UTC(), AmountCents: b.AmountCents, ByCommittee: b.ByCommittee}
			if b.HasVolunteer {
				vol = b.VolunteerID
				r.VolunteerID = &vol
			}
			for _, ch := range amendments[r.ID] {
				if err := amendRecord(&r, ch); err != nil {
					return err
				}
			}
			if r.Voided {
				continue
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}

// amendmentsUpTo returns the changes of every amendment with an id up to
// maxID of the given elders' records, by original, in id order.
func (db *DB) amendmentsUpTo(ctx context.Context, maxID int64, ours map[int64]bool) (map[int64][]string, error) {
	out := map[int64][]string{}
	// The unary pluses keep SQLite on the amends index (a few rows, sorted
	// after) instead of walking every record in id order.
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT r.elder_id, r.amends, r.changes FROM service_records r
 WHERE r.amends > 0 AND +r.id <= ? ORDER BY +r.id`), maxID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var elder, orig int64
		var changes string
		if err := rows.Scan(&elder, &orig, &changes); err != nil {
			return nil, err
		}
		if ours[elder] {
			out[orig] = append(out[orig], changes)
		}
	}
	return out, rows.Err()
}

// MaxRecordID is the id of the latest service record, 0 when there is none.
func (db *DB) MaxRecordID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(id) FROM service_records`).Scan(&id)
	return id.Int64, err
}

// ComplianceChanges looks at the audit log after entry `after` for changes
// the compliance state depends on (elders, pairings, volunteers' kinds) and
// returns the elders concerned and the last entry seen. all is set when an
// entry names no single record, so that everything must be looked at.
func (db *DB) ComplianceChanges(ctx context.Context, after int64) (elderIDs []int64, all bool, last int64, err error) {
	last = after
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, entity, COALESCE(entity_id, 0) FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000`), after)
	if err != nil {
		return nil, false, after, err
	}
	var pairings, volunteers []int64
	seen := map[int64]bool{}
	for rows.Next() {
		var entity string
		var id int64
		if err := rows.Scan(&last, &entity, &id); err != nil {
			rows.Close()
			return nil, false, after, err
		}
		switch {
		case entity != "elder" && entity != "pairing" && entity != "volunteer":
		case id == 0:
			all = true
		case entity == "elder" && !seen[id]:
			seen[id] = true
			elderIDs = append(elderIDs, id)
		case entity == "pairing":
			pairings = append(pairings, id)
		case entity == "volunteer":
			volunteers = append(volunteers, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, after, err
	}
	more, err := db.eldersPairedBy(ctx, pairings, volunteers)
	if err != nil {
		return nil, false, after, err
	}
	for _, id := range more {
		if !seen[id] {
			seen[id] = true
			elderIDs = append(elderIDs, id)
		}
	}
	return elderIDs, all, last, nil
}

// eldersPairedBy returns the elders of the given pairings and of every
// pairing of the given volunteers.
func (db *DB) eldersPairedBy(ctx context.Context, pairings, volunteers []int64) ([]int64, error) {
	var out []int64
	for _, q := range []struct {
		col string
		ids []int64
	}{{"id", pairings}, {"volunteer_id", volunteers}} {
		if len(q.ids) == 0 {
			continue
		}
		err := db.eachChunk(q.ids, func(cond string, args []any) error {
			rows, err := db.read.QueryContext(ctx, db.q(`SELECT DISTINCT elder_id FROM pairings WHERE `+strings.ReplaceAll(cond, "#", q.col)), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				out = append(out, id)
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AuditMark is the id of the latest audit entry.
func (db *DB) AuditMark(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(id) FROM audit_log`).Scan(&id)
	return id.Int64, err
}

// ComplianceNames are the names the compliance drill-down shows.
type ComplianceNames struct {
	Elders     map[int64]string // elder id → name
	Clinics    map[int64]string // elder id → name of the elder's clinic
	Committees map[int64]string // elder id → the elder's community committee (幸福社区居委会)
	Volunteers map[int64]string // volunteer id → name
}

// ComplianceNames returns the names of the elders (and their clinics) and
// of the volunteers paired with them, in the actor's scope, optionally of
// one community.
func (db *DB) ComplianceNames(ctx context.Context, a care.Actor, communityID int64) (*ComplianceNames, error) {
	scope, args, err := db.communityFilter(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	n := &ComplianceNames{Elders: map[int64]string{}, Clinics: map[int64]string{}, Committees: map[int64]string{}, Volunteers: map[int64]string{}}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT e.id, e.name, COALESCE(k.name, ''), c.name FROM elders e
 JOIN communities c ON c.id = e.community_id LEFT JOIN clinics k ON k.id = e.clinic_id WHERE `+scope), args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var name, clinic, community string
		if err := rows.Scan(&id, &name, &clinic, &community); err != nil {
			rows.Close()
			return nil, err
		}
		n.Elders[id], n.Clinics[id], n.Committees[id] = name, clinic, CommitteeName(community)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.read.QueryContext(ctx, db.q(`SELECT DISTINCT v.id, v.name FROM volunteers v JOIN pairings p ON p.volunteer_id = v.id
 JOIN elders e ON e.id = p.elder_id WHERE `+scope), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		n.Volunteers[id] = name
	}
	return n, rows.Err()
}

// FirstRecordDay is the local day of the earliest service record, or the
// zero time when there is none; the month index finds it without a scan.
func (db *DB) FirstRecordDay(ctx context.Context) (time.Time, error) {
	var at sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT MIN(at) FROM service_records WHERE month = (SELECT MIN(month) FROM service_records)`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	t := parseStamp(at.String).In(db.Loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

// CommitteeName names a community's committee, the member of every
// elder's circle that has no volunteer: 幸福社区 → 幸福社区居委会.
func CommitteeName(community string) string {
	if strings.HasSuffix(community, "居委会") || strings.HasSuffix(community, "村委会") {
		return community
	}
	return community + "居委会"
}
