package web

import (
	"net/http"

	"carecircle/internal/care"
	"carecircle/internal/report"
	"carecircle/internal/store"
)

type homeData struct {
	text
	// Alerts are the open not-greeted alerts, at the very top of staff pages.
	Alerts []store.Alert
	// Live is, for community staff, who has not been greeted yet today.
	Live  *greetingsLive
	Cases []store.Case // open cases, urgent first, at the top of staff pages
	// View is the register per community and in total, every number as
	// the reader may see it (report.Overview: the viewer's mask).
	View     *report.Overview
	MyElders []care.Elder
	Masked   bool
	// Dash is the dashboard: this month at a glance and six months of
	// charts (dashboard.go).
	Dash *homeDashboard
	// Committee is, for community staff, the committee's visits still due
	// in the community (committee.go).
	Committee []duty
	// Clinic is the clinic's 本期待办 (clinic_home.go).
	Clinic *clinicHomeData
	// Upward is what waits in the reports going upward (upward.go).
	Upward *upwardHome
	// Activities are the activities coming up (activities.go).
	Activities *homeActivities
}

// home shows each role its starting point: the volunteer their elders, the
// clinic its elders, staff and viewers the numbers and the dashboard's
// charts.
func (s *Server) home(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Title, p.Active = "首页", "home"
	d := homeData{Masked: p.Actor.Role == care.RoleViewer}
	switch p.Actor.Role {
	case care.RoleVolunteer:
		http.Redirect(w, r, "/today", http.StatusSeeOther)
		return nil
	case care.RoleClinic:
		c, err := s.clinicHome(r, p)
		if err != nil {
			return err
		}
		d.Clinic = c
	case care.RoleAdmin:
		http.Redirect(w, r, "/users", http.StatusSeeOther)
		return nil
	default:
		st, err := s.db.Stats(r.Context(), p.Actor)
		if err != nil {
			return err
		}
		streets, err := s.db.Streets(r.Context(), p.Actor)
		if err != nil {
			return err
		}
		d.View = report.NewOverview(st, streets, p.Actor)
		if p.Actor.EditsRegistry() {
			if d.Cases, err = s.db.Cases(r.Context(), p.Actor, true); err != nil {
				return err
			}
			if d.Alerts, err = s.db.Alerts(r.Context(), p.Actor, store.AlertFilter{Open: true, Limit: alertListLimit}); err != nil {
				return err
			}
		}
		if p.Actor.EditsRegistry() {
			if d.Upward, err = s.upwardHome(r, p); err != nil {
				return err
			}
			if d.Activities, err = s.homeActivities(r, p); err != nil {
				return err
			}
		}
		if p.Actor.Role == care.RoleCommunity {
			if d.Live, err = s.notGreeted(r, p.Actor, 0); err != nil {
				return err
			}
			if d.Committee, err = s.committeeDuties(r, p); err != nil {
				return err
			}
		}
		if d.Dash, err = s.dashboard(r.Context(), p, st, len(d.Alerts), len(d.Cases)); err != nil {
			return err
		}
	}
	p.Data = d
	s.render(w, http.StatusOK, "home", p)
	return nil
}
