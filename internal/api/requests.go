package api

import (
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	reqrule "carecircle/internal/request"
	"carecircle/internal/store"
)

// routesRequests registers requests for help (按需服务, README "按需服务
// (requests)").
func (s *Server) routesRequests() {
	m := s.mux
	m.HandleFunc("GET /api/v1/requests", s.handle(s.listRequests, true))
	m.HandleFunc("POST /api/v1/requests", s.handle(s.createRequest, true))
	m.HandleFunc("GET /api/v1/requests/{id}", s.handle(s.getRequest, true))
	m.HandleFunc("GET /api/v1/requests/{id}/candidates", s.handle(s.requestCandidates, true))
	m.HandleFunc("POST /api/v1/requests/{id}/dispatch", s.handle(s.dispatchRequest, true))
	m.HandleFunc("POST /api/v1/requests/{id}/accept", s.handle(s.acceptRequest, true))
	m.HandleFunc("POST /api/v1/requests/{id}/decline", s.handle(s.declineRequest, true))
	m.HandleFunc("POST /api/v1/requests/{id}/done", s.handle(s.doneRequest, true))
	m.HandleFunc("POST /api/v1/requests/{id}/cancel", s.handle(s.cancelRequest, true))
}

type requestEventJSON struct {
	Status      string `json:"status"`
	VolunteerID *int64 `json:"volunteer_id"`
	Volunteer   string `json:"volunteer,omitempty"`
	Reason      string `json:"reason,omitempty"`
	At          string `json:"at"`
	By          string `json:"by"`
}

func optStamp(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(loc).Format(time.RFC3339)
	return &s
}

func requestOut(rq *store.Request, lang string, loc *time.Location) map[string]any {
	out := map[string]any{"id": rq.ID, "community_id": rq.CommunityID, "community": rq.CommunityName, "elder_id": rq.ElderID,
		"elder": rq.ElderName, "address": rq.ElderAddress, "kind": rq.Kind, "type": rq.Type, "urgency": rq.Urgency,
		"wanted_by": rq.WantedBy.In(loc).Format(time.RFC3339), "note": rq.Note, "channel": rq.Channel, "status": rq.Status,
		"status_label": reqrule.Label(reqrule.Statuses, rq.Status).In(lang), "assignee_id": optID(rq.AssigneeID),
		"assignee": rq.AssigneeName, "dispatched_at": optStamp(rq.DispatchedAt, loc), "accepted_at": optStamp(rq.AcceptedAt, loc),
		"done_at": optStamp(rq.DoneAt, loc), "service_id": optID(rq.ServiceID), "overdue": rq.Overdue,
		"created_at": rq.CreatedAt.In(loc).Format(time.RFC3339), "created_by": rq.CreatedBy}
	if rq.Events != nil {
		evs := []requestEventJSON{}
		for _, e := range rq.Events {
			evs = append(evs, requestEventJSON{Status: e.Status, VolunteerID: optID(e.VolunteerID), Volunteer: e.VolunteerName,
				Reason: e.Reason, At: e.At.In(loc).Format(time.RFC3339), By: e.Actor})
		}
		out["events"] = evs
	}
	return out
}

func (s *Server) listRequests(r *request) (int, any, error) {
	q := r.URL.Query()
	f := store.RequestFilter{Status: q.Get("status")}
	for _, p := range []struct {
		name string
		into *int64
	}{{"community_id", &f.CommunityID}, {"elder_id", &f.ElderID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return 0, nil, care.FieldErrors{p.name: care.MsgBadChoice}.Err()
			}
			*p.into = n
		}
	}
	if err := s.db.CheckCommunityFilter(r.ctx, r.actor, f.CommunityID); err != nil {
		return 0, nil, err
	}
	rs, err := s.db.Requests(r.ctx, r.actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for i := range rs {
		out = append(out, requestOut(&rs[i], r.lang, s.db.Loc))
	}
	return 0, map[string]any{"requests": out}, nil
}

func (s *Server) createRequest(r *request) (int, any, error) {
	var in struct {
		ElderID  int64  `json:"elder_id"`
		Kind     string `json:"kind"`
		Type     string `json:"type"`
		Urgency  string `json:"urgency"`
		WantedBy string `json:"wanted_by"`
		Note     string `json:"note"`
		Channel  string `json:"channel"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	f := care.FieldErrors{}
	rq := &store.Request{ElderID: in.ElderID, Kind: in.Kind, Type: in.Type, Urgency: in.Urgency, Note: in.Note, Channel: in.Channel}
	if t := parseTime(f, "wanted_by", in.WantedBy); t != nil {
		rq.WantedBy = *t
	}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.CreateRequest(r.ctx, r.actor, rq); err != nil {
		return 0, nil, err
	}
	got, err := s.db.GetRequest(r.ctx, r.actor, rq.ID)
	if err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/requests/"+strconv.FormatInt(rq.ID, 10))
	return http.StatusCreated, requestOut(got, r.lang, s.db.Loc), nil
}

func (s *Server) getRequest(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	rq, err := s.db.GetRequest(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, requestOut(rq, r.lang, s.db.Loc), nil
}

func (s *Server) requestCandidates(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	cs, err := s.db.RequestCandidates(r.ctx, r.actor, id, 0)
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for _, c := range cs {
		var metres *int64
		if c.Metres >= 0 {
			m := int64(c.Metres + 0.5)
			metres = &m
		}
		fits := c.Fits
		if fits == nil {
			fits = []string{}
		}
		out = append(out, map[string]any{"volunteer_id": c.VolunteerID, "name": c.Name, "kind": c.Kind, "in_circle": c.InCircle,
			"metres": metres, "skills_fit": fits, "load": c.Load, "declined": c.Declined})
	}
	return 0, map[string]any{"candidates": out}, nil
}

// requestChange runs a change of request {id} and answers the request as
// it is after.
func (s *Server) requestChange(r *request, change func(id int64) error) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if err := change(id); err != nil {
		return 0, nil, err
	}
	return s.getRequest(r)
}

func (s *Server) dispatchRequest(r *request) (int, any, error) {
	var in struct {
		VolunteerID int64 `json:"volunteer_id"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.requestChange(r, func(id int64) error { return s.db.Dispatch(r.ctx, r.actor, id, in.VolunteerID) })
}

func (s *Server) acceptRequest(r *request) (int, any, error) {
	return s.requestChange(r, func(id int64) error { return s.db.AcceptRequest(r.ctx, r.actor, id) })
}

func (s *Server) declineRequest(r *request) (int, any, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.requestChange(r, func(id int64) error { return s.db.DeclineRequest(r.ctx, r.actor, id, in.Reason) })
}

func (s *Server) doneRequest(r *request) (int, any, error) {
	var in struct {
		ServiceID int64 `json:"service_id"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.requestChange(r, func(id int64) error { return s.db.DoneRequest(r.ctx, r.actor, id, in.ServiceID) })
}

func (s *Server) cancelRequest(r *request) (int, any, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.requestChange(r, func(id int64) error { return s.db.CancelRequest(r.ctx, r.actor, id, in.Reason) })
}
