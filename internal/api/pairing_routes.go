package api

// routesPairing registers this feature's endpoints (filled in by its issue).
func (s *Server) routesPairing() {}
