package api

// routesPairing registers the pairing endpoints (SPEC §3): care teams,
// relay hand-overs, agreements, matching, and a volunteer leaving.
func (s *Server) routesPairing() {
	m := s.mux
	m.HandleFunc("GET /api/v1/elders/{id}/pairings", s.handle(s.elderPairings, true))
	m.HandleFunc("POST /api/v1/elders/{id}/pairings", s.handle(s.createPairing, true))
	m.HandleFunc("GET /api/v1/pairings/{id}", s.handle(s.getPairing, true))
	m.HandleFunc("POST /api/v1/pairings/{id}/end", s.handle(s.endPairing, true))
	m.HandleFunc("POST /api/v1/pairings/{id}/responsible", s.handle(s.setResponsible, true))
	m.HandleFunc("POST /api/v1/pairings/{id}/successor", s.handle(s.assignSuccessor, true))
	m.HandleFunc("POST /api/v1/pairings/{id}/close", s.handle(s.closeHandover, true))
	m.HandleFunc("GET /api/v1/pairings/{id}/agreement", s.handle(s.getAgreement, true))
	m.HandleFunc("POST /api/v1/pairings/{id}/agreement", s.handle(s.recordAgreement, true))
	m.HandleFunc("GET /api/v1/handovers", s.handle(s.listHandovers, true))
	m.HandleFunc("GET /api/v1/matching", s.handle(s.matching, true))
	m.HandleFunc("POST /api/v1/matching/accept", s.handle(s.acceptMatching, true))
	m.HandleFunc("POST /api/v1/matching/reject", s.handle(s.rejectMatching, true))
	m.HandleFunc("GET /api/v1/volunteers/{id}/pairings", s.handle(s.volunteerPairings, true))
	m.HandleFunc("POST /api/v1/volunteers/{id}/leave", s.handle(s.volunteerLeave, true))
}
