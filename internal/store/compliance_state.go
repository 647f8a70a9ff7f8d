package store

import (
	"context"
	"database/sql"
	"errors"

	"carecircle/internal/calendar"
)

// The compliance tracker persists its state so that a restart does not
// read the whole history again: a snapshot of the pairings it tracks and
// their cells, with the watermark (the last record applied). Between
// snapshots nothing is saved: a restart catches up from the watermark.

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

// TrackedPairings returns the pairings saved row by row before snapshots
// (compliance_pairings): read once, for the clinics' days, when a street
// has no snapshot yet.
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

// A saved snapshot is cut into chunks of this size, each written in a
// transaction of its own (a few milliseconds): the write connection is
// never held for long, so records keep being stored while a large street
// is saved.
const snapshotChunk = 256 << 10

// SaveComplianceSnapshot saves a street's whole state (data, in the
// tracker's format) built with the given settings version and having
// applied every record up to watermark. The chunks go in short
// transactions; one small transaction then switches the street to the new
// snapshot, unless a snapshot as new (same or later settings, watermark
// not lower) is current already, e.g. saved by another server meanwhile.
// It reports whether the snapshot became current; older snapshots are
// deleted afterwards, again a few chunks at a time.
func (db *DB) SaveComplianceSnapshot(ctx context.Context, streetID, settingsVersion, watermark int64, data []byte) (bool, error) {
	chunks := (len(data) + snapshotChunk - 1) / snapshotChunk
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, db.q(`INSERT INTO compliance_snapshots (street_id, settings_version, watermark, chunks, bytes, created_at)
 VALUES (?,?,?,?,?,?) RETURNING id`), streetID, settingsVersion, watermark, chunks, len(data), db.now()).Scan(&id)
	})
	if err != nil {
		return false, err
	}
	for seq := 0; seq < chunks; seq++ {
		part := data[seq*snapshotChunk : min(len(data), (seq+1)*snapshotChunk)]
		err := db.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO compliance_snapshot_chunks (snapshot_id, seq, data) VALUES (?,?,?)`), id, seq, part)
			return err
		})
		if err != nil {
			db.dropSnapshot(context.WithoutCancel(ctx), id)
			return false, err
		}
	}
	switched := false
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM compliance_snapshot_chunks WHERE snapshot_id = ?`), id).Scan(&n); err != nil {
			return err
		}
		if n != chunks {
			return errors.New("store: compliance snapshot incomplete")
		}
		var curSettings, curMark sql.NullInt64
		err := tx.QueryRowContext(ctx, db.q(`SELECT s.settings_version, s.watermark FROM compliance_streets c
 JOIN compliance_snapshots s ON s.id = c.snapshot_id WHERE c.street_id = ?`), streetID).Scan(&curSettings, &curMark)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if curSettings.Valid && (curSettings.Int64 > settingsVersion || curSettings.Int64 == settingsVersion && curMark.Int64 > watermark) {
			return nil // a newer state is saved already
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO compliance_streets (street_id, state_version, watermark, snapshot_id, updated_at) VALUES (?,?,?,?,?)
 ON CONFLICT (street_id) DO UPDATE SET state_version = excluded.state_version, watermark = excluded.watermark,
 snapshot_id = excluded.snapshot_id, updated_at = excluded.updated_at`), streetID, settingsVersion, watermark, id, db.now())
		switched = err == nil
		return err
	})
	if err != nil || !switched {
		db.dropSnapshot(context.WithoutCancel(ctx), id)
		return false, err
	}
	// Snapshots of the street older than this one (and ones left half
	// written by a server that died) go; a save still running elsewhere
	// finds its chunks gone and does not switch.
	old, err := queryIDs(ctx, db.read, db.q(`SELECT id FROM compliance_snapshots WHERE street_id = ? AND id < ?`), streetID, id)
	if err != nil {
		return true, err
	}
	for _, o := range old {
		if err := db.dropSnapshot(ctx, o); err != nil {
			return true, err
		}
	}
	return true, nil
}

// dropSnapshot deletes a snapshot a few chunks per transaction.
func (db *DB) dropSnapshot(ctx context.Context, id int64) error {
	for {
		var n int64
		err := db.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, db.q(`DELETE FROM compliance_snapshot_chunks WHERE snapshot_id = ? AND seq IN
 (SELECT seq FROM compliance_snapshot_chunks WHERE snapshot_id = ? ORDER BY seq LIMIT 4)`), id, id)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return err
		}
		if n == 0 {
			return db.tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, db.q(`DELETE FROM compliance_snapshots WHERE id = ?`), id)
				return err
			})
		}
	}
}

// ComplianceSnapshot returns the current snapshot of a street's state
// with the settings version and watermark it was saved with; nil data
// when there is none.
func (db *DB) ComplianceSnapshot(ctx context.Context, streetID int64) (data []byte, settingsVersion, watermark int64, err error) {
	var id, chunks, size int64
	err = db.read.QueryRowContext(ctx, db.q(`SELECT s.id, s.settings_version, s.watermark, s.chunks, s.bytes FROM compliance_streets c
 JOIN compliance_snapshots s ON s.id = c.snapshot_id WHERE c.street_id = ?`), streetID).Scan(&id, &settingsVersion, &watermark, &chunks, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, 0, nil
	}
	if err != nil {
		return nil, 0, 0, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT seq, data FROM compliance_snapshot_chunks WHERE snapshot_id = ? ORDER BY seq`), id)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	data = make([]byte, 0, size)
	next := int64(0)
	for rows.Next() {
		var seq int64
		var part sql.RawBytes
		if err := rows.Scan(&seq, &part); err != nil {
			return nil, 0, 0, err
		}
		if seq != next {
			return nil, 0, 0, errors.New("store: compliance snapshot has a chunk missing")
		}
		data = append(data, part...)
		next++
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	if next != chunks || int64(len(data)) != size {
		return nil, 0, 0, errors.New("store: compliance snapshot incomplete")
	}
	return data, settingsVersion, watermark, nil
}
