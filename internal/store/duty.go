package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/duty"
)

// The duty roster (issue 13 point 5): community staff say who of them is
// on duty when, so that an alert reaches a person, not a role. The rules
// are in internal/duty; this file keeps rosters and answers OnDuty.

// dutyCommunity is the community whose roster the actor keeps: community
// staff their own (0 means it), the station any of its street (it must
// say which). Other roles keep none.
func (db *DB) dutyCommunity(ctx context.Context, a care.Actor, communityID int64) (int64, error) {
	switch a.Role {
	case care.RoleCommunity:
		if communityID == 0 {
			communityID = a.CommunityID
		}
	case care.RoleStation:
		if communityID == 0 {
			return 0, care.FieldErrors{"community_id": care.MsgRequired}.Err()
		}
	default:
		return 0, care.ErrForbidden()
	}
	if err := db.CheckCommunityFilter(ctx, a, communityID); err != nil {
		return 0, err
	}
	return communityID, nil
}

// DutyRoster returns a community's weekly roster and its exceptions (the
// exceptions in the order they take effect: a later one wins).
func (db *DB) DutyRoster(ctx context.Context, a care.Actor, communityID int64) (*duty.Roster, error) {
	id, err := db.dutyCommunity(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	return db.loadRoster(ctx, db.read, id, time.Time{})
}

// loadRoster reads a roster; exceptions that ended before since are left
// out (zero: all of them).
func (db *DB) loadRoster(ctx context.Context, q queryer, communityID int64, since time.Time) (*duty.Roster, error) {
	r := &duty.Roster{CommunityID: communityID}
	rows, err := q.QueryContext(ctx, db.q(`SELECT id, weekday, start_time, end_time, user_id FROM duty_shifts WHERE community_id = ?
 ORDER BY weekday, start_time, id`), communityID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s duty.Shift
		if err := rows.Scan(&s.ID, &s.Weekday, &s.From, &s.To, &s.UserID); err != nil {
			rows.Close()
			return nil, err
		}
		r.Shifts = append(r.Shifts, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, db.q(`SELECT id, from_day, to_day, COALESCE(replaces_user_id, 0), COALESCE(user_id, 0), note
 FROM duty_exceptions WHERE community_id = ? AND to_day >= ? ORDER BY id`), communityID, dateString(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e duty.Exception
		var from, to string
		if err := rows.Scan(&e.ID, &from, &to, &e.Replaces, &e.UserID, &e.Note); err != nil {
			return nil, err
		}
		e.FromDay, e.ToDay = parseDate(from), parseDate(to)
		r.Exceptions = append(r.Exceptions, e)
	}
	return r, rows.Err()
}

// DutyStaff lists the accounts that may be put on a community's roster:
// its community staff accounts that are not disabled.
func (db *DB) DutyStaff(ctx context.Context, a care.Actor, communityID int64) ([]care.User, error) {
	id, err := db.dutyCommunity(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	return db.staffOf(ctx, db.read, id)
}

func (db *DB) staffOf(ctx context.Context, q queryer, communityID int64) ([]care.User, error) {
	return db.queryUsers(ctx, q, `role = ? AND community_id = ? AND disabled = ?`, care.RoleCommunity, communityID, false)
}

func (db *DB) queryUsers(ctx context.Context, q queryer, where string, args ...any) ([]care.User, error) {
	rows, err := q.QueryContext(ctx, db.q("SELECT "+userColumns+" FROM users WHERE "+where+" ORDER BY id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []care.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// SaveDutyRoster replaces a community's roster with r (its CommunityID; 0
// for community staff's own) after checking every line: the form by
// duty.Roster.Validate, and that each person is a staff account of that
// community (active, except the person an exception replaces, who may
// have left). Exceptions keep their order, so a later one still wins.
// The change is audited; r gets the new IDs.
func (db *DB) SaveDutyRoster(ctx context.Context, a care.Actor, r *duty.Roster) error {
	id, err := db.dutyCommunity(ctx, a, r.CommunityID)
	if err != nil {
		return err
	}
	r.CommunityID = id
	f := care.FieldErrors{}
	f.Merge(r.Validate())
	staff, err := db.queryUsers(ctx, db.read, `role = ? AND community_id = ?`, care.RoleCommunity, id)
	if err != nil {
		return err
	}
	active := map[int64]bool{}
	known := map[int64]bool{}
	for _, u := range staff {
		known[u.ID], active[u.ID] = true, !u.Disabled
	}
	notStaff := care.Msg{ZH: "不是本社区的在用工作人员账号", EN: "not an active staff account of this community"}
	for i, s := range r.Shifts {
		if s.UserID > 0 && !active[s.UserID] {
			f.Add(fmt.Sprintf("shifts[%d].user_id", i), notStaff)
		}
	}
	for i, e := range r.Exceptions {
		if e.Replaces > 0 && !known[e.Replaces] {
			f.Add(fmt.Sprintf("exceptions[%d].replaces_user_id", i), notStaff)
		}
		if e.UserID > 0 && !active[e.UserID] {
			f.Add(fmt.Sprintf("exceptions[%d].user_id", i), notStaff)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		before, err := db.loadRoster(ctx, tx, id, time.Time{})
		if err != nil {
			return err
		}
		for _, t := range []string{"duty_shifts", "duty_exceptions"} {
			if _, err := tx.ExecContext(ctx, db.q("DELETE FROM "+t+" WHERE community_id = ?"), id); err != nil {
				return err
			}
		}
		for i := range r.Shifts {
			s := &r.Shifts[i]
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO duty_shifts (community_id, weekday, start_time, end_time, user_id)
 VALUES (?,?,?,?,?) RETURNING id`), id, s.Weekday, s.From, s.To, s.UserID).Scan(&s.ID); err != nil {
				return err
			}
		}
		for i := range r.Exceptions {
			e := &r.Exceptions[i]
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO duty_exceptions (community_id, from_day, to_day, replaces_user_id, user_id, note)
 VALUES (?,?,?,?,?,?) RETURNING id`), id, dateString(e.FromDay), dateString(e.ToDay), nullID(e.Replaces), nullID(e.UserID), e.Note).Scan(&e.ID); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "update", "duty_roster", id, rosterAudit(before), rosterAudit(r))
	})
}

// rosterAudit is a roster as the audit log keeps it: one line per shift
// and exception.
func rosterAudit(r *duty.Roster) map[string][]string {
	out := map[string][]string{"shifts": {}, "exceptions": {}}
	for _, s := range r.Shifts {
		out["shifts"] = append(out["shifts"], fmt.Sprintf("%d %s-%s user %d", s.Weekday, s.From, s.To, s.UserID))
	}
	for _, e := range r.Exceptions {
		out["exceptions"] = append(out["exceptions"], fmt.Sprintf("%s..%s replaces %d by %d %s", dateString(e.FromDay), dateString(e.ToDay), e.Replaces, e.UserID, e.Note))
	}
	return out
}

// OnDuty is who to tell about a community at the moment at: the active
// staff accounts the roster puts on duty then (rostered true). When the
// roster names nobody (none kept, a gap, a holiday with nobody, everyone
// rostered disabled) it falls back to every active staff account of the
// community, and when the community has none, to the street's station
// accounts (rostered false): an alert always reaches a person. It takes
// no actor: the jobs that notify act for the system.
func (db *DB) OnDuty(ctx context.Context, communityID int64, at time.Time) ([]care.User, bool, error) {
	return db.onDuty(ctx, db.read, communityID, at)
}

// onDuty is OnDuty in or outside a transaction.
func (db *DB) onDuty(ctx context.Context, q queryer, communityID int64, at time.Time) ([]care.User, bool, error) {
	l := at.In(db.Loc)
	yesterday := time.Date(l.Year(), l.Month(), l.Day()-1, 0, 0, 0, 0, time.UTC) // a night shift began then
	r, err := db.loadRoster(ctx, q, communityID, yesterday)
	if err != nil {
		return nil, false, err
	}
	if ids := r.OnDuty(at, db.Loc); len(ids) > 0 {
		args := []any{care.RoleCommunity, communityID, false}
		for _, id := range ids {
			args = append(args, id)
		}
		users, err := db.queryUsers(ctx, q, `role = ? AND community_id = ? AND disabled = ? AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
		if err != nil || len(users) > 0 {
			return users, err == nil, err
		}
	}
	users, err := db.staffOf(ctx, q, communityID)
	if err != nil || len(users) > 0 {
		return users, false, err
	}
	users, err = db.queryUsers(ctx, q, `role = ? AND disabled = ? AND street_id = (SELECT street_id FROM communities WHERE id = ?)`,
		care.RoleStation, false, communityID)
	return users, false, err
}

// DutyView is a community's roster as the duty page and API show it: the
// roster, the accounts that may be put on it, and who is on duty now.
type DutyView struct {
	Community care.Community
	Roster    *duty.Roster
	Staff     []care.User // active staff accounts of the community
	OnDuty    []care.User // told now (OnDuty)
	Rostered  bool        // false: nobody rostered now, everyone is told
}

// DutyViews returns the rosters the actor keeps: community staff their
// community's, the station every community of its street (or the one
// communityID names).
func (db *DB) DutyViews(ctx context.Context, a care.Actor, communityID int64) ([]DutyView, error) {
	var ids []int64
	if a.Role == care.RoleStation && communityID == 0 {
		cs, err := db.Communities(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
	} else {
		id, err := db.dutyCommunity(ctx, a, communityID)
		if err != nil {
			return nil, err
		}
		ids = []int64{id}
	}
	now := db.Now()
	var out []DutyView
	for _, id := range ids {
		c, err := db.GetCommunity(ctx, a, id)
		if err != nil {
			return nil, err
		}
		v := DutyView{Community: *c}
		if v.Roster, err = db.loadRoster(ctx, db.read, id, time.Time{}); err != nil {
			return nil, err
		}
		if v.Staff, err = db.staffOf(ctx, db.read, id); err != nil {
			return nil, err
		}
		if v.OnDuty, v.Rostered, err = db.onDuty(ctx, db.read, id, now); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
