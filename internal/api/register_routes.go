package api

import "net/http"

// routesRegister registers the register file endpoints: import (with a dry
// run) and export of elders and volunteers as .xlsx or .csv.
func (s *Server) routesRegister() {
	s.mux.HandleFunc("POST /api/v1/imports/{kind}", s.handle(s.importRegister, true))
	export := s.handle(s.exportRegister, true)
	s.mux.HandleFunc("GET /api/v1/exports/{file}", func(w http.ResponseWriter, r *http.Request) {
		export(&fileResponse{ResponseWriter: w}, r)
	})
}
