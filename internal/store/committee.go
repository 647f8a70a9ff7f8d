package store

import (
	"context"
	"database/sql"
	"errors"

	"carecircle/internal/care"
)

// Committee is a community committee as a member of every elder's circle
// (issue 15 point 4): its name and the staff member responsible for its
// part (the monthly visit it organises, its festival visits).
type Committee struct {
	CommunityID int64
	Name        string // 幸福社区居委会
	LeadID      int64  // 0: nobody named yet
	Lead        string // the lead's display name, else user name
}

// CommitteeOf returns the committee of a community the actor may see.
func (db *DB) CommitteeOf(ctx context.Context, a care.Actor, communityID int64) (*Committee, error) {
	c, err := db.GetCommunity(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	out := &Committee{CommunityID: c.ID, Name: CommitteeName(c.Name)}
	var id sql.NullInt64
	var display, username sql.NullString
	err = db.read.QueryRowContext(ctx, db.q(`SELECT c.committee_lead_id, u.display_name, u.username FROM communities c
 LEFT JOIN users u ON u.id = c.committee_lead_id WHERE c.id = ?`), c.ID).Scan(&id, &display, &username)
	if err != nil {
		return nil, err
	}
	out.LeadID, out.Lead = id.Int64, display.String
	if out.Lead == "" {
		out.Lead = username.String
	}
	return out, nil
}

// SetCommitteeLead names the staff member responsible for the committee's
// part in the circles of a community's elders: an active staff account of
// that community, or nobody (0). The station and the community's own
// staff may name them; the change is audited.
func (db *DB) SetCommitteeLead(ctx context.Context, a care.Actor, communityID, userID int64) error {
	id, err := db.dutyCommunity(ctx, a, communityID)
	if err != nil {
		return err
	}
	if userID != 0 {
		var ok bool
		err := db.read.QueryRowContext(ctx, db.q(`SELECT NOT disabled FROM users WHERE id = ? AND role = ? AND community_id = ?`),
			userID, care.RoleCommunity, id).Scan(&ok)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !ok) {
			return care.FieldErrors{"committee_lead_id": {ZH: "不是本社区的在用工作人员账号", EN: "not an active staff account of this community"}}.Err()
		}
		if err != nil {
			return err
		}
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var before sql.NullInt64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT committee_lead_id FROM communities WHERE id = ?`), id).Scan(&before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE communities SET committee_lead_id = ? WHERE id = ?`), nullID(userID), id); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "committee_lead", "community", id,
			map[string]any{"committee_lead_id": before.Int64}, map[string]any{"committee_lead_id": userID})
	})
}
