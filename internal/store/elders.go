package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"carecircle/internal/care"
)

// Status filters of the elder list beyond one status: the elders in
// service (active or paused, the pages' default: the deceased and the
// moved are listed only when asked for) and every elder.
const (
	StatusInService = "in_service"
	StatusAll       = "all"
)

// ElderFilter selects elders for lists and search. Zero values do not filter.
type ElderFilter struct {
	CommunityID     int64
	ClinicID        int64
	Category        string
	SelfCare        string
	Status          string
	LivingSituation string
	Priority        int
	// Q matches part of the name or phone number.
	Q string
	// IDNumber finds the elder with exactly this ID number (by keyed hash).
	IDNumber string
	Limit    int
	Offset   int
}

const elderColumns = `e.id, e.community_id, e.name, e.gender, e.birth_date, e.lunar_birthday, e.id_masked,
 e.phone, e.building, e.unit, e.room, e.lat, e.lon, e.living_situation, e.self_care, e.categories,
 e.needs, e.emergency_contacts, e.wishes, e.notes, e.status, e.priority_override, e.priority_reason,
 e.clinic_id, e.consent, e.created_at, e.updated_at`

// scanElder reads an elder row; the health notes are decrypted.
func (db *DB) scanElder(row interface{ Scan(...any) error }) (*care.Elder, error) {
	var e care.Elder
	var birth, cats, needs, contacts, wishes, created, updated string
	var gender string
	var override sql.NullInt64
	var clinic sql.NullInt64
	var lat, lon sql.NullFloat64
	err := row.Scan(&e.ID, &e.CommunityID, &e.Name, &gender, &birth, &e.LunarBirthday, &e.IDMasked,
		&e.Phone, &e.Building, &e.Unit, &e.Room, &lat, &lon, &e.LivingSituation, &e.SelfCare, &cats,
		&needs, &contacts, &wishes, &e.Notes, &e.Status, &override, &e.PriorityReason,
		&clinic, &e.Consent, &created, &updated)
	if err != nil {
		return nil, err
	}
	if e.Notes, err = db.vault.OpenText(e.Notes); err != nil {
		return nil, fmt.Errorf("elder %d notes: %w", e.ID, err)
	}
	e.Gender = care.Gender(gender)
	e.BirthDate = parseDate(birth)
	e.Categories, e.Needs = splitSet(cats), splitSet(needs)
	if err := json.Unmarshal([]byte(contacts), &e.EmergencyContacts); err != nil {
		return nil, fmt.Errorf("elder %d contacts: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(wishes), &e.Wishes); err != nil {
		return nil, fmt.Errorf("elder %d wishes: %w", e.ID, err)
	}
	if override.Valid {
		p := int(override.Int64)
		e.PriorityOverride = &p
	}
	if clinic.Valid {
		e.ClinicID = &clinic.Int64
	}
	if lat.Valid && lon.Valid {
		e.Lat, e.Lon = &lat.Float64, &lon.Float64
	}
	e.CreatedAt, e.UpdatedAt = parseStamp(created), parseStamp(updated)
	return &e, nil
}

// ListElders returns one page of the elders the actor may see and the total
// number matching the filter.
func (db *DB) ListElders(ctx context.Context, a care.Actor, f ElderFilter) ([]care.Elder, int, error) {
	where, args, err := db.elderWhere(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.read.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM elders e WHERE "+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count elders: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+elderColumns+" FROM elders e WHERE "+where+
		" ORDER BY e.priority DESC, e.id LIMIT ? OFFSET ?"), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list elders: %w", err)
	}
	defer rows.Close()
	var out []care.Elder
	for rows.Next() {
		e, err := db.scanElder(rows)
		if err != nil {
			return nil, 0, err
		}
		redactElder(a, e)
		out = append(out, *e)
	}
	return out, total, rows.Err()
}

func (db *DB) elderWhere(ctx context.Context, a care.Actor, f ElderFilter) (string, []any, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return "", nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, f.CommunityID); err != nil {
		return "", nil, err
	}
	if f.ClinicID != 0 {
		// Like a community, a clinic the actor cannot see is 404, never an
		// empty list or export.
		if _, err := db.GetClinic(ctx, a, f.ClinicID); err != nil {
			return "", nil, err
		}
	}
	conds := []string{scope}
	add := func(cond string, v ...any) {
		conds = append(conds, cond)
		args = append(args, v...)
	}
	if f.CommunityID > 0 {
		add("e.community_id = ?", f.CommunityID)
	}
	if f.ClinicID > 0 {
		add("e.clinic_id = ?", f.ClinicID)
	}
	if f.Category == "advanced_age" {
		cutoff := db.today().AddDate(-care.AdvancedAge, 0, 0)
		add("e.birth_date <= ?", dateString(cutoff))
	} else if f.Category != "" {
		add("e.categories LIKE ?", setContains(f.Category))
	}
	if f.SelfCare != "" {
		add("e.self_care = ?", f.SelfCare)
	}
	switch f.Status {
	case "", StatusAll:
	case StatusInService:
		add("e.status IN ('active', 'paused')")
	default:
		add("e.status = ?", f.Status)
	}
	if f.LivingSituation != "" {
		add("e.living_situation = ?", f.LivingSituation)
	}
	if f.Priority > 0 {
		add("e.priority = ?", f.Priority)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pat := "%" + likeEscape(q) + "%"
		add(`(e.name LIKE ? ESCAPE '\' OR e.phone LIKE ? ESCAPE '\')`, pat, pat)
	}
	if f.IDNumber != "" {
		add("e.id_hash = ?", db.vault.Hash(care.NormalizeIDNumber(f.IDNumber)))
	}
	return strings.Join(conds, " AND "), args, nil
}

// GetElder returns one elder the actor may see; elders outside the actor's
// scope are reported as not found.
func (db *DB) GetElder(ctx context.Context, a care.Actor, id int64) (*care.Elder, error) {
	e, err := db.getElder(ctx, hotReads{db}, a, id)
	if err != nil {
		return nil, err
	}
	redactElder(a, e)
	return e, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) getElder(ctx context.Context, q querier, a care.Actor, id int64) (*care.Elder, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	row := q.QueryRowContext(ctx, db.q("SELECT "+elderColumns+" FROM elders e WHERE e.id = ? AND "+scope), append([]any{id}, args...)...)
	e, err := db.scanElder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("服务对象 / elder")
	}
	return e, err
}

// CreateElder validates and registers an elder; e.ID is set on success.
func (db *DB) CreateElder(ctx context.Context, a care.Actor, e *care.Elder) error {
	return db.CreateElders(ctx, a, []*care.Elder{e})
}

// RowError is the validation error of one elder of a batch (Index is its
// position in the batch).
type RowError struct {
	Index int
	Err   error
}

// BatchError lists every invalid elder of a batch; nothing of the batch was saved.
type BatchError struct{ Rows []RowError }

func (b *BatchError) Error() string {
	return fmt.Sprintf("%d of the records are invalid; nothing was saved (first: row %d: %v)", len(b.Rows), b.Rows[0].Index, b.Rows[0].Err)
}

// CreateElders registers a batch of elders in one transaction: all or none.
// A batch of one returns its validation error as is; a larger batch returns
// a *BatchError naming every invalid elder.
func (db *DB) CreateElders(ctx context.Context, a care.Actor, es []*care.Elder) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	var bad []RowError
	for i, e := range es {
		e.Normalize()
		if err := e.Validate(db.today(), true); err != nil {
			bad = append(bad, RowError{i, err})
		}
	}
	if len(es) == 1 && len(bad) == 1 {
		return bad[0].Err
	}
	if len(bad) > 0 {
		return &BatchError{Rows: bad}
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, db.q(insertElderSQL))
		if err != nil {
			return err
		}
		defer ins.Close()
		checked := map[int64]bool{}
		for i, e := range es {
			if !checked[e.CommunityID] {
				if err := db.checkCommunityInScope(ctx, tx, a, e.CommunityID); err != nil {
					return rowErr(len(es), i, err)
				}
				checked[e.CommunityID] = true
			}
			if err := db.checkClinic(ctx, tx, e.ClinicID, e.CommunityID); err != nil {
				return rowErr(len(es), i, err)
			}
			if err := db.insertElder(ctx, tx, ins, a, e); err != nil {
				return rowErr(len(es), i, err)
			}
		}
		return nil
	})
}

const insertElderSQL = `INSERT INTO elders (street_id, community_id, name, gender, birth_date, lunar_birthday,
 id_enc, id_hash, id_masked, phone, building, unit, room, lat, lon, living_situation, self_care, categories, needs,
 emergency_contacts, wishes, notes, status, priority, priority_override, priority_reason, clinic_id, consent,
 created_at, updated_at) VALUES ((SELECT street_id FROM communities WHERE id = ?),?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`

// insertElder writes one validated, in-scope elder with its first status
// entry and its audit entry inside tx; ins is insertElderSQL prepared on tx,
// so that a batch of thousands does not parse the statement per elder.
func (db *DB) insertElder(ctx context.Context, tx *sql.Tx, ins *sql.Stmt, a care.Actor, e *care.Elder) error {
	now := db.now()
	err := ins.QueryRowContext(ctx, e.CommunityID,
		e.CommunityID, e.Name, string(e.Gender), dateString(e.BirthDate), e.LunarBirthday,
		db.vault.Seal(e.IDNumber), db.vault.Hash(e.IDNumber), care.MaskIDNumber(e.IDNumber),
		e.Phone, e.Building, e.Unit, e.Room, e.Lat, e.Lon, e.LivingSituation, e.SelfCare,
		joinSet(e.Categories), joinSet(e.Needs), toJSON(contactsOrEmpty(e.EmergencyContacts)), toJSON(e.Wishes), db.vault.SealText(e.Notes),
		e.Status, e.Priority(db.today()), e.PriorityOverride, e.PriorityReason, e.ClinicID, e.Consent, now, now,
	).Scan(&e.ID)
	if err := idConflict(err); err != nil {
		return err
	}
	e.IDMasked = care.MaskIDNumber(e.IDNumber)
	if e.Status != "active" {
		// Registered as already paused, moved or deceased: the history
		// says so from the start.
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO elder_status_history (elder_id, from_status, to_status, reason, at, by_user)
 VALUES (?,?,?,?,?,?)`), e.ID, "", e.Status, "登记时状态 / status at registration", db.now(), a.Username); err != nil {
			return err
		}
	}
	return db.audit(ctx, tx, a, "create", "elder", e.ID, nil, db.auditElder(e))
}

func rowErr(n, i int, err error) error {
	if n == 1 || care.ErrorCode(err) != care.EInvalid {
		return err
	}
	return &BatchError{Rows: []RowError{{i, err}}}
}

// UpdateElder saves changed fields of an existing elder. An empty IDNumber
// keeps the stored one. A change of status is written to the status history
// with statusReason.
func (db *DB) UpdateElder(ctx context.Context, a care.Actor, e *care.Elder, statusReason string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	e.Normalize()
	return db.tx(ctx, func(tx *sql.Tx) error {
		old, err := db.getElder(ctx, tx, a, e.ID)
		if err != nil {
			return err
		}
		if e.IDNumber == "" {
			// Check agreement with the kept number too: a changed birth date
			// must still agree with the ID on file.
			if e.IDNumber, err = db.elderIDNumber(ctx, tx, e.ID); err != nil {
				return err
			}
		}
		if err := e.Validate(db.today(), true); err != nil {
			return err
		}
		if err := db.checkReviewedChange(ctx, tx, old, e); err != nil {
			return err
		}
		if e.Status != old.Status && strings.TrimSpace(statusReason) == "" {
			return care.FieldErrors{"status_reason": care.Msg{ZH: "更改状态须写明原因", EN: "a reason is required to change the status"}}.Err()
		}
		if err := db.checkCommunityInScope(ctx, tx, a, e.CommunityID); err != nil {
			return err
		}
		if err := db.checkClinic(ctx, tx, e.ClinicID, e.CommunityID); err != nil {
			return err
		}
		return db.updateElder(ctx, tx, nil, a, old, e, statusReason)
	})
}

const updateElderSQL = `UPDATE elders SET street_id=(SELECT street_id FROM communities WHERE id = ?), community_id=?, name=?, gender=?, birth_date=?, lunar_birthday=?,
 id_enc=?, id_hash=?, id_masked=?, phone=?, building=?, unit=?, room=?, lat=?, lon=?, living_situation=?, self_care=?,
 categories=?, needs=?, emergency_contacts=?, wishes=?, notes=?, status=?, priority=?, priority_override=?,
 priority_reason=?, clinic_id=?, consent=?, updated_at=? WHERE id=?`

// updateElder writes a validated, in-scope change of old into e inside tx,
// with the status history when the status changed and the audit entry. upd
// is updateElderSQL prepared on tx for batches, or nil.
func (db *DB) updateElder(ctx context.Context, tx *sql.Tx, upd *sql.Stmt, a care.Actor, old, e *care.Elder, statusReason string) error {
	args := []any{e.CommunityID, e.CommunityID, e.Name, string(e.Gender), dateString(e.BirthDate), e.LunarBirthday,
		db.vault.Seal(e.IDNumber), db.vault.Hash(e.IDNumber), care.MaskIDNumber(e.IDNumber),
		e.Phone, e.Building, e.Unit, e.Room, e.Lat, e.Lon, e.LivingSituation, e.SelfCare,
		joinSet(e.Categories), joinSet(e.Needs), toJSON(contactsOrEmpty(e.EmergencyContacts)), toJSON(e.Wishes), db.vault.SealText(e.Notes),
		e.Status, e.Priority(db.today()), e.PriorityOverride, e.PriorityReason, e.ClinicID, e.Consent, db.now(), e.ID}
	var err error
	if upd != nil {
		_, err = upd.ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, db.q(updateElderSQL), args...)
	}
	if err := idConflict(err); err != nil {
		return err
	}
	if e.Status != old.Status {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO elder_status_history (elder_id, from_status, to_status, reason, at, by_user)
 VALUES (?,?,?,?,?,?)`), e.ID, old.Status, e.Status, strings.TrimSpace(statusReason), db.now(), a.Username); err != nil {
			return err
		}
		if err := db.followStatus(ctx, tx, a, old, e, statusReason); err != nil {
			return err
		}
	}
	e.IDMasked = care.MaskIDNumber(e.IDNumber)
	e.CreatedAt = old.CreatedAt
	return db.audit(ctx, tx, a, "update", "elder", e.ID, db.auditElder(old), db.auditElder(e))
}

func contactsOrEmpty(c []care.Contact) []care.Contact {
	if c == nil {
		return []care.Contact{}
	}
	return c
}

func idConflict(err error) error {
	if err == nil {
		return nil
	}
	if care.ErrorCode(normalize(err)) == care.EConflict {
		return care.FieldErrors{"id_number": care.MsgIDTaken}.Err()
	}
	return err
}

func (db *DB) elderIDNumber(ctx context.Context, q querier, id int64) (string, error) {
	var sealed []byte
	if err := q.QueryRowContext(ctx, db.q("SELECT id_enc FROM elders WHERE id = ?"), id).Scan(&sealed); err != nil {
		return "", err
	}
	return db.vault.Open(sealed)
}

// RevealElderID returns the full ID number to staff who may see it, and
// writes the reveal to the audit log in the same transaction: no reveal
// without its audit entry.
func (db *DB) RevealElderID(ctx context.Context, a care.Actor, id int64) (string, error) {
	if !a.RevealsIDs() {
		return "", care.ErrForbidden()
	}
	var plain string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getElder(ctx, tx, a, id); err != nil {
			return err
		}
		var err error
		if plain, err = db.elderIDNumber(ctx, tx, id); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "reveal_id_number", "elder", id, nil, nil)
	})
	return plain, err
}

// ElderStatusHistory returns the status changes of an elder, oldest first.
func (db *DB) ElderStatusHistory(ctx context.Context, a care.Actor, id int64) ([]care.StatusChange, error) {
	if _, err := db.getElder(ctx, db.read, a, id); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT from_status, to_status, reason, at, by_user
 FROM elder_status_history WHERE elder_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []care.StatusChange
	for rows.Next() {
		c := care.StatusChange{ElderID: id}
		var at string
		if err := rows.Scan(&c.From, &c.To, &c.Reason, &at, &c.ByUser); err != nil {
			return nil, err
		}
		c.At = parseStamp(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// auditElder is the elder as written to the audit log: never the plain ID
// number, and the health notes encrypted as in the elders table.
func (db *DB) auditElder(e *care.Elder) any {
	c := *e
	c.IDNumber = ""
	c.Notes = db.vault.SealText(c.Notes)
	return c
}

func (db *DB) checkCommunityInScope(ctx context.Context, tx *sql.Tx, a care.Actor, communityID int64) error {
	ok := false
	switch a.Role {
	case care.RoleCommunity:
		ok = communityID == a.CommunityID
	case care.RoleStation:
		var n int
		if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM communities WHERE id = ? AND street_id = ?"), communityID, a.StreetID).Scan(&n); err != nil {
			return err
		}
		ok = n == 1
	}
	if !ok {
		return care.FieldErrors{"community_id": care.MsgUnknownComm}.Err()
	}
	return nil
}

var msgClinicElsewhere = care.Msg{ZH: "该卫生服务机构不服务此社区", EN: "this clinic does not serve the elder's community"}

// checkClinic makes sure an assigned clinic serves the elder's community.
func (db *DB) checkClinic(ctx context.Context, tx *sql.Tx, clinicID *int64, communityID int64) error {
	if clinicID == nil {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM clinic_communities WHERE clinic_id = ? AND community_id = ?"), *clinicID, communityID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return care.FieldErrors{"clinic_id": msgClinicElsewhere}.Err()
	}
	return nil
}

// RefreshPriorities recomputes the stored priority of every elder, because
// 高龄 (and with it the priority) changes on an 80th birthday without any edit.
func (db *DB) RefreshPriorities(ctx context.Context) (changed int, err error) {
	type row struct {
		id   int64
		prio int
	}
	var updates []row
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, e.birth_date, e.living_situation, e.self_care, e.categories, e.priority_override, e.priority FROM elders e`)
	if err != nil {
		return 0, err
	}
	today := db.today()
	for rows.Next() {
		var e care.Elder
		var birth, cats string
		var override sql.NullInt64
		var stored int
		if err := rows.Scan(&e.ID, &birth, &e.LivingSituation, &e.SelfCare, &cats, &override, &stored); err != nil {
			rows.Close()
			return 0, err
		}
		e.BirthDate, e.Categories = parseDate(birth), splitSet(cats)
		if override.Valid {
			p := int(override.Int64)
			e.PriorityOverride = &p
		}
		if p := e.Priority(today); p != stored {
			updates = append(updates, row{e.ID, p})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for _, u := range updates {
			if _, err := tx.ExecContext(ctx, db.q("UPDATE elders SET priority = ? WHERE id = ?"), u.prio, u.id); err != nil {
				return err
			}
		}
		return nil
	})
	return len(updates), err
}
