package api

import (
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// pairingJSON is a pairing on the wire; the volunteer's name, kind and the
// relay neighbours come with the elder's list.
type pairingJSON struct {
	ID              int64   `json:"id"`
	ElderID         int64   `json:"elder_id"`
	VolunteerID     int64   `json:"volunteer_id"`
	Responsible     bool    `json:"responsible"`
	StartedOn       string  `json:"started_on"`
	EndedOn         *string `json:"ended_on"`
	EndReason       string  `json:"end_reason"`
	PredecessorID   *int64  `json:"predecessor_id"`
	NeedsSuccessor  bool    `json:"needs_successor"`
	VolunteerName   string  `json:"volunteer_name,omitempty"`
	Kind            string  `json:"kind,omitempty"`
	Phone           string  `json:"phone,omitempty"`
	VolunteerStatus string  `json:"volunteer_status,omitempty"`
	Predecessor     string  `json:"predecessor,omitempty"`
	Successor       string  `json:"successor,omitempty"`
	AgreementSigned *string `json:"agreement_signed_on,omitempty"`
}

func pairingOut(p *store.Pairing) pairingJSON {
	j := pairingJSON{ID: p.ID, ElderID: p.ElderID, VolunteerID: p.VolunteerID, Responsible: p.Responsible, StartedOn: date(p.StartedOn),
		EndReason: p.EndReason, PredecessorID: p.PredecessorID, NeedsSuccessor: p.NeedsSuccessor}
	j.EndedOn = optDate(p.EndedOn)
	return j
}

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := date(*t)
	return &s
}

func teamOut(m *store.TeamMember) pairingJSON {
	j := pairingOut(&m.Pairing)
	j.VolunteerName, j.Kind, j.Phone, j.VolunteerStatus = m.Name, m.Kind, m.Phone, m.VolunteerStatus
	j.Predecessor, j.Successor, j.AgreementSigned = m.Predecessor, m.Successor, optDate(m.AgreementSigned)
	return j
}

func (s *Server) elderPairings(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	team, err := s.db.ElderTeam(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := []pairingJSON{}
	for i := range team {
		out = append(out, teamOut(&team[i]))
	}
	return 0, map[string]any{"items": out, "total": len(out)}, nil
}

func (s *Server) createPairing(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		VolunteerID int64  `json:"volunteer_id"`
		Responsible bool   `json:"responsible"`
		StartedOn   string `json:"started_on"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	p := &store.Pairing{ElderID: id, VolunteerID: in.VolunteerID, Responsible: in.Responsible, StartedOn: parseDateField(f, "started_on", in.StartedOn)}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.CreatePairing(r.ctx, r.actor, p); err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/pairings/"+strconv.FormatInt(p.ID, 10))
	return http.StatusCreated, pairingOut(p), nil
}

func (s *Server) getPairing(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.db.GetPairing(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, pairingOut(p), nil
}

// endPairing ends a pairing; with successor_id it is a relay (接力) in one
// step, without one the elder waits for a successor unless no_successor.
func (s *Server) endPairing(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		EndedOn     string `json:"ended_on"`
		Reason      string `json:"reason"`
		SuccessorID int64  `json:"successor_id"`
		NoSuccessor bool   `json:"no_successor"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	end := store.Ending{On: parseDateField(f, "ended_on", in.EndedOn), Reason: in.Reason, SuccessorID: in.SuccessorID, NoSuccessor: in.NoSuccessor}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	succ, err := s.db.EndPairing(r.ctx, r.actor, id, end)
	if err != nil {
		return 0, nil, err
	}
	ended, err := s.db.GetPairing(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"ended": pairingOut(ended), "successor": nil}
	if succ != nil {
		out["successor"] = pairingOut(succ)
	}
	return 0, out, nil
}

func (s *Server) setResponsible(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if err := s.db.SetResponsible(r.ctx, r.actor, id); err != nil {
		return 0, nil, err
	}
	return s.getPairing(r)
}

func (s *Server) assignSuccessor(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		VolunteerID int64  `json:"volunteer_id"`
		StartedOn   string `json:"started_on"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	on := parseDateField(f, "started_on", in.StartedOn)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	succ, err := s.db.AssignSuccessor(r.ctx, r.actor, id, in.VolunteerID, on)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, pairingOut(succ), nil
}

func (s *Server) closeHandover(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := s.db.CloseHandover(r.ctx, r.actor, id, in.Reason); err != nil {
		return 0, nil, err
	}
	return s.getPairing(r)
}

func (s *Server) listHandovers(r *request) (int, any, error) {
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	hs, err := s.db.Handovers(r.ctx, r.actor, community)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for i := range hs {
		h := &hs[i]
		out = append(out, map[string]any{"pairing": pairingOut(&h.Pairing), "elder_name": h.ElderName, "community_id": h.CommunityID,
			"volunteer_name": h.VolunteerName, "volunteer_kind": h.VolunteerKind, "volunteer_status": h.VolunteerStatus})
	}
	return 0, map[string]any{"items": out, "total": len(out)}, nil
}

func (s *Server) volunteerPairings(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	ps, err := s.db.VolunteerPairings(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for i := range ps {
		vp := &ps[i]
		out = append(out, map[string]any{"pairing": pairingOut(&vp.Pairing), "elder_name": vp.ElderName, "community_id": vp.CommunityID,
			"building": vp.Building, "elder_status": vp.ElderStatus})
	}
	return 0, map[string]any{"items": out, "total": len(out)}, nil
}

// volunteerLeave records a volunteer leaving the programme: every current
// pairing ends, handed over where handovers name a successor, otherwise
// listed as waiting for one; the volunteer's status becomes left.
func (s *Server) volunteerLeave(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		LeftOn    string `json:"left_on"`
		Reason    string `json:"reason"`
		Handovers []struct {
			PairingID   int64 `json:"pairing_id"`
			SuccessorID int64 `json:"successor_id"`
		} `json:"handovers"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	l := store.Leaving{On: parseDateField(f, "left_on", in.LeftOn), Reason: in.Reason, Handovers: map[int64]int64{}}
	for _, h := range in.Handovers {
		l.Handovers[h.PairingID] = h.SuccessorID
	}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	ended, succ, err := s.db.LeaveProgramme(r.ctx, r.actor, id, l)
	if err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"ended": pairingsOut(ended), "successors": pairingsOut(succ)}, nil
}

func pairingsOut(ps []store.Pairing) []pairingJSON {
	out := []pairingJSON{}
	for i := range ps {
		out = append(out, pairingOut(&ps[i]))
	}
	return out
}
