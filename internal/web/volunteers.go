package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

func templateEscape(s string) string { return template.HTMLEscapeString(s) }

type volunteerListData struct {
	Items       []care.Volunteer
	Total       int
	Query       url.Values
	Communities []care.Community
	Page, Pages int
	ExportURL   string // the list's filters, no page (exportURL)
}

// volunteerFilterKeys are the query parameters of the volunteer list's filters.
var volunteerFilterKeys = []string{"q", "community_id", "kind", "status"}

// volunteerFilter reads the volunteer list's filters, which the export
// takes too; a malformed community_id is refused.
func volunteerFilter(q url.Values) (store.VolunteerFilter, error) {
	f := store.VolunteerFilter{Kind: q.Get("kind"), Status: q.Get("status"), Q: q.Get("q")}
	fe := care.FieldErrors{}
	f.CommunityID = queryID(q, "community_id", fe)
	return f, fe.Err()
}

func (s *Server) volunteerList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	f, err := volunteerFilter(q)
	if err != nil {
		return err
	}
	f.Limit = perPage
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = max(pg, 1)
	f.Offset = (pg - 1) * perPage
	items, total, err := s.db.ListVolunteers(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	p.Title, p.Active = "志愿者", "volunteers"
	p.Data = volunteerListData{Items: items, Total: total, Query: q, Communities: comms, Page: pg, Pages: (total + perPage - 1) / perPage,
		ExportURL: exportURL("/register/export/volunteers.xlsx", q, volunteerFilterKeys)}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "volunteer-results" {
		s.renderFragment(w, http.StatusOK, "volunteers", "volunteer-results", p)
		return nil
	}
	s.render(w, http.StatusOK, "volunteers", p)
	return nil
}

type volunteerFormData struct {
	Volunteer   *care.Volunteer
	Communities []care.Community
	New         bool
	// Back is where 取消 leads: the page the user came from.
	Back string
}

func (s *Server) showVolunteerForm(w http.ResponseWriter, r *http.Request, p *page, v *care.Volunteer, isNew bool, status int) error {
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	if p.Actor.Role == care.RoleCommunity {
		comms = onlyCommunity(comms, p.Actor.CommunityID)
	}
	p.Active, p.Title = "volunteers", "登记志愿者"
	if !isNew {
		p.Title = "编辑"
	}
	back := "/volunteers"
	if !isNew {
		back += "/" + strconv.FormatInt(v.ID, 10)
	}
	p.Data = volunteerFormData{Volunteer: v, Communities: comms, New: isNew, Back: backFrom(r, back)}
	s.render(w, status, "volunteer_form", p)
	return nil
}

func (s *Server) volunteerNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	return s.showVolunteerForm(w, r, p, &care.Volunteer{Kind: "neighbour", Status: "active", Capacity: 2, CommunityID: p.Actor.CommunityID}, true, http.StatusOK)
}

func (s *Server) volunteerCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	v := volunteerFromForm(f)
	var err error
	if len(f.errs) == 0 {
		err = s.db.CreateVolunteer(r.Context(), p.Actor, v)
	} else {
		v.Normalize()
		err = v.Validate(s.db.Today())
	}
	if err != nil || len(f.errs) > 0 {
		return s.formFailed(w, r, p, f, err, func(status int) error { return s.showVolunteerForm(w, r, p, v, true, status) })
	}
	http.Redirect(w, r, "/volunteers/"+strconv.FormatInt(v.ID, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) volunteerFromPath(r *http.Request, p *page) (*care.Volunteer, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, care.ErrNotFound("志愿者 / volunteer")
	}
	return s.db.GetVolunteer(r.Context(), p.Actor, id)
}

func (s *Server) volunteerEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	v, err := s.volunteerFromPath(r, p)
	if err != nil {
		return err
	}
	return s.showVolunteerForm(w, r, p, v, false, http.StatusOK)
}

func (s *Server) volunteerUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	old, err := s.volunteerFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	v := volunteerFromForm(f)
	v.ID = old.ID
	if len(f.errs) == 0 {
		err = s.db.UpdateVolunteer(r.Context(), p.Actor, v)
	}
	if err != nil || len(f.errs) > 0 {
		return s.formFailed(w, r, p, f, err, func(status int) error { return s.showVolunteerForm(w, r, p, v, false, status) })
	}
	http.Redirect(w, r, "/volunteers/"+strconv.FormatInt(v.ID, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) volunteerShow(w http.ResponseWriter, r *http.Request, p *page) error {
	v, err := s.volunteerFromPath(r, p)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = p.T("已保存")
	}
	d, err := s.volunteerPage(r, p, v)
	if err != nil {
		return err
	}
	p.Title, p.Active, p.Data = v.Name, "volunteers", d
	s.render(w, http.StatusOK, "volunteer", p)
	return nil
}
