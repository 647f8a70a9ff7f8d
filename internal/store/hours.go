package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/hours"
)

// The hours ledger (README "服务时长 / Hours ledger and time bank"): each
// credit is written in the transaction of the event that causes it — the
// record (appendRecord), its amendment or striking out (also appendRecord),
// the station's signature that confirms a card (signTx), the volunteer's
// registration (insertVolunteer, the opening balance) — so no path stores
// the event without its credit. Entries are appended, never changed.

// ledgerTx is what the ledger writes through: the record writer's cached
// transaction or a plain one.
type ledgerTx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// hoursGroupKey names the group a record belongs to when one visit is
// recorded as several records (a household visit: one record per member);
// the group credits its volunteer once. "" for a record of its own.
func hoursGroupKey(r *care.ServiceRecord) string { return groupKeyOf(r.HouseholdVisitID) }

// groupKeyOf is the ledger's group key of a household visit id.
func groupKeyOf(householdVisitID string) string {
	if householdVisitID == "" {
		return ""
	}
	return "hv:" + householdVisitID
}

// creditRecord credits a record's volunteer, or re-books the credit of the
// record an amendment corrects. The common case (a new record) is one
// INSERT … SELECT that reads the street's rule and standard itself.
func (db *DB) creditRecord(ctx context.Context, tx ledgerTx, a care.Actor, r *care.ServiceRecord) error {
	if r.VolunteerID == nil {
		return nil
	}
	if r.Amends != nil {
		return db.rebookAmended(ctx, tx, a, r)
	}
	var timed any
	if r.EndAt != nil {
		timed = hours.Minutes(r.At, r.EndAt, r.Kind, r.Type, hours.Policy{})
	}
	key := hoursGroupKey(r)
	confirmed := r.Verified || staffRole(a)
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO hours_ledger (street_id, community_id, volunteer_id, source, minutes, at, record_id,
 group_key, entered_by, entered_at)
 SELECT c.street_id, v.community_id, v.id, 'service', COALESCE(?, s.minutes, ?), ?, ?, ?, ?, ?
 FROM volunteers v JOIN communities c ON c.id = v.community_id
 LEFT JOIN hours_policies p ON p.street_id = c.street_id
 LEFT JOIN hours_standards s ON s.street_id = c.street_id AND s.type_key = ?
 WHERE v.id = ? AND (? OR COALESCE(p.earn, 'confirmed') = 'recorded') AND COALESCE(?, s.minutes, ?) > 0
  AND (? = '' OR NOT EXISTS (SELECT 1 FROM hours_ledger g WHERE g.volunteer_id = v.id AND g.group_key = ? AND g.source = 'service'))`),
		timed, hours.DefaultStandard[hours.TypeKey(r.Kind, r.Type)], stamp(r.At), r.ID, key, r.EnteredBy, stamp(r.EnteredAt),
		hours.TypeKey(r.Kind, r.Type), *r.VolunteerID, confirmed, timed, hours.DefaultStandard[hours.TypeKey(r.Kind, r.Type)], key, key)
	return err
}

func staffRole(a care.Actor) bool { return a.Role == care.RoleCommunity || a.Role == care.RoleStation }

// ledgerRecord is what the ledger needs of an original record.
type ledgerRecord struct {
	id, elderID, volunteerID int64
	kind, typ, month, group  string
	at                       time.Time
	end                      *time.Time
	verified                 bool
	enteredBy                string
}

func (db *DB) ledgerRecord(ctx context.Context, tx ledgerTx, id int64) (*ledgerRecord, error) {
	var o ledgerRecord
	var at string
	var end sql.NullString
	var vol sql.NullInt64
	var hv sql.NullString
	err := tx.QueryRowContext(ctx, db.q(`SELECT id, elder_id, volunteer_id, kind, type, month, at, end_at, verified, entered_by, household_visit_id
 FROM service_records WHERE id = ?`), id).Scan(&o.id, &o.elderID, &vol, &o.kind, &o.typ, &o.month, &at, &end, &o.verified, &o.enteredBy, &hv)
	if err != nil {
		return nil, err
	}
	o.group = groupKeyOf(hv.String)
	o.volunteerID, o.at = vol.Int64, parseStamp(at)
	if end.Valid {
		t := parseStamp(end.String)
		o.end = &t
	}
	return &o, nil
}

// rebookAmended reverses what the original record holds in the ledger and
// credits it again as corrected, when the correction changes the credit: a
// struck-out record earns nothing (striking out is final), a new type may
// have another standard duration. A record not yet credited earns when the
// correction is staff's (they looked at it) or it earns by itself.
func (db *DB) rebookAmended(ctx context.Context, tx ledgerTx, a care.Actor, am *care.ServiceRecord) error {
	orig, err := db.ledgerRecord(ctx, tx, *am.Amends)
	if err != nil || orig.volunteerID == 0 {
		return err
	}
	var held, voids int64
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COALESCE(SUM(minutes), 0) FROM hours_ledger WHERE record_id = ? AND source IN ('service', 'reversal')`),
		orig.id).Scan(&held); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM service_records WHERE amends = ? AND changes LIKE '%"void":true%'`),
		orig.id).Scan(&voids); err != nil {
		return err
	}
	p, street, community, err := db.volunteerPolicy(ctx, tx, orig.volunteerID)
	if err != nil {
		return err
	}
	want := 0
	if voids == 0 {
		earns := held != 0 || staffRole(a) || hours.Earns(p.Earn, orig.verified, false)
		if !earns {
			if earns, err = db.confirmedByStaff(ctx, tx, orig); err != nil {
				return err
			}
		}
		if earns && !db.creditedInGroup(ctx, tx, orig) {
			want = hours.Minutes(orig.at, orig.end, am.Kind, am.Type, p)
		}
	}
	// The credit is dated when the service happened: a record moved to
	// another time is re-booked at its new time (the certificate's period).
	heldAt := orig.at
	if held != 0 {
		var s string
		if err := tx.QueryRowContext(ctx, db.q(`SELECT at FROM hours_ledger WHERE record_id = ? AND source = 'service' ORDER BY id DESC LIMIT 1`),
			orig.id).Scan(&s); err != nil {
			return err
		}
		heldAt = parseStamp(s)
	}
	at := heldAt
	if s, ok := am.Changes["at"].(string); ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			at = t
		}
	}
	if int64(want) == held && at.Equal(heldAt) {
		return nil
	}
	if held != 0 {
		if err := db.ledgerInsert(ctx, tx, ledgerEntry{street: street, community: community, volunteer: orig.volunteerID,
			source: hours.SourceReversal, minutes: -int(held), at: heldAt, record: orig.id, amendment: am.ID, by: am.EnteredBy, when: am.EnteredAt}); err != nil {
			return err
		}
	}
	if want > 0 {
		return db.ledgerInsert(ctx, tx, ledgerEntry{street: street, community: community, volunteer: orig.volunteerID,
			source: hours.SourceService, minutes: want, at: at, record: orig.id, amendment: am.ID, group: orig.group,
			by: am.EnteredBy, when: am.EnteredAt})
	}
	return nil
}

// creditedInGroup reports whether another record of the original's group
// already holds the group's credit.
func (db *DB) creditedInGroup(ctx context.Context, tx ledgerTx, orig *ledgerRecord) bool {
	if orig.group == "" {
		return false
	}
	var n int64
	err := tx.QueryRowContext(ctx, db.q(`SELECT COALESCE(SUM(minutes), 0) FROM hours_ledger WHERE volunteer_id = ? AND group_key = ? AND record_id <> ?`),
		orig.volunteerID, orig.group, orig.id).Scan(&n)
	return err == nil && n > 0
}

// confirmedByStaff reports whether staff confirmed a record: entered by
// community staff or the station, or on a card the station signed.
func (db *DB) confirmedByStaff(ctx context.Context, tx ledgerTx, o *ledgerRecord) (bool, error) {
	var n int64
	err := tx.QueryRowContext(ctx, db.q(`SELECT (SELECT COUNT(*) FROM users WHERE username = ? AND role IN ('community', 'station'))
 + (SELECT COUNT(*) FROM card_signatures WHERE elder_id = ? AND month = ?)`), o.enteredBy, o.elderID, o.month).Scan(&n)
	return n > 0, err
}

// volunteerPolicy reads the rule of the volunteer's street, with the
// volunteer's street and community.
func (db *DB) volunteerPolicy(ctx context.Context, tx ledgerTx, volunteerID int64) (hours.Policy, int64, int64, error) {
	var street, community int64
	if err := tx.QueryRowContext(ctx, db.q(`SELECT c.street_id, v.community_id FROM volunteers v JOIN communities c ON c.id = v.community_id WHERE v.id = ?`),
		volunteerID).Scan(&street, &community); err != nil {
		return hours.Policy{}, 0, 0, err
	}
	p, err := db.streetPolicy(ctx, tx, street)
	return p, street, community, err
}

func (db *DB) streetPolicy(ctx context.Context, tx ledgerTx, street int64) (hours.Policy, error) {
	p := hours.DefaultPolicy()
	err := tx.QueryRowContext(ctx, db.q(`SELECT earn FROM hours_policies WHERE street_id = ?`), street).Scan(&p.Earn)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	rows, err := tx.QueryContext(ctx, db.q(`SELECT type_key, minutes FROM hours_standards WHERE street_id = ?`), street)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var m int
		if err := rows.Scan(&k, &m); err != nil {
			return p, err
		}
		p.Standard[k] = m
	}
	return p, rows.Err()
}

// ledgerEntry is one entry to append.
type ledgerEntry struct {
	street, community           int64
	volunteer, elder            int64 // the account: exactly one
	source                      string
	minutes                     int
	at                          time.Time
	record, amendment           int64
	group                       string
	activity, request, transfer int64
	note, by                    string
	when                        time.Time
}

func (db *DB) ledgerInsert(ctx context.Context, tx ledgerTx, e ledgerEntry) error {
	_, err := db.ledgerInsertID(ctx, tx, e)
	return err
}

func (db *DB) ledgerInsertID(ctx context.Context, tx ledgerTx, e ledgerEntry) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, db.q(`INSERT INTO hours_ledger (street_id, community_id, volunteer_id, elder_id, source, minutes, at,
 record_id, amendment_id, group_key, activity_id, request_id, transfer_id, note, entered_by, entered_at)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
		e.street, e.community, nullID(e.volunteer), nullID(e.elder), e.source, e.minutes, stamp(e.at),
		nullID(e.record), nullID(e.amendment), e.group, nullID(e.activity), nullID(e.request), nullID(e.transfer), e.note, e.by, stamp(e.when)).Scan(&id)
	return id, err
}

// creditSignedCard credits, when the station signs a card, the records of
// the month that had not earned yet (not verified, entered by the
// volunteer, under the street's rule EarnConfirmed): the signature is the
// staff's confirmation. Struck-out records earn nothing; a corrected
// record earns as corrected.
func (db *DB) creditSignedCard(ctx context.Context, tx ledgerTx, a care.Actor, elderID int64, month string) error {
	rows, err := tx.QueryContext(ctx, db.q(`SELECT r.id, r.volunteer_id, r.kind, r.at, r.end_at, COALESCE(r.household_visit_id, ''),
 COALESCE((SELECT n.type FROM service_records n WHERE n.amends = r.id ORDER BY n.id DESC LIMIT 1), r.type),
 (SELECT COUNT(*) FROM service_records x WHERE x.amends = r.id AND x.changes LIKE '%"void":true%')
 FROM service_records r WHERE r.elder_id = ? AND r.month = ? AND r.amends IS NULL AND r.volunteer_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM hours_ledger l WHERE l.record_id = r.id)`), elderID, month)
	if err != nil {
		return err
	}
	type pending struct {
		id, vol          int64
		kind, typ, group string
		at               time.Time
		end              *time.Time
	}
	var todo []pending
	for rows.Next() {
		var p pending
		var at string
		var end sql.NullString
		var voids int64
		var hv string
		if err := rows.Scan(&p.id, &p.vol, &p.kind, &at, &end, &hv, &p.typ, &voids); err != nil {
			rows.Close()
			return err
		}
		if voids > 0 {
			continue
		}
		p.at, p.group = parseStamp(at), groupKeyOf(hv)
		if end.Valid {
			t := parseStamp(end.String)
			p.end = &t
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := db.Now()
	for _, p := range todo {
		pol, street, community, err := db.volunteerPolicy(ctx, tx, p.vol)
		if err != nil {
			return err
		}
		// A household visit credits once: another member's card (signed
		// before, or verified) may hold the visit's credit already.
		if p.group != "" && db.creditedInGroup(ctx, tx, &ledgerRecord{id: p.id, volunteerID: p.vol, group: p.group}) {
			continue
		}
		if m := hours.Minutes(p.at, p.end, p.kind, p.typ, pol); m > 0 {
			if err := db.ledgerInsert(ctx, tx, ledgerEntry{street: street, community: community, volunteer: p.vol, source: hours.SourceService,
				minutes: m, at: p.at, record: p.id, group: p.group, note: "服务卡签字确认 / confirmed by the card's signature", by: a.Username, when: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

// creditOpening imports a volunteer's typed hours as their opening balance,
// once: the unique index on a volunteer's opening entry makes it
// idempotent.
func (db *DB) creditOpening(ctx context.Context, tx ledgerTx, a care.Actor, v *care.Volunteer) error {
	if v.HoursTenths <= 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO hours_ledger (street_id, community_id, volunteer_id, source, minutes, at, note, entered_by, entered_at)
 SELECT c.street_id, v.community_id, v.id, 'opening', v.hours_tenths * 6, ?, '', ?, ?
 FROM volunteers v JOIN communities c ON c.id = v.community_id WHERE v.id = ? AND v.hours_tenths > 0
 ON CONFLICT (volunteer_id) WHERE source = 'opening' DO NOTHING`), db.now(), a.Username, db.now(), v.ID)
	return err
}

// CreditActivity credits a volunteer's attendance at an activity (issue 15)
// inside the caller's transaction, the one that records the attendance;
// minutes is the attendance's length. ReverseActivity takes it back.
func (db *DB) CreditActivity(ctx context.Context, tx *sql.Tx, a care.Actor, volunteerID, activityID int64, at time.Time, minutes int, note string) error {
	if minutes <= 0 {
		return nil
	}
	_, street, community, err := db.volunteerPolicy(ctx, tx, volunteerID)
	if err != nil {
		return err
	}
	return db.ledgerInsert(ctx, tx, ledgerEntry{street: street, community: community, volunteer: volunteerID, source: hours.SourceActivity,
		minutes: minutes, at: at, activity: activityID, note: note, by: a.Username, when: db.Now()})
}

// ReverseActivity takes back what an activity credited a volunteer (the
// attendance was struck out), inside the caller's transaction.
func (db *DB) ReverseActivity(ctx context.Context, tx *sql.Tx, a care.Actor, volunteerID, activityID int64) error {
	var held int64
	var at sql.NullString
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COALESCE(SUM(minutes), 0), MIN(at) FROM hours_ledger WHERE volunteer_id = ? AND activity_id = ?`),
		volunteerID, activityID).Scan(&held, &at); err != nil || held == 0 {
		return err
	}
	_, street, community, err := db.volunteerPolicy(ctx, tx, volunteerID)
	if err != nil {
		return err
	}
	return db.ledgerInsert(ctx, tx, ledgerEntry{street: street, community: community, volunteer: volunteerID, source: hours.SourceReversal,
		minutes: -int(held), at: parseStamp(at.String), activity: activityID, by: a.Username, when: db.Now()})
}
