package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/upward"
)

// Work information upward (issue 15 point 5): the communities' typical-
// experience reports and the monthly report's submit-and-receive step.
// Community staff write and submit their community's; the station reads,
// receives or returns its street's (never another street's, nor a draft);
// other roles are refused. A viewer reads received reports only in the
// statistics report (ReportExperiences).

// ExperienceFilter narrows the experience list.
type ExperienceFilter struct {
	CommunityID int64
	Month       string
	Status      string
}

const experienceColumns = `x.id, x.street_id, x.community_id, c.name, x.month, x.title, x.body, x.status, x.reason,
 x.created_by, x.created_at, x.updated_at, x.submitted_at, x.submitted_by, x.read_at, x.read_by, x.decided_at, x.decided_by`

func scanExperience(row interface{ Scan(...any) error }) (*upward.Experience, error) {
	var e upward.Experience
	var created, updated string
	var submitted, read, decided sql.NullString
	if err := row.Scan(&e.ID, &e.StreetID, &e.CommunityID, &e.Community, &e.Month, &e.Title, &e.Body, &e.Status, &e.Reason,
		&e.CreatedBy, &created, &updated, &submitted, &e.SubmittedBy, &read, &e.ReadBy, &decided, &e.DecidedBy); err != nil {
		return nil, err
	}
	e.CreatedAt, e.UpdatedAt = parseStamp(created), parseStamp(updated)
	e.SubmittedAt, e.ReadAt, e.DecidedAt = parseStamp(submitted.String), parseStamp(read.String), parseStamp(decided.String)
	return &e, nil
}

// experienceScope limits experience reports (alias x): community staff
// their community's, the station its street's once submitted.
func experienceScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleCommunity:
		return "x.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleStation:
		return "x.street_id = ? AND x.status <> 'draft'", []any{a.StreetID}, nil
	}
	return "", nil, care.ErrForbidden()
}

// Experiences lists the experience reports the actor may see, newest
// month first.
func (db *DB) Experiences(ctx context.Context, a care.Actor, f ExperienceFilter) ([]upward.Experience, error) {
	scope, args, err := experienceScope(a)
	if err != nil {
		return nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, f.CommunityID); err != nil {
		return nil, err
	}
	fe := care.FieldErrors{}
	if f.Month != "" && !upward.ValidMonth(f.Month) {
		fe.Add("month", upward.MsgBadMonth)
	}
	if f.Status != "" && !isChoiceCode(upward.States, f.Status) {
		fe.Add("status", care.MsgBadChoice)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	q := "SELECT " + experienceColumns + " FROM experience_reports x JOIN communities c ON c.id = x.community_id WHERE " + scope
	if f.CommunityID != 0 {
		q, args = q+" AND x.community_id = ?", append(args, f.CommunityID)
	}
	if f.Month != "" {
		q, args = q+" AND x.month = ?", append(args, f.Month)
	}
	if f.Status != "" {
		q, args = q+" AND x.status = ?", append(args, f.Status)
	}
	rows, err := db.read.QueryContext(ctx, db.q(q+" ORDER BY x.month DESC, x.id DESC LIMIT 500"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []upward.Experience{}
	for rows.Next() {
		e, err := scanExperience(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.experiencePhotos(ctx, db.read, out)
}

func (db *DB) experiencePhotos(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, es []upward.Experience) error {
	if len(es) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]string, len(es))
	for i := range es {
		at[es[i].ID], ids[i] = i, strconv.FormatInt(es[i].ID, 10)
		es[i].PhotoIDs = []int64{}
	}
	rows, err := q.QueryContext(ctx, "SELECT report_id, attachment_id FROM experience_photos WHERE report_id IN ("+strings.Join(ids, ",")+") ORDER BY report_id, position")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r, p int64
		if err := rows.Scan(&r, &p); err != nil {
			return err
		}
		es[at[r]].PhotoIDs = append(es[at[r]].PhotoIDs, p)
	}
	return rows.Err()
}

func (db *DB) getExperience(ctx context.Context, tx *sql.Tx, a care.Actor, id int64) (*upward.Experience, error) {
	scope, args, err := experienceScope(a)
	if err != nil {
		return nil, err
	}
	e, err := scanExperience(tx.QueryRowContext(ctx, db.q("SELECT "+experienceColumns+" FROM experience_reports x JOIN communities c ON c.id = x.community_id WHERE x.id = ? AND "+scope),
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("典型经验 / experience report")
	}
	if err != nil {
		return nil, err
	}
	list := []upward.Experience{*e}
	if err := db.experiencePhotos(ctx, tx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// Experience returns one report. The station's first reading of a
// submitted report marks it read (已阅), with who and when, so the
// community sees it has been seen.
func (db *DB) Experience(ctx context.Context, a care.Actor, id int64) (*upward.Experience, error) {
	var out *upward.Experience
	err := db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.getExperience(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if a.Role == care.RoleStation && e.ReadAt.IsZero() {
			now := db.now()
			if _, err := tx.ExecContext(ctx, db.q("UPDATE experience_reports SET read_at = ?, read_by = ? WHERE id = ?"), now, a.Username, id); err != nil {
				return err
			}
			e.ReadAt, e.ReadBy = parseStamp(now), a.Username
		}
		out = e
		return nil
	})
	return out, err
}

// SaveExperience writes a new report (e.ID 0) or changes a draft or a
// returned one; community staff only, of their community. A new report is
// a draft; submit it with MoveExperience.
func (db *DB) SaveExperience(ctx context.Context, a care.Actor, e *upward.Experience) error {
	if a.Role != care.RoleCommunity {
		return care.ErrForbidden()
	}
	e.Normalize()
	if err := e.Validate(db.today().Format("2006-01")); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.checkPhotos(ctx, tx, e.ID, e.PhotoIDs); err != nil {
			return err
		}
		now := db.now()
		var before any
		if e.ID == 0 {
			var street int64
			if err := tx.QueryRowContext(ctx, db.q("SELECT street_id FROM communities WHERE id = ?"), a.CommunityID).Scan(&street); err != nil {
				return err
			}
			e.StreetID, e.CommunityID, e.Status, e.CreatedBy = street, a.CommunityID, upward.Draft, a.Username
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO experience_reports (street_id, community_id, month, title, body, status, created_by, created_at, updated_at)
 VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`), street, a.CommunityID, e.Month, e.Title, e.Body, upward.Draft, a.Username, now, now).Scan(&e.ID); err != nil {
				return err
			}
		} else {
			old, err := db.getExperience(ctx, tx, a, e.ID)
			if err != nil {
				return err
			}
			if !old.Editable() {
				return care.FieldErrors{"status": care.Msg{ZH: "已上报的典型经验不能修改；街道退回后可修改", EN: "a submitted report cannot be changed unless the station returns it"}}.Err()
			}
			before = old
			if _, err := tx.ExecContext(ctx, db.q("UPDATE experience_reports SET month = ?, title = ?, body = ?, updated_at = ? WHERE id = ?"),
				e.Month, e.Title, e.Body, now, e.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.q("DELETE FROM experience_photos WHERE report_id = ?"), e.ID); err != nil {
				return err
			}
			e.StreetID, e.CommunityID, e.Status, e.Reason, e.CreatedBy, e.CreatedAt = old.StreetID, old.CommunityID, old.Status, old.Reason, old.CreatedBy, old.CreatedAt
			e.SubmittedAt, e.SubmittedBy, e.ReadAt, e.ReadBy, e.DecidedAt, e.DecidedBy = old.SubmittedAt, old.SubmittedBy, old.ReadAt, old.ReadBy, old.DecidedAt, old.DecidedBy
		}
		for i, p := range e.PhotoIDs {
			if _, err := tx.ExecContext(ctx, db.q("INSERT INTO experience_photos (report_id, attachment_id, position) VALUES (?,?,?)"), e.ID, p, i); err != nil {
				return err
			}
		}
		if e.CreatedAt.IsZero() {
			e.CreatedAt = parseStamp(now)
		}
		e.UpdatedAt = parseStamp(now)
		if e.PhotoIDs == nil {
			e.PhotoIDs = []int64{}
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return db.audit(ctx, tx, a, action, "experience_report", e.ID, before, e)
	})
}

// checkPhotos decides whether the actor may attach the photos: each must
// be a picture uploaded for this report (attachment owner "experience",
// id the report's), not removed. A new report has none yet: it is saved
// first, then its photos are uploaded.
func (db *DB) checkPhotos(ctx context.Context, tx *sql.Tx, reportID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if reportID == 0 {
		return care.FieldErrors{"photo_ids": care.Msg{ZH: "请先保存草稿，再上传照片", EN: "save the draft first, then upload its photos"}}.Err()
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return care.FieldErrors{"photo_ids": care.Msg{ZH: "照片重复", EN: "a photo is listed twice"}}.Err()
		}
		seen[id] = true
	}
	bad, err := db.ownedAttachments(ctx, tx, AttachmentOwner{OwnerExperience, reportID}, ids, true)
	if err != nil {
		return err
	}
	if bad {
		return care.FieldErrors{"photo_ids": care.Msg{ZH: "只能选用为本篇典型经验上传的图片", EN: "only pictures uploaded for this report can be its photos"}}.Err()
	}
	return nil
}

// MoveExperience moves a report on: community staff submit a draft or a
// returned report; the station receives a submitted one or returns it
// with a reason.
func (db *DB) MoveExperience(ctx context.Context, a care.Actor, id int64, to, reason string) (*upward.Experience, error) {
	var out *upward.Experience
	reason = strings.TrimSpace(reason)
	err := db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.getExperience(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := upward.Move(a.Role, e.Status, to, reason); err != nil {
			return err
		}
		before := *e
		now := db.now()
		switch to {
		case upward.Submitted:
			_, err = tx.ExecContext(ctx, db.q(`UPDATE experience_reports SET status = ?, reason = '', submitted_at = ?, submitted_by = ?,
 read_at = NULL, read_by = '', decided_at = NULL, decided_by = '' WHERE id = ?`), to, now, a.Username, id)
			e.SubmittedAt, e.SubmittedBy, e.ReadAt, e.ReadBy, e.DecidedAt, e.DecidedBy, e.Reason = parseStamp(now), a.Username, time.Time{}, "", time.Time{}, "", ""
		default:
			if to == upward.Received {
				reason = ""
			}
			_, err = tx.ExecContext(ctx, db.q(`UPDATE experience_reports SET status = ?, reason = ?, decided_at = ?, decided_by = ?,
 read_at = COALESCE(read_at, ?), read_by = CASE WHEN read_by = '' THEN ? ELSE read_by END WHERE id = ?`), to, reason, now, a.Username, now, a.Username, id)
			e.DecidedAt, e.DecidedBy, e.Reason = parseStamp(now), a.Username, reason
			if e.ReadAt.IsZero() {
				e.ReadAt, e.ReadBy = parseStamp(now), a.Username
			}
		}
		if err != nil {
			return err
		}
		e.Status = to
		out = e
		if err := db.noticeUpward(ctx, tx, to, e.StreetID, e.CommunityID, []any{"experience", id, to},
			upwardText("典型经验《"+e.Title+"》", e.Community, to, reason)); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "experience_"+to, "experience_report", id, map[string]string{"status": before.Status}, map[string]string{"status": to, "reason": reason})
	})
	return out, err
}

// ReportExperiences are the received experience reports of a report's
// unit and period (the street's report to the district includes them),
// oldest first. The unit must come from ResolveReportUnit for the actor.
func (db *DB) ReportExperiences(ctx context.Context, a care.Actor, u ReportUnit, p Period) ([]upward.Experience, error) {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
	default:
		return nil, care.ErrForbidden()
	}
	var ids []string
	for _, pt := range u.Parts {
		for _, c := range pt.Communities {
			ids = append(ids, strconv.FormatInt(c, 10))
		}
	}
	out := []upward.Experience{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+experienceColumns+` FROM experience_reports x JOIN communities c ON c.id = x.community_id
 WHERE x.status = 'received' AND x.community_id IN (`+strings.Join(ids, ",")+`) AND x.month IN ('`+strings.Join(p.Months, "','")+`')
 ORDER BY x.month, x.community_id, x.id`))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanExperience(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

func isChoiceCode(cs []care.Choice, code string) bool {
	for _, c := range cs {
		if c.Code == code {
			return true
		}
	}
	return false
}

// Submissions are the month's report submissions the actor may see: the
// station's every community of its street (Status "" for one that has not
// submitted), community staff their own.
func (db *DB) Submissions(ctx context.Context, a care.Actor, month string) ([]upward.Submission, error) {
	if !upward.ValidMonth(month) {
		return nil, care.FieldErrors{"period": upward.MsgBadMonth}.Err()
	}
	var cond string
	var args []any
	switch a.Role {
	case care.RoleStation:
		cond, args = "c.street_id = ?", []any{a.StreetID}
	case care.RoleCommunity:
		cond, args = "c.id = ?", []any{a.CommunityID}
	default:
		return nil, care.ErrForbidden()
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, c.name, COALESCE(s.status, ''), COALESCE(s.submitted_at, ''), COALESCE(s.submitted_by, ''),
 s.decided_at, COALESCE(s.decided_by, ''), COALESCE(s.reason, '')
 FROM communities c LEFT JOIN report_submissions s ON s.community_id = c.id AND s.month = ? WHERE `+cond+` ORDER BY c.id`), append([]any{month}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []upward.Submission{}
	for rows.Next() {
		s := upward.Submission{Month: month}
		var submitted string
		var decided sql.NullString
		if err := rows.Scan(&s.CommunityID, &s.Community, &s.Status, &submitted, &s.SubmittedBy, &decided, &s.DecidedBy, &s.Reason); err != nil {
			return nil, err
		}
		s.SubmittedAt, s.DecidedAt = parseStamp(submitted), parseStamp(decided.String)
		out = append(out, s)
	}
	return out, rows.Err()
}

// MoveSubmission moves a community's month report on: community staff
// submit their community's (after the month has ended, again after a
// return); the station receives or returns (with a reason) one of its
// street's communities'.
func (db *DB) MoveSubmission(ctx context.Context, a care.Actor, communityID int64, month, to, reason string) (*upward.Submission, error) {
	reason = strings.TrimSpace(reason)
	fe := care.FieldErrors{}
	if !upward.ValidMonth(month) {
		fe.Add("period", upward.MsgBadMonth)
	} else if to == upward.Submitted && !upward.MonthEnded(month, db.Now().In(db.Loc)) {
		fe.Add("period", care.Msg{ZH: "该月尚未结束，月报在月底后上报", EN: "the month has not ended; its report is submitted after the month ends"})
	}
	switch a.Role {
	case care.RoleCommunity:
		communityID = a.CommunityID
	case care.RoleStation:
		if communityID <= 0 {
			fe.Add("community_id", care.MsgRequired)
		}
	default:
		return nil, care.ErrForbidden()
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *upward.Submission
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.checkCommunityInScope(ctx, tx, a, communityID); err != nil {
			return care.ErrNotFound("社区 / community")
		}
		var street int64
		var name string
		if err := tx.QueryRowContext(ctx, db.q("SELECT street_id, name FROM communities WHERE id = ?"), communityID).Scan(&street, &name); err != nil {
			return err
		}
		var from string
		err := tx.QueryRowContext(ctx, db.q("SELECT status FROM report_submissions WHERE community_id = ? AND month = ?"), communityID, month).Scan(&from)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := upward.Move(a.Role, from, to, reason); err != nil {
			return err
		}
		now := db.now()
		switch {
		case from == "":
			_, err = tx.ExecContext(ctx, db.q(`INSERT INTO report_submissions (community_id, month, street_id, status, submitted_at, submitted_by)
 VALUES (?,?,?,?,?,?)`), communityID, month, street, to, now, a.Username)
		case to == upward.Submitted:
			_, err = tx.ExecContext(ctx, db.q(`UPDATE report_submissions SET status = ?, submitted_at = ?, submitted_by = ?, decided_at = NULL, decided_by = '', reason = ''
 WHERE community_id = ? AND month = ?`), to, now, a.Username, communityID, month)
		default:
			if to == upward.Received {
				reason = ""
			}
			_, err = tx.ExecContext(ctx, db.q(`UPDATE report_submissions SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE community_id = ? AND month = ?`),
				to, now, a.Username, reason, communityID, month)
		}
		if err != nil {
			return err
		}
		if err := db.noticeUpward(ctx, tx, to, street, communityID, []any{"report", communityID, month, to},
			upwardText(month[:4]+"年"+strings.TrimPrefix(month[5:], "0")+"月的月报", name, to, reason)); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "report_"+to, "community", communityID, map[string]string{"month": month, "status": from},
			map[string]string{"month": month, "status": to, "reason": reason}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list, err := db.Submissions(ctx, care.Actor{Role: care.RoleCommunity, CommunityID: communityID}, month)
	if err == nil && len(list) == 1 {
		out = &list[0]
	}
	return out, err
}

// noticeUpward tells the other side of a step in its inbox, in the step's
// transaction: a submission goes to the street's station staff, a receipt
// or a return to the community's staff.
func (db *DB) noticeUpward(ctx context.Context, tx *sql.Tx, to string, streetID, communityID int64, event []any, text string) error {
	var users []care.User
	var err error
	if to == upward.Submitted {
		users, err = db.queryUsers(ctx, tx, `role = ? AND street_id = ? AND disabled = ?`, care.RoleStation, streetID, false)
	} else {
		users, err = db.staffOf(ctx, tx, communityID)
	}
	if err != nil {
		return err
	}
	var msgs []notify.Message
	for _, u := range users {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		msgs = append(msgs, notify.Message{ID: notify.EventID(append(event, "at", db.now(), "user", u.ID)...),
			Kind: notify.KindNotice, Channel: notify.ChannelInbox, To: notify.Recipient{UserID: u.ID, Name: name}, Text: text, CreatedAt: db.Now()})
	}
	return db.enqueueTx(ctx, tx, msgs...)
}

// upwardText is the inbox line of a step: what moved, and the reason of a
// return.
func upwardText(what, community, to, reason string) string {
	switch to {
	case upward.Submitted:
		return community + "上报了" + what
	case upward.Received:
		return "街道已接收" + what
	}
	return "街道退回了" + what + "，原因：" + reason
}
