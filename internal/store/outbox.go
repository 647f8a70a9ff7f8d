package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
)

// The outbox (issue 13, README "Notifications"). A notification is never
// sent straight from the code that causes it: it is written here, in the
// same transaction as its event, and a worker (internal/outbox) delivers
// it. So an event that rolls back tells nobody, and one that commits is
// told even if the SMS gateway is down or the server dies a moment later.
//
// For the next developer — how to notify from a store function:
//
//	err := db.tx(ctx, func(tx *sql.Tx) error {
//		// ... write the event (raise the alert, record the emergency) ...
//		people, _, err := db.onDuty(ctx, tx, communityID, db.Now())
//		base := notify.Message{ID: notify.EventID("alert", alertID, "step", 2),
//			Kind: notify.KindEscalation, Text: "…", ElderID: elderID, AlertID: alertID, CreatedAt: db.Now()}
//		msgs, err := db.messagesFor(ctx, tx, base, people)
//		return db.enqueueTx(ctx, tx, msgs...)
//	})
//
// From outside the store (no transaction of yours): MessagesFor, then
// Enqueue. Name each event with notify.EventID so running a job twice, or
// on two servers, stores each message once.

// OutboxMessage is a message with where its delivery stands.
type OutboxMessage struct {
	notify.Message
	Status        notify.Status
	Attempts      int // claims so far (a delivery under way counts)
	NextAttemptAt time.Time
	LastError     string
	DeliveredAt   time.Time // zero until delivered
	ReadAt        time.Time // inbox: zero until read
	LeaseOwner    string    // the worker delivering it now, if any
	LeaseUntil    time.Time
}

const outboxColumns = `id, kind, channel, COALESCE(user_id, 0), to_name, to_phone, to_email, subject, text, COALESCE(elder_id, 0),
 COALESCE(alert_id, 0), created_at, status, attempts, next_attempt_at, last_error, COALESCE(delivered_at, ''), lease_owner,
 lease_until, COALESCE(read_at, '')`

func scanOutbox(row interface{ Scan(...any) error }) (*OutboxMessage, error) {
	var m OutboxMessage
	var created, next, delivered, until, read string
	err := row.Scan(&m.ID, &m.Kind, &m.Channel, &m.To.UserID, &m.To.Name, &m.To.Phone, &m.To.Email, &m.Subject, &m.Text, &m.ElderID,
		&m.AlertID, &created, &m.Status, &m.Attempts, &next, &m.LastError, &delivered, &m.LeaseOwner, &until, &read)
	if err != nil {
		return nil, err
	}
	m.CreatedAt, m.NextAttemptAt = parseStamp(created), parseStamp(next)
	m.DeliveredAt, m.LeaseUntil, m.ReadAt = parseStamp(delivered), parseStamp(until), parseStamp(read)
	m.NotBefore = m.NextAttemptAt
	return &m, nil
}

// enqueueTx writes msgs to the outbox inside tx, the transaction of the
// event that causes them, so they are sent if and only if it commits.
// Each message is validated (an invalid one fails the transaction: a bug,
// not a user's mistake); one whose ID is already in the outbox is skipped,
// so writing an event's messages again is harmless. An inbox message due
// now is delivered by being written; everything else waits for the worker,
// from its NotBefore (quiet hours) or at once.
func (db *DB) enqueueTx(ctx context.Context, tx *sql.Tx, msgs ...notify.Message) error {
	now := db.Now()
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			return err
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		next := now
		if m.NotBefore.After(now) {
			next = m.NotBefore
		}
		status, delivered := notify.StatusPending, any(nil)
		if m.Channel == notify.ChannelInbox && !next.After(now) {
			status, delivered = notify.StatusDelivered, stamp(now)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO outbox (id, kind, channel, user_id, to_name, to_phone, to_email, subject, text,
 elder_id, alert_id, created_at, status, next_attempt_at, delivered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
 ON CONFLICT (id) DO NOTHING`), m.ID, m.Kind, m.Channel, nullID(m.To.UserID), m.To.Name, m.To.Phone, m.To.Email, m.Subject, m.Text,
			nullID(m.ElderID), nullID(m.AlertID), stamp(m.CreatedAt), status, stamp(next), delivered); err != nil {
			return err
		}
	}
	return nil
}

// Enqueue writes msgs to the outbox in a transaction of its own, for a
// caller with no event transaction to join (see enqueueTx).
func (db *DB) Enqueue(ctx context.Context, msgs ...notify.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error { return db.enqueueTx(ctx, tx, msgs...) })
}

// ClaimOutbox takes up to limit messages due now on the given channels for
// the worker owner, leasing them until now+lease: until then no other
// worker (on any server) claims them; after, a dead worker's messages are
// claimed again. On PostgreSQL concurrent claims skip each other's rows
// (FOR UPDATE SKIP LOCKED), so each message goes to one worker.
func (db *DB) ClaimOutbox(ctx context.Context, owner string, channels []notify.Channel, limit int, lease time.Duration) ([]OutboxMessage, error) {
	if len(channels) == 0 || limit <= 0 {
		return nil, nil
	}
	now := db.Now()
	due := `SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?
 AND channel IN (` + strings.TrimSuffix(strings.Repeat("?,", len(channels)), ",") + `) ORDER BY next_attempt_at LIMIT ?`
	dueArgs := []any{stamp(now), stamp(now)}
	for _, c := range channels {
		dueArgs = append(dueArgs, c)
	}
	// Most looks find nothing due: answer those from the read pool, so an
	// idle worker takes no write lock (SQLite's one writer serves the
	// greetings).
	var found int
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM (`+due+`) d`), append(dueArgs, 1)...).Scan(&found); err != nil || found == 0 {
		return nil, err
	}
	var out []OutboxMessage
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
 WHERE id IN (`+due+db.dialect.skipLocked+`) RETURNING `+outboxColumns), append([]any{owner, stamp(now.Add(lease))}, append(dueArgs, limit)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, *m)
		}
		return rows.Err()
	})
	sort.Slice(out, func(i, j int) bool { return out[i].NextAttemptAt.Before(out[j].NextAttemptAt) })
	return out, err
}

// OutboxDelivered marks a message the owner delivered. It reports false
// when the owner no longer holds it (its lease ran out and another worker
// claimed it): the message may then be delivered twice, with the same id.
func (db *DB) OutboxDelivered(ctx context.Context, owner, id string) (bool, error) {
	return db.finishOutbox(ctx, owner, id, `status = 'delivered', delivered_at = ?, last_error = ''`, db.now())
}

// OutboxRetry schedules the next attempt of a message whose delivery
// failed for now (the gateway was down, answered non-2xx, timed out).
func (db *DB) OutboxRetry(ctx context.Context, owner, id string, next time.Time, reason string) (bool, error) {
	return db.finishOutbox(ctx, owner, id, `next_attempt_at = ?, last_error = ?`, stamp(next), clip(reason, 500))
}

// OutboxFailed gives a message up for good: the channel refused it in a
// way a retry cannot change (an SMTP relay's 5xx for the address).
func (db *DB) OutboxFailed(ctx context.Context, owner, id, reason string) (bool, error) {
	return db.finishOutbox(ctx, owner, id, `status = 'failed', last_error = ?`, clip(reason, 500))
}

func (db *DB) finishOutbox(ctx context.Context, owner, id, set string, args ...any) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE outbox SET `+set+`, lease_owner = '', lease_until = ''
 WHERE id = ? AND lease_owner = ? AND status = 'pending'`), append(args, id, owner)...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// GetOutboxMessage returns one message and its delivery (the worker's
// tests, diagnostics).
func (db *DB) GetOutboxMessage(ctx context.Context, id string) (*OutboxMessage, error) {
	m, err := scanOutbox(db.read.QueryRowContext(ctx, db.q(`SELECT `+outboxColumns+` FROM outbox WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("消息 / message")
	}
	return m, err
}

// OutboxForAlert lists the messages about an alert, oldest first: who was
// told, when, by which channel, and whether it was delivered. The caller
// has checked that the actor may see the alert.
func (db *DB) OutboxForAlert(ctx context.Context, alertID int64) ([]OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+outboxColumns+` FROM outbox WHERE alert_id = ? ORDER BY created_at, id`), alertID)
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

// OutboxPending counts the messages not yet delivered, by channel, so a
// server without an SMS gateway or SMTP relay can say what waits.
func (db *DB) OutboxPending(ctx context.Context) (map[notify.Channel]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT channel, COUNT(*) FROM outbox WHERE status = 'pending' GROUP BY channel`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[notify.Channel]int{}
	for rows.Next() {
		var c notify.Channel
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}
