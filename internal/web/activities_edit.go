package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/activity"
	"carecircle/internal/care"
)

// Changing a planned activity (修改活动) and calling it off (取消活动):
// staff who may plan it, while it is planned. A cancelled activity is kept
// with its sign-ups (a status, never a deletion).

func (s *Server) routesActivityEdit(m *http.ServeMux) {
	m.Handle("GET /activities/{id}/edit", s.auth(s.activityEdit))
	m.Handle("POST /activities/{id}/edit", s.auth(s.activityUpdate))
	m.Handle("POST /activities/{id}/cancel", s.auth(s.activityCancel))
}

// editable is the activity of the path when this user may change it.
func (s *Server) editableActivity(r *http.Request, p *page) (*activity.Activity, error) {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return nil, err
	}
	if !det.CanEdit {
		return nil, care.ErrForbidden()
	}
	if det.Activity.Status != activity.StatusPlanned {
		return nil, care.FieldErrors{"status": care.Msg{ZH: "只有计划中的活动可以修改或取消", EN: "only a planned activity can be changed or cancelled"}}.Err()
	}
	return &det.Activity, nil
}

func (s *Server) activityEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	x, err := s.editableActivity(r, p)
	if err != nil {
		return s.activityRefused(w, r, p, err)
	}
	typed := map[string]string{"theme": x.Theme, "date": x.Date.Format("2006-01-02"), "start_time": x.StartTime, "end_time": x.EndTime,
		"place": x.Place, "cap": strconv.Itoa(x.Cap), "organisers": x.Organisers, "participants": x.Participants,
		"background": x.Background, "purposes": x.Purposes, "safety": x.Safety, "content": x.Content,
		"preparation": x.Preparation, "expected": x.Expected}
	return s.showActivityEdit(w, r, p, x, typed, http.StatusOK)
}

func (s *Server) showActivityEdit(w http.ResponseWriter, r *http.Request, p *page, x *activity.Activity, typed map[string]string, status int) error {
	d := activityNewData{Mode: "edit", EditID: x.ID, Typed: typed}
	p.Title, p.Active, p.Data = p.T("修改活动")+" · "+x.Theme, "activities", d
	s.render(w, status, "activity_new", p)
	return nil
}

func (s *Server) activityUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	x, err := s.editableActivity(r, p)
	if err != nil {
		return s.activityRefused(w, r, p, err)
	}
	f := newForm(r)
	typed := map[string]string{}
	for _, k := range activityFields {
		typed[k] = f.str(k)
	}
	next := *x
	next.Theme, next.Date, next.StartTime, next.EndTime = f.str("theme"), f.date("date"), f.str("start_time"), f.str("end_time")
	next.Place, next.Cap, next.Organisers, next.Participants = f.str("place"), f.int("cap"), f.str("organisers"), f.str("participants")
	next.Background, next.Purposes, next.Safety, next.Content = f.str("background"), f.str("purposes"), f.str("safety"), f.str("content")
	next.Preparation, next.Expected = f.str("preparation"), f.str("expected")
	err = f.errs.Err()
	if err == nil {
		err = s.db.UpdateActivity(r.Context(), p.Actor, &next)
	}
	if err != nil {
		if !refusable(err) {
			return err
		}
		p.setError(err)
		return s.showActivityEdit(w, r, p, x, typed, refusalStatus(err))
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(x.ID, 10)+"?done=updated", http.StatusSeeOther)
	return nil
}

func (s *Server) activityCancel(w http.ResponseWriter, r *http.Request, p *page) error {
	x, err := s.editableActivity(r, p)
	if err == nil && newForm(r).str("confirm") != "1" {
		err = care.FieldErrors{"confirm": care.Msg{ZH: "请勾选确认取消这次活动", EN: "tick to confirm calling the activity off"}}.Err()
	}
	if err == nil {
		next := *x
		next.Status = activity.StatusCancelled
		err = s.db.UpdateActivity(r.Context(), p.Actor, &next)
	}
	if err != nil {
		return s.activityRefused(w, r, p, err)
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(x.ID, 10)+"?done=cancelled", http.StatusSeeOther)
	return nil
}
