package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/rollout"
)

// Rollout (工作推进, issue 15 point 2, README "工作推进 / Rollout"): the
// station spreads the programme community by community and follows each
// through the documents' phases; the rules are in internal/rollout.

// RolloutCommunity is one community's rollout: the facts, its phase and
// what is outstanding.
type RolloutCommunity struct {
	CommunityID      int64
	Name             string
	Joined           bool
	JoinedOn         time.Time
	PlanText         string
	PlanAttachmentID int64
	PlanAt           time.Time
	PlanBy           string
	Facts            rollout.Facts
	Progress         rollout.Progress
	Approval         *ListApproval // the current approval row, nil when never approved
	LastSupervision  *rollout.Supervision
}

// Rollout is the street's rollout: its communities, supervision visits
// (newest first) and exchange meetings (newest first).
type Rollout struct {
	Communities  []RolloutCommunity
	Supervisions []rollout.Supervision
	Meetings     []rollout.Meeting
}

// rolloutStreet is the street whose rollout the actor reads: station and
// viewer their street, community staff theirs (only their community's
// rows are answered).
func rolloutStreet(a care.Actor) (int64, error) {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity:
		return a.StreetID, nil
	case care.RoleViewer:
		if a.StreetID != 0 {
			return a.StreetID, nil
		}
	}
	return 0, care.ErrForbidden()
}

// GetRollout answers the rollout the actor may see: the station and a
// street's viewer every community of the street, community staff their own.
func (db *DB) GetRollout(ctx context.Context, a care.Actor) (*Rollout, error) {
	street, err := rolloutStreet(a)
	if err != nil {
		return nil, err
	}
	where, args := "c.street_id = ?", []any{street}
	if a.Role == care.RoleCommunity {
		where, args = "c.id = ?", []any{a.CommunityID}
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, c.name, COALESCE(r.joined_on, ''), COALESCE(r.plan_text, ''),
 COALESCE(r.plan_attachment_id, 0), COALESCE(r.plan_at, ''), COALESCE(r.plan_by, '')
 FROM communities c LEFT JOIN rollout_communities r ON r.community_id = c.id WHERE `+where+` ORDER BY c.id`), args...)
	if err != nil {
		return nil, err
	}
	out := &Rollout{}
	for rows.Next() {
		var rc RolloutCommunity
		var joined, planAt string
		if err := rows.Scan(&rc.CommunityID, &rc.Name, &joined, &rc.PlanText, &rc.PlanAttachmentID, &planAt, &rc.PlanBy); err != nil {
			rows.Close()
			return nil, err
		}
		rc.Joined, rc.JoinedOn, rc.PlanAt = joined != "", parseDate(joined), parseStamp(planAt)
		out.Communities = append(out.Communities, rc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := map[int64]bool{}
	for _, c := range out.Communities {
		ids[c.CommunityID] = true
	}
	if out.Supervisions, err = db.supervisions(ctx, where, args); err != nil {
		return nil, err
	}
	if out.Meetings, err = db.meetings(ctx, street, ids); err != nil {
		return nil, err
	}
	for i := range out.Communities {
		rc := &out.Communities[i]
		if rc.Facts, rc.Approval, err = db.rolloutFacts(ctx, db.read, rc.CommunityID); err != nil {
			return nil, err
		}
		rc.Facts.Joined, rc.Facts.HasPlan = rc.Joined, strings.TrimSpace(rc.PlanText) != "" || rc.PlanAttachmentID != 0
		for j := range out.Supervisions {
			if out.Supervisions[j].CommunityID == rc.CommunityID {
				rc.Facts.Supervisions++
				if rc.LastSupervision == nil {
					rc.LastSupervision = &out.Supervisions[j]
				}
			}
		}
		for _, m := range out.Meetings {
			for _, id := range m.CommunityIDs {
				if id == rc.CommunityID {
					rc.Facts.Meetings++
				}
			}
		}
		rc.Progress = rollout.Assess(rc.Facts)
	}
	return out, nil
}

// rolloutFacts counts a community's elders in service, surveyed elders,
// pending proposals and its list approval.
func (db *DB) rolloutFacts(ctx context.Context, q queryer, communityID int64) (rollout.Facts, *ListApproval, error) {
	var f rollout.Facts
	err := q.QueryRowContext(ctx, db.q(`SELECT
 (SELECT COUNT(*) FROM elders WHERE community_id = ? AND status IN ('active','paused')),
 (SELECT COUNT(*) FROM elders e WHERE e.community_id = ? AND e.status IN ('active','paused') AND EXISTS (SELECT 1 FROM surveys s WHERE s.elder_id = e.id AND s.kind = 'survey')),
 (SELECT COUNT(*) FROM surveys WHERE community_id = ? AND status = 'pending')`), communityID, communityID, communityID).
		Scan(&f.InService, &f.Surveyed, &f.PendingProposals)
	if err != nil {
		return f, nil, err
	}
	ap, err := db.currentApproval(ctx, q, communityID)
	if err != nil {
		return f, nil, err
	}
	if ap != nil && ap.Approved {
		f.Approved = true
		if err := q.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM elders WHERE community_id = ? AND status IN ('active','paused') AND created_at > ?`),
			communityID, stamp(ap.At)).Scan(&f.AddedSinceApproval); err != nil {
			return f, nil, err
		}
	}
	return f, ap, nil
}

func (db *DB) supervisions(ctx context.Context, where string, args []any) ([]rollout.Supervision, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT s.id, s.community_id, s.visited_on, s.inspectors, s.checklist, s.findings, s.by_user, s.created_at
 FROM rollout_supervisions s JOIN communities c ON c.id = s.community_id WHERE `+where+` ORDER BY s.visited_on DESC, s.id DESC`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rollout.Supervision
	for rows.Next() {
		var s rollout.Supervision
		var on, list, at string
		if err := rows.Scan(&s.ID, &s.CommunityID, &on, &s.Inspectors, &list, &s.Findings, &s.By, &at); err != nil {
			return nil, err
		}
		s.VisitedOn, s.CreatedAt = parseDate(on), parseStamp(at)
		if err := json.Unmarshal([]byte(list), &s.Checklist); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// meetings lists the street's exchange meetings; community staff see the
// ones their community took part in (ids holds the communities answered).
func (db *DB) meetings(ctx context.Context, street int64, ids map[int64]bool) ([]rollout.Meeting, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, held_on, place, participants, minutes, lessons, by_user, created_at
 FROM rollout_meetings WHERE street_id = ? ORDER BY held_on DESC, id DESC`), street)
	if err != nil {
		return nil, err
	}
	var all []rollout.Meeting
	for rows.Next() {
		var m rollout.Meeting
		var on, at string
		if err := rows.Scan(&m.ID, &on, &m.Place, &m.Participants, &m.Minutes, &m.Lessons, &m.By, &at); err != nil {
			rows.Close()
			return nil, err
		}
		m.HeldOn, m.CreatedAt = parseDate(on), parseStamp(at)
		all = append(all, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []rollout.Meeting
	for _, m := range all {
		crows, err := db.read.QueryContext(ctx, db.q(`SELECT community_id FROM rollout_meeting_communities WHERE meeting_id = ? ORDER BY community_id`), m.ID)
		if err != nil {
			return nil, err
		}
		seen := false
		for crows.Next() {
			var id int64
			if err := crows.Scan(&id); err != nil {
				crows.Close()
				return nil, err
			}
			m.CommunityIDs = append(m.CommunityIDs, id)
			seen = seen || ids[id]
		}
		crows.Close()
		if seen {
			out = append(out, m)
		}
	}
	return out, nil
}

// stationCommunity checks that the actor is the station of community id's street.
func (db *DB) stationCommunity(ctx context.Context, a care.Actor, id int64) (*care.Community, error) {
	if a.Role != care.RoleStation {
		return nil, care.ErrForbidden()
	}
	if id <= 0 {
		return nil, care.FieldErrors{"community_id": care.MsgRequired}.Err()
	}
	return db.GetCommunity(ctx, a, id)
}

// JoinRollout brings a community of the station's street into the
// programme from day on (spreading to more communities); joining twice is
// refused.
func (db *DB) JoinRollout(ctx context.Context, a care.Actor, communityID int64, on time.Time) error {
	c, err := db.stationCommunity(ctx, a, communityID)
	if err != nil {
		return err
	}
	if on.IsZero() {
		on = db.today()
	}
	if on.After(db.today().AddDate(1, 0, 0)) {
		return care.FieldErrors{"joined_on": care.Msg{ZH: "日期不能晚于一年后", EN: "cannot be more than a year ahead"}}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM rollout_communities WHERE community_id = ?`), c.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return care.FieldErrors{"community_id": care.Msg{ZH: "该社区已纳入", EN: "this community has already joined"}}.Err()
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO rollout_communities (community_id, street_id, joined_on) VALUES (?,?,?)`),
			c.ID, c.StreetID, dateString(on)); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "rollout_community", c.ID, nil, map[string]string{"joined_on": dateString(on)})
	})
}

var msgPlanAttachment = care.Msg{ZH: "附件不是为本社区实施方案上传的文件", EN: "the file was not uploaded for this community's plan"}

// SaveRolloutPlan keeps a community's implementation plan (实施方案):
// community staff their own, the station any of its street. The text may
// be empty when attachmentID names an uploaded file. The community must
// have joined.
func (db *DB) SaveRolloutPlan(ctx context.Context, a care.Actor, communityID int64, text string, attachmentID int64) error {
	switch a.Role {
	case care.RoleCommunity:
		if communityID == 0 {
			communityID = a.CommunityID
		}
		if communityID != a.CommunityID {
			return care.ErrNotFound("社区 / community")
		}
	case care.RoleStation:
		if communityID <= 0 {
			return care.FieldErrors{"community_id": care.MsgRequired}.Err()
		}
	default:
		return care.ErrForbidden()
	}
	if _, err := db.GetCommunity(ctx, a, communityID); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if attachmentID < 0 {
		return care.FieldErrors{"attachment_id": msgPlanAttachment}.Err()
	}
	if err := rollout.ValidatePlan(text, attachmentID > 0); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		// Only a file uploaded for this community's plan (owner
		// rollout_plan, id the community) may be named: any other id
		// could show another community's file.
		if attachmentID > 0 {
			bad, err := db.ownedAttachments(ctx, tx, AttachmentOwner{OwnerRolloutPlan, communityID}, []int64{attachmentID}, false)
			if err != nil {
				return err
			}
			if bad {
				return care.FieldErrors{"attachment_id": msgPlanAttachment}.Err()
			}
		}
		var before string
		err := tx.QueryRowContext(ctx, db.q(`SELECT plan_text FROM rollout_communities WHERE community_id = ?`), communityID).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) {
			return care.FieldErrors{"community_id": care.Msg{ZH: "该社区尚未纳入，请街道先纳入", EN: "the community has not joined yet; the station brings it in first"}}.Err()
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE rollout_communities SET plan_text = ?, plan_attachment_id = ?, plan_at = ?, plan_by = ? WHERE community_id = ?`),
			text, nullID(attachmentID), db.now(), a.Username, communityID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "update", "rollout_plan", communityID, map[string]string{"plan_text": before},
			map[string]any{"plan_text": text, "attachment_id": attachmentID})
	})
}

// AddSupervision records the station's supervision visit of a community
// of its street.
func (db *DB) AddSupervision(ctx context.Context, a care.Actor, s *rollout.Supervision) error {
	if a.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	s.Normalize()
	f := care.FieldErrors{}
	f.Merge(s.Validate(db.today()))
	if s.CommunityID > 0 {
		if _, err := db.GetCommunity(ctx, a, s.CommunityID); err != nil {
			f.Add("community_id", care.MsgUnknownComm)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	s.By, s.CreatedAt = a.Username, db.Now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO rollout_supervisions (community_id, visited_on, inspectors, checklist, findings, by_user, created_at)
 VALUES (?,?,?,?,?,?,?) RETURNING id`), s.CommunityID, dateString(s.VisitedOn), s.Inspectors, toJSON(s.Checklist), s.Findings, s.By, stamp(s.CreatedAt)).Scan(&s.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "rollout_supervision", s.ID, nil, s)
	})
}

// AddMeeting records an experience exchange (座谈会) of the station's
// street with the communities that took part.
func (db *DB) AddMeeting(ctx context.Context, a care.Actor, m *rollout.Meeting) error {
	if a.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	m.Normalize()
	f := care.FieldErrors{}
	f.Merge(m.Validate(db.today()))
	for _, id := range m.CommunityIDs {
		if _, err := db.GetCommunity(ctx, a, id); err != nil {
			f.Add("community_ids", care.MsgUnknownComm)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	m.By, m.CreatedAt = a.Username, db.Now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO rollout_meetings (street_id, held_on, place, participants, minutes, lessons, by_user, created_at)
 VALUES (?,?,?,?,?,?,?,?) RETURNING id`), a.StreetID, dateString(m.HeldOn), m.Place, m.Participants, m.Minutes, m.Lessons, m.By, stamp(m.CreatedAt)).Scan(&m.ID); err != nil {
			return err
		}
		for _, id := range m.CommunityIDs {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO rollout_meeting_communities (meeting_id, community_id) VALUES (?,?)`), m.ID, id); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "create", "rollout_meeting", m.ID, nil, m)
	})
}
