package store

import (
	"context"
	"database/sql"
	"time"

	"carecircle/internal/care"
)

// Pairing is a volunteer's place in an elder's care team (服务圈).
type Pairing struct {
	ID          int64
	ElderID     int64
	VolunteerID int64
	Responsible bool
	StartedOn   time.Time
	EndedOn     *time.Time
	EndReason   string
}

// CreatePairing puts a volunteer in an elder's team. Both must be within the
// actor's scope.
func (db *DB) CreatePairing(ctx context.Context, a care.Actor, p *Pairing) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getElder(ctx, tx, a, p.ElderID); err != nil {
			return err
		}
		if _, err := db.getVolunteer(ctx, tx, a, p.VolunteerID); err != nil {
			return err
		}
		if p.StartedOn.IsZero() {
			p.StartedOn = db.today()
		}
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO pairings (elder_id, volunteer_id, responsible, started_on, created_at)
 VALUES (?,?,?,?,?) RETURNING id`), p.ElderID, p.VolunteerID, p.Responsible, dateString(p.StartedOn), db.now()).Scan(&p.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "pairing", p.ID, nil, p)
	})
}

// TeamMember is a volunteer in an elder's team as shown on the elder's page.
type TeamMember struct {
	Pairing
	Name  string
	Kind  string
	Phone string
}

// ElderTeam lists the current and past members of an elder's team, current first.
func (db *DB) ElderTeam(ctx context.Context, a care.Actor, elderID int64) ([]TeamMember, error) {
	if _, err := db.getElder(ctx, db.read, a, elderID); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT p.id, p.elder_id, p.volunteer_id, p.responsible, p.started_on, p.ended_on,
 p.end_reason, v.name, v.kind, v.phone FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
 WHERE p.elder_id = ? ORDER BY (p.ended_on IS NULL) DESC, p.started_on, p.id`), elderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		var started string
		var ended sql.NullString
		if err := rows.Scan(&m.ID, &m.ElderID, &m.VolunteerID, &m.Responsible, &started, &ended, &m.EndReason, &m.Name, &m.Kind, &m.Phone); err != nil {
			return nil, err
		}
		m.StartedOn = parseDate(started)
		if ended.Valid {
			t := parseDate(ended.String)
			m.EndedOn = &t
		}
		if a.Role == care.RoleVolunteer && m.VolunteerID != a.VolunteerID {
			m.Phone = "" // a volunteer sees teammates by name, not their phone
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
