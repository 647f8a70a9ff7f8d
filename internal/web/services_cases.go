package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request, p *page) error {
	cs, err := s.db.Cases(r.Context(), p.Actor, r.URL.Query().Get("all") != "1")
	if err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "案件", "cases", cs
	s.render(w, http.StatusOK, "cases", p)
	return nil
}

type caseData struct {
	Case     *store.Case
	Statuses []care.Choice
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showCase(w, r, p, http.StatusOK)
}

func (s *Server) showCase(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("案件 / case")
	}
	c, err := s.db.GetCase(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "案件", "cases", caseData{Case: c, Statuses: store.CaseStatuses}
	s.render(w, status, "case", p)
	return nil
}

func (s *Server) caseUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("案件 / case")
	}
	f := newForm(r)
	if err := s.db.UpdateCase(r.Context(), p.Actor, id, f.str("status"), f.str("department"), f.str("note")); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showCase(w, r, p, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
