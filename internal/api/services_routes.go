package api

// routesServices registers the service card endpoints (SPEC §4, §6).
func (s *Server) routesServices() {
	m := s.mux
	m.HandleFunc("POST /api/v1/elders/{id}/services", s.handle(s.addService, true))
	m.HandleFunc("GET /api/v1/elders/{id}/card", s.handle(s.getCard, true))
	m.HandleFunc("POST /api/v1/elders/{id}/card/{month}/signature", s.handle(s.signCard, true))
	m.HandleFunc("POST /api/v1/elders/{id}/pin", s.handle(s.setPIN, true))
	m.HandleFunc("POST /api/v1/elders/{id}/card/reissue", s.handle(s.reissueCard, true))
	m.HandleFunc("POST /api/v1/cards/{month}/signatures", s.handle(s.signClean, true))
	m.HandleFunc("GET /api/v1/services/{id}", s.handle(s.getService, true))
	m.HandleFunc("POST /api/v1/services/{id}/amendments", s.handle(s.amendService, true))
	m.HandleFunc("GET /api/v1/inspection", s.handle(s.inspection, true))
	m.HandleFunc("GET /api/v1/cases", s.handle(s.listCases, true))
	m.HandleFunc("GET /api/v1/cases/{id}", s.handle(s.getCase, true))
	m.HandleFunc("POST /api/v1/cases/{id}/events", s.handle(s.caseEvent, true))
}
