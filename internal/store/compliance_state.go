package store

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"strconv"
	"strings"

	"carecircle/internal/calendar"
	"carecircle/internal/compliance"
)

// The compliance tracker persists its state so that a restart does not
// read the whole history again: the pairings it tracks, one row per
// non-empty cell, and the watermark (the last record applied).

// TrackedPairing is a pairing as the compliance state tracks it: a real
// pairing ("p" + pairings.id) or an elder's assigned clinic ("k" + elder id).
type TrackedPairing struct {
	Key         string
	ElderID     int64
	VolunteerID *int64 // nil for the clinic
	Role        string
	From        calendar.Date
	To          *calendar.Date // last day, inclusive; nil while it lasts
	// Birthday is the elder's birthday the state was built with, e.g.
	// "1941-03-05" or "1941-03-05L" when kept by the lunar calendar.
	Birthday string
}

// ComplianceMeta is the bookkeeping of a street's persisted state.
type ComplianceMeta struct {
	SettingsVersion int64 // changes of standards and festivals so far
	StateVersion    int64 // the settings version the state was built with; -1: none
	Watermark       int64 // the last service record applied
}

// ComplianceMeta returns a street's bookkeeping.
func (db *DB) ComplianceMeta(ctx context.Context, streetID int64) (ComplianceMeta, error) {
	m := ComplianceMeta{StateVersion: -1}
	err := db.read.QueryRowContext(ctx, db.q(`SELECT settings_version, state_version, watermark FROM compliance_streets WHERE street_id = ?`),
		streetID).Scan(&m.SettingsVersion, &m.StateVersion, &m.Watermark)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return m, err
}

// TrackedPairings returns the pairings a street's persisted state tracks.
func (db *DB) TrackedPairings(ctx context.Context, streetID int64) ([]TrackedPairing, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT pairing_key, elder_id, volunteer_id, role, from_day, to_day, birthday
 FROM compliance_pairings WHERE street_id = ? ORDER BY elder_id, pairing_key`), streetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TrackedPairing
	for rows.Next() {
		var p TrackedPairing
		var vol sql.NullInt64
		var from string
		var to sql.NullString
		if err := rows.Scan(&p.Key, &p.ElderID, &vol, &p.Role, &from, &to, &p.Birthday); err != nil {
			return nil, err
		}
		if vol.Valid {
			p.VolunteerID = &vol.Int64
		}
		if p.From, err = calendar.ParseDate(from); err != nil {
			return nil, err
		}
		if to.Valid {
			d, err := calendar.ParseDate(to.String)
			if err != nil {
				return nil, err
			}
			p.To = &d
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// EachComplianceRow streams a street's persisted cells in chunks.
func (db *DB) EachComplianceRow(ctx context.Context, streetID int64, fn func([]compliance.Row) error) error {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT pairing_key, standard, period, requirement, entries FROM compliance_rows WHERE street_id = ?`), streetID)
	if err != nil {
		return err
	}
	defer rows.Close()
	chunk := make([]compliance.Row, 0, 4096)
	for rows.Next() {
		var r compliance.Row
		var entries string
		if err := rows.Scan(&r.Pairing, &r.Standard, &r.Period, &r.Requirement, &entries); err != nil {
			return err
		}
		if r.Entries, err = decodeEntries(entries); err != nil {
			return err
		}
		if chunk = append(chunk, r); len(chunk) == cap(chunk) {
			if err := fn(chunk); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(chunk) > 0 {
		return fn(chunk)
	}
	return nil
}

// encodeEntries writes a cell's records compactly as "record:day,…", the
// day as a day number: the table holds about one cell per record.
func encodeEntries(es []compliance.Entry) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(e.Record), 10))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(e.Date)))
	}
	return b.String()
}

func decodeEntries(s string) ([]compliance.Entry, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]compliance.Entry, len(parts))
	for i, p := range parts {
		rec, day, _ := strings.Cut(p, ":")
		id, err1 := strconv.ParseInt(rec, 10, 64)
		d, err2 := strconv.Atoi(day)
		if err1 != nil || err2 != nil {
			return nil, errors.New("store: bad compliance entry " + strconv.Quote(p))
		}
		out[i] = compliance.Entry{Record: compliance.RecordID(id), Date: calendar.Date(d)}
	}
	return out, nil
}

// ComplianceDelta is what one step of the tracker changed.
type ComplianceDelta struct {
	Watermark int64
	// Pairings are inserted or replaced.
	Pairings []TrackedPairing
	// Replace lists pairings whose cells are all replaced by those in Rows
	// (after a pairing was shortened, which drops cells).
	Replace []string
	// Rows are written; a row with no entries is deleted.
	Rows []compliance.Row
}

// SaveCompliance writes a step's changes and the watermark in one
// transaction, so the persisted state is always that of one watermark.
func (db *DB) SaveCompliance(ctx context.Context, streetID int64, d ComplianceDelta) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		w := newWtx(tx, db)
		for _, p := range d.Pairings {
			if err := db.putTrackedPairing(ctx, w, streetID, p); err != nil {
				return err
			}
		}
		for _, key := range d.Replace {
			if _, err := w.ExecContext(ctx, db.q(`DELETE FROM compliance_rows WHERE street_id = ? AND pairing_key = ?`), streetID, key); err != nil {
				return err
			}
		}
		if err := db.putRows(ctx, w, streetID, d.Rows); err != nil {
			return err
		}
		_, err := w.ExecContext(ctx, db.q(`INSERT INTO compliance_streets (street_id, watermark, updated_at) VALUES (?,?,?)
 ON CONFLICT (street_id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`), streetID, d.Watermark, db.now())
		return err
	})
}

func (db *DB) putTrackedPairing(ctx context.Context, w *wtx, streetID int64, p TrackedPairing) error {
	var to any
	if p.To != nil {
		to = p.To.String()
	}
	_, err := w.ExecContext(ctx, db.q(`INSERT INTO compliance_pairings (street_id, pairing_key, elder_id, volunteer_id, role, from_day, to_day, birthday)
 VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (street_id, pairing_key) DO UPDATE SET elder_id = excluded.elder_id,
 volunteer_id = excluded.volunteer_id, role = excluded.role, from_day = excluded.from_day, to_day = excluded.to_day,
 birthday = excluded.birthday`),
		streetID, p.Key, p.ElderID, p.VolunteerID, p.Role, p.From.String(), to, p.Birthday)
	return err
}

func (db *DB) putRows(ctx context.Context, w *wtx, streetID int64, rows []compliance.Row) error {
	for _, r := range rows {
		var err error
		if len(r.Entries) == 0 {
			_, err = w.ExecContext(ctx, db.q(`DELETE FROM compliance_rows WHERE street_id = ? AND pairing_key = ? AND standard = ?
 AND period = ? AND requirement = ?`), streetID, r.Pairing, r.Standard, r.Period, r.Requirement)
		} else {
			_, err = w.ExecContext(ctx, db.q(`INSERT INTO compliance_rows (street_id, pairing_key, standard, period, requirement, entries)
 VALUES (?,?,?,?,?,?) ON CONFLICT (street_id, pairing_key, standard, period, requirement) DO UPDATE SET entries = excluded.entries`),
				streetID, r.Pairing, r.Standard, r.Period, r.Requirement, encodeEntries(r.Entries))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ResetCompliance replaces a street's persisted state after a rebuild: the
// pairings, every cell (streamed, so a large street's cells need not all be
// in memory at once), the watermark and the settings version it was built
// with, in one transaction.
func (db *DB) ResetCompliance(ctx context.Context, streetID, stateVersion, watermark int64, pairings []TrackedPairing, cells iter.Seq[[]compliance.Row]) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		w := newWtx(tx, db)
		for _, table := range []string{"compliance_rows", "compliance_pairings"} {
			if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM `+table+` WHERE street_id = ?`), streetID); err != nil {
				return err
			}
		}
		for _, p := range pairings {
			if err := db.putTrackedPairing(ctx, w, streetID, p); err != nil {
				return err
			}
		}
		for rows := range cells {
			if err := db.insertRows(ctx, tx, streetID, rows); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO compliance_streets (street_id, state_version, watermark, updated_at) VALUES (?,?,?,?)
 ON CONFLICT (street_id) DO UPDATE SET state_version = excluded.state_version, watermark = excluded.watermark,
 updated_at = excluded.updated_at`), streetID, stateVersion, watermark, db.now())
		return err
	})
}

// insertRows writes many cells with multi-row inserts: a rebuild writes
// about one cell per record.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, streetID int64, rows []compliance.Row) error {
	const per = 100
	for len(rows) > 0 {
		n := min(len(rows), per)
		var b strings.Builder
		b.WriteString(`INSERT INTO compliance_rows (street_id, pairing_key, standard, period, requirement, entries) VALUES `)
		args := make([]any, 0, n*6)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?)")
			args = append(args, streetID, r.Pairing, r.Standard, r.Period, r.Requirement, encodeEntries(r.Entries))
		}
		if _, err := tx.ExecContext(ctx, db.q(b.String()), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
