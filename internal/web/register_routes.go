package web

import "net/http"

// englishRegister translates this feature's UI text.
var englishRegister = map[string]string{}

// navRegister are this feature's header links.
var navRegister []navItem

// routesRegister registers this feature's pages (filled in by its issue).
func (s *Server) routesRegister(m *http.ServeMux) {}
