package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/survey"
)

type surveysData struct {
	Pending    []store.Survey
	Done       []store.Survey
	Targets    []store.SurveyTarget
	Surveyors  []store.Surveyor
	Volunteers []care.Volunteer // the community's active volunteers, to name surveyors
	Reviewer   bool
	Surveyor   bool
	Current    map[int64]map[string]string // survey id → field → the record's value now, shown
}

// FieldLabel names a proposal field in lang.
func (surveysData) FieldLabel(code, lang string) string { return care.Label(survey.Fields, code, lang) }

// StatusLabel names a proposal status in lang.
func (surveysData) StatusLabel(code, lang string) string {
	return care.Label(survey.Statuses, code, lang)
}

// Proposed shows what a survey proposes for field, in lang.
func (surveysData) Proposed(s store.Survey, field, lang string) string {
	return showAnswer(&s.Answers, field, lang)
}

func showAnswer(a *survey.Answers, field, lang string) string {
	switch field {
	case survey.FieldLiving:
		return care.Label(care.LivingSituations, a.LivingSituation, lang)
	case survey.FieldSelfCare:
		return care.Label(care.SelfCareLevels, a.SelfCare, lang)
	case survey.FieldCategories:
		return joinLabels(care.Categories, a.Categories, lang)
	case survey.FieldNeeds:
		out := ""
		for i, n := range a.Needs {
			if i > 0 {
				out += "；"
			}
			out += care.Label(care.ServiceKinds, n.Kind, lang)
			if n.Detail != "" {
				out += "（" + n.Detail + "）"
			}
		}
		return out
	case survey.FieldHealth:
		return a.Health
	case survey.FieldWishes:
		out := a.Wishes
		if a.DeclinePairing {
			out += " " + care.Msg{ZH: "不愿结对：", EN: "declines pairing: "}.In(lang) + a.DeclineReason
		}
		return out
	}
	return ""
}

func joinLabels(cs []care.Choice, codes []string, lang string) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			out += "、"
		}
		out += care.Label(cs, c, lang)
	}
	return out
}

func (s *Server) surveysPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showSurveys(w, r, p, http.StatusOK)
}

func (s *Server) showSurveys(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	ctx := r.Context()
	d := surveysData{Reviewer: p.Actor.Role == care.RoleCommunity, Current: map[int64]map[string]string{}}
	list, err := s.db.Surveys(ctx, p.Actor, store.SurveyFilter{})
	if err != nil {
		return err
	}
	for _, v := range list {
		if v.Status == survey.StatusPending {
			d.Pending = append(d.Pending, v)
		} else if len(d.Done) < 50 {
			d.Done = append(d.Done, v)
		}
	}
	if d.Reviewer {
		for _, v := range d.Pending {
			e, err := s.db.GetElder(ctx, p.Actor, v.ElderID)
			if err != nil {
				continue
			}
			cur := survey.Answers{LivingSituation: e.LivingSituation, SelfCare: e.SelfCare, Categories: e.Categories}
			for _, k := range e.Needs {
				cur.Needs = append(cur.Needs, survey.Need{Kind: k})
			}
			if det, err := s.db.ElderNeedDetails(ctx, p.Actor, e.ID); err == nil {
				for i := range cur.Needs {
					cur.Needs[i].Detail = det[cur.Needs[i].Kind]
				}
			}
			cur.DeclinePairing, cur.DeclineReason = e.Wishes.DeclinePairing, e.Wishes.DeclineReason
			m := map[string]string{}
			for _, f := range v.Fields {
				m[f] = showAnswer(&cur, f, p.Lang)
			}
			d.Current[v.ID] = m
		}
		if d.Surveyors, err = s.db.Surveyors(ctx, p.Actor); err != nil {
			return err
		}
		if d.Volunteers, _, err = s.db.ListVolunteers(ctx, p.Actor, store.VolunteerFilter{Status: "active", Limit: 500}); err != nil {
			return err
		}
	}
	if p.Actor.Role != care.RoleStation {
		d.Targets, err = s.db.SurveyTargets(ctx, p.Actor)
		d.Surveyor = err == nil
		if err != nil && care.ErrorCode(err) != care.EForbidden {
			return err
		}
	}
	switch r.URL.Query().Get("saved") {
	case "survey":
		p.Flash = p.T("调查已提交，待社区审核")
	case "unchanged":
		p.Flash = p.T("调查已提交，与档案一致")
	case "review":
		p.Flash = p.T("审核已保存，采纳的内容已更新到老人档案")
	case "surveyor":
		p.Flash = p.T("调查人员已更新")
	}
	p.Title, p.Active, p.Data = p.T("调查摸底"), "surveys", d
	s.render(w, status, "surveys", p)
	return nil
}

type surveyFormData struct {
	Elder   *care.Elder
	Target  store.SurveyTarget
	Answers survey.Answers
	Details map[string]string
	Kinds   []care.Choice
	Today   string
}

// Has reports whether the answers hold a need of kind.
func (d surveyFormData) Has(kind string) bool {
	for _, n := range d.Answers.Needs {
		if n.Kind == kind {
			return true
		}
	}
	return false
}

func (s *Server) surveyNew(w http.ResponseWriter, r *http.Request, p *page) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("elder_id"), 10, 64)
	return s.showSurveyForm(w, r, p, id, nil, http.StatusOK)
}

// showSurveyForm shows the survey form of an elder the actor may survey,
// filled from the record (or from a refused post, which markFieldErrors
// shows again).
func (s *Server) showSurveyForm(w http.ResponseWriter, r *http.Request, p *page, elderID int64, a *survey.Answers, status int) error {
	targets, err := s.db.SurveyTargets(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d := surveyFormData{Kinds: care.ServiceKinds, Today: s.db.Today().Format("2006-01-02"), Details: map[string]string{}}
	found := false
	for _, t := range targets {
		if t.ElderID == elderID {
			d.Target, found = t, true
		}
	}
	if !found {
		return care.ErrNotFound("服务对象 / elder")
	}
	if a != nil {
		d.Answers = *a
	}
	for _, n := range d.Answers.Needs {
		d.Details[n.Kind] = n.Detail
	}
	p.Title, p.Active, p.Data = p.T("调查表")+" · "+d.Target.Name, "surveys", d
	s.render(w, status, "survey_form", p)
	return nil
}

func (s *Server) surveyCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	a := survey.Answers{LivingSituation: f.str("living_situation"), SelfCare: f.str("self_care"), Categories: f.list("categories"),
		Health: f.str("health"), DeclinePairing: f.bool("decline_pairing"), DeclineReason: f.str("decline_reason"), Wishes: f.str("wishes"),
		Needs: []survey.Need{}}
	if a.Categories == nil {
		a.Categories = []string{}
	}
	for _, k := range f.list("needs") {
		a.Needs = append(a.Needs, survey.Need{Kind: k, Detail: f.str("detail_" + k)})
	}
	v := store.Survey{ElderID: f.int64("elder_id"), SurveyedOn: f.date("surveyed_on"), Answers: a}
	err := f.errs.Err()
	if err == nil {
		err = s.db.SubmitSurvey(r.Context(), p.Actor, &v)
	}
	if err == nil {
		saved := "survey"
		if v.Status == survey.StatusUnchanged {
			saved = "unchanged"
		}
		http.Redirect(w, r, "/surveys?saved="+saved, http.StatusSeeOther)
		return nil
	}
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	p.setError(err)
	return s.showSurveyForm(w, r, p, v.ElderID, &a, http.StatusUnprocessableEntity)
}

func (s *Server) surveyReview(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("调查 / survey")
	}
	f := newForm(r)
	decisions := map[string]string{}
	for _, field := range survey.Fields {
		if v := f.str("decision_" + field.Code); v != "" {
			decisions[field.Code] = v
		}
	}
	_, err = s.db.ReviewSurvey(r.Context(), p.Actor, id, decisions, f.str("note"))
	if err == nil {
		http.Redirect(w, r, "/surveys?saved=review", http.StatusSeeOther)
		return nil
	}
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	p.setError(err)
	return s.showSurveys(w, r, p, http.StatusUnprocessableEntity)
}

func (s *Server) surveyorSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	err := s.db.NameSurveyor(r.Context(), p.Actor, f.int64("volunteer_id"), f.str("named") == "1")
	if err == nil {
		http.Redirect(w, r, "/surveys?saved=surveyor", http.StatusSeeOther)
		return nil
	}
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	p.setError(err)
	return s.showSurveys(w, r, p, http.StatusUnprocessableEntity)
}

// needDetails is the template function that gives the detail of each
// recorded need of an elder the page's actor may see (the volunteer's
// card shows them beside the needs); nothing when there is none.
func (s *Server) needDetails(p *page, elderID int64) map[string]string {
	if p == nil || p.req == nil {
		return nil
	}
	d, err := s.db.ElderNeedDetails(p.req.Context(), p.Actor, elderID)
	if err != nil {
		return nil
	}
	return d
}
