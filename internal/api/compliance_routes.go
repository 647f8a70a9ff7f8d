package api

import (
	"carecircle/internal/care"
	"carecircle/internal/tracker"
)

// SetTracker gives the API the compliance tracker; serve calls it once
// before serving. Without it the compliance endpoints answer 500.
func (s *Server) SetTracker(t *tracker.Tracker) { s.tracker = t }

func (s *Server) needTracker() error {
	if s.tracker == nil {
		return &care.Error{Code: care.EInternal, Message: "合规统计尚未启动 / compliance tracking is not running"}
	}
	return nil
}

// routesCompliance registers the endpoints of service standards,
// compliance, worklists and the daily knock's alerts (SPEC §5, §9).
func (s *Server) routesCompliance() {
	m := s.mux
	m.HandleFunc("GET /api/v1/compliance", s.handle(s.complianceTable, true))
	m.HandleFunc("GET /api/v1/compliance/communities/{id}", s.handle(s.complianceCommunity, true))
	m.HandleFunc("GET /api/v1/pairings/{id}/compliance", s.handle(s.pairingCompliance, true))
	m.HandleFunc("GET /api/v1/elders/{id}/compliance", s.handle(s.elderCompliance, true))
	m.HandleFunc("GET /api/v1/today", s.handle(s.today, true))
	m.HandleFunc("GET /api/v1/not-greeted", s.handle(s.notGreeted, true))
	m.HandleFunc("GET /api/v1/alerts", s.handle(s.listAlerts, true))
	m.HandleFunc("GET /api/v1/alerts/{id}", s.handle(s.getAlert, true))
	m.HandleFunc("POST /api/v1/alerts/{id}/ack", s.handle(s.ackAlert, true))
	m.HandleFunc("POST /api/v1/alerts/{id}/resolve", s.handle(s.resolveAlert, true))
	m.HandleFunc("GET /api/v1/standards", s.handle(s.getStandards, true))
	m.HandleFunc("POST /api/v1/standards", s.handle(s.postStandard, true))
	m.HandleFunc("GET /api/v1/festivals", s.handle(s.getFestivals, true))
	m.HandleFunc("POST /api/v1/festivals", s.handle(s.postFestival, true))
}
