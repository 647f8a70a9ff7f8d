package api

import (
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

type agreementJSON struct {
	ID          int64             `json:"id"`
	PairingID   int64             `json:"pairing_id"`
	Services    []string          `json:"services"`
	StartOn     string            `json:"start_on"`
	SignedOn    string            `json:"signed_on"`
	Signatories []store.Signatory `json:"signatories"`
	Terms       string            `json:"terms"`
	CreatedAt   string            `json:"created_at,omitempty"`
	CreatedBy   string            `json:"created_by,omitempty"`
}

func (s *Server) getAgreement(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	ag, err := s.db.AgreementOf(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, agreementJSON{ID: ag.ID, PairingID: ag.PairingID, Services: nonNil(ag.Services), StartOn: date(ag.StartOn),
		SignedOn: date(ag.SignedOn), Signatories: ag.Signatories, Terms: ag.Terms,
		CreatedAt: ag.CreatedAt.UTC().Format(time.RFC3339), CreatedBy: ag.CreatedBy}, nil
}

// recordAgreement records the signed agreement (帮扶协议) of a pairing; a
// later one renews it.
func (s *Server) recordAgreement(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in agreementJSON
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	ag := &store.Agreement{PairingID: id, Services: in.Services, StartOn: parseDateField(f, "start_on", in.StartOn),
		SignedOn: parseDateField(f, "signed_on", in.SignedOn), Signatories: in.Signatories, Terms: in.Terms}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.RecordAgreement(r.ctx, r.actor, ag); err != nil {
		return 0, nil, err
	}
	status, body, err := s.getAgreement(r)
	if err == nil {
		status = http.StatusCreated
	}
	return status, body, err
}

type optionJSON struct {
	VolunteerID   int64   `json:"volunteer_id"`
	Name          string  `json:"name"`
	Kind          string  `json:"kind"`
	DistanceM     float64 `json:"distance_m"`
	DistanceBasis string  `json:"distance_basis"`
	Free          int     `json:"free"`
}

// matching answers the suggested pairings of a community (or everything
// the actor manages) and every elder left out, with reasons in the
// request's language.
func (s *Server) matching(r *request) (int, any, error) {
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	scope := store.MatchScope{CommunityID: community}
	if v := r.URL.Query().Get("max_distance_m"); v != "" {
		if scope.MaxDistanceM, err = strconv.ParseFloat(v, 64); err != nil {
			return 0, nil, care.FieldErrors{"max_distance_m": care.Msg{ZH: "应为数字", EN: "must be a number"}}.Err()
		}
	}
	m, err := s.db.SuggestPairings(r.ctx, r.actor, scope)
	if err != nil {
		return 0, nil, err
	}
	today := s.db.Today()
	suggestions, unmatched := []map[string]any{}, []map[string]any{}
	for _, sg := range m.Suggestions {
		e := m.Elders[sg.ElderID]
		opts := []optionJSON{}
		for _, o := range sg.Options {
			opts = append(opts, optionJSON{VolunteerID: o.VolunteerID, Name: m.Volunteers[o.VolunteerID].Name, Kind: o.Kind,
				DistanceM: o.DistanceM, DistanceBasis: string(o.Basis), Free: o.Free})
		}
		suggestions = append(suggestions, map[string]any{"elder_id": e.ID, "elder_name": e.Name, "priority": e.Priority(today),
			"volunteer_id": sg.VolunteerID, "volunteer_name": m.Volunteers[sg.VolunteerID].Name, "kind": sg.Kind,
			"distance_m": sg.DistanceM, "distance_basis": string(sg.Basis), "preferred": sg.Preferred, "reason": sg.Reason.In(r.lang),
			"options": opts})
	}
	for _, u := range m.Unmatched {
		e := m.Elders[u.ElderID]
		unmatched = append(unmatched, map[string]any{"elder_id": e.ID, "elder_name": e.Name, "priority": e.Priority(today),
			"reason": u.Reason, "message": u.Msg.In(r.lang)})
	}
	return 0, map[string]any{"max_distance_m": m.MaxDistanceM, "suggestions": suggestions, "unmatched": unmatched,
		"objective": m.Objective}, nil
}

type picksJSON struct {
	Pairings []struct {
		ElderID     int64 `json:"elder_id"`
		VolunteerID int64 `json:"volunteer_id"`
	} `json:"pairings"`
	StartedOn string `json:"started_on"`
	Reason    string `json:"reason"`
}

func readPicks(r *request) (picksJSON, error) {
	var in picksJSON
	if err := decode(r, &in); err != nil {
		return in, err
	}
	if len(in.Pairings) == 0 {
		return in, care.FieldErrors{"pairings": care.MsgRequired}.Err()
	}
	return in, nil
}

// acceptMatching creates the accepted (or edited) suggestions, all or none,
// each validated like any pairing; errors name "pairings.N.field".
func (s *Server) acceptMatching(r *request) (int, any, error) {
	in, err := readPicks(r)
	if err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	start := parseDateField(f, "started_on", in.StartedOn)
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	var ps []*store.Pairing
	for _, p := range in.Pairings {
		ps = append(ps, &store.Pairing{ElderID: p.ElderID, VolunteerID: p.VolunteerID, StartedOn: start})
	}
	err = s.db.CreatePairings(r.ctx, r.actor, ps)
	if len(ps) == 1 && err != nil {
		// One pairing reports its fields plainly; keep the batch naming.
		if ce, ok := err.(*care.Error); ok && ce.Code == care.EInvalid {
			fields := care.FieldErrors{}
			for k, m := range ce.Fields {
				fields["pairings.0."+k] = m
			}
			err = fields.Err()
		}
	}
	if err != nil {
		return 0, nil, err
	}
	created := []pairingJSON{}
	for _, p := range ps {
		created = append(created, pairingOut(p))
	}
	return http.StatusCreated, map[string]any{"created": created}, nil
}

// rejectMatching records rejected suggestions, which the matcher then does
// not make again for store.RejectionDays days.
func (s *Server) rejectMatching(r *request) (int, any, error) {
	in, err := readPicks(r)
	if err != nil {
		return 0, nil, err
	}
	var picks []store.Pick
	for _, p := range in.Pairings {
		picks = append(picks, store.Pick{ElderID: p.ElderID, VolunteerID: p.VolunteerID})
	}
	if err := s.db.RejectSuggestions(r.ctx, r.actor, picks, in.Reason); err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"rejected": len(picks)}, nil
}
