package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/health"
	"carecircle/internal/notify"
)

// The clinic's structured health record (issue 16 point 2). Who reads what
// is decided here, whatever the path:
//   - clinic staff read and write the whole record, the measurements and
//     the call-outs of the elders assigned to their clinic (another
//     clinic's elder is 404);
//   - station and community staff read a summary (the conditions without
//     values, the last check-up and call-out) and the call-outs without
//     their notes, and may log a call-out; each of those reads is written
//     to the audit log;
//   - volunteers, viewers and administrators are refused (403).
// The record, the measurements' values and the call-outs' notes are sealed
// at rest with the data key, like the elders' notes.

// healthElder finds the elder for a health question: clinic staff see
// only their clinic's elders, station and community staff their street's
// or community's; other roles are refused before anything is read.
func (db *DB) healthElder(ctx context.Context, q querier, a care.Actor, id int64, clinicOnly bool) (*care.Elder, error) {
	switch a.Role {
	case care.RoleClinic:
		if a.ClinicID == 0 {
			return nil, care.ErrForbidden()
		}
	case care.RoleStation, care.RoleCommunity:
		if clinicOnly {
			return nil, care.ErrForbidden()
		}
	default:
		return nil, care.ErrForbidden()
	}
	return db.getElder(ctx, q, a, id)
}

// HealthRecord returns an elder's whole record (clinic staff only); an
// elder without one has an empty record.
func (db *DB) HealthRecord(ctx context.Context, a care.Actor, elderID int64) (*health.Record, error) {
	if _, err := db.healthElder(ctx, db.read, a, elderID, true); err != nil {
		return nil, err
	}
	return db.loadHealthRecord(ctx, db.read, elderID)
}

func (db *DB) loadHealthRecord(ctx context.Context, q querier, elderID int64) (*health.Record, error) {
	r := &health.Record{ElderID: elderID, Conditions: []string{}, Medicines: []string{}, Allergies: []string{}}
	var data, at string
	err := q.QueryRowContext(ctx, db.q("SELECT data, updated_at, updated_by FROM health_records WHERE elder_id = ?"), elderID).Scan(&data, &at, &r.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	plain, err := db.vault.OpenText(data)
	if err != nil {
		return nil, fmt.Errorf("health record %d: %w", elderID, err)
	}
	if err := json.Unmarshal([]byte(plain), r); err != nil {
		return nil, fmt.Errorf("health record %d: %w", elderID, err)
	}
	r.ElderID, r.UpdatedAt = elderID, parseStamp(at)
	return r, nil
}

// SaveHealthRecord replaces an elder's record (clinic staff only). The
// audit entry holds the record sealed, as the table does.
func (db *DB) SaveHealthRecord(ctx context.Context, a care.Actor, r *health.Record) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.healthElder(ctx, tx, a, r.ElderID, true); err != nil {
			return err
		}
		r.Normalize()
		if err := r.Validate(); err != nil {
			return err
		}
		old, err := db.loadHealthRecord(ctx, tx, r.ElderID)
		if err != nil {
			return err
		}
		sealed := db.vault.SealText(toJSON(r))
		now := db.now()
		if old.UpdatedBy == "" {
			_, err = tx.ExecContext(ctx, db.q("INSERT INTO health_records (elder_id, data, updated_at, updated_by) VALUES (?,?,?,?)"), r.ElderID, sealed, now, a.Username)
		} else {
			_, err = tx.ExecContext(ctx, db.q("UPDATE health_records SET data = ?, updated_at = ?, updated_by = ? WHERE elder_id = ?"), sealed, now, a.Username, r.ElderID)
		}
		if err != nil {
			return err
		}
		r.UpdatedAt, r.UpdatedBy = parseStamp(now), a.Username
		var before any
		if old.UpdatedBy != "" {
			before = map[string]string{"record": db.vault.SealText(toJSON(old))}
		}
		return db.audit(ctx, tx, a, "update_health_record", "elder", r.ElderID, before, map[string]string{"record": sealed})
	})
}

// measurementValues is what is sealed of a measurement.
type measurementValues struct {
	Systolic  *int     `json:"systolic,omitempty"`
	Diastolic *int     `json:"diastolic,omitempty"`
	Glucose   *float64 `json:"glucose,omitempty"`
	Weight    *float64 `json:"weight,omitempty"`
	HeartRate *int     `json:"heart_rate,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// AddMeasurement records one check-up's results (clinic staff only), after
// checking them against their plausible bounds; m.ID is set.
func (db *DB) AddMeasurement(ctx context.Context, a care.Actor, m *health.Measurement) error {
	return db.AddMeasurements(ctx, a, m.ElderID, []*health.Measurement{m})
}

// AddMeasurements records several check-ups of one elder at once (a
// clinic's paper results typed in, the demo's year): all or none, every
// one checked against the bounds; the IDs are set.
func (db *DB) AddMeasurements(ctx context.Context, a care.Actor, elderID int64, ms []*health.Measurement) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.healthElder(ctx, tx, a, elderID, true)
		if err != nil {
			return err
		}
		now := db.now()
		for _, m := range ms {
			m.ElderID = elderID
			if err := m.Validate(db.today(), e.BirthDate); err != nil {
				return err
			}
			v := measurementValues{m.Systolic, m.Diastolic, m.Glucose, m.Weight, m.HeartRate, m.Note}
			sealed := db.vault.SealText(toJSON(v))
			m.CreatedAt, m.CreatedBy = parseStamp(now), a.Username
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO health_measurements (elder_id, taken_on, data, created_at, created_by)
 VALUES (?,?,?,?,?) RETURNING id`), elderID, dateString(m.TakenOn), sealed, now, a.Username).Scan(&m.ID); err != nil {
				return err
			}
			if err := db.audit(ctx, tx, a, "add_health_measurement", "elder", elderID, nil,
				map[string]any{"id": m.ID, "taken_on": dateString(m.TakenOn), "values": sealed}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Measurements returns an elder's measurements taken on from..to (zero:
// open), oldest first (clinic staff only).
func (db *DB) Measurements(ctx context.Context, a care.Actor, elderID int64, from, to time.Time) ([]health.Measurement, error) {
	if _, err := db.healthElder(ctx, db.read, a, elderID, true); err != nil {
		return nil, err
	}
	lo, hi := "0000-01-01", "9999-12-31"
	if !from.IsZero() {
		lo = dateString(from)
	}
	if !to.IsZero() {
		hi = dateString(to)
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, taken_on, data, created_at, created_by FROM health_measurements
 WHERE elder_id = ? AND taken_on >= ? AND taken_on <= ? ORDER BY taken_on, id`), elderID, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []health.Measurement{}
	for rows.Next() {
		m := health.Measurement{ElderID: elderID}
		var on, data, at string
		if err := rows.Scan(&m.ID, &on, &data, &at, &m.CreatedBy); err != nil {
			return nil, err
		}
		plain, err := db.vault.OpenText(data)
		if err != nil {
			return nil, fmt.Errorf("measurement %d: %w", m.ID, err)
		}
		var v measurementValues
		if err := json.Unmarshal([]byte(plain), &v); err != nil {
			return nil, fmt.Errorf("measurement %d: %w", m.ID, err)
		}
		m.Systolic, m.Diastolic, m.Glucose, m.Weight, m.HeartRate, m.Note = v.Systolic, v.Diastolic, v.Glucose, v.Weight, v.HeartRate, v.Note
		m.TakenOn, m.CreatedAt = parseDate(on), parseStamp(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// HealthSummary is what station and community staff may read of an
// elder's health, and the read is audited; clinic staff read it too
// (without an audit entry: the record is theirs).
func (db *DB) HealthSummary(ctx context.Context, a care.Actor, elderID int64) (*health.Summary, error) {
	var s *health.Summary
	read := func(q interface {
		querier
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}) error {
		if _, err := db.healthElder(ctx, q, a, elderID, false); err != nil {
			return err
		}
		r, err := db.loadHealthRecord(ctx, q, elderID)
		if err != nil {
			return err
		}
		s = &health.Summary{ElderID: elderID, Conditions: r.Conditions, ConditionsOther: r.ConditionsOther}
		yearAgo := dateString(db.today().AddDate(-1, 0, 0))
		var last sql.NullString
		if err := q.QueryRowContext(ctx, db.q("SELECT MAX(taken_on), COUNT(CASE WHEN taken_on >= ? THEN 1 END) FROM health_measurements WHERE elder_id = ?"),
			yearAgo, elderID).Scan(&last, &s.Measurements); err != nil {
			return err
		}
		if last.Valid {
			s.LastCheckup = parseDate(last.String)
		}
		last = sql.NullString{}
		if err := q.QueryRowContext(ctx, db.q("SELECT MAX(called_at), COUNT(CASE WHEN called_at >= ? THEN 1 END) FROM clinic_callouts WHERE elder_id = ?"),
			stamp(db.Now().AddDate(-1, 0, 0)), elderID).Scan(&last, &s.Callouts); err != nil {
			return err
		}
		if last.Valid {
			s.LastCallout = parseStamp(last.String)
		}
		return nil
	}
	if a.Role == care.RoleClinic {
		return s, read(db.read)
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := read(tx); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "read_health_summary", "elder", elderID, nil, nil)
	})
	return s, err
}

// AddCallout logs a call to the clinic (随叫随到) for one of its elders:
// clinic staff, or the station or community staff who took the call.
// c.ID is set.
func (db *DB) AddCallout(ctx context.Context, a care.Actor, c *health.Callout) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.healthElder(ctx, tx, a, c.ElderID, false)
		if err != nil {
			return err
		}
		if err := c.Validate(db.Now()); err != nil {
			return err
		}
		var arrived any
		if c.ArrivedAt != nil {
			arrived = stamp(*c.ArrivedAt)
		}
		var clinic any
		if e.ClinicID != nil {
			clinic = *e.ClinicID
		}
		c.CreatedAt, c.CreatedBy = parseStamp(db.now()), a.Username
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO clinic_callouts (elder_id, clinic_id, called_at, caller, arrived_at, outcome, note, created_at, created_by)
 VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`), c.ElderID, clinic, stamp(c.CalledAt), c.Caller, arrived, c.Outcome,
			db.vault.SealText(c.Note), stamp(c.CreatedAt), a.Username).Scan(&c.ID); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "add_callout", "elder", c.ElderID, nil, map[string]any{"id": c.ID, "called_at": stamp(c.CalledAt),
			"arrived_at": arrived, "outcome": c.Outcome, "note": db.vault.SealText(c.Note)}); err != nil {
			return err
		}
		if a.Role == care.RoleClinic || e.ClinicID == nil {
			return nil
		}
		return db.tellClinic(ctx, tx, *e.ClinicID, e, c, a)
	})
}

// tellClinic tells the clinic's staff (in the app) that station or
// community staff logged a call-out of one of its elders: the clinic keeps
// the record and may not have heard. The message names no health facts
// (the outbox is not sealed); the record is on the elder's health page.
func (db *DB) tellClinic(ctx context.Context, tx *sql.Tx, clinicID int64, e *care.Elder, c *health.Callout, a care.Actor) error {
	users, err := db.queryUsers(ctx, tx, `role = ? AND clinic_id = ? AND disabled = ?`, care.RoleClinic, clinicID, false)
	if err != nil {
		return err
	}
	text := e.Name + " 的一次随叫随到（" + c.CalledAt.In(db.Loc).Format("01-02 15:04") + "，" + c.Caller + "呼叫）由 " + a.Username +
		" 代为记录，请在健康档案中核对。"
	var msgs []notify.Message
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		msgs = append(msgs, notify.Message{ID: notify.EventID("callout", c.ID, "user", u.ID), Kind: notify.KindNotice,
			Channel: notify.ChannelInbox, To: notify.Recipient{UserID: u.ID, Name: name}, Text: text, ElderID: e.ID, CreatedAt: db.Now()})
	}
	return db.enqueueTx(ctx, tx, msgs...)
}

const calloutColumns = "k.id, k.elder_id, k.called_at, k.caller, k.arrived_at, k.outcome, k.note, k.created_at, k.created_by"

func (db *DB) scanCallouts(rows *sql.Rows, withNote bool) ([]health.Callout, error) {
	defer rows.Close()
	out := []health.Callout{}
	for rows.Next() {
		var c health.Callout
		var called, created string
		var arrived sql.NullString
		if err := rows.Scan(&c.ID, &c.ElderID, &called, &c.Caller, &arrived, &c.Outcome, &c.Note, &created, &c.CreatedBy); err != nil {
			return nil, err
		}
		c.CalledAt, c.CreatedAt = parseStamp(called), parseStamp(created)
		if arrived.Valid {
			t := parseStamp(arrived.String)
			c.ArrivedAt = &t
		}
		if !withNote {
			c.Note = ""
		} else if note, err := db.vault.OpenText(c.Note); err != nil {
			return nil, fmt.Errorf("callout %d: %w", c.ID, err)
		} else {
			c.Note = note
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Callouts lists an elder's call-outs, newest first: with their notes for
// the clinic, without them (and audited) for station and community staff.
func (db *DB) Callouts(ctx context.Context, a care.Actor, elderID int64) ([]health.Callout, error) {
	query := db.q("SELECT " + calloutColumns + " FROM clinic_callouts k WHERE k.elder_id = ? ORDER BY k.called_at DESC, k.id DESC LIMIT 200")
	if a.Role == care.RoleClinic {
		if _, err := db.healthElder(ctx, db.read, a, elderID, false); err != nil {
			return nil, err
		}
		rows, err := db.read.QueryContext(ctx, query, elderID)
		if err != nil {
			return nil, err
		}
		return db.scanCallouts(rows, true)
	}
	var out []health.Callout
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.healthElder(ctx, tx, a, elderID, false); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, query, elderID)
		if err != nil {
			return err
		}
		if out, err = db.scanCallouts(rows, false); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "read_callouts", "elder", elderID, nil, nil)
	})
	return out, err
}

// ClinicCallouts lists the call-outs of the clinic's elders since a time,
// newest first, for the clinic's home (clinic staff only).
func (db *DB) ClinicCallouts(ctx context.Context, a care.Actor, since time.Time, limit int) ([]health.Callout, error) {
	if a.Role != care.RoleClinic || a.ClinicID == 0 {
		return nil, care.ErrForbidden()
	}
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+calloutColumns+` FROM clinic_callouts k JOIN elders e ON e.id = k.elder_id
 WHERE e.clinic_id = ? AND k.called_at >= ? ORDER BY k.called_at DESC, k.id DESC LIMIT ?`), a.ClinicID, stamp(since), limit)
	if err != nil {
		return nil, err
	}
	return db.scanCallouts(rows, true)
}
