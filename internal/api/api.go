// Package api serves the JSON API under /api/v1: bearer-token sessions,
// the registry (elders, volunteers, communities, clinics), with every error
// in one JSON shape and one mapping from error code to HTTP status.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
)

// Server is the JSON API.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	limiter *ratelimit.Limiter
	mux     *http.ServeMux
	tracker *tracker.Tracker // compliance answers; set with SetTracker
}

// New returns the API handler; mount it at /api/v1/.
func New(db *store.DB, log *slog.Logger, limiter *ratelimit.Limiter) *Server {
	s := &Server{db: db, log: log, limiter: limiter, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("POST /api/v1/session", s.handle(s.createSession, false))
	m.HandleFunc("DELETE /api/v1/session", s.handle(s.deleteSession, true))
	m.HandleFunc("GET /api/v1/me", s.handle(s.me, true))
	s.routesAccounts()

	m.HandleFunc("GET /api/v1/elders", s.handle(s.listElders, true))
	m.HandleFunc("POST /api/v1/elders", s.handle(s.createElder, true))
	m.HandleFunc("GET /api/v1/elders/{id}", s.handle(s.getElder, true))
	m.HandleFunc("PATCH /api/v1/elders/{id}", s.handle(s.patchElder, true))
	m.HandleFunc("GET /api/v1/elders/{id}/id-number", s.handle(s.revealElderID, true))
	m.HandleFunc("GET /api/v1/elders/{id}/status-history", s.handle(s.elderHistory, true))
	m.HandleFunc("GET /api/v1/elders/{id}/team", s.handle(s.elderTeam, true))

	m.HandleFunc("GET /api/v1/volunteers", s.handle(s.listVolunteers, true))
	m.HandleFunc("POST /api/v1/volunteers", s.handle(s.createVolunteer, true))
	m.HandleFunc("GET /api/v1/volunteers/{id}", s.handle(s.getVolunteer, true))
	m.HandleFunc("PATCH /api/v1/volunteers/{id}", s.handle(s.patchVolunteer, true))

	m.HandleFunc("GET /api/v1/communities", s.handle(s.listCommunities, true))
	m.HandleFunc("POST /api/v1/communities", s.handle(s.createCommunity, true))
	m.HandleFunc("GET /api/v1/communities/{id}", s.handle(s.getCommunity, true))
	m.HandleFunc("PATCH /api/v1/communities/{id}", s.handle(s.patchCommunity, true))

	m.HandleFunc("GET /api/v1/clinics", s.handle(s.listClinics, true))
	m.HandleFunc("POST /api/v1/clinics", s.handle(s.createClinic, true))
	m.HandleFunc("GET /api/v1/clinics/{id}", s.handle(s.getClinic, true))
	m.HandleFunc("PATCH /api/v1/clinics/{id}", s.handle(s.patchClinic, true))

	m.HandleFunc("GET /api/v1/stats/elders", s.handle(s.elderStats, true))
	s.routesPairing()
	s.routesServices()
	s.routesCompliance()
	s.routesRegister()
	s.routesReports()
	s.routesNotify()
	s.routesReminders()
	s.routesEscalation()
	s.routesHealth()
	s.routesUpward()
	s.routesHours()
	s.routesRollout()
	s.routesHouseholds()
	s.routesAttachments()
	s.routesRequests()
	s.routesActivities()
	m.HandleFunc("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Write(openAPI)
	})
	m.HandleFunc("/api/v1/", s.handle(func(*request) (int, any, error) {
		return 0, nil, care.ErrNotFound("接口 / endpoint")
	}, false))
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// request is what a handler gets: the HTTP request, the authenticated user
// (when the route needs one) and the language for messages.
type request struct {
	*http.Request
	ctx     context.Context
	user    *care.User
	actor   care.Actor
	token   string
	lang    string
	w       http.ResponseWriter
	limiter *ratelimit.Limiter
	// login is the username a login attempt gave, for the security log.
	login string
}

type handlerFunc func(r *request) (status int, body any, err error)

// handle wraps a handler: authentication, error rendering and logging of the
// unexpected happen here and only here.
func (s *Server) handle(h handlerFunc, auth bool) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		r := &request{Request: hr, ctx: hr.Context(), lang: langOf(hr), w: w, limiter: s.limiter}
		if auth {
			tok, ok := strings.CutPrefix(hr.Header.Get("Authorization"), "Bearer ")
			if !ok || tok == "" {
				s.writeError(w, r, &care.Error{Code: care.EUnauth, Message: "需要 Authorization: Bearer 令牌 / bearer token required"})
				return
			}
			sess, err := s.db.LookupSession(r.ctx, strings.TrimSpace(tok), "api")
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			r.user, r.actor, r.token = sess.User, care.ActorOf(sess.User), tok
			if hr.Header.Get("Accept-Language") == "" {
				r.lang = sess.User.Lang
			}
			if sess.User.MustChangePassword && !whileChangingPassword[hr.Pattern] {
				s.writeError(w, r, care.ErrPasswordChange())
				return
			}
		}
		status, body, err := h(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, status, body)
	}
}

// whileChangingPassword are the routes a user whose password was reset may
// use before choosing a new one.
var whileChangingPassword = map[string]bool{
	"POST /api/v1/me/password": true,
	"GET /api/v1/me":           true,
	"DELETE /api/v1/session":   true,
}

func langOf(r *http.Request) string {
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return "en"
	}
	return "zh"
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if body != nil {
		json.NewEncoder(w).Encode(body)
	}
}

// Status maps an error code to its HTTP status, the one place that does.
func Status(err error) int {
	switch care.ErrorCode(err) {
	case care.EInvalid, care.EMonthNotEnded:
		return http.StatusUnprocessableEntity
	case care.ENotFound:
		return http.StatusNotFound
	case care.EConflict:
		return http.StatusConflict
	case care.EForbidden, care.EPasswordChange:
		return http.StatusForbidden
	case care.EUnauth:
		return http.StatusUnauthorized
	case "bad_request":
		return http.StatusBadRequest
	case care.ERateLimited:
		return http.StatusTooManyRequests
	case care.ETooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// RetryAfter is the Retry-After header value of a refusal to wait (whole
// seconds, at least 1), or "" for other errors.
func RetryAfter(err error) string {
	var ce *care.Error
	if !errors.As(err, &ce) || ce.Code != care.ERateLimited {
		return ""
	}
	return strconv.Itoa(max(1, int(math.Ceil(ce.RetryAfter.Seconds()))))
}

// SecurityLog writes a refused request to the access/security log: every
// failed login, 401, 403 and 429, with who, from where and what.
func SecurityLog(log *slog.Logger, status int, err error, user, ip, method, path string) {
	if status != http.StatusUnauthorized && status != http.StatusForbidden && status != http.StatusTooManyRequests {
		return
	}
	log.Warn("security", "status", status, "code", care.ErrorCode(err), "user", user, "ip", ip, "method", method, "path", path)
}

func (s *Server) writeError(w http.ResponseWriter, r *request, err error) {
	status := Status(err)
	if status == http.StatusInternalServerError {
		s.log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	user := r.login
	if r.user != nil {
		user = r.user.Username
	}
	SecurityLog(s.log, status, err, user, clientIP(r.Request), r.Method, r.URL.Path)
	if v := RetryAfter(err); v != "" {
		w.Header().Set("Retry-After", v)
	}
	body := map[string]any{"code": care.ErrorCode(err), "message": care.ErrorMessage(err)}
	var ce *care.Error
	if errors.As(err, &ce) && len(ce.Fields) > 0 {
		fields := map[string]string{}
		for k, m := range ce.Fields {
			fields[k] = m.In(r.lang)
		}
		body["fields"] = fields
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// badRequest is malformed input (not JSON, wrong types): 400, unlike
// well-formed but invalid input (422).
func badRequest(msg string) error { return &care.Error{Code: "bad_request", Message: msg} }

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) createSession(r *request) (int, any, error) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeLimit(r, &in, maxAnonymous); err != nil {
		return 0, nil, err
	}
	username := care.NormalizeUsername(in.Username) // once, for the limiter and the login
	r.login = username
	keys := ratelimit.Keys(username, clientIP(r.Request))
	if err := r.limiter.Begin(r.ctx, keys); err != nil {
		return 0, nil, err
	}
	u, err := s.db.Authenticate(r.ctx, username, in.Password)
	if err != nil {
		return 0, nil, err
	}
	if err := r.limiter.Succeeded(r.ctx, keys); err != nil {
		return 0, nil, err
	}
	sess, err := s.db.NewSession(r.ctx, u, "api")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"token": sess.Token, "expires_at": s.db.Now().Add(store.APITokenTTL).UTC().Format(time.RFC3339),
		"user": userJSON(u)}, nil
}

func (s *Server) deleteSession(r *request) (int, any, error) {
	return http.StatusNoContent, nil, s.db.EndSession(r.ctx, r.token)
}

func (s *Server) me(r *request) (int, any, error) {
	return 0, userJSON(r.user), nil
}

func userJSON(u *care.User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "display_name": u.DisplayName, "role": u.Role,
		"street_id": u.StreetID, "community_id": u.CommunityID, "volunteer_id": u.VolunteerID, "clinic_id": u.ClinicID, "lang": u.Lang,
		"must_change_password": u.MustChangePassword}
}
