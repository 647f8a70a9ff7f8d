package api

// routesServices registers this feature's endpoints (filled in by its issue).
func (s *Server) routesServices() {}
