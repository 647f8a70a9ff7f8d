package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"carecircle/internal/care"
)

// IdempotencyTTL is how long a client's attempt key answers the record it
// stored: a retry, a reload or a phone that was offline for days still
// stores one record.
const IdempotencyTTL = 7 * 24 * time.Hour

// Attempt names one client attempt at a write: Key is chosen by the client
// (1–64 visible ASCII characters), Fingerprint by the server from what was
// asked (the same key with another body is refused). A zero Attempt is an
// unnamed write.
type Attempt struct {
	Key         string
	Fingerprint string
}

// MaxAttemptKey is the longest idempotency key a client may send.
const MaxAttemptKey = 64

func (at Attempt) check() error {
	ok := len(at.Key) >= 1 && len(at.Key) <= MaxAttemptKey
	for i := 0; ok && i < len(at.Key); i++ {
		ok = at.Key[i] > ' ' && at.Key[i] < 0x7f
	}
	if !ok {
		return care.FieldErrors{"idempotency_key": care.Msg{ZH: "幂等键应为1到64个可见字符", EN: "the idempotency key must be 1 to 64 visible ASCII characters"}}.Err()
	}
	return nil
}

func errAttemptReused() error {
	return care.FieldErrors{"idempotency_key": care.Msg{ZH: "这个幂等键已用于另一条不同的记录", EN: "this idempotency key was used for a different request"}}.Err()
}

// attemptRecord finds the record an attempt stored within the TTL; a key
// reused with another body is refused.
func (db *DB) attemptRecord(ctx context.Context, q querier, a care.Actor, at Attempt) (int64, bool, error) {
	var id int64
	var fp string
	err := q.QueryRowContext(ctx, db.q(`SELECT record_id, fingerprint FROM idempotency_keys
 WHERE username = ? AND idem_key = ? AND created_at >= ?`), a.Username, at.Key, stamp(db.Now().Add(-IdempotencyTTL))).Scan(&id, &fp)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case fp != at.Fingerprint:
		return 0, false, errAttemptReused()
	}
	return id, true, nil
}

// rememberAttempt stores the attempt's key with its record, in the record's
// transaction; an expired use of the same key makes way.
func (db *DB) rememberAttempt(ctx context.Context, tx *wtx, a care.Actor, at Attempt, recordID int64) error {
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM idempotency_keys WHERE username = ? AND idem_key = ? AND created_at < ?`),
		a.Username, at.Key, stamp(db.Now().Add(-IdempotencyTTL))); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO idempotency_keys (username, idem_key, fingerprint, record_id, created_at) VALUES (?,?,?,?,?)`),
		a.Username, at.Key, at.Fingerprint, recordID, stamp(db.Now()))
	return err
}

// replayInto fills r with the stored record id, as the actor may see it.
func (db *DB) replayInto(ctx context.Context, q querier, a care.Actor, id int64, r *care.ServiceRecord) error {
	got, err := db.recordFor(ctx, q, a, id)
	if err != nil {
		return err
	}
	*r = *got
	return nil
}

// PurgeAttempts deletes attempt keys older than the TTL; serve runs it daily.
func (db *DB) PurgeAttempts(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.q(`DELETE FROM idempotency_keys WHERE created_at < ?`), stamp(db.Now().Add(-IdempotencyTTL)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
