package api

import (
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/store"
)

// routesEscalation: the street's escalation chain (README "The escalation
// chain"); the station sets it, community staff read it.
func (s *Server) routesEscalation() {
	m := s.mux
	m.HandleFunc("GET /api/v1/escalation-policy", s.handle(s.getEscalationPolicy, true))
	m.HandleFunc("PUT /api/v1/escalation-policy", s.handle(s.putEscalationPolicy, true))
}

type policyOut struct {
	notify.Policy
	Default  notify.Policy `json:"default"`
	Editable bool          `json:"editable"`
}

func (s *Server) getEscalationPolicy(r *request) (int, any, error) {
	p, err := s.db.EscalationPolicy(r.ctx, r.actor, r.actor.StreetID)
	if err != nil {
		return 0, nil, err
	}
	return 0, policyOut{Policy: p, Default: notify.DefaultPolicy, Editable: r.actor.Role == care.RoleStation}, nil
}

// putEscalationPolicy sets the street's chain: {"reminder_at": "18:00",
// "family_after_minutes": 60, "station_after_minutes": 60,
// "emergency_after_minutes": 15}.
func (s *Server) putEscalationPolicy(r *request) (int, any, error) {
	var in notify.Policy
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := s.db.SaveEscalationPolicy(r.ctx, r.actor, r.actor.StreetID, &in); err != nil {
		return 0, nil, err
	}
	return s.getEscalationPolicy(r)
}

// escalationOut is one message of an alert's chain.
type escalationOut struct {
	Step        string  `json:"step"`
	StepLabel   string  `json:"step_label"`
	To          string  `json:"to"`
	Channel     string  `json:"channel"`
	At          string  `json:"at"`
	Status      string  `json:"status"`
	DeliveredAt *string `json:"delivered_at"`
	LastError   string  `json:"last_error,omitempty"`
}

func (s *Server) escalationOut(list []store.EscalationEntry) []escalationOut {
	out := []escalationOut{}
	for _, e := range list {
		o := escalationOut{Step: string(e.Step), StepLabel: care.Label(notify.Steps, string(e.Step), "zh"), To: e.To, Channel: string(e.Channel),
			At: e.At.In(s.db.Loc).Format(time.RFC3339), Status: string(e.Status), LastError: e.LastError}
		if !e.DeliveredAt.IsZero() {
			d := e.DeliveredAt.In(s.db.Loc).Format(time.RFC3339)
			o.DeliveredAt = &d
		}
		out = append(out, o)
	}
	return out
}
