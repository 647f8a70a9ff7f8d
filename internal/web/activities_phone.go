package web

import (
	"net/http"
	"slices"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// The volunteer's 活动 on the phone: the activities open to them, soonest
// first, each with one big button — 报名, 取消报名, or on the day 签到 —
// the cap and how many signed up, and the preparation items they own with
// a tick. Every tap answers with the activity's card, saying what was done
// or why not.

type phoneActivity struct {
	store.VolunteerActivity
	Today bool
	Full  bool // the cap is reached
	// Rows are the checklist items they own, with a tick.
	Rows []itemRow
	// Notice confirms what was just stored; Refusal says why not.
	Notice, Refusal string
}

type phoneActivitiesData struct {
	Items []phoneActivity
}

func (s *Server) phoneActivities(r *http.Request, p *page) (phoneActivitiesData, error) {
	var d phoneActivitiesData
	list, err := s.db.VolunteerActivities(r.Context(), p.Actor, p.Actor.VolunteerID)
	if err != nil {
		return d, err
	}
	today := s.db.Today()
	for _, va := range list {
		x := va.Activity
		pa := phoneActivity{VolunteerActivity: va, Today: x.Date.Equal(today), Full: x.Cap > 0 && x.SignedUp >= x.Cap}
		for _, it := range va.Items {
			pa.Rows = append(pa.Rows, itemRowOf(p, it, false))
		}
		d.Items = append(d.Items, pa)
	}
	return d, nil
}

func (s *Server) volunteerActivitiesPage(w http.ResponseWriter, r *http.Request, p *page) error {
	d, err := s.phoneActivities(r, p)
	if err != nil {
		return err
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil {
		if i := slices.IndexFunc(d.Items, func(x phoneActivity) bool { return x.Activity.ID == id }); i >= 0 {
			d.Items[i].Notice = p.T(phoneDone[r.URL.Query().Get("what")])
		}
	}
	p.Title, p.Active, p.Data = p.T("活动"), "activities", d
	s.render(w, http.StatusOK, "activities_phone", p)
	return nil
}

var phoneDone = map[string]string{
	"signup":  "已报名",
	"cancel":  "已取消报名",
	"checkin": "已签到",
}

// phoneAction runs a volunteer's tap on an activity and answers with its
// card (htmx) or the list at the card.
func (s *Server) phoneAction(w http.ResponseWriter, r *http.Request, p *page, what string, act func(id int64) error) error {
	if p.Actor.Role != care.RoleVolunteer {
		return care.ErrForbidden()
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("活动 / activity")
	}
	r.ParseForm()
	err = act(id)
	if err != nil && !refusable(err) {
		return err
	}
	hx := r.Header.Get("HX-Request") == "true"
	if !hx && err == nil {
		http.Redirect(w, r, "/activities?done="+strconv.FormatInt(id, 10)+"&what="+what+"#activity-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
	d, lerr := s.phoneActivities(r, p)
	if lerr != nil {
		return lerr
	}
	status := http.StatusOK
	i := slices.IndexFunc(d.Items, func(x phoneActivity) bool { return x.Activity.ID == id })
	if err != nil {
		status = refusalStatus(err)
		if i < 0 {
			return err
		}
		d.Items[i].Refusal = reason(p, err)
	} else if i >= 0 {
		d.Items[i].Notice = p.T(phoneDone[what])
	}
	if !hx {
		p.Title, p.Active, p.Data = p.T("活动"), "activities", d
		s.render(w, status, "activities_phone", p)
		return nil
	}
	if i < 0 {
		return care.ErrNotFound("活动 / activity")
	}
	s.renderFragmentData(w, status, "activities_phone", "phone-activity", map[string]any{"Page": p, "Item": d.Items[i]})
	return nil
}

func (s *Server) activitySignUp(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.phoneAction(w, r, p, "signup", func(id int64) error {
		return s.db.SignUp(r.Context(), p.Actor, id, p.Actor.VolunteerID)
	})
}

func (s *Server) activityCancelSignup(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.phoneAction(w, r, p, "cancel", func(id int64) error {
		return s.db.CancelSignup(r.Context(), p.Actor, id, p.Actor.VolunteerID)
	})
}

func (s *Server) activityCheckIn(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.phoneAction(w, r, p, "checkin", func(id int64) error {
		return s.db.CheckIn(r.Context(), p.Actor, id, p.Actor.VolunteerID)
	})
}
