// Package web serves CareCircle's HTML pages: server-rendered templates with
// htmx, Chinese by default with English available, made for phones and for
// older eyes (a large-type, high-contrast mode).
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
)

//go:embed templates static
var assets embed.FS

const (
	sessionCookie = "cc_session"
	loginCSRF     = "cc_login_csrf"
	langCookie    = "cc_lang"
	bigCookie     = "cc_big"
)

// Server is the web UI.
type Server struct {
	names   nameCache // display names for signatures and histories (names.go)
	db      *store.DB
	log     *slog.Logger
	limiter *ratelimit.Limiter
	pages   map[string]*template.Template
	mux     *http.ServeMux
	// tracker answers compliance questions; without it (SetTracker not
	// called) the pages that need it say so and the rest works.
	tracker *tracker.Tracker
	// services caches the home dashboards' closed months (dashboard.go).
	services serviceCache
	// httpsProxy says the server is reached only through a TLS-terminating
	// proxy (serve --https-proxy): cookies are then Secure and links https.
	httpsProxy bool
}

// SetHTTPSProxy tells the UI it is served behind a TLS-terminating proxy.
// It is the only way Secure cookies are decided: a client's
// X-Forwarded-Proto header is never trusted.
func (s *Server) SetHTTPSProxy(on bool) { s.httpsProxy = on }

// New parses the templates and sets up the routes.
func New(db *store.DB, log *slog.Logger, limiter *ratelimit.Limiter) (*Server, error) {
	s := &Server{db: db, log: log, limiter: limiter, mux: http.NewServeMux()}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := s.mux
	static, _ := fs.Sub(assets, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, assets, "static/favicon.svg")
	})
	m.HandleFunc("GET /login", s.loginPage)
	m.Handle("POST /login", limitForm(s.login))
	m.Handle("POST /prefs", limitForm(s.prefs))
	m.Handle("POST /logout", s.auth(s.logout))
	m.Handle("GET /{$}", s.auth(s.home))
	m.Handle("GET /elders", s.auth(s.elderList))
	m.Handle("GET /elders/new", s.auth(s.elderNew))
	m.Handle("POST /elders", s.auth(s.elderCreate))
	m.Handle("GET /elders/{id}", s.auth(s.elderShow))
	m.Handle("GET /elders/{id}/edit", s.auth(s.elderEdit))
	m.Handle("POST /elders/{id}", s.auth(s.elderUpdate))
	m.Handle("POST /elders/{id}/id-number", s.auth(s.elderRevealID))
	m.Handle("GET /volunteers", s.auth(s.volunteerList))
	m.Handle("GET /volunteers/new", s.auth(s.volunteerNew))
	m.Handle("POST /volunteers", s.auth(s.volunteerCreate))
	m.Handle("GET /volunteers/{id}", s.auth(s.volunteerShow))
	m.Handle("GET /volunteers/{id}/edit", s.auth(s.volunteerEdit))
	m.Handle("POST /volunteers/{id}", s.auth(s.volunteerUpdate))
	m.Handle("GET /org", s.auth(s.orgPage))
	m.Handle("POST /org/streets", s.auth(s.streetSave))
	m.Handle("POST /org/communities", s.auth(s.communitySave))
	m.Handle("POST /org/clinics", s.auth(s.clinicSave))
	m.Handle("GET /users", s.auth(s.usersPage))
	m.Handle("POST /users", s.auth(s.userCreate))
	s.routesAccounts(m)
	// Each feature registers its own pages in its routes file.
	s.routesPairing(m)
	s.routesServices(m)
	s.routesCompliance(m)
	s.routesRegister(m)
	s.routesReports(m)
	s.routesNotify(m)
	s.routesReminders(m)
	s.routesEscalation(m)
	s.routesHealth(m)
	s.routesHours(m)
	s.routesRollout(m)
	s.routesUpward(m)
	s.routesHouseholds(m)
	s.routesAttachments(m)
	s.routesActivities(m)
	s.routesRequests(m)
	m.Handle("/", s.auth(func(w http.ResponseWriter, r *http.Request, p *page) error {
		return care.ErrNotFound("页面 / page")
	}))
}

// ServeHTTP answers the UI. The security headers of every answer (web,
// API, exports, health check) are set by the one middleware that wraps
// them all (cmd/carecircle); the page policy is the UI's own.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
	s.mux.ServeHTTP(w, r)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// page is what every template gets: who is looking, in which language, the
// CSRF token for forms, and the page's own data.
type page struct {
	Next   string // the login page: where to go after logging in (safeNext)
	User   *care.User
	Actor  care.Actor
	Lang   string
	Big    bool
	CSRF   string
	Title  string
	Active string
	Flash  string
	Data   any
	// Errors are field errors to show beside the fields, in Lang.
	Errors map[string]string
	Error  string
	// Unread is the bell's count: the user's unread inbox messages.
	Unread int
	token  string
	// req is the request the page answers: a refused form's values are
	// shown again from it (markFieldErrors).
	req *http.Request
}

// posted is what a refused form sent and where, nil and "" on a GET.
func (p *page) posted() (url.Values, string) {
	if p.req == nil || p.req.Method != http.MethodPost {
		return nil, ""
	}
	return p.req.PostForm, p.req.URL.Path
}

// navItem is a link in the header; each feature lists its own.
type navItem struct {
	Key   string // matches page.Active
	Path  string
	Label string // Chinese; translated like all UI text
	Roles []string
}

var navRegistry = []navItem{
	{"home", "/", "首页", []string{"station", "community", "volunteer", "clinic", "viewer"}},
	{"elders", "/elders", "服务对象", []string{"station", "community", "clinic"}},
	{"volunteers", "/volunteers", "志愿者", []string{"station", "community"}},
	{"org", "/org", "组织机构", []string{"station", "community", "clinic", "viewer", "admin"}},
	{"users", "/users", "账号", []string{"admin"}},
}

// Nav lists the header links the page's role may use, in feature order.
func (p *page) Nav() []navItem {
	var out []navItem
	for _, group := range [][]navItem{navRegistry, navPairing, navServices, navCompliance, navRegister, navReports, navNotify, navReminders, navHours, navUpward, navRollout, navHouseholds, navRequests, navActivities} {
		for _, n := range group {
			for _, r := range n.Roles {
				if r == p.Actor.Role {
					out = append(out, n)
					break
				}
			}
		}
	}
	return out
}

// T translates UI text for the page's language.
func (p *page) T(s string) string { return translate(p.Lang, s) }

type pageHandler func(w http.ResponseWriter, r *http.Request, p *page) error

// auth requires a logged-in web session, checks the CSRF token on every
// state-changing request, and renders a handler's error in one place.
func (s *Server) auth(h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := &page{Lang: langFromCookie(r), Big: bigFromCookie(r), req: r}
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			s.toLogin(w, r)
			return
		}
		sess, err := s.db.LookupSession(r.Context(), c.Value, "web")
		if err != nil {
			if care.ErrorCode(err) != care.EUnauth {
				s.log.Error("session lookup", "err", err)
			}
			s.toLogin(w, r)
			return
		}
		p.User, p.Actor, p.CSRF, p.token = sess.User, care.ActorOf(sess.User), sess.CSRF, sess.Token
		if sess.User.Lang != "" {
			p.Lang = sess.User.Lang
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !validCSRF(r, sess.CSRF) {
			p.Error = p.T("页面已过期，请刷新后重试")
			s.renderError(w, r, p, &care.Error{Code: care.EForbidden, Message: p.Error})
			return
		}
		// A password reset by an administrator lets the user do nothing
		// but choose a new one (or log out).
		if sess.User.MustChangePassword && !whileChangingPassword[r.Pattern] {
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", "/account")
				w.WriteHeader(http.StatusForbidden)
				return
			}
			http.Redirect(w, r, "/account", http.StatusSeeOther)
			return
		}
		// The bell on every page: one indexed count.
		if n, err := s.db.UnreadCount(r.Context(), p.Actor); err == nil {
			p.Unread = n
		}
		if err := h(w, r, p); err != nil {
			s.renderError(w, r, p, err)
		}
	})
}

// whileChangingPassword are the pages a user whose password was reset may
// use before choosing a new one.
var whileChangingPassword = map[string]bool{
	"GET /account":           true,
	"POST /account/password": true,
	"POST /logout":           true,
}

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/login")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		// Come back here after logging in (a scanned card, a link).
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext returns next when it is a path on this site ("/scan/…"), else
// "/": never another host ("//evil", "/\\evil", "https://…"), never a
// control character, so the login cannot send anyone elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || len(next) > 2048 {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "/login") {
		return "/"
	}
	return next
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, p *page, err error) {
	status := api.Status(err)
	user := ""
	if p.User != nil {
		user = p.User.Username
	}
	api.SecurityLog(s.log, status, err, user, clientIP(r), r.Method, r.URL.Path)
	if v := api.RetryAfter(err); v != "" {
		w.Header().Set("Retry-After", v)
	}
	switch status {
	case http.StatusForbidden:
		if p.Error == "" {
			p.Error = p.T("您的角色无权查看此页面")
		}
	case http.StatusNotFound:
		p.Error = p.T("页面不存在")
	case http.StatusInternalServerError:
		s.log.Error("web", "method", r.Method, "path", r.URL.Path, "err", err)
		p.Error = p.T("出错了，请稍后再试")
	case http.StatusUnprocessableEntity:
		p.Error = invalidText(err, p.Lang)
	default:
		p.Error = care.MessageIn(err, p.Lang)
	}
	p.Title = p.Error
	s.render(w, status, "error", p)
}

func langFromCookie(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

func bigFromCookie(r *http.Request) bool {
	c, err := r.Cookie(bigCookie)
	return err == nil && c.Value == "1"
}

// secure tells whether cookies must be Secure: behind TLS, directly or
// behind the proxy the server was told of (serve --https-proxy). A client's
// X-Forwarded-Proto is ignored: anyone can send it.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.httpsProxy
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration, httpOnly bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: httpOnly, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	p := &page{Lang: langFromCookie(r), Big: bigFromCookie(r), Title: "登录"}
	// Keep an existing token: a second tab or a stray request for the login
	// page must not invalidate the form already on screen.
	if c, err := r.Cookie(loginCSRF); err == nil && len(c.Value) >= 32 {
		p.CSRF = c.Value
	} else {
		p.CSRF = randomString()
	}
	s.setCookie(w, r, loginCSRF, p.CSRF, time.Hour, true)
	p.Next = safeNext(r.URL.Query().Get("next"))
	s.render(w, http.StatusOK, "login", p)
}

// login checks the password; the CSRF token is a double-submit cookie since
// there is no session yet.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	p := &page{Lang: langFromCookie(r), Big: bigFromCookie(r), Title: "登录"}
	c, err := r.Cookie(loginCSRF)
	if err != nil || !validCSRF(r, c.Value) {
		p.Error = p.T("页面已过期，请刷新后重试")
		s.reLogin(w, r, p, http.StatusForbidden)
		return
	}
	username := care.NormalizeUsername(r.PostFormValue("username")) // once, for the limiter and the login
	keys := ratelimit.Keys(username, clientIP(r))
	if err := s.limiter.Begin(r.Context(), keys); err != nil {
		p.Error, p.Data = p.T("登录失败次数过多，请稍后再试"), username
		status := http.StatusTooManyRequests
		if care.ErrorCode(err) != care.ERateLimited {
			s.log.Error("login", "err", err)
			p.Error, status = p.T("出错了，请稍后再试"), http.StatusInternalServerError
		} else {
			w.Header().Set("Retry-After", api.RetryAfter(err))
			p.Error = fmt.Sprintf(p.T("登录失败次数过多，请%s秒后再试"), api.RetryAfter(err))
		}
		api.SecurityLog(s.log, status, err, username, clientIP(r), r.Method, r.URL.Path)
		s.reLogin(w, r, p, status)
		return
	}
	u, err := s.db.Authenticate(r.Context(), username, r.PostFormValue("password"))
	if err == nil {
		err = s.limiter.Succeeded(r.Context(), keys)
	}
	if err != nil {
		p.Error, p.Data = p.T("用户名或密码错误"), username
		status := http.StatusUnauthorized
		if care.ErrorCode(err) != care.EUnauth {
			s.log.Error("login", "err", err)
			p.Error, status = p.T("出错了，请稍后再试"), http.StatusInternalServerError
		}
		api.SecurityLog(s.log, status, err, username, clientIP(r), r.Method, r.URL.Path)
		s.reLogin(w, r, p, status)
		return
	}
	sess, err := s.db.NewSession(r.Context(), u, "web")
	if err != nil {
		s.log.Error("login", "err", err)
		p.Error = p.T("出错了，请稍后再试")
		s.reLogin(w, r, p, http.StatusInternalServerError)
		return
	}
	s.setCookie(w, r, sessionCookie, sess.Token, store.WebSessionTTL, true)
	s.setCookie(w, r, loginCSRF, "", -time.Second, true)
	if u.MustChangePassword {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) reLogin(w http.ResponseWriter, r *http.Request, p *page, status int) {
	p.CSRF = randomString()
	p.Next = safeNext(r.PostFormValue("next"))
	s.setCookie(w, r, loginCSRF, p.CSRF, time.Hour, true)
	s.render(w, status, "login", p)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := s.db.EndSession(r.Context(), p.token); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, "", -time.Second, true)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// prefs switches language and large type; it works before login too, so it
// only sets cookies (and the account's language when logged in).
func (s *Server) prefs(w http.ResponseWriter, r *http.Request) {
	if lang := r.PostFormValue("lang"); lang == "zh" || lang == "en" {
		s.setCookie(w, r, langCookie, lang, 365*24*time.Hour, false)
		if c, err := r.Cookie(sessionCookie); err == nil {
			if sess, err := s.db.LookupSession(r.Context(), c.Value, "web"); err == nil && validCSRF(r, sess.CSRF) {
				s.db.SetUserLang(context.WithoutCancel(r.Context()), sess.User.ID, lang)
			}
		}
	}
	if big := r.PostFormValue("big"); big == "1" || big == "0" {
		s.setCookie(w, r, bigCookie, big, 365*24*time.Hour, false)
	}
	// Go back to the page the user was on, but never to another site.
	back := "/"
	if ref, err := url.Parse(r.Header.Get("Referer")); err == nil && ref.Path != "" && ref.Host == r.Host {
		back = ref.Path
		if ref.RawQuery != "" {
			back += "?" + ref.RawQuery
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

var errNoTemplate = errors.New("web: no such template")
