package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/match"
	"carecircle/internal/store"
)

// teamData is an elder's care team (服务圈) as staff manage it: the
// continuous history, who may join, the clinic, and which form failed.
type teamData struct {
	Elder      *care.Elder
	Community  string
	Timeline   []store.TeamMember
	Current    []store.TeamMember
	Waiting    []store.TeamMember // ended, waiting for a successor
	Candidates []candidate
	Clinics    []care.Clinic
	Clinic     string
	FormFor    string // the form an error belongs to: "add", "clinic" or a pairing id
	Today      string
	Reasons    []string
}

// candidate is a volunteer who may join the team, with how far they live.
type candidate struct {
	store.VolunteerLoad
	DistanceM float64 // -1 when a position is missing
}

// endReasons are the usual reasons, offered as suggestions on the form.
var endReasons = []string{"志愿者退出", "志愿者搬迁", "志愿者身体原因", "志愿者工作或学业变动", "老人要求更换志愿者", "老人已由家属照料"}

// teamTimeline orders a team by when each member started, so relays read
// as one line of who served when.
func teamTimeline(team []store.TeamMember) []store.TeamMember {
	out := slices.Clone(team)
	slices.SortStableFunc(out, func(a, b store.TeamMember) int {
		if c := a.StartedOn.Compare(b.StartedOn); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func (s *Server) teamPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showTeam(w, r, p, "", http.StatusOK)
}

func (s *Server) showTeam(w http.ResponseWriter, r *http.Request, p *page, formFor string, status int) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := teamData{Elder: e, FormFor: formFor, Today: s.db.Today().Format("2006-01-02"), Reasons: endReasons}
	team, err := s.db.ElderTeam(ctx, p.Actor, e.ID)
	if err != nil {
		return err
	}
	d.Timeline = teamTimeline(team)
	inTeam := map[int64]bool{}
	for _, m := range team {
		switch {
		case m.EndedOn == nil:
			d.Current = append(d.Current, m)
			inTeam[m.VolunteerID] = true
		case m.NeedsSuccessor:
			d.Waiting = append(d.Waiting, m)
		}
	}
	if d.Candidates, err = s.candidates(r, p, e, inTeam); err != nil {
		return err
	}
	if c, err := s.db.GetCommunity(ctx, p.Actor, e.CommunityID); err == nil {
		d.Community = c.Name
	}
	clinics, err := s.db.Clinics(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, c := range clinics {
		if slices.Contains(c.CommunityIDs, e.CommunityID) {
			d.Clinics = append(d.Clinics, c)
		}
		if e.ClinicID != nil && c.ID == *e.ClinicID {
			d.Clinic = c.Name
		}
	}
	p.Title, p.Active, p.Data = "服务圈", "pairing", d
	s.render(w, status, "pairing_team", p)
	return nil
}

// candidates lists who may join e's team: active volunteers with room, not
// in the team, of e's community (social volunteers from anywhere in the
// street), nearest first; the store checks again on saving.
func (s *Server) candidates(r *http.Request, p *page, e *care.Elder, inTeam map[int64]bool) ([]candidate, error) {
	free, err := s.db.FreeVolunteers(r.Context(), p.Actor, 0)
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, v := range free {
		if inTeam[v.ID] || (v.CommunityID != e.CommunityID && v.Kind != "social") || slices.Contains(e.Wishes.Refuse, v.ID) {
			continue
		}
		c := candidate{VolunteerLoad: v, DistanceM: -1}
		if e.Lat != nil && v.Lat != nil {
			c.DistanceM = match.Distance(*e.Lat, *e.Lon, *v.Lat, *v.Lon)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		switch {
		case a.DistanceM < 0 && b.DistanceM >= 0:
			return 1
		case b.DistanceM < 0 && a.DistanceM >= 0:
			return -1
		}
		return cmp.Compare(a.DistanceM, b.DistanceM)
	})
	return out, nil
}

// teamDone goes back to the team page, or to where the form came from
// (the pairing page hands over from its own list).
func teamDone(w http.ResponseWriter, r *http.Request, elderID int64) {
	back := r.PostFormValue("back")
	if len(back) < 2 || back[0] != '/' || back[1] == '/' || back[1] == '\\' {
		back = "/elders/" + strconv.FormatInt(elderID, 10) + "/team"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// teamFailed shows the team page with the error beside the form it came from.
func (s *Server) teamFailed(w http.ResponseWriter, r *http.Request, p *page, f *form, err error, formFor string, elderID int64) error {
	r.SetPathValue("id", strconv.FormatInt(elderID, 10))
	return s.formFailed(w, r, p, f, err, func(status int) error { return s.showTeam(w, r, p, formFor, status) })
}

func (s *Server) teamAdd(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	pr := &store.Pairing{ElderID: e.ID, VolunteerID: f.int64("volunteer_id"), Responsible: f.bool("responsible"), StartedOn: f.date("started_on")}
	if len(f.errs) == 0 {
		err = s.db.CreatePairing(r.Context(), p.Actor, pr)
	}
	if err != nil || len(f.errs) > 0 {
		return s.teamFailed(w, r, p, f, err, "add", e.ID)
	}
	teamDone(w, r, e.ID)
	return nil
}

func (s *Server) teamClinic(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	clinic := f.optInt64("clinic_id")
	if len(f.errs) == 0 {
		err = s.db.SetElderClinic(r.Context(), p.Actor, e.ID, clinic)
	}
	if err != nil || len(f.errs) > 0 {
		return s.teamFailed(w, r, p, f, err, "clinic", e.ID)
	}
	teamDone(w, r, e.ID)
	return nil
}

// pairingFromPath reads the pairing a team form acts on.
func (s *Server) pairingFromPath(r *http.Request, p *page) (*store.Pairing, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, care.ErrNotFound("结对 / pairing")
	}
	return s.db.GetPairing(r.Context(), p.Actor, id)
}

// pairingEnd ends a pairing, handing over to a successor when one is chosen.
func (s *Server) pairingEnd(w http.ResponseWriter, r *http.Request, p *page) error {
	pr, err := s.pairingFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	end := store.Ending{On: f.date("ended_on"), Reason: f.str("reason"), SuccessorID: f.int64("successor_id"), NoSuccessor: f.bool("no_successor")}
	if len(f.errs) == 0 {
		_, err = s.db.EndPairing(r.Context(), p.Actor, pr.ID, end)
	}
	if err != nil || len(f.errs) > 0 {
		return s.teamFailed(w, r, p, f, err, strconv.FormatInt(pr.ID, 10), pr.ElderID)
	}
	teamDone(w, r, pr.ElderID)
	return nil
}

func (s *Server) pairingResponsible(w http.ResponseWriter, r *http.Request, p *page) error {
	pr, err := s.pairingFromPath(r, p)
	if err != nil {
		return err
	}
	if err := s.db.SetResponsible(r.Context(), p.Actor, pr.ID); err != nil {
		return err
	}
	teamDone(w, r, pr.ElderID)
	return nil
}

func (s *Server) pairingSuccessor(w http.ResponseWriter, r *http.Request, p *page) error {
	pr, err := s.pairingFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	vol, on := f.int64("successor_id"), f.date("started_on")
	if len(f.errs) == 0 {
		_, err = s.db.AssignSuccessor(r.Context(), p.Actor, pr.ID, vol, on)
	}
	if err != nil || len(f.errs) > 0 {
		return s.teamFailed(w, r, p, f, err, strconv.FormatInt(pr.ID, 10), pr.ElderID)
	}
	teamDone(w, r, pr.ElderID)
	return nil
}

func (s *Server) pairingClose(w http.ResponseWriter, r *http.Request, p *page) error {
	pr, err := s.pairingFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	if err := s.db.CloseHandover(r.Context(), p.Actor, pr.ID, f.str("reason")); err != nil {
		return s.teamFailed(w, r, p, f, err, strconv.FormatInt(pr.ID, 10), pr.ElderID)
	}
	teamDone(w, r, pr.ElderID)
	return nil
}
