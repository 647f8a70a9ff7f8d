package api

import (
	"time"

	"carecircle/internal/care"
	"carecircle/internal/rollout"
	"carecircle/internal/store"
	"carecircle/internal/survey"
)

// routesRollout registers the rollout (README "工作推进 / Rollout") and the
// needs surveys with their review and the station's approval of a
// community's elder list (README "调查摸底与审核 / Surveys and approval").
func (s *Server) routesRollout() {
	m := s.mux
	m.HandleFunc("GET /api/v1/rollout", s.handle(s.getRollout, true))
	m.HandleFunc("POST /api/v1/rollout/communities", s.handle(s.joinRollout, true))
	m.HandleFunc("PUT /api/v1/rollout/plan", s.handle(s.putRolloutPlan, true))
	m.HandleFunc("POST /api/v1/rollout/supervisions", s.handle(s.addSupervision, true))
	m.HandleFunc("POST /api/v1/rollout/meetings", s.handle(s.addMeeting, true))
	m.HandleFunc("GET /api/v1/surveys", s.handle(s.listSurveys, true))
	m.HandleFunc("POST /api/v1/surveys", s.handle(s.submitSurvey, true))
	m.HandleFunc("GET /api/v1/surveys/targets", s.handle(s.surveyTargets, true))
	m.HandleFunc("GET /api/v1/surveys/surveyors", s.handle(s.listSurveyors, true))
	m.HandleFunc("PUT /api/v1/surveys/surveyors", s.handle(s.nameSurveyor, true))
	m.HandleFunc("GET /api/v1/surveys/{id}", s.handle(s.getSurvey, true))
	m.HandleFunc("POST /api/v1/surveys/{id}/review", s.handle(s.reviewSurvey, true))
	m.HandleFunc("GET /api/v1/elders/{id}/need-history", s.handle(s.needHistory, true))
	m.HandleFunc("GET /api/v1/communities/{id}/approval", s.handle(s.getApproval, true))
	m.HandleFunc("PUT /api/v1/communities/{id}/approval", s.handle(s.putApproval, true))
}

type msgJSON struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

type approvalJSON struct {
	Approved bool   `json:"approved"`
	Elders   int    `json:"elders"`
	Note     string `json:"note"`
	By       string `json:"by"`
	At       string `json:"at"`
}

func (s *Server) approvalOut(a *store.ListApproval) *approvalJSON {
	if a == nil {
		return nil
	}
	return &approvalJSON{Approved: a.Approved, Elders: a.Elders, Note: a.Note, By: a.By, At: a.At.In(s.db.Loc).Format(time.RFC3339)}
}

type checkItemJSON struct {
	Item string `json:"item"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

type supervisionJSON struct {
	ID          int64           `json:"id,omitempty"`
	CommunityID int64           `json:"community_id"`
	VisitedOn   string          `json:"visited_on"`
	Inspectors  string          `json:"inspectors"`
	Checklist   []checkItemJSON `json:"checklist"`
	Findings    string          `json:"findings"`
	By          string          `json:"by,omitempty"`
}

type meetingJSON struct {
	ID           int64   `json:"id,omitempty"`
	HeldOn       string  `json:"held_on"`
	Place        string  `json:"place"`
	Participants string  `json:"participants"`
	CommunityIDs []int64 `json:"community_ids"`
	Minutes      string  `json:"minutes"`
	Lessons      string  `json:"lessons"`
	By           string  `json:"by,omitempty"`
}

func supervisionOut(v rollout.Supervision) supervisionJSON {
	out := supervisionJSON{ID: v.ID, CommunityID: v.CommunityID, VisitedOn: date(v.VisitedOn), Inspectors: v.Inspectors,
		Checklist: []checkItemJSON{}, Findings: v.Findings, By: v.By}
	for _, c := range v.Checklist {
		out.Checklist = append(out.Checklist, checkItemJSON(c))
	}
	return out
}

func meetingOut(m rollout.Meeting) meetingJSON {
	ids := m.CommunityIDs
	if ids == nil {
		ids = []int64{}
	}
	return meetingJSON{ID: m.ID, HeldOn: date(m.HeldOn), Place: m.Place, Participants: m.Participants, CommunityIDs: ids,
		Minutes: m.Minutes, Lessons: m.Lessons, By: m.By}
}

func (s *Server) getRollout(r *request) (int, any, error) {
	ro, err := s.db.GetRollout(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	type communityJSON struct {
		CommunityID      int64         `json:"community_id"`
		Name             string        `json:"name"`
		Phase            string        `json:"phase"`
		PhaseLabel       string        `json:"phase_label"`
		Outstanding      []msgJSON     `json:"outstanding"`
		JoinedOn         string        `json:"joined_on"`
		PlanText         string        `json:"plan_text"`
		PlanAttachmentID int64         `json:"plan_attachment_id,omitempty"`
		PlanAt           string        `json:"plan_at"`
		InService        int           `json:"elders_in_service"`
		Surveyed         int           `json:"elders_surveyed"`
		Pending          int           `json:"pending_proposals"`
		Approval         *approvalJSON `json:"approval"`
		Supervisions     int           `json:"supervisions"`
		Meetings         int           `json:"meetings"`
	}
	out := struct {
		Phases       []map[string]string `json:"phases"`
		Checklist    []msgJSON           `json:"checklist"`
		Communities  []communityJSON     `json:"communities"`
		Supervisions []supervisionJSON   `json:"supervisions"`
		Meetings     []meetingJSON       `json:"meetings"`
	}{Phases: []map[string]string{}, Checklist: []msgJSON{}, Communities: []communityJSON{}, Supervisions: []supervisionJSON{}, Meetings: []meetingJSON{}}
	for _, p := range rollout.Phases {
		out.Phases = append(out.Phases, map[string]string{"code": p.Code, "label": p.Label.In(r.lang)})
	}
	for _, c := range rollout.Checklist {
		out.Checklist = append(out.Checklist, msgJSON(c))
	}
	for _, c := range ro.Communities {
		cj := communityJSON{CommunityID: c.CommunityID, Name: c.Name, Phase: c.Progress.Phase, PhaseLabel: care.Label(rollout.Phases, c.Progress.Phase, r.lang),
			Outstanding: []msgJSON{}, JoinedOn: date(c.JoinedOn), PlanText: c.PlanText, PlanAttachmentID: c.PlanAttachmentID,
			InService: c.Facts.InService, Surveyed: c.Facts.Surveyed, Pending: c.Facts.PendingProposals, Approval: s.approvalOut(c.Approval),
			Supervisions: c.Facts.Supervisions, Meetings: c.Facts.Meetings}
		if !c.PlanAt.IsZero() {
			cj.PlanAt = c.PlanAt.In(s.db.Loc).Format(time.RFC3339)
		}
		for _, o := range c.Progress.Outstanding {
			cj.Outstanding = append(cj.Outstanding, msgJSON(o))
		}
		out.Communities = append(out.Communities, cj)
	}
	for _, v := range ro.Supervisions {
		out.Supervisions = append(out.Supervisions, supervisionOut(v))
	}
	for _, m := range ro.Meetings {
		out.Meetings = append(out.Meetings, meetingOut(m))
	}
	return 0, out, nil
}

// joinRollout brings a community into the programme: {"community_id", "joined_on"}.
func (s *Server) joinRollout(r *request) (int, any, error) {
	var in struct {
		CommunityID int64  `json:"community_id"`
		JoinedOn    string `json:"joined_on"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	on := parseDateField(f, "joined_on", in.JoinedOn)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.JoinRollout(r.ctx, r.actor, in.CommunityID, on); err != nil {
		return 0, nil, err
	}
	st, body, err := s.getRollout(r)
	if err == nil {
		st = 201
	}
	return st, body, err
}

func (s *Server) putRolloutPlan(r *request) (int, any, error) {
	var in struct {
		CommunityID  int64  `json:"community_id"`
		PlanText     string `json:"plan_text"`
		AttachmentID int64  `json:"attachment_id"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := s.db.SaveRolloutPlan(r.ctx, r.actor, in.CommunityID, in.PlanText, in.AttachmentID); err != nil {
		return 0, nil, err
	}
	return s.getRollout(r)
}

func (s *Server) addSupervision(r *request) (int, any, error) {
	var in supervisionJSON
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	v := rollout.Supervision{CommunityID: in.CommunityID, VisitedOn: parseDateField(f, "visited_on", in.VisitedOn), Inspectors: in.Inspectors, Findings: in.Findings}
	for _, c := range in.Checklist {
		v.Checklist = append(v.Checklist, rollout.CheckItem(c))
	}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.AddSupervision(r.ctx, r.actor, &v); err != nil {
		return 0, nil, err
	}
	return 201, supervisionOut(v), nil
}

func (s *Server) addMeeting(r *request) (int, any, error) {
	var in meetingJSON
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	m := rollout.Meeting{HeldOn: parseDateField(f, "held_on", in.HeldOn), Place: in.Place, Participants: in.Participants,
		CommunityIDs: in.CommunityIDs, Minutes: in.Minutes, Lessons: in.Lessons}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.AddMeeting(r.ctx, r.actor, &m); err != nil {
		return 0, nil, err
	}
	return 201, meetingOut(m), nil
}

type surveyJSON struct {
	ID          int64             `json:"id"`
	ElderID     int64             `json:"elder_id"`
	Elder       string            `json:"elder"`
	CommunityID int64             `json:"community_id"`
	Kind        string            `json:"kind"`
	Surveyor    string            `json:"surveyor"`
	VolunteerID int64             `json:"volunteer_id,omitempty"`
	SurveyedOn  string            `json:"surveyed_on"`
	Answers     survey.Answers    `json:"answers"`
	Fields      []string          `json:"fields"`
	Status      string            `json:"status"`
	Decisions   map[string]string `json:"decisions"`
	ReviewNote  string            `json:"review_note,omitempty"`
	ReviewedBy  string            `json:"reviewed_by,omitempty"`
	ReviewedAt  string            `json:"reviewed_at,omitempty"`
	CreatedAt   string            `json:"created_at"`
}

func (s *Server) surveyOut(v *store.Survey) surveyJSON {
	out := surveyJSON{ID: v.ID, ElderID: v.ElderID, Elder: v.ElderName, CommunityID: v.CommunityID, Kind: v.Kind, Surveyor: v.Surveyor,
		VolunteerID: v.VolunteerID, SurveyedOn: date(v.SurveyedOn), Answers: v.Answers, Fields: v.Fields, Status: v.Status,
		Decisions: v.Decisions, ReviewNote: v.ReviewNote, ReviewedBy: v.ReviewedBy, CreatedAt: v.CreatedAt.In(s.db.Loc).Format(time.RFC3339)}
	if out.Fields == nil {
		out.Fields = []string{}
	}
	if out.Decisions == nil {
		out.Decisions = map[string]string{}
	}
	if out.Answers.Categories == nil {
		out.Answers.Categories = []string{}
	}
	if out.Answers.Needs == nil {
		out.Answers.Needs = []survey.Need{}
	}
	if !v.ReviewedAt.IsZero() {
		out.ReviewedAt = v.ReviewedAt.In(s.db.Loc).Format(time.RFC3339)
	}
	return out
}

func (s *Server) listSurveys(r *request) (int, any, error) {
	f := store.SurveyFilter{Status: r.URL.Query().Get("status")}
	var err error
	if f.CommunityID, err = queryInt64(r, "community_id"); err != nil {
		return 0, nil, err
	}
	if f.ElderID, err = queryInt64(r, "elder_id"); err != nil {
		return 0, nil, err
	}
	list, err := s.db.Surveys(r.ctx, r.actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := []surveyJSON{}
	for i := range list {
		out = append(out, s.surveyOut(&list[i]))
	}
	return 0, map[string]any{"items": out}, nil
}

// submitSurvey records a survey or a change proposal:
// {"elder_id", "kind": "survey"|"change", "surveyed_on", "answers": {...}}.
func (s *Server) submitSurvey(r *request) (int, any, error) {
	var in struct {
		ElderID    int64          `json:"elder_id"`
		Kind       string         `json:"kind"`
		SurveyedOn string         `json:"surveyed_on"`
		Answers    survey.Answers `json:"answers"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	v := store.Survey{ElderID: in.ElderID, Kind: in.Kind, SurveyedOn: parseDateField(f, "surveyed_on", in.SurveyedOn), Answers: in.Answers}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.SubmitSurvey(r.ctx, r.actor, &v); err != nil {
		return 0, nil, err
	}
	got, err := s.db.GetSurvey(r.ctx, r.actor, v.ID)
	if err != nil {
		return 0, nil, err
	}
	return 201, s.surveyOut(got), nil
}

func (s *Server) getSurvey(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.db.GetSurvey(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.surveyOut(v), nil
}

// reviewSurvey decides each proposed field: {"decisions": {"self_care": "accept", ...}, "note"}.
func (s *Server) reviewSurvey(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Decisions map[string]string `json:"decisions"`
		Note      string            `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	v, err := s.db.ReviewSurvey(r.ctx, r.actor, id, in.Decisions, in.Note)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.surveyOut(v), nil
}

func (s *Server) surveyTargets(r *request) (int, any, error) {
	list, err := s.db.SurveyTargets(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	type targetJSON struct {
		ElderID  int64  `json:"elder_id"`
		Name     string `json:"name"`
		Building string `json:"building"`
		Unit     string `json:"unit"`
		Room     string `json:"room"`
		Surveyed bool   `json:"surveyed"`
	}
	out := []targetJSON{}
	for _, t := range list {
		out = append(out, targetJSON(t))
	}
	return 0, map[string]any{"items": out}, nil
}

func (s *Server) listSurveyors(r *request) (int, any, error) {
	list, err := s.db.Surveyors(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for _, v := range list {
		out = append(out, map[string]any{"volunteer_id": v.VolunteerID, "name": v.Name, "community_id": v.CommunityID,
			"named_by": v.NamedBy, "named_at": v.NamedAt.In(s.db.Loc).Format(time.RFC3339)})
	}
	return 0, map[string]any{"items": out}, nil
}

// nameSurveyor names a volunteer of the community as a surveyor, or
// un-names them: {"volunteer_id", "named": true|false}.
func (s *Server) nameSurveyor(r *request) (int, any, error) {
	if r.actor.Role != care.RoleCommunity {
		return 0, nil, &care.Error{Code: care.EForbidden, Message: "调查人员由社区指定 / the community names its surveyors"}
	}
	var in struct {
		VolunteerID int64 `json:"volunteer_id"`
		Named       *bool `json:"named"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Named == nil {
		return 0, nil, care.FieldErrors{"named": care.MsgRequired}.Err()
	}
	if err := s.db.NameSurveyor(r.ctx, r.actor, in.VolunteerID, *in.Named); err != nil {
		return 0, nil, err
	}
	return s.listSurveyors(r)
}

func (s *Server) needHistory(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := s.db.NeedHistory(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for _, c := range list {
		out = append(out, map[string]any{"survey_id": c.SurveyID, "field": c.Field, "before": c.Before, "after": c.After,
			"by": c.By, "at": c.At.In(s.db.Loc).Format(time.RFC3339)})
	}
	return 0, map[string]any{"items": out}, nil
}

func (s *Server) approvalBody(st *store.ApprovalStatus) any {
	hist := []*approvalJSON{}
	for i := range st.History {
		hist = append(hist, s.approvalOut(&st.History[i]))
	}
	return map[string]any{"community_id": st.CommunityID, "name": st.Name, "approved": st.Approved(), "current": s.approvalOut(st.Current),
		"history": hist, "elders_in_service": st.InService, "elders_surveyed": st.Surveyed, "pending_proposals": st.PendingProposals,
		"added_since_approval": st.AddedSinceApproval}
}

func (s *Server) getApproval(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.db.GetApproval(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.approvalBody(st), nil
}

// putApproval approves a community's elder list, or withdraws the
// approval: {"approved": true|false, "note"}.
func (s *Server) putApproval(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Approved *bool  `json:"approved"`
		Note     string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Approved == nil {
		if r.actor.Role != care.RoleStation {
			return 0, nil, care.ErrForbidden()
		}
		if _, err := s.db.GetApproval(r.ctx, r.actor, id); err != nil {
			return 0, nil, err
		}
		return 0, nil, care.FieldErrors{"approved": care.MsgRequired}.Err()
	}
	st, err := s.db.SetApproval(r.ctx, r.actor, id, *in.Approved, in.Note)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.approvalBody(st), nil
}
