package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/activity"
	"carecircle/internal/care"
)

// Activities (活动, issue 15 point 1, README "活动 (activities)"). The
// station plans street-wide activities (community_id NULL) or any of its
// communities'; community staff their own community's and read the
// street-wide ones. A volunteer sees the activities of their community and
// the street-wide ones, signs up and cancels for themself, checks in on the
// day and ticks the checklist items they own. Staff correct attendance,
// name the elders who took part and mark the activity held with a summary:
// that credits the present volunteers' hours (hours_ledger, source
// 'activity') and writes one visit record per elder, organised by the
// committee, through the record path — in one transaction.

// ActivityFilter narrows the activity list.
type ActivityFilter struct {
	CommunityID int64
	Status      string
	From, To    time.Time
}

// ActivityElder is a registered elder who took part in an activity;
// RecordID is the visit record written when it was held (0 before).
type ActivityElder struct {
	ElderID  int64
	Name     string
	RecordID int64
}

// ActivityDetail is an activity with everything around it.
type ActivityDetail struct {
	Activity  activity.Activity
	Series    *activity.Series // nil for a standalone activity
	Checklist []activity.ChecklistItem
	Signups   []activity.Signup // live sign-ups; a volunteer sees only their own
	Elders    []ActivityElder   // staff only
	// Attachments are the activity's photos and files (attachments.go).
	Attachments []Attachment
	// CanEdit: the actor may change the activity (staff in its scope).
	CanEdit bool
}

// VolunteerActivity is an activity open to a volunteer, as their phone
// shows it.
type VolunteerActivity struct {
	Activity activity.Activity
	SignedUp bool
	Present  bool
	Items    []activity.ChecklistItem // the checklist items they own
}

// activityReadScope limits activities (alias x) to what the actor may see.
func activityReadScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "x.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "(x.community_id = ? OR (x.community_id IS NULL AND x.street_id = ?))", []any{a.CommunityID, a.StreetID}, nil
	case care.RoleVolunteer:
		return `x.street_id = (SELECT c.street_id FROM volunteers v JOIN communities c ON c.id = v.community_id WHERE v.id = ?)
 AND (x.community_id IS NULL OR x.community_id = (SELECT community_id FROM volunteers WHERE id = ?))`, []any{a.VolunteerID, a.VolunteerID}, nil
	}
	return "", nil, care.ErrForbidden()
}

// canEditActivity: station staff edit their street's activities,
// community staff their community's.
func canEditActivity(a care.Actor, x *activity.Activity) bool {
	switch a.Role {
	case care.RoleStation:
		return x.StreetID == a.StreetID
	case care.RoleCommunity:
		return x.CommunityID != 0 && x.CommunityID == a.CommunityID
	}
	return false
}

const activityColumns = `x.id, x.street_id, COALESCE(x.community_id, 0), COALESCE(c.name, ''), COALESCE(x.series_id, 0), x.stage, x.template,
 x.theme, x.background, x.purposes, x.organisers, x.place, x.participants, x.safety, x.content, x.preparation, x.expected,
 x.day, x.start_time, x.end_time, x.cap, x.status, x.summary, x.residents, x.created_by, x.created_at,
 (SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = x.id AND s.cancelled_at IS NULL)`

const activityFrom = ` FROM activities x LEFT JOIN communities c ON c.id = x.community_id`

func scanActivity(row interface{ Scan(...any) error }) (*activity.Activity, error) {
	var x activity.Activity
	var day, created string
	if err := row.Scan(&x.ID, &x.StreetID, &x.CommunityID, &x.Community, &x.SeriesID, &x.Stage, &x.Template,
		&x.Theme, &x.Background, &x.Purposes, &x.Organisers, &x.Place, &x.Participants, &x.Safety, &x.Content, &x.Preparation, &x.Expected,
		&day, &x.StartTime, &x.EndTime, &x.Cap, &x.Status, &x.Summary, &x.Residents, &x.CreatedBy, &created, &x.SignedUp); err != nil {
		return nil, err
	}
	x.Date, x.CreatedAt = parseDate(day), parseStamp(created)
	return &x, nil
}

// getActivity reads one activity in the actor's scope (404 outside it);
// lock takes its row for the rest of a PostgreSQL transaction.
func (db *DB) getActivity(ctx context.Context, q querier, a care.Actor, id int64, lock bool) (*activity.Activity, error) {
	scope, args, err := activityReadScope(a)
	if err != nil {
		return nil, err
	}
	if lock && db.dialect.forUpdate != "" {
		if err := q.QueryRowContext(ctx, db.q("SELECT id FROM activities WHERE id = ?"+db.dialect.forUpdate), id).Scan(new(int64)); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	x, err := scanActivity(q.QueryRowContext(ctx, db.q("SELECT "+activityColumns+activityFrom+" WHERE x.id = ? AND "+scope), append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("活动 / activity")
	}
	return x, err
}

// editableActivity reads an activity the actor may change: 404 outside
// what they see, 403 for one they see but do not run.
func (db *DB) editableActivity(ctx context.Context, q querier, a care.Actor, id int64, lock bool) (*activity.Activity, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	x, err := db.getActivity(ctx, q, a, id, lock)
	if err != nil {
		return nil, err
	}
	if !canEditActivity(a, x) {
		return nil, care.ErrForbidden()
	}
	return x, nil
}

// placeActivity fills the street of an activity being planned and checks
// its community: community staff plan for their own community only.
func (db *DB) placeActivity(ctx context.Context, tx *sql.Tx, a care.Actor, communityID *int64) (int64, error) {
	if !a.EditsRegistry() {
		return 0, care.ErrForbidden()
	}
	if a.Role == care.RoleCommunity && *communityID == 0 {
		*communityID = a.CommunityID
	}
	if *communityID == 0 {
		return a.StreetID, nil
	}
	if err := db.checkCommunityInScope(ctx, tx, a, *communityID); err != nil {
		return 0, err
	}
	var street int64
	err := tx.QueryRowContext(ctx, db.q("SELECT street_id FROM communities WHERE id = ?"), *communityID).Scan(&street)
	return street, err
}

// checkOwner makes sure a checklist item's owner is a volunteer the
// activity is open to (its community's, or the street's for a street-wide
// one), and fills the owner's name.
func (db *DB) checkOwner(ctx context.Context, q querier, x *activity.Activity, it *activity.ChecklistItem) error {
	if it.OwnerVolunteerID == 0 {
		it.OwnerName = ""
		return nil
	}
	err := q.QueryRowContext(ctx, db.q(`SELECT v.name FROM volunteers v JOIN communities c ON c.id = v.community_id
 WHERE v.id = ? AND c.street_id = ? AND (? = 0 OR v.community_id = ?)`), it.OwnerVolunteerID, x.StreetID, x.CommunityID, x.CommunityID).Scan(&it.OwnerName)
	if errors.Is(err, sql.ErrNoRows) {
		return care.FieldErrors{"owner_volunteer_id": care.Msg{ZH: "负责人不是参加这个活动的志愿者", EN: "the owner is not a volunteer this activity is open to"}}.Err()
	}
	return err
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return dateString(t)
}

func (db *DB) insertActivity(ctx context.Context, tx *sql.Tx, a care.Actor, x *activity.Activity) error {
	now := db.now()
	x.CreatedBy, x.CreatedAt = a.Username, parseStamp(now)
	return tx.QueryRowContext(ctx, db.q(`INSERT INTO activities (street_id, community_id, series_id, stage, template, theme, background, purposes,
 organisers, place, participants, safety, content, preparation, expected, day, start_time, end_time, cap, status, summary, residents,
 created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
		x.StreetID, nullID(x.CommunityID), nullID(x.SeriesID), x.Stage, x.Template, x.Theme, x.Background, x.Purposes,
		x.Organisers, x.Place, x.Participants, x.Safety, x.Content, x.Preparation, x.Expected, dateString(x.Date), x.StartTime, x.EndTime,
		x.Cap, x.Status, x.Summary, x.Residents, a.Username, now, now).Scan(&x.ID)
}

func (db *DB) insertChecklist(ctx context.Context, tx *sql.Tx, a care.Actor, x *activity.Activity, items []activity.ChecklistItem) error {
	for i := range items {
		it := &items[i]
		it.ActivityID = x.ID
		if err := db.checkOwner(ctx, tx, x, it); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO activity_checklist (activity_id, item, owner_volunteer_id, due, created_by, created_at)
 VALUES (?,?,?,?,?,?) RETURNING id`), x.ID, it.Item, nullID(it.OwnerVolunteerID), nullDate(it.Due), a.Username, db.now()).Scan(&it.ID); err != nil {
			return err
		}
	}
	return nil
}

var msgNewPlanned = care.Msg{ZH: "新活动只能是“计划中”", EN: "a new activity is planned"}

func checkItems(items []activity.ChecklistItem) error {
	if len(items) > activity.MaxChecklist {
		return care.FieldErrors{"checklist": care.Msg{ZH: "准备清单最多100项", EN: "at most 100 checklist items"}}.Err()
	}
	for i := range items {
		items[i].Normalize()
		if err := items[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// CreateActivity plans a standalone activity with its checklist.
func (db *DB) CreateActivity(ctx context.Context, a care.Actor, x *activity.Activity, items []activity.ChecklistItem) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	x.Normalize()
	x.SeriesID, x.Stage, x.Summary = 0, 0, ""
	f := care.FieldErrors{}
	f.Merge(x.Validate())
	if x.Status != activity.StatusPlanned {
		f.Add("status", msgNewPlanned)
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := checkItems(items); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		street, err := db.placeActivity(ctx, tx, a, &x.CommunityID)
		if err != nil {
			return err
		}
		x.StreetID = street
		if err := db.insertActivity(ctx, tx, a, x); err != nil {
			return err
		}
		if err := db.insertChecklist(ctx, tx, a, x, items); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "create", "activity", x.ID, nil, struct {
			Activity  *activity.Activity
			Checklist []activity.ChecklistItem
		}{x, items})
	})
}

// CreateSeries plans a series: its stages are activities 1..n of it, each
// with its checklist (items keyed by stage number).
func (db *DB) CreateSeries(ctx context.Context, a care.Actor, s *activity.Series, items map[int][]activity.ChecklistItem) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	s.Normalize()
	f := care.FieldErrors{}
	f.Merge(s.Validate())
	for i := range s.Stages {
		if s.Stages[i].Status != activity.StatusPlanned {
			f.Add("stages["+strconv.Itoa(i)+"].status", msgNewPlanned)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	for _, list := range items {
		if err := checkItems(list); err != nil {
			return err
		}
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		street, err := db.placeActivity(ctx, tx, a, &s.CommunityID)
		if err != nil {
			return err
		}
		s.StreetID = street
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO activity_series (street_id, community_id, template, theme, background, purposes, organisers, safety, created_by, created_at)
 VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`), s.StreetID, nullID(s.CommunityID), s.Template, s.Theme, s.Background, s.Purposes, s.Organisers, s.Safety,
			a.Username, db.now()).Scan(&s.ID); err != nil {
			return err
		}
		for i := range s.Stages {
			x := &s.Stages[i]
			x.StreetID, x.CommunityID, x.SeriesID, x.Stage, x.Summary = s.StreetID, s.CommunityID, s.ID, i+1, ""
			if x.Template == "" {
				x.Template = s.Template
			}
			if err := db.insertActivity(ctx, tx, a, x); err != nil {
				return err
			}
			if err := db.insertChecklist(ctx, tx, a, x, items[i+1]); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "create", "activity_series", s.ID, nil, struct {
			Series    *activity.Series
			Checklist map[int][]activity.ChecklistItem
		}{s, items})
	})
}

var msgTemplate = care.Msg{ZH: "模板应为 nursing_home（敬老院探访）或 monthly_series（五个阶段系列活动）", EN: "must be nursing_home or monthly_series"}

// CreateFromTemplate plans an activity (nursing_home: activityID) or a
// series (monthly_series: seriesID and its first stage's activityID) from
// the documents' templates, for communityID (0: street-wide, the station
// only) on date (the first stage's for a series).
func (db *DB) CreateFromTemplate(ctx context.Context, a care.Actor, template string, communityID int64, date time.Time) (seriesID, activityID int64, err error) {
	if !a.EditsRegistry() {
		return 0, 0, care.ErrForbidden()
	}
	if date.IsZero() {
		return 0, 0, care.FieldErrors{"date": care.MsgBadDate}.Err()
	}
	switch template {
	case activity.TemplateNursingHome:
		x, items := activity.NursingHomeVisit(date)
		x.CommunityID = communityID
		if err := db.CreateActivity(ctx, a, &x, items); err != nil {
			return 0, 0, err
		}
		return 0, x.ID, nil
	case activity.TemplateMonthlySeries:
		s, items := activity.MonthlySeries(date)
		s.CommunityID = communityID
		if err := db.CreateSeries(ctx, a, &s, items); err != nil {
			return 0, 0, err
		}
		return s.ID, s.Stages[0].ID, nil
	}
	return 0, 0, care.FieldErrors{"template": msgTemplate}.Err()
}

// Activities lists the activities the actor may see, newest day first.
func (db *DB) Activities(ctx context.Context, a care.Actor, f ActivityFilter) ([]activity.Activity, error) {
	scope, args, err := activityReadScope(a)
	if err != nil {
		return nil, err
	}
	if f.Status != "" && !isStatus(f.Status) {
		return nil, care.FieldErrors{"status": care.MsgBadChoice}.Err()
	}
	if err := db.CheckCommunityFilter(ctx, a, f.CommunityID); err != nil {
		return nil, err
	}
	q := "SELECT " + activityColumns + activityFrom + " WHERE " + scope
	if f.CommunityID != 0 {
		q, args = q+" AND x.community_id = ?", append(args, f.CommunityID)
	}
	if f.Status != "" {
		q, args = q+" AND x.status = ?", append(args, f.Status)
	}
	if !f.From.IsZero() {
		q, args = q+" AND x.day >= ?", append(args, dateString(f.From))
	}
	if !f.To.IsZero() {
		q, args = q+" AND x.day <= ?", append(args, dateString(f.To))
	}
	return db.activityList(ctx, db.read, q+" ORDER BY x.day DESC, x.start_time DESC, x.id DESC LIMIT 500", args)
}

func isStatus(s string) bool {
	for _, c := range activity.Statuses {
		if c.Code == s {
			return true
		}
	}
	return false
}

func (db *DB) activityList(ctx context.Context, q rowsQuerier, query string, args []any) ([]activity.Activity, error) {
	rows, err := q.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []activity.Activity{}
	for rows.Next() {
		x, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}

// UpcomingActivities counts the planned activities from today on that the
// actor may see and returns the next n of them, soonest first (the
// dashboard's line).
func (db *DB) UpcomingActivities(ctx context.Context, a care.Actor, n int) (int, []activity.Activity, error) {
	scope, args, err := activityReadScope(a)
	if err != nil {
		return 0, nil, err
	}
	where := " WHERE " + scope + " AND x.status = 'planned' AND x.day >= ?"
	args = append(args, dateString(db.today()))
	var total int
	if err := db.read.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM activities x"+where), args...).Scan(&total); err != nil {
		return 0, nil, err
	}
	if n <= 0 {
		return total, []activity.Activity{}, nil
	}
	list, err := db.activityList(ctx, db.read, "SELECT "+activityColumns+activityFrom+where+" ORDER BY x.day, x.start_time, x.id LIMIT "+strconv.Itoa(n), args)
	return total, list, err
}

// ActivityDetail returns an activity with its series, checklist, sign-ups
// and elders, as the actor may see them.
func (db *DB) ActivityDetail(ctx context.Context, a care.Actor, id int64) (*ActivityDetail, error) {
	x, err := db.getActivity(ctx, db.read, a, id, false)
	if err != nil {
		return nil, err
	}
	d := &ActivityDetail{Activity: *x, CanEdit: canEditActivity(a, x)}
	if x.SeriesID != 0 {
		s := &activity.Series{ID: x.SeriesID}
		var comm sql.NullInt64
		if err := db.read.QueryRowContext(ctx, db.q(`SELECT street_id, community_id, template, theme, background, purposes, organisers, safety
 FROM activity_series WHERE id = ?`), x.SeriesID).Scan(&s.StreetID, &comm, &s.Template, &s.Theme, &s.Background, &s.Purposes, &s.Organisers, &s.Safety); err != nil {
			return nil, err
		}
		s.CommunityID = comm.Int64
		s.Stages, err = db.activityList(ctx, db.read, "SELECT "+activityColumns+activityFrom+" WHERE x.series_id = ? ORDER BY x.stage, x.id", []any{x.SeriesID})
		if err != nil {
			return nil, err
		}
		d.Series = s
	}
	if d.Checklist, err = db.checklist(ctx, db.read, a, "c.activity_id = ?", id); err != nil {
		return nil, err
	}
	if d.Signups, err = db.signups(ctx, a, id); err != nil {
		return nil, err
	}
	if d.Attachments, err = db.Attachments(ctx, a, AttachmentOwner{Kind: OwnerActivity, ID: id}); err != nil {
		return nil, err
	}
	d.Elders = []ActivityElder{}
	if a.EditsRegistry() {
		rows, err := db.read.QueryContext(ctx, db.q(`SELECT ae.elder_id, e.name, COALESCE(ae.record_id, 0) FROM activity_elders ae JOIN elders e ON e.id = ae.elder_id
 WHERE ae.activity_id = ? ORDER BY e.name, e.id`), id)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var e ActivityElder
			if err := rows.Scan(&e.ElderID, &e.Name, &e.RecordID); err != nil {
				return nil, err
			}
			d.Elders = append(d.Elders, e)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// checklist reads checklist items (alias c) matching cond; a volunteer
// sees other owners' items without their names.
func (db *DB) checklist(ctx context.Context, q rowsQuerier, a care.Actor, cond string, args ...any) ([]activity.ChecklistItem, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT c.id, c.activity_id, c.item, COALESCE(c.owner_volunteer_id, 0), COALESCE(v.name, ''), c.due, c.done, c.done_at, c.done_by
 FROM activity_checklist c LEFT JOIN volunteers v ON v.id = c.owner_volunteer_id WHERE `+cond+` ORDER BY c.activity_id, c.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []activity.ChecklistItem{}
	for rows.Next() {
		var it activity.ChecklistItem
		var due, doneAt sql.NullString
		if err := rows.Scan(&it.ID, &it.ActivityID, &it.Item, &it.OwnerVolunteerID, &it.OwnerName, &due, &it.Done, &doneAt, &it.DoneBy); err != nil {
			return nil, err
		}
		if due.Valid {
			it.Due = parseDate(due.String)
		}
		if doneAt.Valid {
			it.DoneAt = parseStamp(doneAt.String)
		}
		if a.Role == care.RoleVolunteer && it.OwnerVolunteerID != a.VolunteerID {
			it.OwnerName, it.DoneBy = "", ""
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// signups reads an activity's live sign-ups (a volunteer's own only, for a
// volunteer).
func (db *DB) signups(ctx context.Context, a care.Actor, activityID int64) ([]activity.Signup, error) {
	q := `SELECT s.volunteer_id, v.name, s.signed_at, s.present, s.checked_in_at, s.minutes, s.corrected_by
 FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id WHERE s.activity_id = ? AND s.cancelled_at IS NULL`
	args := []any{activityID}
	if a.Role == care.RoleVolunteer {
		q, args = q+" AND s.volunteer_id = ?", append(args, a.VolunteerID)
	}
	rows, err := db.read.QueryContext(ctx, db.q(q+" ORDER BY s.signed_at, s.id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []activity.Signup{}
	for rows.Next() {
		s := activity.Signup{ActivityID: activityID}
		var signed string
		var in sql.NullString
		if err := rows.Scan(&s.VolunteerID, &s.VolunteerName, &signed, &s.Present, &in, &s.Minutes, &s.CorrectedBy); err != nil {
			return nil, err
		}
		s.SignedAt = parseStamp(signed)
		if in.Valid {
			s.CheckedInAt = parseStamp(in.String)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

var (
	msgHeldByFinish = care.Msg{ZH: "请用“活动总结”把活动标为已举办", EN: "mark the activity held with its summary (finish)"}
	msgStayHeld     = care.Msg{ZH: "已举办的活动不能改回计划中或取消", EN: "a held activity stays held"}
)

// UpdateActivity changes a planned activity's plan (or a held one's
// text): its place in the street, series and stage stay; cancelling is
// the status "cancelled" and may be undone; "held" is set by
// FinishActivity only. The cap may not go below the live sign-ups.
func (db *DB) UpdateActivity(ctx context.Context, a care.Actor, x *activity.Activity) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		before, err := db.editableActivity(ctx, tx, a, x.ID, true)
		if err != nil {
			return err
		}
		f := care.FieldErrors{}
		switch {
		case before.Status == activity.StatusHeld && x.Status != activity.StatusHeld:
			f.Add("status", msgStayHeld)
		case before.Status != activity.StatusHeld && x.Status == activity.StatusHeld:
			f.Add("status", msgHeldByFinish)
		}
		if x.Cap > 0 && x.Cap < before.SignedUp {
			f.Add("cap", care.Msg{ZH: "已有" + strconv.Itoa(before.SignedUp) + "人报名，上限不能更小", EN: strconv.Itoa(before.SignedUp) + " have signed up; the cap cannot be lower"})
		}
		if err := f.Err(); err != nil {
			return err
		}
		x.StreetID, x.CommunityID, x.Community, x.SeriesID, x.Stage, x.Template = before.StreetID, before.CommunityID, before.Community, before.SeriesID, before.Stage, before.Template
		x.CreatedBy, x.CreatedAt, x.SignedUp = before.CreatedBy, before.CreatedAt, before.SignedUp
		if x.Status != activity.StatusHeld {
			x.Summary = before.Summary
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE activities SET theme = ?, background = ?, purposes = ?, organisers = ?, place = ?, participants = ?,
 safety = ?, content = ?, preparation = ?, expected = ?, day = ?, start_time = ?, end_time = ?, cap = ?, status = ?, summary = ?, residents = ?, updated_at = ?
 WHERE id = ?`), x.Theme, x.Background, x.Purposes, x.Organisers, x.Place, x.Participants, x.Safety, x.Content, x.Preparation, x.Expected,
			dateString(x.Date), x.StartTime, x.EndTime, x.Cap, x.Status, x.Summary, x.Residents, db.now(), x.ID); err != nil {
			return err
		}
		action := "update"
		if x.Status == activity.StatusCancelled && before.Status != activity.StatusCancelled {
			action = "cancel"
		}
		return db.audit(ctx, tx, a, action, "activity", x.ID, before, x)
	})
}

// signer checks who signs volunteerID up or off: the volunteer themself,
// or staff for a volunteer in their scope.
func (db *DB) signer(ctx context.Context, q querier, a care.Actor, x *activity.Activity, volunteerID int64) error {
	switch a.Role {
	case care.RoleVolunteer:
		if volunteerID != a.VolunteerID {
			return care.ErrForbidden()
		}
	case care.RoleStation, care.RoleCommunity:
		if _, err := db.getVolunteer(ctx, q, a, volunteerID); err != nil {
			return err
		}
	default:
		return care.ErrForbidden()
	}
	var n int
	if err := q.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM volunteers v JOIN communities c ON c.id = v.community_id
 WHERE v.id = ? AND c.street_id = ? AND (? = 0 OR v.community_id = ?)`), volunteerID, x.StreetID, x.CommunityID, x.CommunityID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return care.FieldErrors{"volunteer_id": care.Msg{ZH: "这个活动不面向该志愿者所在的社区", EN: "this activity is not open to the volunteer's community"}}.Err()
	}
	return nil
}

// liveSignup reads a volunteer's live sign-up: its id, whether present
// and the minutes (ok false when there is none).
func (db *DB) liveSignup(ctx context.Context, q querier, activityID, volunteerID int64) (id int64, present bool, minutes int, ok bool, err error) {
	err = q.QueryRowContext(ctx, db.q(`SELECT id, present, minutes FROM activity_signups WHERE activity_id = ? AND volunteer_id = ? AND cancelled_at IS NULL`),
		activityID, volunteerID).Scan(&id, &present, &minutes)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, 0, false, nil
	}
	return id, present, minutes, err == nil, err
}

// SignUp signs volunteerID up for an activity. The cap is checked inside
// the transaction with the activity's row locked (PostgreSQL; SQLite has
// one writer), so servers sharing a database cannot overfill it. Signing
// up again is no change.
func (db *DB) SignUp(ctx context.Context, a care.Actor, activityID, volunteerID int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		x, err := db.getActivity(ctx, tx, a, activityID, true)
		if err != nil {
			return err
		}
		if err := db.signer(ctx, tx, a, x, volunteerID); err != nil {
			return err
		}
		if _, _, _, ok, err := db.liveSignup(ctx, tx, activityID, volunteerID); err != nil || ok {
			return err
		}
		if err := x.CanSignUp(db.Now(), db.Loc, x.SignedUp); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO activity_signups (activity_id, volunteer_id, signed_at, signed_by) VALUES (?,?,?,?) RETURNING id`),
			activityID, volunteerID, db.now(), a.Username).Scan(&id); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "signup", "activity", activityID, nil, map[string]any{"volunteer_id": volunteerID, "signup_id": id})
	})
}

// CancelSignup withdraws a volunteer's sign-up (the row stays, with
// cancelled_at) before the activity is held.
func (db *DB) CancelSignup(ctx context.Context, a care.Actor, activityID, volunteerID int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		x, err := db.getActivity(ctx, tx, a, activityID, true)
		if err != nil {
			return err
		}
		if err := db.signer(ctx, tx, a, x, volunteerID); err != nil {
			return err
		}
		id, present, _, ok, err := db.liveSignup(ctx, tx, activityID, volunteerID)
		if err != nil {
			return err
		}
		if !ok {
			return care.ErrNotFound("报名 / sign-up")
		}
		if x.Status == activity.StatusHeld || present {
			return care.FieldErrors{"volunteer_id": care.Msg{ZH: "已签到或活动已举办，不能取消报名；请工作人员更正出勤", EN: "already checked in or held; staff correct the attendance instead"}}.Err()
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE activity_signups SET cancelled_at = ?, cancelled_by = ? WHERE id = ?`), db.now(), a.Username, id); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "cancel_signup", "activity", activityID, map[string]any{"volunteer_id": volunteerID, "signup_id": id}, nil)
	})
}

// rebookHours makes the ledger hold what a held activity's attendance
// says for one volunteer: what it credited before is reversed and the
// present minutes credited again. Nothing before the activity is held.
func (db *DB) rebookHours(ctx context.Context, tx *sql.Tx, a care.Actor, x *activity.Activity, volunteerID int64, present bool, minutes int) error {
	if x.Status != activity.StatusHeld {
		return nil
	}
	if err := db.ReverseActivity(ctx, tx, a, volunteerID, x.ID); err != nil {
		return err
	}
	if !present {
		return nil
	}
	return db.CreditActivity(ctx, tx, a, volunteerID, x.ID, x.Start(db.Loc), minutes, activityNote(x))
}

func activityNote(x *activity.Activity) string { return "活动 / activity: " + x.Theme }

// CheckIn records the volunteer's own attendance on the activity's day,
// for the activity's minutes; they must have signed up. Checking in again
// is no change.
func (db *DB) CheckIn(ctx context.Context, a care.Actor, activityID, volunteerID int64) error {
	if a.Role != care.RoleVolunteer || volunteerID != a.VolunteerID {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		x, err := db.getActivity(ctx, tx, a, activityID, true)
		if err != nil {
			return err
		}
		id, present, _, ok, err := db.liveSignup(ctx, tx, activityID, volunteerID)
		if err != nil {
			return err
		}
		if !ok {
			return care.FieldErrors{"volunteer_id": care.Msg{ZH: "您没有报名这个活动，不能签到", EN: "you have not signed up for this activity"}}.Err()
		}
		if present {
			return nil
		}
		if err := x.CanCheckIn(db.Now(), db.Loc); err != nil {
			return err
		}
		m := x.Minutes()
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE activity_signups SET present = ?, checked_in_at = ?, minutes = ? WHERE id = ?`), true, db.now(), m, id); err != nil {
			return err
		}
		if err := db.rebookHours(ctx, tx, a, x, volunteerID, true, m); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "check_in", "activity", activityID, nil, map[string]any{"volunteer_id": volunteerID, "minutes": m})
	})
}

// SetAttendance is staff's correction of a volunteer's attendance (also a
// volunteer who came without signing up). On a held activity the hours
// ledger is re-booked in the same transaction.
func (db *DB) SetAttendance(ctx context.Context, a care.Actor, activityID, volunteerID int64, present bool, minutes int) error {
	if err := activity.ValidateAttendance(present, minutes); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		x, err := db.editableActivity(ctx, tx, a, activityID, true)
		if err != nil {
			return err
		}
		if err := db.signer(ctx, tx, a, x, volunteerID); err != nil {
			return err
		}
		f := care.FieldErrors{}
		switch {
		case x.Status == activity.StatusCancelled:
			f.Add("status", care.Msg{ZH: "活动已取消", EN: "the activity was cancelled"})
		case present && db.Now().Before(x.Start(db.Loc)):
			f.Add("present", care.Msg{ZH: "活动还没有开始，不能记为到场", EN: "the activity has not started yet"})
		}
		if err := f.Err(); err != nil {
			return err
		}
		id, wasPresent, wasMinutes, ok, err := db.liveSignup(ctx, tx, activityID, volunteerID)
		if err != nil {
			return err
		}
		now := db.now()
		if !ok {
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO activity_signups (activity_id, volunteer_id, signed_at, signed_by) VALUES (?,?,?,?) RETURNING id`),
				activityID, volunteerID, now, a.Username).Scan(&id); err != nil {
				return err
			}
		}
		if ok && wasPresent == present && wasMinutes == minutes {
			return nil
		}
		var in any
		if present {
			in = now
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE activity_signups SET present = ?, minutes = ?, corrected_by = ?,
 checked_in_at = CASE WHEN ? THEN COALESCE(checked_in_at, ?) ELSE NULL END WHERE id = ?`), present, minutes, a.Username, present, in, id); err != nil {
			return err
		}
		if err := db.rebookHours(ctx, tx, a, x, volunteerID, present, minutes); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "attendance", "activity", activityID,
			map[string]any{"volunteer_id": volunteerID, "present": wasPresent, "minutes": wasMinutes},
			map[string]any{"volunteer_id": volunteerID, "present": present, "minutes": minutes})
	})
}

// AddChecklistItem adds a preparation item to an activity (staff).
func (db *DB) AddChecklistItem(ctx context.Context, a care.Actor, it *activity.ChecklistItem) error {
	it.Normalize()
	if err := it.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		x, err := db.editableActivity(ctx, tx, a, it.ActivityID, false)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM activity_checklist WHERE activity_id = ?"), x.ID).Scan(&n); err != nil {
			return err
		}
		if n >= activity.MaxChecklist {
			return care.FieldErrors{"item": care.Msg{ZH: "准备清单最多100项", EN: "at most 100 checklist items"}}.Err()
		}
		list := []activity.ChecklistItem{*it}
		if err := db.insertChecklist(ctx, tx, a, x, list); err != nil {
			return err
		}
		*it = list[0]
		return db.audit(ctx, tx, a, "checklist_add", "activity", x.ID, nil, it)
	})
}

// SetChecklistDone ticks (or unticks) a checklist item: staff who run the
// activity, or the volunteer who owns the item.
func (db *DB) SetChecklistDone(ctx context.Context, a care.Actor, itemID int64, done bool) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var activityID, owner int64
		var was bool
		err := tx.QueryRowContext(ctx, db.q("SELECT activity_id, COALESCE(owner_volunteer_id, 0), done FROM activity_checklist WHERE id = ?"), itemID).Scan(&activityID, &owner, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return care.ErrNotFound("准备事项 / checklist item")
		}
		if err != nil {
			return err
		}
		x, err := db.getActivity(ctx, tx, a, activityID, false)
		if err != nil {
			return care.ErrNotFound("准备事项 / checklist item")
		}
		if !canEditActivity(a, x) && !(a.Role == care.RoleVolunteer && owner != 0 && owner == a.VolunteerID) {
			return care.ErrForbidden()
		}
		if was == done {
			return nil
		}
		var at any
		by := ""
		if done {
			at, by = db.now(), a.Username
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE activity_checklist SET done = ?, done_at = ?, done_by = ? WHERE id = ?"), done, at, by, itemID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "checklist_done", "activity", activityID, map[string]any{"item_id": itemID, "done": was}, map[string]any{"item_id": itemID, "done": done})
	})
}

// VolunteerActivities lists the planned activities from today on that are
// open to a volunteer (their community's and the street-wide ones), soonest
// first, with whether they signed up and the checklist items they own.
func (db *DB) VolunteerActivities(ctx context.Context, a care.Actor, volunteerID int64) ([]VolunteerActivity, error) {
	v, err := db.getVolunteer(ctx, db.read, a, volunteerID)
	if err != nil {
		return nil, err
	}
	list, err := db.activityList(ctx, db.read, "SELECT "+activityColumns+activityFrom+` WHERE x.status = 'planned' AND x.day >= ?
 AND x.street_id = (SELECT street_id FROM communities WHERE id = ?) AND (x.community_id IS NULL OR x.community_id = ?)
 ORDER BY x.day, x.start_time, x.id LIMIT 100`, []any{dateString(db.today()), v.CommunityID, v.CommunityID})
	if err != nil {
		return nil, err
	}
	out := make([]VolunteerActivity, len(list))
	at := map[int64]int{}
	ids := make([]string, len(list))
	for i, x := range list {
		out[i] = VolunteerActivity{Activity: x, Items: []activity.ChecklistItem{}}
		at[x.ID], ids[i] = i, strconv.FormatInt(x.ID, 10)
	}
	if len(list) == 0 {
		return out, nil
	}
	in := "(" + strings.Join(ids, ",") + ")"
	rows, err := db.read.QueryContext(ctx, db.q("SELECT activity_id, present FROM activity_signups WHERE cancelled_at IS NULL AND volunteer_id = ? AND activity_id IN "+in), volunteerID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var present bool
		if err := rows.Scan(&id, &present); err != nil {
			rows.Close()
			return nil, err
		}
		out[at[id]].SignedUp, out[at[id]].Present = true, present
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	items, err := db.checklist(ctx, db.read, care.Actor{Role: care.RoleVolunteer, VolunteerID: volunteerID}, "c.owner_volunteer_id = ? AND c.activity_id IN "+in, volunteerID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		out[at[it.ActivityID]].Items = append(out[at[it.ActivityID]].Items, it)
	}
	return out, nil
}
