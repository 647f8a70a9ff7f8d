package web

import (
	"net/http"
	"strconv"
	"strings"

	"carecircle/internal/care"
)

type orgData struct {
	Streets     []care.Street
	Communities []care.Community
	Clinics     []care.Clinic
	Names       map[int64]string
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showOrg(w, r, p, http.StatusOK)
}

func (s *Server) showOrg(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	if p.Actor.Role == care.RoleVolunteer {
		return care.ErrForbidden()
	}
	var d orgData
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
		return err
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
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/org", http.StatusSeeOther)
	return nil
}

func (s *Server) clinicSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	c := &care.Clinic{ID: f.int64("id"), StreetID: f.int64("street_id"), Name: f.str("name"), Phone: f.str("phone"), Address: f.str("address")}
	if err := f.errs.Err(); err != nil {
		return err
	}
	for _, id := range f.r.PostForm["community_ids"] {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return care.FieldErrors{"community_ids": msgNumber}.Err()
		}
		c.CommunityIDs = append(c.CommunityIDs, v)
	}
	if err := s.db.SaveClinic(r.Context(), p.Actor, c); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity)
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
		return s.showOrg(w, r, p, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/org", http.StatusSeeOther)
	return nil
}
