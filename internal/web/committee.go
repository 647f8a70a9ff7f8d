package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
)

// committeeLeadSave names the staff member responsible for the committee's
// part in every elder's circle (issue 15 point 4), from the duty page.
func (s *Server) committeeLeadSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	community := f.int64("community_id")
	err := s.db.SetCommitteeLead(r.Context(), p.Actor, community, f.int64("committee_lead_id"))
	if err == nil {
		http.Redirect(w, r, "/duty?saved=lead&community_id="+strconv.FormatInt(community, 10), http.StatusSeeOther)
		return nil
	}
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	d, derr := s.dutyData(r, p, community)
	if derr != nil {
		return derr
	}
	d.addRosterRows()
	p.setError(err)
	return s.showDuty(w, p, d, http.StatusUnprocessableEntity)
}

// committeeDuties is the committee's part still due in the community
// staff's community, most urgent first, named in the page's language.
func (s *Server) committeeDuties(r *http.Request, p *page) ([]duty, error) {
	if s.tracker == nil {
		return nil, nil
	}
	duties, err := s.tracker.Today(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	names, err := s.db.ComplianceNames(r.Context(), p.Actor, p.Actor.CommunityID)
	if err != nil {
		return nil, err
	}
	today := s.db.Now().In(s.db.Loc)
	out := make([]duty, 0, len(duties))
	for _, du := range duties {
		out = append(out, newDuty(du, names.Elders[du.ElderID], p.Lang, today))
	}
	return out, nil
}
