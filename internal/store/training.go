package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/training"
)

// Training sessions and commendations (issue 15 point 6). Station staff
// hold sessions for any community of their street and may list any of the
// street's volunteers as attendees; community staff for their community
// with its volunteers. A volunteer reads the sessions they attended and
// their own commendations. Commendations are scoped like their volunteer.

// TrainingFilter narrows the session list.
type TrainingFilter struct {
	CommunityID int64
	VolunteerID int64 // sessions this volunteer attended
	From, To    time.Time
}

func trainingScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "t.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "t.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleVolunteer:
		return "t.id IN (SELECT session_id FROM training_attendees WHERE volunteer_id = ?)", []any{a.VolunteerID}, nil
	}
	return "", nil, care.ErrForbidden()
}

const trainingColumns = `t.id, t.street_id, t.community_id, c.name, t.topic, t.held_on, t.trainer, t.place, t.note, t.created_by, t.created_at, t.updated_at`

func scanTraining(row interface{ Scan(...any) error }) (*training.Session, error) {
	var s training.Session
	var held, created, updated string
	if err := row.Scan(&s.ID, &s.StreetID, &s.CommunityID, &s.Community, &s.Topic, &held, &s.Trainer, &s.Place, &s.Note,
		&s.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	s.HeldOn, s.CreatedAt, s.UpdatedAt = parseDate(held), parseStamp(created), parseStamp(updated)
	s.Attendees = []training.Attendee{}
	return &s, nil
}

// Trainings lists the sessions the actor may see, newest first, with
// their attendees (a volunteer sees only themself among them).
func (db *DB) Trainings(ctx context.Context, a care.Actor, f TrainingFilter) ([]training.Session, error) {
	scope, args, err := trainingScope(a)
	if err != nil {
		return nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, f.CommunityID); err != nil {
		return nil, err
	}
	q := "SELECT " + trainingColumns + " FROM training_sessions t JOIN communities c ON c.id = t.community_id WHERE " + scope
	if f.CommunityID != 0 {
		q, args = q+" AND t.community_id = ?", append(args, f.CommunityID)
	}
	if f.VolunteerID != 0 {
		if _, err := db.getVolunteer(ctx, db.read, a, f.VolunteerID); err != nil {
			return nil, err
		}
		q, args = q+" AND t.id IN (SELECT session_id FROM training_attendees WHERE volunteer_id = ?)", append(args, f.VolunteerID)
	}
	if !f.From.IsZero() {
		q, args = q+" AND t.held_on >= ?", append(args, dateString(f.From))
	}
	if !f.To.IsZero() {
		q, args = q+" AND t.held_on <= ?", append(args, dateString(f.To))
	}
	rows, err := db.read.QueryContext(ctx, db.q(q+" ORDER BY t.held_on DESC, t.id DESC LIMIT 500"), args...)
	if err != nil {
		return nil, err
	}
	var out []training.Session
	for rows.Next() {
		s, err := scanTraining(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		out = []training.Session{}
	}
	return out, db.attendees(ctx, db.read, a, out)
}

func (db *DB) attendees(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, a care.Actor, ss []training.Session) error {
	if len(ss) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]string, len(ss))
	for i := range ss {
		at[ss[i].ID], ids[i] = i, strconv.FormatInt(ss[i].ID, 10)
	}
	query := `SELECT ta.session_id, v.id, v.name, v.community_id FROM training_attendees ta JOIN volunteers v ON v.id = ta.volunteer_id
 WHERE ta.session_id IN (` + strings.Join(ids, ",") + `)`
	var args []any
	if a.Role == care.RoleVolunteer {
		query, args = query+" AND v.id = ?", []any{a.VolunteerID}
	}
	rows, err := q.QueryContext(ctx, db.q(query+" ORDER BY ta.session_id, v.id"), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sid int64
		var p training.Attendee
		if err := rows.Scan(&sid, &p.VolunteerID, &p.Name, &p.CommunityID); err != nil {
			return err
		}
		ss[at[sid]].Attendees = append(ss[at[sid]].Attendees, p)
	}
	return rows.Err()
}

func (db *DB) getTraining(ctx context.Context, q interface {
	querier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, a care.Actor, id int64) (*training.Session, error) {
	scope, args, err := trainingScope(a)
	if err != nil {
		return nil, err
	}
	s, err := scanTraining(q.QueryRowContext(ctx, db.q("SELECT "+trainingColumns+" FROM training_sessions t JOIN communities c ON c.id = t.community_id WHERE t.id = ? AND "+scope),
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("培训 / training session")
	}
	if err != nil {
		return nil, err
	}
	list := []training.Session{*s}
	if err := db.attendees(ctx, q, a, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// Training returns one session.
func (db *DB) Training(ctx context.Context, a care.Actor, id int64) (*training.Session, error) {
	return db.getTraining(ctx, db.read, a, id)
}

// SaveTraining records a session (s.ID 0) or corrects one, with its
// attendees: station and community staff, within their scope. An attendee
// outside the actor's volunteers is refused naming attendee_ids.
func (db *DB) SaveTraining(ctx context.Context, a care.Actor, s *training.Session) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	if a.Role == care.RoleCommunity && s.CommunityID == 0 {
		s.CommunityID = a.CommunityID
	}
	s.Normalize()
	if err := s.Validate(db.today()); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var before *training.Session
		if s.ID != 0 {
			old, err := db.getTraining(ctx, tx, a, s.ID)
			if err != nil {
				return err
			}
			before = old
		}
		if err := db.checkCommunityInScope(ctx, tx, a, s.CommunityID); err != nil {
			return err
		}
		scope, args, err := volunteerScope(a)
		if err != nil {
			return err
		}
		for i, p := range s.Attendees {
			err := tx.QueryRowContext(ctx, db.q("SELECT v.name, v.community_id FROM volunteers v WHERE v.id = ? AND "+scope), append([]any{p.VolunteerID}, args...)...).
				Scan(&s.Attendees[i].Name, &s.Attendees[i].CommunityID)
			if errors.Is(err, sql.ErrNoRows) {
				return care.FieldErrors{"attendee_ids": care.Msg{ZH: "参训志愿者 " + strconv.FormatInt(p.VolunteerID, 10) + " 不存在或不在您的管辖范围",
					EN: "attendee " + strconv.FormatInt(p.VolunteerID, 10) + " is not a volunteer in your scope"}}.Err()
			}
			if err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, db.q("SELECT street_id FROM communities WHERE id = ?"), s.CommunityID).Scan(&s.StreetID); err != nil {
			return err
		}
		now := db.now()
		if before == nil {
			s.CreatedBy, s.CreatedAt = a.Username, parseStamp(now)
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO training_sessions (street_id, community_id, topic, held_on, trainer, place, note, created_by, created_at, updated_at)
 VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`), s.StreetID, s.CommunityID, s.Topic, dateString(s.HeldOn), s.Trainer, s.Place, s.Note, a.Username, now, now).Scan(&s.ID); err != nil {
				return err
			}
		} else {
			s.CreatedBy, s.CreatedAt = before.CreatedBy, before.CreatedAt
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE training_sessions SET street_id = ?, community_id = ?, topic = ?, held_on = ?, trainer = ?, place = ?, note = ?, updated_at = ?
 WHERE id = ?`), s.StreetID, s.CommunityID, s.Topic, dateString(s.HeldOn), s.Trainer, s.Place, s.Note, now, s.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.q("DELETE FROM training_attendees WHERE session_id = ?"), s.ID); err != nil {
				return err
			}
		}
		for _, p := range s.Attendees {
			if _, err := tx.ExecContext(ctx, db.q("INSERT INTO training_attendees (session_id, volunteer_id) VALUES (?,?)"), s.ID, p.VolunteerID); err != nil {
				return err
			}
		}
		s.UpdatedAt = parseStamp(now)
		var c string
		if err := tx.QueryRowContext(ctx, db.q("SELECT name FROM communities WHERE id = ?"), s.CommunityID).Scan(&c); err != nil {
			return err
		}
		s.Community = c
		action := "create"
		var b any
		if before != nil {
			action, b = "update", before
		}
		return db.audit(ctx, tx, a, action, "training_session", s.ID, b, s)
	})
}

// Commendations are a volunteer's honours, newest first.
func (db *DB) Commendations(ctx context.Context, a care.Actor, volunteerID int64) ([]training.Commendation, error) {
	v, err := db.getVolunteer(ctx, db.read, a, volunteerID)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, community_id, title, awarded_on, reason, awarded_by, created_by, created_at
 FROM commendations WHERE volunteer_id = ? ORDER BY awarded_on DESC, id DESC`), volunteerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []training.Commendation{}
	for rows.Next() {
		c := training.Commendation{VolunteerID: volunteerID, Volunteer: v.Name}
		var on, at string
		if err := rows.Scan(&c.ID, &c.CommunityID, &c.Title, &on, &c.Reason, &c.AwardedBy, &c.CreatedBy, &at); err != nil {
			return nil, err
		}
		c.AwardedOn, c.CreatedAt = parseDate(on), parseStamp(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCommendation records a commendation of a volunteer in the actor's
// scope (station and community staff).
func (db *DB) AddCommendation(ctx context.Context, a care.Actor, c *training.Commendation) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	c.Normalize()
	if err := c.Validate(db.today()); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		v, err := db.getVolunteer(ctx, tx, a, c.VolunteerID)
		if err != nil {
			return err
		}
		now := db.now()
		c.Volunteer, c.CommunityID, c.CreatedBy, c.CreatedAt = v.Name, v.CommunityID, a.Username, parseStamp(now)
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO commendations (volunteer_id, community_id, title, awarded_on, reason, awarded_by, created_by, created_at)
 VALUES (?,?,?,?,?,?,?,?) RETURNING id`), c.VolunteerID, c.CommunityID, c.Title, dateString(c.AwardedOn), c.Reason, c.AwardedBy, a.Username, now).Scan(&c.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "commendation", c.ID, nil, c)
	})
}
