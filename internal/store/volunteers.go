package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"carecircle/internal/care"
)

// VolunteerFilter selects volunteers. Zero values do not filter.
type VolunteerFilter struct {
	CommunityID int64
	Kind        string
	Status      string
	Q           string // part of name or phone
	Limit       int
	Offset      int
}

const volunteerColumns = `v.id, v.community_id, v.name, v.gender, v.birth_date, v.phone, v.kind, v.address, v.lat, v.lon,
 v.capacity, v.skills, v.availability, v.team, v.status, v.training, v.honours, v.hours_tenths, v.created_at, v.updated_at`

func scanVolunteer(row interface{ Scan(...any) error }) (*care.Volunteer, error) {
	var v care.Volunteer
	var gender, birth, skills, created, updated string
	var lat, lon sql.NullFloat64
	if err := row.Scan(&v.ID, &v.CommunityID, &v.Name, &gender, &birth, &v.Phone, &v.Kind, &v.Address, &lat, &lon,
		&v.Capacity, &skills, &v.Availability, &v.Team, &v.Status, &v.Training, &v.Honours, &v.HoursTenths, &created, &updated); err != nil {
		return nil, err
	}
	v.Gender, v.BirthDate, v.Skills = care.Gender(gender), parseDate(birth), splitSet(skills)
	if lat.Valid && lon.Valid {
		v.Lat, v.Lon = &lat.Float64, &lon.Float64
	}
	v.CreatedAt, v.UpdatedAt = parseStamp(created), parseStamp(updated)
	return &v, nil
}

// ListVolunteers returns one page of the volunteers the actor may see and the total.
func (db *DB) ListVolunteers(ctx context.Context, a care.Actor, f VolunteerFilter) ([]care.Volunteer, int, error) {
	where, args, err := db.volunteerWhere(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.read.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM volunteers v WHERE "+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count volunteers: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+volunteerColumns+" FROM volunteers v WHERE "+where+" ORDER BY v.id LIMIT ? OFFSET ?"),
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list volunteers: %w", err)
	}
	defer rows.Close()
	var out []care.Volunteer
	for rows.Next() {
		v, err := scanVolunteer(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *v)
	}
	return out, total, rows.Err()
}

func (db *DB) volunteerWhere(ctx context.Context, a care.Actor, f VolunteerFilter) (string, []any, error) {
	scope, args, err := volunteerScope(a)
	if err != nil {
		return "", nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, f.CommunityID); err != nil {
		return "", nil, err
	}
	conds := []string{scope}
	add := func(cond string, v ...any) { conds = append(conds, cond); args = append(args, v...) }
	if f.CommunityID > 0 {
		add("v.community_id = ?", f.CommunityID)
	}
	if f.Kind != "" {
		add("v.kind = ?", f.Kind)
	}
	if f.Status != "" {
		add("v.status = ?", f.Status)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pat := "%" + likeEscape(q) + "%"
		add(`(v.name LIKE ? ESCAPE '\' OR v.phone LIKE ? ESCAPE '\')`, pat, pat)
	}
	return strings.Join(conds, " AND "), args, nil
}

// GetVolunteer returns one volunteer the actor may see.
func (db *DB) GetVolunteer(ctx context.Context, a care.Actor, id int64) (*care.Volunteer, error) {
	return db.getVolunteer(ctx, db.read, a, id)
}

func (db *DB) getVolunteer(ctx context.Context, q querier, a care.Actor, id int64) (*care.Volunteer, error) {
	scope, args, err := volunteerScope(a)
	if err != nil {
		return nil, err
	}
	v, err := scanVolunteer(q.QueryRowContext(ctx, db.q("SELECT "+volunteerColumns+" FROM volunteers v WHERE v.id = ? AND "+scope), append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("志愿者 / volunteer")
	}
	return v, err
}

// CreateVolunteer validates and registers a volunteer.
func (db *DB) CreateVolunteer(ctx context.Context, a care.Actor, v *care.Volunteer) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	v.Normalize()
	if err := v.Validate(db.today()); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.checkCommunityInScope(ctx, tx, a, v.CommunityID); err != nil {
			return err
		}
		return db.insertVolunteer(ctx, tx, a, v)
	})
}

// insertVolunteer writes one validated, in-scope volunteer and its audit
// entry inside tx.
func (db *DB) insertVolunteer(ctx context.Context, tx *sql.Tx, a care.Actor, v *care.Volunteer) error {
	now := db.now()
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO volunteers (community_id, name, gender, birth_date, phone, kind, address,
 lat, lon, capacity, skills, availability, team, status, training, honours, hours_tenths, created_at, updated_at)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
		v.CommunityID, v.Name, string(v.Gender), dateString(v.BirthDate), v.Phone, v.Kind, v.Address, v.Lat, v.Lon,
		v.Capacity, joinSet(v.Skills), v.Availability, v.Team, v.Status, v.Training, v.Honours, v.HoursTenths, now, now,
	).Scan(&v.ID); err != nil {
		return err
	}
	if err := db.creditOpening(ctx, tx, a, v); err != nil { // typed hours: the opening balance (hours.go)
		return err
	}
	return db.audit(ctx, tx, a, "create", "volunteer", v.ID, nil, v)
}

// UpdateVolunteer saves an existing volunteer.
func (db *DB) UpdateVolunteer(ctx context.Context, a care.Actor, v *care.Volunteer) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	v.Normalize()
	if err := v.Validate(db.today()); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		old, err := db.getVolunteer(ctx, tx, a, v.ID)
		if err != nil {
			return err
		}
		if err := db.checkCommunityInScope(ctx, tx, a, v.CommunityID); err != nil {
			return err
		}
		return db.updateVolunteer(ctx, tx, a, old, v)
	})
}

// updateVolunteer writes a validated, in-scope change of old into v inside
// tx with its audit entry.
func (db *DB) updateVolunteer(ctx context.Context, tx *sql.Tx, a care.Actor, old, v *care.Volunteer) error {
	v.HoursTenths = old.HoursTenths // the opening balance, imported once: hours are the ledger's (hours.go)
	v.Training = old.Training       // the register's free text, kept read-only as history: training is recorded as sessions (training.go)
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE volunteers SET community_id=?, name=?, gender=?, birth_date=?, phone=?, kind=?,
 address=?, lat=?, lon=?, capacity=?, skills=?, availability=?, team=?, status=?, training=?, honours=?, hours_tenths=?,
 updated_at=? WHERE id=?`),
		v.CommunityID, v.Name, string(v.Gender), dateString(v.BirthDate), v.Phone, v.Kind, v.Address, v.Lat, v.Lon,
		v.Capacity, joinSet(v.Skills), v.Availability, v.Team, v.Status, v.Training, v.Honours, v.HoursTenths, db.now(), v.ID); err != nil {
		return err
	}
	v.CreatedAt = old.CreatedAt
	if v.Status == "left" && old.Status != "left" {
		if err := db.disableLeftVolunteer(ctx, tx, a, v.ID); err != nil {
			return err
		}
	}
	return db.audit(ctx, tx, a, "update", "volunteer", v.ID, old, v)
}
