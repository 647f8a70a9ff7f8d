package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/care"
)

type orgData struct {
	Streets     []care.Street
	Communities []care.Community
	Clinics     []care.Clinic
	Names       map[int64]string
	// Posted names the form a refused submit came from (street,
	// community, clinic) and Typed what it held: that form comes back
	// open with the input and its errors; the others stay empty.
	Posted string
	Typed  url.Values
}

// Errs are the page's field errors for form, none for the other forms.
func (d orgData) Errs(form string, all map[string]string) map[string]string {
	if form == d.Posted {
		return all
	}
	return nil
}

// Val is what was typed into a field of the refused form.
func (d orgData) Val(form, name string) string {
	if form != d.Posted {
		return ""
	}
	return d.Typed.Get(name)
}

// Checked tells whether the refused form had value among a field's ticks.
func (d orgData) Checked(form, name string, value int64) bool {
	return form == d.Posted && slices.Contains(d.Typed[name], strconv.FormatInt(value, 10))
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showOrg(w, r, p, http.StatusOK, "")
}

func (s *Server) showOrg(w http.ResponseWriter, r *http.Request, p *page, status int, posted string) error {
	if p.Actor.Role == care.RoleVolunteer {
		return care.ErrForbidden()
	}
	d := orgData{Posted: posted}
	if posted != "" {
		d.Typed = r.PostForm
	}
	var err error
	if d.Streets, err = s.db.Streets(r.Context(), p.Actor); err != nil {
		return err
	}
	if d.Communities, err = s.db.Communities(r.Context(), p.Actor); err != nil {
		return err
	}
	if d.Clinics, err = s.db.Clinics(r.Context(), p.Actor); err != nil {
		return err
	}
	d.Names = map[int64]string{}
	for _, c := range d.Communities {
		d.Names[c.ID] = c.Name
	}
	p.Title, p.Active, p.Data = "组织机构", "org", d
	s.render(w, status, "org", p)
	return nil
}

// communitySave adds a community or, with an id, renames it and adds buildings.
func (s *Server) communitySave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	c := &care.Community{ID: f.int64("id"), StreetID: f.int64("street_id"), Name: f.str("name"), Code: f.str("code")}
	if err := f.errs.Err(); err != nil {
		p.setError(err)
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity, "community")
	}
	for _, line := range strings.Split(f.str("buildings"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			c.Buildings = append(c.Buildings, line)
		}
	}
	if err := s.db.SaveCommunity(r.Context(), p.Actor, c); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity, "community")
	}
	http.Redirect(w, r, "/org", http.StatusSeeOther)
	return nil
}

func (s *Server) clinicSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	c := &care.Clinic{ID: f.int64("id"), StreetID: f.int64("street_id"), Name: f.str("name"), Phone: f.str("phone"), Address: f.str("address")}
	for _, id := range f.r.PostForm["community_ids"] {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			f.errs.Add("community_ids", msgNumber)
			continue
		}
		c.CommunityIDs = append(c.CommunityIDs, v)
	}
	if err := f.errs.Err(); err != nil {
		p.setError(err)
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity, "clinic")
	}
	if err := s.db.SaveClinic(r.Context(), p.Actor, c); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity, "clinic")
	}
	http.Redirect(w, r, "/org", http.StatusSeeOther)
	return nil
}

// streetSave adds a street office (administrator).
func (s *Server) streetSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	st := &care.Street{Name: f.str("name"), District: f.str("district"), City: f.str("city")}
	if err := s.db.CreateStreet(r.Context(), p.Actor, st); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity, "street")
	}
	http.Redirect(w, r, "/org", http.StatusSeeOther)
	return nil
}
