package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"carecircle/internal/care"
)

// The station's approval (审核) of a community's elder list (issue 15
// point 3): only an approved list is the programme's official list in
// reports; the approval is history, the newest row is current.

// ListApproval is one approval (or withdrawal) of a community's elder list.
type ListApproval struct {
	ID          int64
	CommunityID int64
	Approved    bool
	Elders      int // elders in service when approved
	Note        string
	By          string
	At          time.Time
}

// ApprovalStatus is a community's list approval with what bears on it.
type ApprovalStatus struct {
	CommunityID        int64
	Name               string
	Current            *ListApproval // nil: never approved
	History            []ListApproval
	InService          int
	Surveyed           int
	PendingProposals   int
	AddedSinceApproval int
}

// Approved reports whether the list is approved now.
func (s *ApprovalStatus) Approved() bool { return s.Current != nil && s.Current.Approved }

func (db *DB) currentApproval(ctx context.Context, q queryer, communityID int64) (*ListApproval, error) {
	list, err := db.approvals(ctx, q, communityID, 1)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

func (db *DB) approvals(ctx context.Context, q queryer, communityID int64, limit int) ([]ListApproval, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT id, community_id, approved, elders, note, by_user, at FROM elder_list_approvals
 WHERE community_id = ? ORDER BY id DESC LIMIT ?`), communityID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListApproval
	for rows.Next() {
		var l ListApproval
		var at string
		if err := rows.Scan(&l.ID, &l.CommunityID, &l.Approved, &l.Elders, &l.Note, &l.By, &at); err != nil {
			return nil, err
		}
		l.At = parseStamp(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// approvalCommunity checks that the actor may read community id's
// approval: the station and a street's viewer any of the street,
// community staff their own.
func (db *DB) approvalCommunity(ctx context.Context, a care.Actor, id int64) (*care.Community, error) {
	switch a.Role {
	case care.RoleStation, care.RoleViewer:
		if a.StreetID == 0 {
			return nil, care.ErrForbidden()
		}
	case care.RoleCommunity:
		if id != a.CommunityID {
			return nil, care.ErrNotFound("社区 / community")
		}
	default:
		return nil, care.ErrForbidden()
	}
	return db.GetCommunity(ctx, a, id)
}

// GetApproval answers a community's list approval, its history and counts.
func (db *DB) GetApproval(ctx context.Context, a care.Actor, communityID int64) (*ApprovalStatus, error) {
	c, err := db.approvalCommunity(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	return db.approvalStatus(ctx, db.read, c)
}

func (db *DB) approvalStatus(ctx context.Context, q queryer, c *care.Community) (*ApprovalStatus, error) {
	st := &ApprovalStatus{CommunityID: c.ID, Name: c.Name}
	f, cur, err := db.rolloutFacts(ctx, q, c.ID)
	if err != nil {
		return nil, err
	}
	st.Current, st.InService, st.Surveyed, st.PendingProposals, st.AddedSinceApproval = cur, f.InService, f.Surveyed, f.PendingProposals, f.AddedSinceApproval
	st.History, err = db.approvals(ctx, q, c.ID, 50)
	return st, err
}

// SetApproval approves (or, with approve false, withdraws) a community's
// elder list; the station only. A list is approved when no survey
// proposal of the community awaits review and it has elders in service;
// a withdrawal needs a reason.
func (db *DB) SetApproval(ctx context.Context, a care.Actor, communityID int64, approve bool, note string) (*ApprovalStatus, error) {
	c, err := db.stationCommunity(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	var st *ApprovalStatus
	err = db.tx(ctx, func(tx *sql.Tx) error {
		before, err := db.approvalStatus(ctx, tx, c)
		if err != nil {
			return err
		}
		f := care.FieldErrors{}
		if approve {
			if before.PendingProposals > 0 {
				f.Add("community_id", care.Msg{ZH: fmt.Sprintf("还有 %d 份调查待社区审核，审核完再审批名单", before.PendingProposals),
					EN: fmt.Sprintf("%d survey proposal(s) still await the community's review", before.PendingProposals)})
			}
			if before.InService == 0 {
				f.Add("community_id", care.Msg{ZH: "该社区没有在册服务对象", EN: "the community has no elders in service"})
			}
		} else if note == "" {
			f.Add("note", care.Msg{ZH: "撤销审核须写明原因", EN: "a reason is required to withdraw the approval"})
		}
		if len([]rune(note)) > 1000 {
			f.Add("note", care.MsgTooLong)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if !approve && !before.Approved() {
			return care.FieldErrors{"approved": care.Msg{ZH: "名单尚未审核，无需撤销", EN: "the list is not approved; nothing to withdraw"}}.Err()
		}
		l := ListApproval{CommunityID: c.ID, Approved: approve, Elders: before.InService, Note: note, By: a.Username, At: db.Now()}
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO elder_list_approvals (community_id, approved, elders, note, by_user, at)
 VALUES (?,?,?,?,?,?) RETURNING id`), l.CommunityID, l.Approved, l.Elders, l.Note, l.By, stamp(l.At)).Scan(&l.ID); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "update", "elder_list_approval", c.ID, before.Current, l); err != nil {
			return err
		}
		st, err = db.approvalStatus(ctx, tx, c)
		return err
	})
	return st, err
}

// ApprovedLists maps each community of a street to whether its elder
// list is approved now, for reports that mark unapproved lists.
func (db *DB) ApprovedLists(ctx context.Context, streetID int64) (map[int64]bool, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, (SELECT a.approved FROM elder_list_approvals a WHERE a.community_id = c.id ORDER BY a.id DESC LIMIT 1)
 FROM communities c WHERE c.street_id = ?`), streetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		var ok sql.NullBool
		if err := rows.Scan(&id, &ok); err != nil {
			return nil, err
		}
		out[id] = ok.Valid && ok.Bool
	}
	return out, rows.Err()
}

// checkReviewedChange refuses an edit of category, self-care or needs of
// an elder whose community's list the station has approved: such a change
// goes through the same review as a survey (a change proposal, README
// "调查摸底与审核 / Surveys and approval"), so the official list and the
// history of needs never change unseen.
func (db *DB) checkReviewedChange(ctx context.Context, q queryer, old, e *care.Elder) error {
	sameSet := func(a, b []string) bool {
		if len(a) != len(b) {
			return false
		}
		for _, x := range a {
			if !slices.Contains(b, x) {
				return false
			}
		}
		return true
	}
	f := care.FieldErrors{}
	msg := care.Msg{ZH: "本社区名单已经街道审核，此项的变更请在“调查摸底”提交，经社区审核后生效",
		EN: "the community's list is approved: propose this change under Needs survey, where community staff review it"}
	if e.SelfCare != old.SelfCare {
		f.Add("self_care", msg)
	}
	if !sameSet(e.Categories, old.Categories) {
		f.Add("categories", msg)
	}
	if !sameSet(e.Needs, old.Needs) {
		f.Add("needs", msg)
	}
	if len(f) == 0 {
		return nil
	}
	ap, err := db.currentApproval(ctx, q, old.CommunityID)
	if err != nil || ap == nil || !ap.Approved {
		return err
	}
	return f.Err()
}
