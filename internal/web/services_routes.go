package web

import "net/http"

// englishServices translates this feature's UI text.
var englishServices = map[string]string{}

// navServices are this feature's header links.
var navServices []navItem

// routesServices registers this feature's pages (filled in by its issue).
func (s *Server) routesServices(m *http.ServeMux) {}
