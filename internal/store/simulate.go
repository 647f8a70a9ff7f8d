package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Reads for `carecircle simulate` (internal/simulate), which runs the real
// store, alert job, escalation and outbox worker on an accelerated clock
// and then counts what happened. They read everything, unscoped: the
// simulation owns its temporary database.

// AlertBrief is an alert as the simulation counts it.
type AlertBrief struct {
	ID, ElderID int64
	Kind        string
	Day         string // YYYY-MM-DD, the programme's day it is about
	Status      string
	RaisedAt    time.Time
}

// AllAlerts lists every alert, oldest first.
func (db *DB) AllAlerts(ctx context.Context) ([]AlertBrief, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, elder_id, kind, day, status, raised_at FROM alerts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AlertBrief
	for rows.Next() {
		var a AlertBrief
		var raised string
		if err := rows.Scan(&a.ID, &a.ElderID, &a.Kind, &a.Day, &a.Status, &raised); err != nil {
			return nil, err
		}
		if len(a.Day) > 10 { // PostgreSQL may give a date as a timestamp
			a.Day = a.Day[:10]
		}
		a.RaisedAt = parseStamp(raised)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AllOutbox lists every message of the outbox with its delivery, in the
// order they were created.
func (db *DB) AllOutbox(ctx context.Context) ([]OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// OutboxNextAttempt is when the earliest pending message is next due (its
// next attempt, or the end of the lease a worker holds on it); ok is false
// when nothing is pending. An accelerated clock jumps there.
func (db *DB) OutboxNextAttempt(ctx context.Context) (at time.Time, ok bool, err error) {
	var next, lease sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT next_attempt_at, lease_until FROM outbox WHERE status = 'pending'
 ORDER BY CASE WHEN lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END LIMIT 1`).Scan(&next, &lease)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	at = parseStamp(next.String)
	if l := parseStamp(lease.String); l.After(at) {
		at = l
	}
	return at, true, nil
}
