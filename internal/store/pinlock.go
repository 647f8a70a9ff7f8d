package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"carecircle/internal/care"
)

// A PIN has only 10 000 to 1 000 000 values, so guessing is limited per
// elder: PINTries wrong PINs within PINLockout lock the elder's PIN for
// PINLockout. The count lives in the database (pin_attempts), so it holds
// across servers.
const (
	PINTries   = 5
	PINLockout = 15 * time.Minute
)

// pinRefusal is a PIN attempt the record writer refused: a wrong PIN, or
// any PIN while the elder's PIN is locked. The record's savepoint is rolled
// back, so the writer notes it afterwards (notePINRefusal), outside the
// savepoint but in the same transaction.
type pinRefusal struct {
	err     error
	elderID int64
	locked  bool // refused unchecked: the PIN was locked
	at      time.Time
}

func (p *pinRefusal) Error() string { return p.err.Error() }
func (p *pinRefusal) Unwrap() error { return p.err }

func msgPINLocked(until time.Time) care.Msg {
	return care.Msg{ZH: "确认码连续输错" + strconv.Itoa(PINTries) + "次，已锁定到 " + until.Format("15:04") + "；请稍后再试，或扫描服务卡二维码",
		EN: "the PIN was wrong " + strconv.Itoa(PINTries) + " times and is locked until " + until.Format("15:04") + "; try later, or scan the card"}
}

// verifyPIN checks the elder's PIN unless it is locked; a right PIN clears
// the count of wrong ones.
func (db *DB) verifyPIN(ctx context.Context, tx *wtx, e *care.Elder, r *care.ServiceRecord, pin string, now time.Time) error {
	var lockedUntil string
	err := tx.QueryRowContext(ctx, db.q("SELECT locked_until FROM pin_attempts WHERE elder_id = ?"), e.ID).Scan(&lockedUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if until := parseStamp(lockedUntil); lockedUntil != "" && now.Before(until) {
		return &pinRefusal{err: care.FieldErrors{"verification": msgPINLocked(until.In(db.Loc))}.Err(), elderID: e.ID, locked: true, at: now}
	}
	var hash string
	if err := tx.QueryRowContext(ctx, db.q("SELECT pin_hash FROM elders WHERE id = ?"), e.ID).Scan(&hash); err != nil {
		return err
	}
	if hash == "" {
		return care.FieldErrors{"verification": care.Msg{ZH: "这位老人还没有设置确认码", EN: "this elder has no PIN"}}.Err()
	}
	if db.pinHash(e.ID, pin) != hash {
		return &pinRefusal{err: care.FieldErrors{"verification": care.Msg{ZH: "确认码不正确", EN: "wrong PIN"}}.Err(), elderID: e.ID, at: now}
	}
	r.Verified = true
	if err == nil { // a row: earlier wrong PINs
		_, err := tx.ExecContext(ctx, db.q("DELETE FROM pin_attempts WHERE elder_id = ?"), e.ID)
		return err
	}
	return nil
}

// notePINRefusal counts a wrong PIN (and locks the PIN at the PINTries-th
// within PINLockout) and audits the refusal. It returns the error to give
// the volunteer: the lock's, when this try locked the PIN.
func (db *DB) notePINRefusal(ctx context.Context, tx *sql.Tx, a care.Actor, p *pinRefusal) error {
	if p.locked {
		if err := db.audit(ctx, tx, a, "pin_attempt_while_locked", "elder", p.elderID, nil, nil); err != nil {
			return err
		}
		return p.err
	}
	windowStart := stamp(p.at.Add(-PINLockout))
	var failures int
	err := tx.QueryRowContext(ctx, db.q(`INSERT INTO pin_attempts (elder_id, failures, since) VALUES (?, 1, ?)
 ON CONFLICT (elder_id) DO UPDATE SET
  failures = CASE WHEN pin_attempts.since < ? THEN 1 ELSE pin_attempts.failures + 1 END,
  since = CASE WHEN pin_attempts.since < ? THEN excluded.since ELSE pin_attempts.since END
 RETURNING failures`), p.elderID, stamp(p.at), windowStart, windowStart).Scan(&failures)
	if err != nil {
		return err
	}
	after := map[string]any{"failures": failures}
	if failures < PINTries {
		if err := db.audit(ctx, tx, a, "pin_wrong", "elder", p.elderID, nil, after); err != nil {
			return err
		}
		return p.err
	}
	until := p.at.Add(PINLockout)
	if _, err := tx.ExecContext(ctx, db.q("UPDATE pin_attempts SET failures = 0, since = ?, locked_until = ? WHERE elder_id = ?"),
		stamp(p.at), stamp(until), p.elderID); err != nil {
		return err
	}
	after["locked_until"] = until.Format(time.RFC3339)
	if err := db.audit(ctx, tx, a, "pin_wrong", "elder", p.elderID, nil, after); err != nil {
		return err
	}
	if err := db.audit(ctx, tx, a, "pin_locked", "elder", p.elderID, nil, map[string]any{"until": until.Format(time.RFC3339)}); err != nil {
		return err
	}
	return care.FieldErrors{"verification": msgPINLocked(until.In(db.Loc))}.Err()
}
