package web

import (
	"net/http"

	"carecircle/internal/care"
)

type usersData struct {
	Users       []care.User
	Streets     []care.Street
	Communities []care.Community
	Clinics     []care.Clinic
	Form        care.User
	// VolunteerText is the 关联志愿者 as typed, kept after a refused post.
	VolunteerText string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showUsers(w, r, p, care.User{Role: care.RoleCommunity}, http.StatusOK)
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, p *page, form care.User, status int) error {
	var d usersData
	var err error
	if d.Users, err = s.db.Users(r.Context(), p.Actor); err != nil {
		return err
	}
	if d.Streets, err = s.db.Streets(r.Context(), p.Actor); err != nil {
		return err
	}
	if d.Communities, err = s.db.Communities(r.Context(), p.Actor); err != nil {
		return err
	}
	if d.Clinics, err = s.db.Clinics(r.Context(), p.Actor); err != nil {
		return err
	}
	d.Form = form
	if r.Method == http.MethodPost {
		d.VolunteerText = r.PostFormValue("volunteer_id")
	}
	p.Title, p.Active, p.Data = "账号", "users", d
	s.render(w, status, "users", p)
	return nil
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	u := care.User{Username: f.str("username"), DisplayName: f.str("display_name"), Role: f.str("role"),
		StreetID: f.int64("street_id"), CommunityID: f.int64("community_id"), VolunteerID: s.pickAccountVolunteer(r.Context(), p.Actor, f, "volunteer_id"),
		ClinicID: f.int64("clinic_id"), Lang: "zh"}
	err := f.errs.Err()
	if err == nil {
		err = s.db.CreateUser(r.Context(), p.Actor, &u, r.PostFormValue("password"))
	}
	if err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showUsers(w, r, p, u, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
	return nil
}
