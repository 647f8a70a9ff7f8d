package api

import (
	"net/http"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// routesHouseholds registers households (包户, README "包户 / Households").
func (s *Server) routesHouseholds() {
	m := s.mux
	m.HandleFunc("GET /api/v1/households", s.handle(s.listHouseholds, true))
	m.HandleFunc("POST /api/v1/households", s.handle(s.createHousehold, true))
	m.HandleFunc("GET /api/v1/households/{id}", s.handle(s.getHousehold, true))
	m.HandleFunc("POST /api/v1/households/{id}/members", s.handle(s.addHouseholdMember, true))
	m.HandleFunc("POST /api/v1/households/{id}/leave", s.handle(s.endHouseholdMember, true))
	m.HandleFunc("POST /api/v1/households/{id}/pairings", s.handle(s.pairHousehold, true))
	m.HandleFunc("POST /api/v1/households/{id}/visits", s.handle(s.householdVisit, true))
}

type householdMemberJSON struct {
	ElderID   int64   `json:"elder_id"`
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	From      string  `json:"from"`
	To        *string `json:"to"`
	EndReason string  `json:"end_reason,omitempty"`
}

func householdOut(h *store.Household) map[string]any {
	members := []householdMemberJSON{}
	for _, m := range h.Members {
		j := householdMemberJSON{ElderID: m.ElderID, Name: m.ElderName, Status: m.Status, From: m.From.Format("2006-01-02"), EndReason: m.EndReason}
		if m.To != nil {
			t := m.To.Format("2006-01-02")
			j.To = &t
		}
		members = append(members, j)
	}
	return map[string]any{"id": h.ID, "community_id": h.CommunityID, "community": h.CommunityName, "name": h.Name, "note": h.Note,
		"current": len(h.CurrentMembers()) >= 2, "counts_once": h.CountsOnce, "members": members}
}

func (s *Server) listHouseholds(r *request) (int, any, error) {
	q := r.URL.Query()
	var community int64
	if v := q.Get("community_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, nil, care.FieldErrors{"community_id": care.MsgBadChoice}.Err()
		}
		community = n
		if err := s.db.CheckCommunityFilter(r.ctx, r.actor, community); err != nil {
			return 0, nil, err
		}
	}
	hs, err := s.db.Households(r.ctx, r.actor, community, q.Get("all") == "true")
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for i := range hs {
		out = append(out, householdOut(&hs[i]))
	}
	return 0, map[string]any{"households": out}, nil
}

func (s *Server) createHousehold(r *request) (int, any, error) {
	var in struct {
		Name     string  `json:"name"`
		Note     string  `json:"note"`
		ElderIDs []int64 `json:"elder_ids"`
		From     string  `json:"from"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	from := parseDateField(f, "from", in.From)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	h := &store.Household{Name: in.Name, Note: in.Note}
	if err := s.db.CreateHousehold(r.ctx, r.actor, h, in.ElderIDs, from); err != nil {
		return 0, nil, err
	}
	got, err := s.db.GetHousehold(r.ctx, r.actor, h.ID)
	if err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/households/"+strconv.FormatInt(h.ID, 10))
	return http.StatusCreated, householdOut(got), nil
}

func (s *Server) getHousehold(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	h, err := s.db.GetHousehold(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, householdOut(h), nil
}

func (s *Server) addHouseholdMember(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		ElderID int64  `json:"elder_id"`
		From    string `json:"from"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	from := parseDateField(f, "from", in.From)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.AddHouseholdMember(r.ctx, r.actor, id, in.ElderID, from); err != nil {
		return 0, nil, err
	}
	return s.getHousehold(r)
}

func (s *Server) endHouseholdMember(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		ElderID int64  `json:"elder_id"`
		To      string `json:"to"`
		Reason  string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	to := parseDateField(f, "to", in.To)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.EndHouseholdMember(r.ctx, r.actor, id, in.ElderID, to, in.Reason); err != nil {
		return 0, nil, err
	}
	return s.getHousehold(r)
}

func (s *Server) pairHousehold(r *request) (int, any, error) {
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
	started := parseDateField(f, "started_on", in.StartedOn)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	ps, err := s.db.PairHousehold(r.ctx, r.actor, id, in.VolunteerID, started)
	if err != nil {
		return 0, nil, err
	}
	out := []any{}
	for _, p := range ps {
		out = append(out, pairingOut(p))
	}
	return http.StatusCreated, map[string]any{"pairings": out}, nil
}

// householdVisit records one visit for every current member (为全户记录):
// the body of POST /elders/{id}/services plus elder_id, the member whose
// card or PIN is offered as proof.
func (s *Server) householdVisit(r *request) (int, any, error) {
	if r.actor.Role != care.RoleVolunteer && !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		serviceIn
		ElderID int64 `json:"elder_id"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	rec := &care.ServiceRecord{ElderID: in.ElderID, Kind: in.Kind, Type: in.Type, Note: in.Note, AmountCents: in.AmountCents,
		VolunteerID: in.VolunteerID, ServedBy: in.ServedBy, Source: in.Source, ByCommittee: in.ByCommittee, At: s.db.Now()}
	if in.ElderID <= 0 {
		f.Add("elder_id", care.MsgRequired)
	}
	if t := parseTime(f, "at", in.At); t != nil {
		rec.At = *t
	}
	rec.EndAt = parseTime(f, "end_at", in.EndAt)
	switch in.Verification.Method {
	case "", "none", "qr", "pin", "geo":
	default:
		f.Add("verification", care.MsgBadChoice)
	}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	v := in.Verification
	recs, replay, err := s.db.AddHouseholdVisit(r.ctx, r.actor, id, rec, store.Proof{Method: v.Method, Code: v.Code, PIN: v.PIN, Lat: v.Lat, Lon: v.Lon},
		attempt(r, "household_visit", id, in))
	if err != nil {
		return 0, nil, err
	}
	out := []recordJSON{}
	for _, rc := range recs {
		out = append(out, toRecordJSON(rc, r.lang, s.db.Loc))
	}
	return createdOrReplayed(r, replay), map[string]any{"household_visit_id": recs[0].HouseholdVisitID, "records": out}, nil
}
