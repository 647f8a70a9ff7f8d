package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Case is a legal complaint (涉老纠纷调处) or an emergency request tracked
// to resolution; emergency cases are urgent.
type Case struct {
	ID         int64
	ElderID    int64
	ElderName  string
	RecordID   int64
	Kind       string
	Urgent     bool
	Status     string
	Summary    string
	Department string
	OpenedBy   string
	OpenedAt   time.Time
	UpdatedAt  time.Time
	// AcknowledgedAt is staff's first update of the case (GetCase only):
	// an emergency nobody acknowledged in time is escalated to the station.
	AcknowledgedAt *time.Time
	AcknowledgedBy string
	// EscalatedAt is when the station was told of it (GetCase only).
	EscalatedAt *time.Time
	Events      []CaseEvent
}

// CaseEvent is one step in a case's history.
type CaseEvent struct {
	At         time.Time
	By         string
	Status     string
	Note       string
	Department string
}

// CaseStatuses are a case's states.
var CaseStatuses = []care.Choice{
	{Code: "open", Label: care.Msg{ZH: "待处理", EN: "open"}},
	{Code: "referred", Label: care.Msg{ZH: "已转交有关部门", EN: "referred to a department"}},
	{Code: "resolved", Label: care.Msg{ZH: "已解决", EN: "resolved"}},
}

// openCase opens the case a legal complaint or an emergency request asks
// for. Its summary and first event's note are encrypted at rest, and the
// event is sealed into the case chain.
func (db *DB) openCase(ctx context.Context, tx *wtx, a care.Actor, r *care.ServiceRecord, kind string) error {
	if err := db.lockChain(ctx, tx, caseChain); err != nil {
		return err
	}
	now := db.now()
	var id int64
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO cases (elder_id, record_id, kind, urgent, status, summary, opened_by, opened_at, updated_at)
 VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`), r.ElderID, r.ID, kind, kind == "emergency", "open", db.vault.SealText(r.Note), a.Username, now, now).Scan(&id); err != nil {
		return err
	}
	if err := db.appendCaseEvent(ctx, tx, &caseEvent{caseID: id, at: now, by: a.Username, status: "open", note: r.Note}); err != nil {
		return err
	}
	if kind == "emergency" {
		// Told at once, in the record's own transaction (escalation.go).
		return db.emergencyStep(ctx, tx.Tx, id, r)
	}
	return nil
}

// Cases lists the cases of elders the actor may see: urgent open cases
// first, then open ones, newest first.
func (db *DB) Cases(ctx context.Context, a care.Actor, onlyOpen bool) ([]Case, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	cond := ""
	if onlyOpen {
		cond = " AND c.status <> 'resolved'"
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, c.elder_id, e.name, COALESCE(c.record_id, 0), c.kind, c.urgent, c.status,
 c.summary, c.department, c.opened_by, c.opened_at, c.updated_at FROM cases c JOIN elders e ON e.id = c.elder_id
 WHERE `+scope+cond+` ORDER BY (c.status = 'resolved'), c.urgent DESC, c.opened_at DESC LIMIT 200`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		var c Case
		var opened, updated string
		if err := rows.Scan(&c.ID, &c.ElderID, &c.ElderName, &c.RecordID, &c.Kind, &c.Urgent, &c.Status, &c.Summary,
			&c.Department, &c.OpenedBy, &opened, &updated); err != nil {
			return nil, err
		}
		c.OpenedAt, c.UpdatedAt = parseStamp(opened), parseStamp(updated)
		if c.Summary, err = db.vault.OpenText(c.Summary); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// GetCase returns a case with its history.
func (db *DB) GetCase(ctx context.Context, a care.Actor, id int64) (*Case, error) {
	all, err := db.casesByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	c := &all
	var acked, escalated sql.NullString
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT acknowledged_at, acknowledged_by, escalated_at FROM cases WHERE id = ?`), id).Scan(
		&acked, &c.AcknowledgedBy, &escalated); err != nil {
		return nil, err
	}
	if acked.Valid {
		t := parseStamp(acked.String)
		c.AcknowledgedAt = &t
	}
	if escalated.Valid {
		t := parseStamp(escalated.String)
		c.EscalatedAt = &t
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT at, by_user, status, note, department FROM case_events WHERE case_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ev CaseEvent
		var at string
		if err := rows.Scan(&at, &ev.By, &ev.Status, &ev.Note, &ev.Department); err != nil {
			return nil, err
		}
		ev.At = parseStamp(at)
		if ev.Note, err = db.vault.OpenText(ev.Note); err != nil {
			return nil, err
		}
		c.Events = append(c.Events, ev)
	}
	return c, rows.Err()
}

func (db *DB) casesByID(ctx context.Context, a care.Actor, id int64) (Case, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return Case{}, err
	}
	var c Case
	var opened, updated string
	err = db.read.QueryRowContext(ctx, db.q(`SELECT c.id, c.elder_id, e.name, COALESCE(c.record_id, 0), c.kind, c.urgent, c.status,
 c.summary, c.department, c.opened_by, c.opened_at, c.updated_at FROM cases c JOIN elders e ON e.id = c.elder_id
 WHERE c.id = ? AND `+scope), append([]any{id}, args...)...).Scan(&c.ID, &c.ElderID, &c.ElderName, &c.RecordID, &c.Kind, &c.Urgent,
		&c.Status, &c.Summary, &c.Department, &c.OpenedBy, &opened, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, care.ErrNotFound("案件 / case")
	}
	if err != nil {
		return c, err
	}
	c.OpenedAt, c.UpdatedAt = parseStamp(opened), parseStamp(updated)
	c.Summary, err = db.vault.OpenText(c.Summary)
	return c, err
}

// UpdateCase moves a case on (referred to a department, resolved) with a
// note; the history keeps every step. Community staff and the station do this.
func (db *DB) UpdateCase(ctx context.Context, a care.Actor, id int64, status, department, note string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	f := care.FieldErrors{}
	note, department = strings.TrimSpace(note), strings.TrimSpace(department)
	switch status {
	case "referred":
		if department == "" {
			f.Add("department", care.Msg{ZH: "请写明转交的部门", EN: "name the department"})
		}
	case "resolved", "open":
	default:
		f.Add("status", care.MsgBadChoice)
	}
	if note == "" {
		f.Add("note", care.Msg{ZH: "请写明处理情况", EN: "describe what was done"})
	}
	if err := f.Err(); err != nil {
		return err
	}
	c, err := db.casesByID(ctx, a, id)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		dep := c.Department
		if department != "" {
			dep = department
		}
		if err := db.lockChain(ctx, tx, caseChain); err != nil {
			return err
		}
		// Staff's first update of a case acknowledges it: an emergency
		// nobody acknowledged is escalated to the station (escalation.go).
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE cases SET status = ?, department = ?, updated_at = ?,
 acknowledged_by = CASE WHEN acknowledged_at IS NULL THEN ? ELSE acknowledged_by END, acknowledged_at = COALESCE(acknowledged_at, ?)
 WHERE id = ?`), status, dep, now, a.Username, now, id); err != nil {
			return err
		}
		if err := db.appendCaseEvent(ctx, tx, &caseEvent{caseID: id, at: now, by: a.Username, status: status, note: note, department: department}); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "update", "case", id, map[string]string{"status": c.Status}, map[string]string{"status": status, "note": db.vault.SealText(note)})
	})
}
