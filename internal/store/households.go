package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Households (包户, README "包户 / Households"): elders living together.
// Membership has from/to dates and is never deleted, so the history stays;
// an elder is in at most one current household, and the members of a
// household are of one community. Community staff and the station form and
// change households; everyone who may see a member sees the household.

// Household is a household with its members, current ones first.
type Household struct {
	ID            int64
	CommunityID   int64
	CommunityName string
	Name          string
	Note          string
	CreatedAt     time.Time
	CreatedBy     string
	Members       []HouseholdMember
	// CountsOnce is the street's rule: a volunteer serving the household
	// gives it one place (true) or one per member.
	CountsOnce bool
}

// HouseholdMember is an elder's membership of a household.
type HouseholdMember struct {
	ID        int64
	ElderID   int64
	ElderName string
	Status    string // the elder's status
	From      time.Time
	To        *time.Time
	EndReason string
}

// Current reports whether the membership is current.
func (m HouseholdMember) Current() bool { return m.To == nil }

// CurrentMembers lists the current members.
func (h *Household) CurrentMembers() []HouseholdMember {
	var out []HouseholdMember
	for _, m := range h.Members {
		if m.Current() {
			out = append(out, m)
		}
	}
	return out
}

// Limits of a household's fields.
const (
	maxHouseholdName = 60
	maxHouseholdNote = 500
)

var (
	msgHouseholdTwo      = care.Msg{ZH: "一户至少两位老人", EN: "a household has at least two elders"}
	msgInOtherHousehold  = care.Msg{ZH: "该老人已在另一户中，请先将其移出原户", EN: "this elder is in another household; remove them from it first"}
	msgOtherCommunity    = care.Msg{ZH: "同户老人须属于同一社区", EN: "the members of a household must be of one community"}
	msgElderGone         = care.Msg{ZH: "老人已迁出或去世，不能加入", EN: "the elder has moved away or died and cannot join"}
	msgElderUnknown      = care.Msg{ZH: "服务对象不存在或不在您的管辖范围", EN: "elder does not exist or is outside your scope"}
	msgDuplicateMember   = care.Msg{ZH: "同一位老人列了两次", EN: "the same elder is listed twice"}
	msgNotMember         = care.Msg{ZH: "该老人不是本户的现有成员", EN: "this elder is not a current member of the household"}
	msgAlreadyMember     = care.Msg{ZH: "该老人已是本户成员", EN: "this elder is already a member of the household"}
	msgHouseholdNotFound = "户"
)

// CreateHousehold forms a household of at least two elders of one
// community, members from `from` (today when zero). Every problem is
// reported at once, per elder as "elder_ids.N".
func (db *DB) CreateHousehold(ctx context.Context, a care.Actor, h *Household, elderIDs []int64, from time.Time) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	f := care.FieldErrors{}
	h.Name = trimmed(f, "name", h.Name, false, maxHouseholdName)
	h.Note = trimmed(f, "note", h.Note, false, maxHouseholdNote)
	today := db.today()
	if from.IsZero() {
		from = today
	}
	checkPastDate(f, "from", from, today)
	if len(elderIDs) < 2 {
		f.Add("elder_ids", msgHouseholdTwo)
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		seen := map[int64]bool{}
		var community int64
		for i, id := range elderIDs {
			field := fmt.Sprintf("elder_ids.%d", i)
			if seen[id] {
				f.Add(field, msgDuplicateMember)
				continue
			}
			seen[id] = true
			e, m, err := db.joinableElder(ctx, tx, a, id, 0)
			if err != nil {
				return err
			}
			switch {
			case m != nil:
				f.Add(field, *m)
			case community == 0:
				community = e.CommunityID
			case e.CommunityID != community:
				f.Add(field, msgOtherCommunity)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		h.CommunityID, h.CreatedBy = community, a.Username
		h.CreatedAt = db.Now()
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO households (community_id, name, note, created_at, created_by)
 VALUES (?,?,?,?,?) RETURNING id`), h.CommunityID, h.Name, h.Note, stamp(h.CreatedAt), a.Username).Scan(&h.ID); err != nil {
			return err
		}
		for _, id := range elderIDs {
			if err := db.insertMember(ctx, tx, a, h.ID, id, from); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "create", "household", h.ID, nil,
			map[string]any{"name": h.Name, "community_id": h.CommunityID, "elder_ids": elderIDs, "from": dateString(from)})
	})
}

// joinableElder says why an elder cannot join household hid (0: a new
// one), or returns the elder.
func (db *DB) joinableElder(ctx context.Context, tx *sql.Tx, a care.Actor, id, hid int64) (*care.Elder, *care.Msg, error) {
	e, err := db.getElder(ctx, tx, a, id)
	if care.ErrorCode(err) == care.ENotFound {
		return nil, &msgElderUnknown, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := db.lockRow(ctx, tx, "elders", id); err != nil {
		return nil, nil, err
	}
	if e.Status == "moved" || e.Status == "deceased" {
		return e, &msgElderGone, nil
	}
	var cur int64
	err = tx.QueryRowContext(ctx, db.q(`SELECT household_id FROM household_members WHERE elder_id = ? AND to_date IS NULL`), id).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return e, nil, nil
	case err != nil:
		return nil, nil, err
	case cur == hid:
		return e, &msgAlreadyMember, nil
	}
	return e, &msgInOtherHousehold, nil
}

func (db *DB) insertMember(ctx context.Context, tx *sql.Tx, a care.Actor, hid, elderID int64, from time.Time) error {
	var id int64
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO household_members (household_id, elder_id, from_date, created_at, created_by)
 VALUES (?,?,?,?,?) RETURNING id`), hid, elderID, dateString(from), db.now(), a.Username).Scan(&id); err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "unique") {
			return care.FieldErrors{"elder_id": msgInOtherHousehold}.Err()
		}
		return err
	}
	return nil
}

// AddHouseholdMember adds an elder of the household's community from
// `from` (today when zero).
func (db *DB) AddHouseholdMember(ctx context.Context, a care.Actor, hid, elderID int64, from time.Time) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	today := db.today()
	if from.IsZero() {
		from = today
	}
	f := care.FieldErrors{}
	checkPastDate(f, "from", from, today)
	return db.tx(ctx, func(tx *sql.Tx) error {
		h, err := db.getHousehold(ctx, tx, a, hid)
		if err != nil {
			return err
		}
		e, m, err := db.joinableElder(ctx, tx, a, elderID, hid)
		if err != nil {
			return err
		}
		switch {
		case m != nil:
			f.Add("elder_id", *m)
		case e.CommunityID != h.CommunityID:
			f.Add("elder_id", msgOtherCommunity)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := db.insertMember(ctx, tx, a, hid, elderID, from); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "add_member", "household", hid, nil, map[string]any{"elder_id": elderID, "from": dateString(from)})
	})
}

// EndHouseholdMember ends an elder's membership on `to` (today when zero),
// with a reason; the row stays as history. A household left with one
// member ends that membership too: a household is two or more.
func (db *DB) EndHouseholdMember(ctx context.Context, a care.Actor, hid, elderID int64, to time.Time, reason string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	today := db.today()
	if to.IsZero() {
		to = today
	}
	f := care.FieldErrors{}
	reason = trimmed(f, "reason", reason, true, 200)
	checkPastDate(f, "to", to, today)
	return db.tx(ctx, func(tx *sql.Tx) error {
		h, err := db.getHousehold(ctx, tx, a, hid)
		if err != nil {
			return err
		}
		cur := h.CurrentMembers()
		i := slices.IndexFunc(cur, func(m HouseholdMember) bool { return m.ElderID == elderID })
		if i < 0 {
			f.Add("elder_id", msgNotMember)
		} else if to.Before(cur[i].From) {
			f.Add("to", care.Msg{ZH: "结束日期不能早于加入日期 " + dateString(cur[i].From), EN: "the end cannot be before joining on " + dateString(cur[i].From)})
		}
		if err := f.Err(); err != nil {
			return err
		}
		ending := []HouseholdMember{cur[i]}
		if len(cur) == 2 {
			ending = cur
		}
		for _, m := range ending {
			r := reason
			if m.ElderID != elderID {
				r = "同户仅余一人 / the only member left"
			}
			end := to
			if end.Before(m.From) {
				end = m.From
			}
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE household_members SET to_date = ?, end_reason = ? WHERE id = ? AND to_date IS NULL`),
				dateString(end), r, m.ID); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "end_member", "household", hid, nil, map[string]any{"elder_id": elderID, "to": dateString(to), "reason": reason})
	})
}

// householdScope limits households (alias h) to those with a member the
// actor may see (a current member for a volunteer).
func householdScope(a care.Actor) (string, []any, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return "", nil, err
	}
	cur := ""
	if a.Role == care.RoleVolunteer {
		cur = " AND hm.to_date IS NULL"
	}
	return `EXISTS (SELECT 1 FROM household_members hm JOIN elders e ON e.id = hm.elder_id WHERE hm.household_id = h.id` + cur + ` AND ` + scope + `)`, args, nil
}

const householdColumns = `h.id, h.community_id, c.name, h.name, h.note, h.created_at, h.created_by, s.household_counts_once`

const householdFrom = ` FROM households h JOIN communities c ON c.id = h.community_id JOIN streets s ON s.id = c.street_id`

type householdQuerier interface {
	querier
	rowsQuerier
}

func (db *DB) getHousehold(ctx context.Context, q householdQuerier, a care.Actor, id int64) (*Household, error) {
	scope, args, err := householdScope(a)
	if err != nil {
		return nil, err
	}
	hs, err := db.households(ctx, q, a, "h.id = ? AND "+scope, append([]any{id}, args...))
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, care.ErrNotFound(msgHouseholdNotFound)
	}
	return &hs[0], nil
}

// GetHousehold returns a household the actor may see, with its members.
func (db *DB) GetHousehold(ctx context.Context, a care.Actor, id int64) (*Household, error) {
	return db.getHousehold(ctx, db.read, a, id)
}

// Households lists the households the actor may see, of one community
// (0: all in scope); current ones (two or more current members) only
// unless all.
func (db *DB) Households(ctx context.Context, a care.Actor, communityID int64, all bool) ([]Household, error) {
	scope, args, err := householdScope(a)
	if err != nil {
		return nil, err
	}
	if communityID > 0 {
		scope, args = scope+" AND h.community_id = ?", append(args, communityID)
	}
	if !all {
		scope += " AND EXISTS (SELECT 1 FROM household_members x WHERE x.household_id = h.id AND x.to_date IS NULL)"
	}
	return db.households(ctx, db.read, a, scope, args)
}

// ElderHousehold returns the elder's current household, or nil.
func (db *DB) ElderHousehold(ctx context.Context, a care.Actor, elderID int64) (*Household, error) {
	if _, err := db.getElder(ctx, db.read, a, elderID); err != nil {
		return nil, err
	}
	var hid int64
	err := db.read.QueryRowContext(ctx, db.q(`SELECT household_id FROM household_members WHERE elder_id = ? AND to_date IS NULL`), elderID).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return db.getHousehold(ctx, db.read, a, hid)
}

func (db *DB) households(ctx context.Context, q householdQuerier, a care.Actor, where string, args []any) ([]Household, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT `+householdColumns+householdFrom+` WHERE `+where+` ORDER BY h.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("households: %w", err)
	}
	var out []Household
	idx := map[int64]int{}
	for rows.Next() {
		var h Household
		var at string
		var once int
		if err := rows.Scan(&h.ID, &h.CommunityID, &h.CommunityName, &h.Name, &h.Note, &at, &h.CreatedBy, &once); err != nil {
			rows.Close()
			return nil, err
		}
		h.CreatedAt, h.CountsOnce = parseStamp(at), once == 1
		idx[h.ID] = len(out)
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// A volunteer or a clinic sees the members they may see (the others
	// are counted in Hidden); staff see everyone.
	mwhere, margs := where, args
	if a.Role == care.RoleVolunteer || a.Role == care.RoleClinic {
		es, eargs, err := elderScope(a)
		if err != nil {
			return nil, err
		}
		mwhere, margs = where+" AND "+es, append(append([]any{}, args...), eargs...)
	}
	mrows, err := q.QueryContext(ctx, db.q(`SELECT hm.id, hm.household_id, hm.elder_id, e.name, e.status, hm.from_date, hm.to_date, hm.end_reason
 FROM household_members hm JOIN households h ON h.id = hm.household_id JOIN elders e ON e.id = hm.elder_id
 WHERE `+mwhere+` ORDER BY hm.household_id, CASE WHEN hm.to_date IS NULL THEN 0 ELSE 1 END, hm.from_date, hm.elder_id, hm.id`), margs...)
	if err != nil {
		return nil, fmt.Errorf("household members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var m HouseholdMember
		var hid int64
		var from string
		var to sql.NullString
		if err := mrows.Scan(&m.ID, &hid, &m.ElderID, &m.ElderName, &m.Status, &from, &to, &m.EndReason); err != nil {
			return nil, err
		}
		m.From = parseDate(from)
		if to.Valid {
			t := parseDate(to.String)
			m.To = &t
		}
		if i, ok := idx[hid]; ok {
			out[i].Members = append(out[i].Members, m)
		}
	}
	return out, mrows.Err()
}

// SetHouseholdCountsOnce sets the street's rule (station staff only): a
// household paired with one volunteer takes one of their places (on, the
// default) or one per member (off).
func (db *DB) SetHouseholdCountsOnce(ctx context.Context, a care.Actor, on bool) error {
	if a.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	v := 0
	if on {
		v = 1
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE streets SET household_counts_once = ? WHERE id = ?`), v, a.StreetID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "household_policy", "street", a.StreetID, nil, map[string]bool{"counts_once": on})
	})
}

// HouseholdCountsOnce reports the rule of the actor's street.
func (db *DB) HouseholdCountsOnce(ctx context.Context, a care.Actor) (bool, error) {
	var v int
	err := db.read.QueryRowContext(ctx, db.q(`SELECT household_counts_once FROM streets WHERE id = ?`), a.StreetID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return v == 1, err
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
