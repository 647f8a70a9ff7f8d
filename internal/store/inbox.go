package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
)

// InboxItem is a message in a person's in-app inbox.
type InboxItem struct {
	ID        string
	Kind      notify.Kind
	Text      string
	ElderID   int64
	AlertID   int64
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Inbox returns the actor's delivered inbox messages, newest first (at
// most limit, 1–200, default 50), and how many are unread in all.
func (db *DB) Inbox(ctx context.Context, a care.Actor, limit int) ([]InboxItem, int, error) {
	if a.UserID <= 0 {
		return nil, 0, care.ErrForbidden()
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, kind, text, COALESCE(elder_id, 0), COALESCE(alert_id, 0), created_at,
 COALESCE(read_at, '') FROM outbox WHERE user_id = ? AND channel = 'inbox' AND status = 'delivered'
 ORDER BY created_at DESC, id DESC LIMIT ?`), a.UserID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []InboxItem
	for rows.Next() {
		var it InboxItem
		var created, read string
		if err := rows.Scan(&it.ID, &it.Kind, &it.Text, &it.ElderID, &it.AlertID, &created, &read); err != nil {
			return nil, 0, err
		}
		it.CreatedAt = parseStamp(created)
		if read != "" {
			t := parseStamp(read)
			it.ReadAt = &t
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	n, err := db.UnreadCount(ctx, a)
	return out, n, err
}

// UnreadCount is the number on the bell: the actor's delivered inbox
// messages not yet read. Every page asks, so it is one indexed count.
func (db *DB) UnreadCount(ctx context.Context, a care.Actor) (int, error) {
	if a.UserID <= 0 {
		return 0, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM outbox WHERE user_id = ? AND channel = 'inbox'
 AND read_at IS NULL AND status = 'delivered'`), a.UserID).Scan(&n)
	return n, err
}

// MarkRead marks one of the actor's inbox messages read; reading it again
// changes nothing. Another person's message is not found.
func (db *DB) MarkRead(ctx context.Context, a care.Actor, id string) error {
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE outbox SET read_at = COALESCE(read_at, ?)
 WHERE id = ? AND user_id = ? AND channel = 'inbox' AND status = 'delivered'`), db.now(), id, a.UserID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = care.ErrNotFound("消息 / message")
		}
		return err
	}
	return nil
}

// MarkAllRead marks every delivered inbox message of the actor read and
// says how many were unread.
func (db *DB) MarkAllRead(ctx context.Context, a care.Actor) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE outbox SET read_at = ? WHERE user_id = ? AND channel = 'inbox'
 AND read_at IS NULL AND status = 'delivered'`), db.now(), a.UserID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// NotifySettings returns how an account wants to be reached; an account
// that never said gets the zero Settings (the inbox only).
func (db *DB) NotifySettings(ctx context.Context, userID int64) (notify.Settings, error) {
	m, err := db.notifySettings(ctx, db.read, []int64{userID})
	return m[userID], err
}

// notifySettings reads the settings of several accounts, in or outside a
// transaction; accounts without a row are absent (the zero Settings).
func (db *DB) notifySettings(ctx context.Context, q queryer, ids []int64) (map[int64]notify.Settings, error) {
	out := map[int64]notify.Settings{}
	if len(ids) == 0 {
		return out, nil
	}
	err := db.eachChunk(ids, func(cond string, args []any) error {
		rows, err := q.QueryContext(ctx, db.q(`SELECT user_id, phone, email, sms, mail, quiet_from, quiet_to FROM notify_settings WHERE `+
			strings.ReplaceAll(cond, "#", "user_id")), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var s notify.Settings
			if err := rows.Scan(&id, &s.Phone, &s.Email, &s.SMS, &s.Mail, &s.QuietFrom, &s.QuietTo); err != nil {
				return err
			}
			out[id] = s
		}
		return rows.Err()
	})
	return out, err
}

// SaveNotifySettings sets the actor's own channels and quiet hours, after
// notify.Settings.Validate (every field's problem at once, in Chinese and
// English); the change is audited.
func (db *DB) SaveNotifySettings(ctx context.Context, a care.Actor, s *notify.Settings) error {
	if a.UserID <= 0 {
		return care.ErrForbidden()
	}
	if err := s.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		before, err := db.notifySettings(ctx, tx, []int64{a.UserID})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO notify_settings (user_id, phone, email, sms, mail, quiet_from, quiet_to, updated_at)
 VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, email = excluded.email, sms = excluded.sms,
 mail = excluded.mail, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, updated_at = excluded.updated_at`),
			a.UserID, s.Phone, s.Email, s.SMS, s.Mail, s.QuietFrom, s.QuietTo, db.now()); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "update", "notify_settings", a.UserID, before[a.UserID], *s)
	})
}

// MessagesFor fans an event out to accounts by their settings
// (notify.Fanout): each gets the inbox, and SMS and e-mail where they
// turned them on, quiet hours applied. Pass the result to Enqueue.
func (db *DB) MessagesFor(ctx context.Context, base notify.Message, users []care.User) ([]notify.Message, error) {
	return db.messagesFor(ctx, db.read, base, users)
}

// messagesFor is MessagesFor inside a transaction (for enqueueTx).
func (db *DB) messagesFor(ctx context.Context, q queryer, base notify.Message, users []care.User) ([]notify.Message, error) {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	settings, err := db.notifySettings(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	var out []notify.Message
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		out = append(out, notify.Fanout(base, notify.Recipient{UserID: u.ID, Name: name}, settings[u.ID], db.Loc)...)
	}
	return out, nil
}
