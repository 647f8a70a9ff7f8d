package web

import "net/http"

// englishPairing translates this feature's UI text.
var englishPairing = map[string]string{}

// navPairing are this feature's header links.
var navPairing []navItem

// routesPairing registers this feature's pages (filled in by its issue).
func (s *Server) routesPairing(m *http.ServeMux) {}
