package api

import (
	"net/http"

	"carecircle/internal/ratelimit"
)

// routesAccounts: every user changes their own password and sees and ends
// their own sessions; an administrator disables, enables and revokes.
func (s *Server) routesAccounts() {
	m := s.mux
	m.HandleFunc("POST /api/v1/me/password", s.handle(s.changePassword, true))
	m.HandleFunc("GET /api/v1/me/sessions", s.handle(s.mySessions, true))
	m.HandleFunc("DELETE /api/v1/me/sessions/{id}", s.handle(s.endMySession, true))
	m.HandleFunc("POST /api/v1/users/{id}/disable", s.handle(s.setUserDisabled(true), true))
	m.HandleFunc("POST /api/v1/users/{id}/enable", s.handle(s.setUserDisabled(false), true))
	m.HandleFunc("POST /api/v1/users/{id}/revoke", s.handle(s.revokeUser, true))
}

// changePassword checks the old password like a login (counted by the
// limiter first), so a stolen token cannot be used to guess it.
func (s *Server) changePassword(r *request) (int, any, error) {
	var in struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	keys := ratelimit.Keys(r.user.Username, clientIP(r.Request))
	if err := r.limiter.Begin(r.ctx, keys); err != nil {
		return 0, nil, err
	}
	if err := s.db.ChangePassword(r.ctx, r.user, r.token, in.Old, in.New); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, r.limiter.Succeeded(r.ctx, keys)
}

func (s *Server) mySessions(r *request) (int, any, error) {
	list, err := s.db.UserSessions(r.ctx, r.user.ID, r.token)
	if err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"items": list}, nil
}

func (s *Server) endMySession(r *request) (int, any, error) {
	return http.StatusNoContent, nil, s.db.EndUserSession(r.ctx, r.user, r.PathValue("id"))
}

func (s *Server) setUserDisabled(disabled bool) handlerFunc {
	return func(r *request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		if err := s.db.SetUserDisabled(r.ctx, r.actor, id, disabled); err != nil {
			return 0, nil, err
		}
		return 0, map[string]any{"id": id, "disabled": disabled}, nil
	}
}

func (s *Server) revokeUser(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	n, err := s.db.RevokeSessions(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"id": id, "sessions_ended": n}, nil
}
