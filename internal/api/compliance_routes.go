package api

// routesCompliance registers this feature's endpoints (filled in by its issue).
func (s *Server) routesCompliance() {}
