package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/survey"
)

// Needs surveys and their review (调查摸底、审核, issue 15 point 3, README
// "调查摸底与审核 / Surveys and approval"): a surveyor's answers are a
// proposal against the elder's record; community staff accept or reject
// each field, and only the accepted ones change the record, with the
// history of needs. The rules are in internal/survey.

// Survey is one proposal: a survey of an elder or a later change.
type Survey struct {
	ID          int64
	ElderID     int64
	ElderName   string
	CommunityID int64
	Kind        string
	Surveyor    string // username of who filled it in
	VolunteerID int64  // when a named volunteer surveyed
	SurveyedOn  time.Time
	Answers     survey.Answers
	Fields      []string // the fields that differ from the record when submitted
	Status      string
	Decisions   map[string]string
	ReviewNote  string
	ReviewedBy  string
	ReviewedAt  time.Time
	CreatedAt   time.Time
}

// SurveyFilter selects proposals; zero values do not filter.
type SurveyFilter struct {
	CommunityID int64
	ElderID     int64
	Status      string
}

// SurveyTarget is an elder a surveyor may survey: only what finding them needs.
type SurveyTarget struct {
	ElderID  int64
	Name     string
	Building string
	Unit     string
	Room     string
	Surveyed bool
}

// surveyorCommunity is the community whose elders the actor surveys:
// community staff their own; a volunteer the community that named them.
// The station surveys in its street (0: any).
func (db *DB) surveyorCommunity(ctx context.Context, q queryer, a care.Actor) (int64, error) {
	switch a.Role {
	case care.RoleCommunity:
		return a.CommunityID, nil
	case care.RoleStation:
		return 0, nil
	case care.RoleVolunteer:
		var id int64
		err := q.QueryRowContext(ctx, db.q(`SELECT s.community_id FROM surveyors s JOIN volunteers v ON v.id = s.volunteer_id
 WHERE s.volunteer_id = ? AND v.status = 'active'`), a.VolunteerID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, &care.Error{Code: care.EForbidden, Message: "您未被指定为调查人员 / you are not named as a surveyor"}
		}
		return id, err
	}
	return 0, care.ErrForbidden()
}

// surveyElder loads an elder the actor may survey, as registry staff of
// the elder's community see it.
func (db *DB) surveyElder(ctx context.Context, q querier, a care.Actor, community, elderID int64) (*care.Elder, error) {
	as := a
	if a.Role == care.RoleVolunteer {
		as = care.Actor{Role: care.RoleCommunity, StreetID: a.StreetID, CommunityID: community, Username: a.Username}
	}
	e, err := db.getElder(ctx, q, as, elderID)
	if err != nil {
		return nil, err
	}
	if e.Status != "active" && e.Status != "paused" {
		return nil, care.FieldErrors{"elder_id": care.Msg{ZH: "该老人已不在服务中", EN: "the elder is no longer in service"}}.Err()
	}
	return e, nil
}

// profile reads an elder's survey profile (need details, health, wishes).
func (db *DB) profile(ctx context.Context, q querier, elderID int64) (survey.Profile, error) {
	p := survey.Profile{NeedDetails: map[string]string{}}
	var details, health string
	err := q.QueryRowContext(ctx, db.q(`SELECT need_details, health, wishes FROM elder_profiles WHERE elder_id = ?`), elderID).Scan(&details, &health, &p.Wishes)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(details), &p.NeedDetails); err != nil {
		return p, err
	}
	p.Health, err = db.vault.OpenText(health)
	return p, err
}

// SubmitSurvey records a survey (or a change proposal) of s.ElderID by the
// actor: community staff of the elder's community, the station, or a
// volunteer the community named as a surveyor. The fields that differ
// from the record become the proposal; when none does the survey is kept
// as agreeing with the record (it still counts as surveyed).
func (db *DB) SubmitSurvey(ctx context.Context, a care.Actor, s *Survey) error {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleVolunteer:
	default:
		return care.ErrForbidden()
	}
	if s.Kind == "" {
		s.Kind = survey.KindSurvey
	}
	s.Answers.Normalize()
	if s.SurveyedOn.IsZero() {
		s.SurveyedOn = db.today()
	}
	f := care.FieldErrors{}
	f.Merge(s.Answers.Validate(s.Kind))
	f.Merge(survey.CheckDay(s.SurveyedOn, db.today()))
	if s.ElderID <= 0 {
		f.Add("elder_id", care.MsgRequired)
	}
	if a.Role == care.RoleVolunteer && s.Kind != survey.KindSurvey {
		f.Add("kind", care.Msg{ZH: "调查人员只能填写调查表", EN: "a surveyor fills in surveys only"})
	}
	if err := f.Err(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		community, err := db.surveyorCommunity(ctx, tx, a)
		if err != nil {
			return err
		}
		e, err := db.surveyElder(ctx, tx, a, community, s.ElderID)
		if err != nil {
			return err
		}
		p, err := db.profile(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		s.ElderName, s.CommunityID, s.Surveyor = e.Name, e.CommunityID, a.Username
		if a.Role == care.RoleVolunteer {
			s.VolunteerID = a.VolunteerID
		}
		s.Fields = survey.Proposed(s.Kind, &s.Answers, e, p)
		s.Status, s.Decisions, s.CreatedAt = survey.StatusPending, map[string]string{}, db.Now()
		if len(s.Fields) == 0 {
			s.Status = survey.StatusUnchanged
		}
		return db.insertSurvey(ctx, tx, a, s)
	})
}

func (db *DB) insertSurvey(ctx context.Context, tx *sql.Tx, a care.Actor, s *Survey) error {
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO surveys (elder_id, community_id, street_id, kind, surveyor, volunteer_id, surveyed_on,
 answers, fields, status, created_at) VALUES (?,?,(SELECT street_id FROM communities WHERE id = ?),?,?,?,?,?,?,?,?) RETURNING id`),
		s.ElderID, s.CommunityID, s.CommunityID, s.Kind, s.Surveyor, nullID(s.VolunteerID), dateString(s.SurveyedOn),
		db.vault.SealText(toJSON(s.Answers)), joinSet(s.Fields), s.Status, stamp(s.CreatedAt)).Scan(&s.ID); err != nil {
		return err
	}
	return db.audit(ctx, tx, a, "create", "survey", s.ID, nil, map[string]any{"elder_id": s.ElderID, "kind": s.Kind, "fields": s.Fields, "status": s.Status})
}

// surveyScope limits proposals (alias s): the station its street,
// community staff their community, a volunteer the ones they filled in.
func surveyScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "s.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "s.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleVolunteer:
		return "s.volunteer_id = ?", []any{a.VolunteerID}, nil
	}
	return "", nil, care.ErrForbidden()
}

const surveyColumns = `s.id, s.elder_id, e.name, s.community_id, s.kind, s.surveyor, COALESCE(s.volunteer_id, 0), s.surveyed_on, s.answers,
 s.fields, s.status, s.decisions, s.review_note, s.reviewed_by, s.reviewed_at, s.created_at`

func (db *DB) scanSurvey(row interface{ Scan(...any) error }, a care.Actor) (*Survey, error) {
	var s Survey
	var on, answers, fields, decisions, reviewed, created string
	if err := row.Scan(&s.ID, &s.ElderID, &s.ElderName, &s.CommunityID, &s.Kind, &s.Surveyor, &s.VolunteerID, &on, &answers,
		&fields, &s.Status, &decisions, &s.ReviewNote, &s.ReviewedBy, &reviewed, &created); err != nil {
		return nil, err
	}
	plain, err := db.vault.OpenText(answers)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(plain), &s.Answers); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(decisions), &s.Decisions); err != nil {
		return nil, err
	}
	s.SurveyedOn, s.Fields, s.ReviewedAt, s.CreatedAt = parseDate(on), splitSet(fields), parseStamp(reviewed), parseStamp(created)
	if a.Role == care.RoleVolunteer {
		s.Answers.Health = "" // health data stays with the staff who review it
	}
	return &s, nil
}

// Surveys lists the proposals the actor may see, newest first (at most 500).
func (db *DB) Surveys(ctx context.Context, a care.Actor, f SurveyFilter) ([]Survey, error) {
	scope, args, err := surveyScope(a)
	if err != nil {
		return nil, err
	}
	if f.CommunityID != 0 {
		if a.Role == care.RoleVolunteer {
			if _, err := db.GetCommunity(ctx, a, f.CommunityID); err != nil {
				return nil, err
			}
		} else if err := db.CheckCommunityFilter(ctx, a, f.CommunityID); err != nil {
			return nil, err
		}
		scope += " AND s.community_id = ?"
		args = append(args, f.CommunityID)
	}
	if f.ElderID != 0 {
		scope += " AND s.elder_id = ?"
		args = append(args, f.ElderID)
	}
	if f.Status != "" {
		ok := false
		for _, c := range survey.Statuses {
			ok = ok || c.Code == f.Status
		}
		if !ok {
			return nil, care.FieldErrors{"status": care.MsgBadChoice}.Err()
		}
		scope += " AND s.status = ?"
		args = append(args, f.Status)
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+surveyColumns+" FROM surveys s JOIN elders e ON e.id = s.elder_id WHERE "+scope+
		" ORDER BY s.id DESC LIMIT 500"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Survey{}
	for rows.Next() {
		s, err := db.scanSurvey(rows, a)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// GetSurvey answers one proposal the actor may see.
func (db *DB) GetSurvey(ctx context.Context, a care.Actor, id int64) (*Survey, error) {
	return db.getSurvey(ctx, db.read, a, id)
}

func (db *DB) getSurvey(ctx context.Context, q querier, a care.Actor, id int64) (*Survey, error) {
	scope, args, err := surveyScope(a)
	if err != nil {
		return nil, err
	}
	s, err := db.scanSurvey(q.QueryRowContext(ctx, db.q("SELECT "+surveyColumns+" FROM surveys s JOIN elders e ON e.id = s.elder_id WHERE s.id = ? AND "+scope),
		append([]any{id}, args...)...), a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("调查 / survey")
	}
	return s, err
}

// ReviewSurvey decides every proposed field of a pending proposal
// (community staff of the elder's community): the accepted fields change
// the elder's record (audited, as an edit would) and its profile, and each
// accepted change of a tracked field is written to the history of needs.
func (db *DB) ReviewSurvey(ctx context.Context, a care.Actor, id int64, decisions map[string]string, note string) (*Survey, error) {
	if a.Role != care.RoleCommunity {
		return nil, &care.Error{Code: care.EForbidden, Message: "调查由社区工作人员审核 / community staff review surveys"}
	}
	note = strings.TrimSpace(note)
	var out *Survey
	err := db.tx(ctx, func(tx *sql.Tx) error {
		s, err := db.getSurvey(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if s.Status != survey.StatusPending {
			return &care.Error{Code: care.EConflict, Message: "该调查已审核 / this proposal has already been reviewed"}
		}
		if err := survey.ValidateDecisions(s.Fields, decisions, note); err != nil {
			return err
		}
		var accepted []string
		for _, field := range s.Fields {
			if decisions[field] == survey.Accept {
				accepted = append(accepted, field)
			}
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE surveys SET status = ?, decisions = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?
 WHERE id = ? AND status = ?`), survey.StatusReviewed, toJSON(decisions), note, a.Username, db.now(), id, survey.StatusPending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &care.Error{Code: care.EConflict, Message: "该调查已审核 / this proposal has already been reviewed"}
		}
		if len(accepted) > 0 {
			if err := db.applySurvey(ctx, tx, a, s, accepted); err != nil {
				return err
			}
		}
		if err := db.audit(ctx, tx, a, "update", "survey_review", id, nil, map[string]any{"decisions": decisions, "note": note}); err != nil {
			return err
		}
		out, err = db.getSurvey(ctx, tx, a, id)
		return err
	})
	return out, err
}

// applySurvey writes the accepted fields of s into the elder's record and
// profile inside tx, with the history of needs.
func (db *DB) applySurvey(ctx context.Context, tx *sql.Tx, a care.Actor, s *Survey, accepted []string) error {
	old, err := db.getElder(ctx, tx, a, s.ElderID)
	if err != nil {
		return err
	}
	p, err := db.profile(ctx, tx, s.ElderID)
	if err != nil {
		return err
	}
	e := *old
	e.Categories = append([]string(nil), old.Categories...)
	e.Needs = append([]string(nil), old.Needs...)
	np := survey.Profile{NeedDetails: map[string]string{}, Health: p.Health, Wishes: p.Wishes}
	for k, v := range p.NeedDetails {
		np.NeedDetails[k] = v
	}
	survey.Apply(&s.Answers, accepted, &e, &np)
	touchesElder := false
	for _, f := range accepted {
		touchesElder = touchesElder || f != survey.FieldHealth
	}
	if touchesElder {
		e.Normalize()
		if e.IDNumber, err = db.elderIDNumber(ctx, tx, e.ID); err != nil {
			return err
		}
		if err := e.Validate(db.today(), true); err != nil {
			return err
		}
		if err := db.updateElder(ctx, tx, nil, a, old, &e, ""); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO elder_profiles (elder_id, need_details, health, wishes, survey_id, updated_at)
 VALUES (?,?,?,?,?,?) ON CONFLICT (elder_id) DO UPDATE SET need_details = excluded.need_details, health = excluded.health,
 wishes = excluded.wishes, survey_id = excluded.survey_id, updated_at = excluded.updated_at`),
		e.ID, toJSON(np.NeedDetails), db.vault.SealText(np.Health), np.Wishes, s.ID, db.now()); err != nil {
		return err
	}
	for _, field := range survey.Tracked {
		before, after := survey.Show(field, old, p), survey.Show(field, &e, np)
		if before == after {
			continue
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO elder_need_history (elder_id, survey_id, field, before_value, after_value, by_user, at)
 VALUES (?,?,?,?,?,?,?)`), e.ID, s.ID, field, before, after, a.Username, db.now()); err != nil {
			return err
		}
	}
	return nil
}

// NeedChange is one entry of an elder's history of needs.
type NeedChange struct {
	SurveyID int64
	Field    string
	Before   string
	After    string
	By       string
	At       time.Time
}

// NeedHistory answers the history of needs of an elder the actor may see
// as registry staff, oldest first.
func (db *DB) NeedHistory(ctx context.Context, a care.Actor, elderID int64) ([]NeedChange, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	if _, err := db.getElder(ctx, db.read, a, elderID); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT COALESCE(survey_id, 0), field, before_value, after_value, by_user, at
 FROM elder_need_history WHERE elder_id = ? ORDER BY id`), elderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NeedChange
	for rows.Next() {
		var c NeedChange
		var at string
		if err := rows.Scan(&c.SurveyID, &c.Field, &c.Before, &c.After, &c.By, &at); err != nil {
			return nil, err
		}
		c.At = parseStamp(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ElderNeedDetails answers the detail of each recorded need of an elder
// the actor may see (a volunteer their paired elders', for the card):
// only the needs the record still holds.
func (db *DB) ElderNeedDetails(ctx context.Context, a care.Actor, elderID int64) (map[string]string, error) {
	e, err := db.getElder(ctx, db.read, a, elderID)
	if err != nil {
		return nil, err
	}
	p, err := db.profile(ctx, db.read, elderID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, k := range e.Needs {
		if d := p.NeedDetails[k]; d != "" {
			out[k] = d
		}
	}
	return out, nil
}

// SurveyTargets lists the elders in service the actor may survey (a named
// volunteer, or community staff) with whether a survey is on record.
func (db *DB) SurveyTargets(ctx context.Context, a care.Actor) ([]SurveyTarget, error) {
	community, err := db.surveyorCommunity(ctx, db.read, a)
	if err != nil {
		return nil, err
	}
	where, args := "e.community_id = ?", []any{community}
	if a.Role == care.RoleStation {
		where, args = "e.street_id = ?", []any{a.StreetID}
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT e.id, e.name, e.building, e.unit, e.room,
 EXISTS (SELECT 1 FROM surveys s WHERE s.elder_id = e.id AND s.kind = 'survey')
 FROM elders e WHERE `+where+` AND e.status IN ('active','paused') ORDER BY e.building, e.unit, e.room, e.id LIMIT 2000`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SurveyTarget{}
	for rows.Next() {
		var t SurveyTarget
		if err := rows.Scan(&t.ElderID, &t.Name, &t.Building, &t.Unit, &t.Room, &t.Surveyed); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Surveyor is a volunteer named to survey a community's elders.
type Surveyor struct {
	VolunteerID int64
	Name        string
	CommunityID int64
	NamedBy     string
	NamedAt     time.Time
}

// Surveyors lists the volunteers named as surveyors in the actor's scope
// (community staff their community, the station its street).
func (db *DB) Surveyors(ctx context.Context, a care.Actor) ([]Surveyor, error) {
	var where string
	var args []any
	switch a.Role {
	case care.RoleCommunity:
		where, args = "s.community_id = ?", []any{a.CommunityID}
	case care.RoleStation:
		where, args = "s.community_id IN (SELECT id FROM communities WHERE street_id = ?)", []any{a.StreetID}
	default:
		return nil, care.ErrForbidden()
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT s.volunteer_id, v.name, s.community_id, s.named_by, s.named_at FROM surveyors s
 JOIN volunteers v ON v.id = s.volunteer_id WHERE `+where+` ORDER BY s.volunteer_id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Surveyor{}
	for rows.Next() {
		var s Surveyor
		var at string
		if err := rows.Scan(&s.VolunteerID, &s.Name, &s.CommunityID, &s.NamedBy, &at); err != nil {
			return nil, err
		}
		s.NamedAt = parseStamp(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// NameSurveyor names (or, with named false, un-names) a volunteer of the
// community staff's own community as a surveyor of its elders.
func (db *DB) NameSurveyor(ctx context.Context, a care.Actor, volunteerID int64, named bool) error {
	if a.Role != care.RoleCommunity {
		return &care.Error{Code: care.EForbidden, Message: "调查人员由社区指定 / the community names its surveyors"}
	}
	var community int64
	var status string
	err := db.read.QueryRowContext(ctx, db.q(`SELECT community_id, status FROM volunteers WHERE id = ?`), volunteerID).Scan(&community, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && community != a.CommunityID) {
		return care.FieldErrors{"volunteer_id": care.Msg{ZH: "不是本社区的志愿者", EN: "not a volunteer of this community"}}.Err()
	}
	if err != nil {
		return err
	}
	if named && status != "active" {
		return care.FieldErrors{"volunteer_id": care.Msg{ZH: "该志愿者不在岗", EN: "the volunteer is not active"}}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM surveyors WHERE volunteer_id = ?`), volunteerID); err != nil {
			return err
		}
		if named {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO surveyors (volunteer_id, community_id, named_by, named_at) VALUES (?,?,?,?)`),
				volunteerID, community, a.Username, db.now()); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "update", "surveyor", volunteerID, nil, map[string]bool{"named": named})
	})
}

// IsSurveyor reports whether the actor is a volunteer named as a surveyor.
func (db *DB) IsSurveyor(ctx context.Context, a care.Actor) bool {
	if a.Role != care.RoleVolunteer {
		return false
	}
	_, err := db.surveyorCommunity(ctx, db.read, a)
	return err == nil
}
