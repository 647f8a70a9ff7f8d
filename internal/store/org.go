package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"carecircle/internal/care"
)

// CreateStreet adds a street office (admin only).
func (db *DB) CreateStreet(ctx context.Context, a care.Actor, s *care.Street) error {
	if a.Role != care.RoleAdmin {
		return care.ErrForbidden()
	}
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return care.FieldErrors{"name": care.MsgRequired}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, db.q("INSERT INTO streets (name, district, city) VALUES (?,?,?) RETURNING id"),
			s.Name, s.District, s.City).Scan(&s.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "street", s.ID, nil, s)
	})
}

// Streets lists the streets the actor belongs to (all for admin and for a
// district viewer without a street).
func (db *DB) Streets(ctx context.Context, a care.Actor) ([]care.Street, error) {
	query, args := "SELECT id, name, district, city FROM streets ORDER BY id", []any{}
	if a.Role != care.RoleAdmin && a.StreetID != 0 {
		query, args = "SELECT id, name, district, city FROM streets WHERE id = ? ORDER BY id", []any{a.StreetID}
	}
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []care.Street
	for rows.Next() {
		var s care.Street
		if err := rows.Scan(&s.ID, &s.Name, &s.District, &s.City); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Communities lists the communities the actor may see, with their buildings.
func (db *DB) Communities(ctx context.Context, a care.Actor) ([]care.Community, error) {
	scope, args := communityScope(a)
	rows, err := db.read.QueryContext(ctx, db.q("SELECT c.id, c.street_id, c.name, c.code FROM communities c WHERE "+scope+" ORDER BY c.id"), args...)
	if err != nil {
		return nil, err
	}
	var out []care.Community
	for rows.Next() {
		var c care.Community
		if err := rows.Scan(&c.ID, &c.StreetID, &c.Name, &c.Code); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Buildings, err = db.buildings(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) buildings(ctx context.Context, communityID int64) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT name FROM buildings WHERE community_id = ? ORDER BY position, id"), communityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// GetCommunity returns one community the actor may see.
func (db *DB) GetCommunity(ctx context.Context, a care.Actor, id int64) (*care.Community, error) {
	scope, args := communityScope(a)
	var c care.Community
	err := db.read.QueryRowContext(ctx, db.q("SELECT c.id, c.street_id, c.name, c.code FROM communities c WHERE c.id = ? AND "+scope),
		append([]any{id}, args...)...).Scan(&c.ID, &c.StreetID, &c.Name, &c.Code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("社区 / community")
	}
	if err != nil {
		return nil, err
	}
	c.Buildings, err = db.buildings(ctx, id)
	return &c, err
}

// SaveCommunity creates (ID 0) or updates a community and its buildings.
// Buildings are only added or reordered, never removed, because elders'
// addresses refer to them.
func (db *DB) SaveCommunity(ctx context.Context, a care.Actor, c *care.Community) error {
	if !a.ManagesOrg() {
		return care.ErrForbidden()
	}
	var err error
	if c.StreetID, err = db.orgStreet(ctx, a, c.StreetID); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var before any
		if c.ID == 0 {
			if err := tx.QueryRowContext(ctx, db.q("INSERT INTO communities (street_id, name, code) VALUES (?,?,?) RETURNING id"),
				c.StreetID, c.Name, c.Code).Scan(&c.ID); err != nil {
				return err
			}
		} else {
			old, err := db.GetCommunity(ctx, a, c.ID)
			if err != nil {
				return err
			}
			if c.StreetID != old.StreetID {
				return care.FieldErrors{"street_id": msgStreetFixed}.Err()
			}
			before = old
			for _, b := range old.Buildings {
				if !containsStr(c.Buildings, b) {
					c.Buildings = append(c.Buildings, b)
				}
			}
			if _, err := tx.ExecContext(ctx, db.q("UPDATE communities SET name = ?, code = ? WHERE id = ?"), c.Name, c.Code, c.ID); err != nil {
				return err
			}
		}
		for i, b := range c.Buildings {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO buildings (community_id, name, position) VALUES (?,?,?)
 ON CONFLICT (community_id, name) DO UPDATE SET position = excluded.position`), c.ID, b, i); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "save", "community", c.ID, before, c)
	})
}

var msgStreetFixed = care.Msg{ZH: "不能移到另一个街道", EN: "cannot move to another street"}

// orgStreet is the street a community or clinic is saved in: the station's
// own street when none is given, and a street the actor cannot see is 404
// rather than quietly replaced by the station's own.
func (db *DB) orgStreet(ctx context.Context, a care.Actor, streetID int64) (int64, error) {
	if a.Role == care.RoleStation {
		if streetID != 0 && streetID != a.StreetID {
			return 0, care.ErrNotFound("街道 / street")
		}
		return a.StreetID, nil
	}
	if streetID == 0 {
		return 0, nil // Validate names the missing street
	}
	var n int
	if err := db.read.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM streets WHERE id = ?"), streetID).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, care.ErrNotFound("街道 / street")
	}
	return streetID, nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Clinics lists the clinics of the actor's street with the communities each serves.
func (db *DB) Clinics(ctx context.Context, a care.Actor) ([]care.Clinic, error) {
	query, args := "SELECT id, street_id, name, phone, address FROM clinics ORDER BY id", []any{}
	if a.Role != care.RoleAdmin {
		query, args = "SELECT id, street_id, name, phone, address FROM clinics WHERE street_id = ? ORDER BY id", []any{a.StreetID}
	}
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	var out []care.Clinic
	for rows.Next() {
		var c care.Clinic
		if err := rows.Scan(&c.ID, &c.StreetID, &c.Name, &c.Phone, &c.Address); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].CommunityIDs, err = db.clinicCommunities(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetClinic returns one clinic of the actor's street.
func (db *DB) GetClinic(ctx context.Context, a care.Actor, id int64) (*care.Clinic, error) {
	all, err := db.Clinics(ctx, a)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, care.ErrNotFound("卫生服务机构 / clinic")
}

func (db *DB) clinicCommunities(ctx context.Context, clinicID int64) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT community_id FROM clinic_communities WHERE clinic_id = ? ORDER BY community_id"), clinicID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SaveClinic creates (ID 0) or updates a clinic and the communities it serves.
func (db *DB) SaveClinic(ctx context.Context, a care.Actor, c *care.Clinic) error {
	if !a.ManagesOrg() {
		return care.ErrForbidden()
	}
	var err error
	if c.StreetID, err = db.orgStreet(ctx, a, c.StreetID); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, cid := range c.CommunityIDs {
			var n int
			if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM communities WHERE id = ? AND street_id = ?"), cid, c.StreetID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return care.FieldErrors{"community_ids": care.MsgUnknownComm}.Err()
			}
		}
		var before any
		if c.ID == 0 {
			if err := tx.QueryRowContext(ctx, db.q("INSERT INTO clinics (street_id, name, phone, address) VALUES (?,?,?,?) RETURNING id"),
				c.StreetID, c.Name, c.Phone, c.Address).Scan(&c.ID); err != nil {
				return err
			}
		} else {
			old, err := db.GetClinic(ctx, a, c.ID)
			if err != nil {
				return err
			}
			if c.StreetID != old.StreetID {
				return care.FieldErrors{"street_id": msgStreetFixed}.Err()
			}
			before = old
			if _, err := tx.ExecContext(ctx, db.q("UPDATE clinics SET name = ?, phone = ?, address = ? WHERE id = ?"), c.Name, c.Phone, c.Address, c.ID); err != nil {
				return err
			}
		}
		// Communities served are added, never dropped here: elders assigned
		// to the clinic depend on the link.
		for _, cid := range c.CommunityIDs {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO clinic_communities (clinic_id, community_id) VALUES (?,?)
 ON CONFLICT (clinic_id, community_id) DO NOTHING`), c.ID, cid); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "save", "clinic", c.ID, before, c)
	})
}
