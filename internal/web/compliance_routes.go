package web

import "net/http"

// englishCompliance translates this feature's UI text.
var englishCompliance = map[string]string{}

// navCompliance are this feature's header links.
var navCompliance []navItem

// routesCompliance registers this feature's pages (filled in by its issue).
func (s *Server) routesCompliance(m *http.ServeMux) {}
