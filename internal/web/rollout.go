package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/rollout"
	"carecircle/internal/store"
)

// routesRollout registers the rollout page (README "工作推进 / Rollout")
// and the needs surveys with their review and the list approval (README
// "调查摸底与审核 / Surveys and approval").
func (s *Server) routesRollout(m *http.ServeMux) {
	m.Handle("GET /rollout", s.auth(s.rolloutPage))
	m.Handle("POST /rollout/join", s.auth(s.rolloutJoin))
	m.Handle("POST /rollout/plan", s.auth(s.rolloutPlan))
	m.Handle("POST /rollout/supervisions", s.auth(s.rolloutSupervision))
	m.Handle("POST /rollout/meetings", s.auth(s.rolloutMeeting))
	m.Handle("POST /rollout/approval", s.auth(s.rolloutApproval))
	m.Handle("GET /surveys", s.auth(s.surveysPage))
	m.Handle("GET /surveys/new", s.auth(s.surveyNew))
	m.Handle("POST /surveys", s.auth(s.surveyCreate))
	m.Handle("POST /surveys/{id}/review", s.auth(s.surveyReview))
	m.Handle("POST /surveys/surveyors", s.auth(s.surveyorSave))
}

var navRollout = []navItem{
	{"rollout", "/rollout", "工作推进", []string{"station", "community", "viewer"}},
	{"surveys", "/surveys", "调查摸底", []string{"station", "community", "volunteer"}},
}

type rolloutData struct {
	Rollout     *store.Rollout
	Station     bool
	Community   bool
	Communities []care.Community // the street's, for the forms
	Names       map[int64]string
	Checklist   []care.Msg
	Today       string
	// Plans are the attachments blocks of the joined communities' plans
	// (实施方案附件), by community id.
	Plans map[int64]*attachmentsView
}

// PhaseLabel names a phase in lang.
func (rolloutData) PhaseLabel(code, lang string) string {
	return care.Label(rollout.Phases, code, lang)
}

// Step is the phase's position (1 to 5 for the joined phases).
func (rolloutData) Step(code string) int { return rollout.PhaseIndex(code) }

// Steps are the joined phases in order, for the progress bar.
func (rolloutData) Steps() []care.Choice { return rollout.Phases[1:] }

func (s *Server) rolloutPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showRollout(w, r, p, http.StatusOK)
}

func (s *Server) showRollout(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	ro, err := s.db.GetRollout(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	cs, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, c := range cs {
		names[c.ID] = c.Name
	}
	switch r.URL.Query().Get("saved") {
	case "join":
		p.Flash = p.T("已纳入")
	case "plan":
		p.Flash = p.T("实施方案已保存")
	case "supervision":
		p.Flash = p.T("督查记录已保存")
	case "meeting":
		p.Flash = p.T("座谈会记录已保存")
	case "approved":
		p.Flash = p.T("名单已审核")
	case "withdrawn":
		p.Flash = p.T("已撤销审核")
	}
	plans := map[int64]*attachmentsView{}
	for _, c := range ro.Communities {
		if c.Joined {
			if v := s.attachmentsView(r, p, store.OwnerRolloutPlan, c.CommunityID, "/rollout"); v != nil {
				plans[c.CommunityID] = v
			}
		}
	}
	p.Title, p.Active = p.T("工作推进"), "rollout"
	p.Data = rolloutData{Rollout: ro, Station: p.Actor.Role == care.RoleStation, Community: p.Actor.Role == care.RoleCommunity,
		Communities: cs, Names: names, Checklist: rollout.Checklist, Today: s.db.Today().Format("2006-01-02"), Plans: plans}
	s.render(w, status, "rollout", p)
	return nil
}

// rolloutDone redirects after a saved form, or shows the page again with
// the form's errors.
func (s *Server) rolloutDone(w http.ResponseWriter, r *http.Request, p *page, err error, saved string) error {
	if err == nil {
		http.Redirect(w, r, "/rollout?saved="+saved, http.StatusSeeOther)
		return nil
	}
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	p.setError(err)
	return s.showRollout(w, r, p, http.StatusUnprocessableEntity)
}

func (s *Server) rolloutJoin(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	on := f.date("joined_on")
	if err := f.errs.Err(); err != nil {
		return s.rolloutDone(w, r, p, err, "")
	}
	return s.rolloutDone(w, r, p, s.db.JoinRollout(r.Context(), p.Actor, f.int64("community_id"), on), "join")
}

func (s *Server) rolloutPlan(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	attachment := f.int64("attachment_id")
	if err := f.errs.Err(); err != nil {
		return s.rolloutDone(w, r, p, err, "")
	}
	return s.rolloutDone(w, r, p, s.db.SaveRolloutPlan(r.Context(), p.Actor, f.int64("community_id"), f.str("plan_text"), attachment), "plan")
}

func (s *Server) rolloutSupervision(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	v := rollout.Supervision{CommunityID: f.int64("community_id"), VisitedOn: f.date("visited_on"), Inspectors: f.str("inspectors"), Findings: f.str("findings")}
	for i, c := range rollout.Checklist {
		k := strconv.Itoa(i)
		v.Checklist = append(v.Checklist, rollout.CheckItem{Item: c.In(p.Lang), OK: f.bool("ok" + k), Note: f.str("note" + k)})
	}
	if extra := f.str("extra_item"); extra != "" {
		v.Checklist = append(v.Checklist, rollout.CheckItem{Item: extra, OK: f.bool("extra_ok"), Note: f.str("extra_note")})
	}
	if err := f.errs.Err(); err != nil {
		return s.rolloutDone(w, r, p, err, "")
	}
	return s.rolloutDone(w, r, p, s.db.AddSupervision(r.Context(), p.Actor, &v), "supervision")
}

func (s *Server) rolloutMeeting(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	m := rollout.Meeting{HeldOn: f.date("held_on"), Place: f.str("place"), Participants: f.str("participants"),
		Minutes: f.str("minutes"), Lessons: f.str("lessons")}
	for _, v := range f.list("community_ids") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			m.CommunityIDs = append(m.CommunityIDs, id)
		}
	}
	if err := f.errs.Err(); err != nil {
		return s.rolloutDone(w, r, p, err, "")
	}
	return s.rolloutDone(w, r, p, s.db.AddMeeting(r.Context(), p.Actor, &m), "meeting")
}

func (s *Server) rolloutApproval(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	approve := f.str("approved") == "1"
	_, err := s.db.SetApproval(r.Context(), p.Actor, f.int64("community_id"), approve, f.str("note"))
	saved := "approved"
	if !approve {
		saved = "withdrawn"
	}
	return s.rolloutDone(w, r, p, err, saved)
}

// unapprovedLists is the template function that names the communities,
// of those the page's actor follows in the rollout, whose elder list the
// station has not approved: reports mark their figures as not yet the
// programme's official list.
func (s *Server) unapprovedLists(p *page) []string {
	if p == nil || p.req == nil {
		return nil
	}
	switch p.Actor.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
	default:
		return nil
	}
	ro, err := s.db.GetRollout(p.req.Context(), p.Actor)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range ro.Communities {
		if c.Approval == nil || !c.Approval.Approved {
			out = append(out, c.Name)
		}
	}
	return out
}
