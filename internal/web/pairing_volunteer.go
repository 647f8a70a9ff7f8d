package web

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// volunteerPageData is the volunteer's page: the volunteer (embedded, so
// the page reads .Name as before) and the elders they serve and served.
type volunteerPageData struct {
	*care.Volunteer
	Pairings []store.VolunteerPairing
	CanLeave bool // staff may record the volunteer leaving, with hand-overs
	// Recognition is the volunteer's training and commendations (upward.go).
	Recognition *recognition
}

func (s *Server) volunteerPage(r *http.Request, p *page, v *care.Volunteer) (volunteerPageData, error) {
	d := volunteerPageData{Volunteer: v}
	var err error
	if d.Recognition, err = s.recognitionOf(r, p, v); err != nil {
		return d, err
	}
	ps, err := s.db.VolunteerPairings(r.Context(), p.Actor, v.ID)
	if err != nil {
		return d, err
	}
	d.Pairings = ps
	current := 0
	for _, vp := range ps {
		if vp.EndedOn == nil {
			current++
		}
	}
	d.CanLeave = p.Actor.EditsRegistry() && (v.Status != "left" || current > 0)
	return d, nil
}

// leaveData is the form for a volunteer leaving the programme: every
// current elder with a choice of successor, so none is dropped.
type leaveData struct {
	Volunteer *care.Volunteer
	Rows      []leaveRow
	Today     string
}

type leaveRow struct {
	store.VolunteerPairing
	Candidates []store.VolunteerLoad
	Chosen     int64
}

func (s *Server) leavePage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showLeave(w, r, p, nil, http.StatusOK)
}

func (s *Server) showLeave(w http.ResponseWriter, r *http.Request, p *page, chosen map[int64]int64, status int) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	v, err := s.volunteerFromPath(r, p)
	if err != nil {
		return err
	}
	ps, err := s.db.VolunteerPairings(r.Context(), p.Actor, v.ID)
	if err != nil {
		return err
	}
	free, err := s.db.FreeVolunteers(r.Context(), p.Actor, 0)
	if err != nil {
		return err
	}
	d := leaveData{Volunteer: v, Today: s.db.Today().Format("2006-01-02")}
	for _, vp := range ps {
		if vp.EndedOn != nil {
			continue
		}
		row := leaveRow{VolunteerPairing: vp, Chosen: chosen[vp.ID]}
		for _, c := range free {
			if c.ID != v.ID && c.Kind != "clinic" && (c.CommunityID == vp.CommunityID || c.Kind == "social") {
				row.Candidates = append(row.Candidates, c)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title, p.Active, p.Data = "退出志愿服务", "volunteers", d
	s.render(w, status, "pairing_leave", p)
	return nil
}

// leaveRecord ends every current pairing of the volunteer, handing over
// where a successor was chosen and listing the rest as 待接力, and marks
// the volunteer as left; a refused hand-over changes nothing.
func (s *Server) leaveRecord(w http.ResponseWriter, r *http.Request, p *page) error {
	v, err := s.volunteerFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	l := store.Leaving{On: f.date("left_on"), Reason: f.str("reason"), Handovers: map[int64]int64{}}
	for key, vals := range f.r.PostForm {
		pid, ok := cutInt(key, "successor_")
		if succ, err := strconv.ParseInt(firstOf(vals), 10, 64); ok && err == nil && succ > 0 {
			l.Handovers[pid] = succ
		}
	}
	if len(f.errs) == 0 {
		_, _, err = s.db.LeaveProgramme(r.Context(), p.Actor, v.ID, l)
	}
	if err != nil || len(f.errs) > 0 {
		return s.formFailed(w, r, p, f, err, func(status int) error { return s.showLeave(w, r, p, l.Handovers, status) })
	}
	http.Redirect(w, r, "/volunteers/"+strconv.FormatInt(v.ID, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

// cutInt reads the number after prefix in s.
func cutInt(s, prefix string) (int64, bool) {
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return 0, false
	}
	n, err := strconv.ParseInt(s[len(prefix):], 10, 64)
	return n, err == nil
}

func firstOf(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}
