package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/alexedwards/argon2id"

	"carecircle/internal/care"
)

// An account's lifecycle: an administrator disables and enables it, resets
// its password and revokes its sessions; every user changes their own
// password and ends their own sessions. Each change is audited and takes
// effect on every server at once, since sessions live in the database.

// UserID finds an account by username (admin only; the command line).
func (db *DB) UserID(ctx context.Context, a care.Actor, username string) (int64, error) {
	if !a.ManagesAccounts() {
		return 0, care.ErrForbidden()
	}
	var id int64
	err := db.read.QueryRowContext(ctx, db.q("SELECT id FROM users WHERE username = ?"), care.NormalizeUsername(username)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, care.ErrNotFound("账号 / account " + care.NormalizeUsername(username))
	}
	return id, err
}

// accountForAdmin loads the account an administrator acts on inside tx.
func (db *DB) accountForAdmin(ctx context.Context, tx *sql.Tx, a care.Actor, id int64) (*care.User, error) {
	if !a.ManagesAccounts() {
		return nil, care.ErrForbidden()
	}
	u, err := scanUser(tx.QueryRowContext(ctx, db.q("SELECT "+userColumns+" FROM users WHERE id = ?"+db.dialect.forUpdate), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("账号 / account")
	}
	return u, err
}

// endSessions ends every session and API token of a user, except keep
// (a token hash; "" keeps none), and tells how many ended.
func (db *DB) endSessions(ctx context.Context, tx *sql.Tx, userID int64, keep string) (int64, error) {
	res, err := tx.ExecContext(ctx, db.q("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?"), userID, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetUserDisabled disables an account, ending all its sessions and API
// tokens at once, or enables it again. An administrator cannot disable
// their own account (someone must be left to enable it).
func (db *DB) SetUserDisabled(ctx context.Context, a care.Actor, id int64, disabled bool) error {
	if disabled && id == a.UserID && a.UserID != 0 {
		return &care.Error{Code: care.EInvalid, Message: "不能停用自己的账号 / you cannot disable your own account"}
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		u, err := db.accountForAdmin(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE users SET disabled = ? WHERE id = ?"), disabled, id); err != nil {
			return err
		}
		action := "enable"
		after := map[string]any{"disabled": disabled}
		if disabled {
			action = "disable"
			n, err := db.endSessions(ctx, tx, id, "")
			if err != nil {
				return err
			}
			after["sessions_ended"] = n
		}
		return db.audit(ctx, tx, a, action, "user", id, map[string]any{"username": u.Username, "disabled": u.Disabled}, after)
	})
}

// ResetPassword sets a temporary password chosen by an administrator: all
// the account's sessions end, and the next login may do nothing but choose
// a new password.
func (db *DB) ResetPassword(ctx context.Context, a care.Actor, id int64, temporary string) error {
	if !a.ManagesAccounts() {
		return care.ErrForbidden()
	}
	var username string
	if err := db.read.QueryRowContext(ctx, db.q("SELECT username FROM users WHERE id = ?"), id).Scan(&username); errors.Is(err, sql.ErrNoRows) {
		return care.ErrNotFound("账号 / account")
	} else if err != nil {
		return err
	}
	if m, bad := care.PasswordProblem(username, temporary); bad {
		return care.FieldErrors{"password": m}.Err()
	}
	hash, err := db.hashPassword(ctx, temporary)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.accountForAdmin(ctx, tx, a, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?"), hash, true, id); err != nil {
			return err
		}
		n, err := db.endSessions(ctx, tx, id, "")
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "reset_password", "user", id, nil, map[string]any{"must_change_password": true, "sessions_ended": n})
	})
}

// RevokeSessions ends every web session and API token of an account and
// tells how many ended.
func (db *DB) RevokeSessions(ctx context.Context, a care.Actor, id int64) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.accountForAdmin(ctx, tx, a, id); err != nil {
			return err
		}
		var err error
		if n, err = db.endSessions(ctx, tx, id, ""); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "revoke_sessions", "user", id, nil, map[string]any{"sessions_ended": n})
	})
	return n, err
}

// ChangePassword replaces the user's own password after checking the old
// one, clears a reset's must-change flag, and ends the user's other
// sessions and tokens (the one of token stays). A wrong old password is an
// invalid "old" field; callers count it as a login attempt.
func (db *DB) ChangePassword(ctx context.Context, u *care.User, token, old, next string) error {
	var hash string
	if err := db.read.QueryRowContext(ctx, db.q("SELECT password_hash FROM users WHERE id = ?"), u.ID).Scan(&hash); err != nil {
		return err
	}
	var ok bool
	var err error
	if err2 := withHashSlot(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(old, hash) }); err2 != nil {
		return err2
	}
	if err != nil {
		return err
	}
	f := care.FieldErrors{}
	if !ok {
		f.Add("old", care.Msg{ZH: "当前密码不正确", EN: "the current password is wrong"})
	}
	if m, bad := care.PasswordProblem(u.Username, next); bad {
		f.Add("new", m)
	} else if next == old {
		f.Add("new", care.Msg{ZH: "新密码不能与当前密码相同", EN: "the new password must differ from the current one"})
	}
	if err := f.Err(); err != nil {
		return err
	}
	newHash, err := db.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?"), newHash, false, u.ID); err != nil {
			return err
		}
		n, err := db.endSessions(ctx, tx, u.ID, tokenHash(token))
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, care.ActorOf(u), "change_password", "user", u.ID, nil, map[string]any{"other_sessions_ended": n})
	})
}

// hashPassword hashes within the bound on concurrent hashes.
func (db *DB) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	var err error
	if err2 := withHashSlot(ctx, func() { hash, err = argon2id.CreateHash(password, db.HashParams) }); err2 != nil {
		return "", err2
	}
	return hash, err
}

// SessionInfo describes one live web session or API token of a user; ID is
// a prefix of the token's hash, so it names the session without being
// usable to log in.
type SessionInfo struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"` // web or api
	Created time.Time `json:"created_at"`
	Expires time.Time `json:"expires_at"`
	Current bool      `json:"current"`
}

const sessionIDLength = 16

// UserSessions lists the user's live sessions and tokens, newest first;
// the one of token is marked current.
func (db *DB) UserSessions(ctx context.Context, userID int64, token string) ([]SessionInfo, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT token_hash, kind, created_at, expires_at FROM sessions
 WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, token_hash`), userID, db.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	current := tokenHash(token)
	out := []SessionInfo{}
	for rows.Next() {
		var hash, created, expires string
		var s SessionInfo
		if err := rows.Scan(&hash, &s.Kind, &created, &expires); err != nil {
			return nil, err
		}
		s.ID, s.Current = hash[:sessionIDLength], hash == current
		s.Created, s.Expires = parseStamp(created), parseStamp(expires)
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndUserSession ends one of the user's own sessions by its ID.
func (db *DB) EndUserSession(ctx context.Context, u *care.User, id string) error {
	if len(id) != sessionIDLength {
		return care.ErrNotFound("会话 / session")
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q("DELETE FROM sessions WHERE user_id = ? AND substr(token_hash, 1, 16) = ?"), u.ID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return care.ErrNotFound("会话 / session")
		}
		return db.audit(ctx, tx, care.ActorOf(u), "end_session", "user", u.ID, nil, map[string]string{"session": id})
	})
}

// disableLeftVolunteer disables the accounts of a volunteer who has left
// the programme and ends their sessions at once, inside the change's
// transaction; an administrator enables an account again if they return.
func (db *DB) disableLeftVolunteer(ctx context.Context, tx *sql.Tx, a care.Actor, volunteerID int64) error {
	ids, err := queryIDs(ctx, tx, db.q("SELECT id FROM users WHERE volunteer_id = ? AND disabled = ?"), volunteerID, false)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, db.q("UPDATE users SET disabled = ? WHERE id = ?"), true, id); err != nil {
			return err
		}
		n, err := db.endSessions(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "disable", "user", id, nil,
			map[string]any{"disabled": true, "reason": "volunteer left", "sessions_ended": n}); err != nil {
			return err
		}
	}
	return nil
}
