package store

import (
	"context"
	"database/sql"

	"carecircle/internal/care"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64
	At       string
	Username string
	Action   string
	Entity   string
	EntityID int64
	Before   string
	After    string
}

// audit writes who did what, when, with before/after, inside the caller's
// transaction so that a change and its audit entry stand or fall together.
// Each entry is sealed into the audit chain (the seal of the entry before
// it, its own content, under the data key), so an entry changed or removed
// behind the application's back shows in verify.
func (db *DB) audit(ctx context.Context, tx *sql.Tx, a care.Actor, action, entity string, id int64, before, after any) error {
	e := AuditEntry{At: db.now(), Username: a.Username, Action: action, Entity: entity, EntityID: id}
	if before != nil {
		e.Before = toJSON(before)
	}
	if after != nil {
		e.After = toJSON(after)
	}
	var uid any
	if a.UserID > 0 {
		uid = a.UserID
	}
	// The lock comes before the id, so ids follow the chain's order.
	if err := db.lockChain(ctx, tx, auditChain); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO audit_log (at, user_id, username, action, entity, entity_id, before, after)
 VALUES (?,?,?,?,?,?,?,?) RETURNING id`), e.At, uid, e.Username, e.Action, e.Entity, e.EntityID, e.Before, e.After).Scan(&e.ID); err != nil {
		return err
	}
	h, _, err := db.loadHead(ctx, tx, auditChain)
	if err != nil {
		return err
	}
	seal := db.auditSeal(h.last, &e, max(a.UserID, 0))
	if _, err := tx.ExecContext(ctx, db.q("UPDATE audit_log SET seal = ? WHERE id = ?"), seal, e.ID); err != nil {
		return err
	}
	return db.saveHead(ctx, tx, auditChain, chainHead{h.n + 1, seal})
}

// AuditLog returns audit entries for an entity (admin and station only),
// newest first.
func (db *DB) AuditLog(ctx context.Context, a care.Actor, entity string, id int64, limit int) ([]AuditEntry, error) {
	if a.Role != care.RoleAdmin && a.Role != care.RoleStation {
		return nil, care.ErrForbidden()
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, at, username, action, entity, COALESCE(entity_id, 0), before, after
 FROM audit_log WHERE (? = '' OR entity = ?) AND (? = 0 OR entity_id = ?) ORDER BY id DESC LIMIT ?`), entity, entity, id, id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Username, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
