package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestSecurityHeadersOnEveryAnswer: the web, the API (an answer, an error
// and an export), static files and the health check all carry nosniff, no
// framing and the referrer policy; HSTS and Secure cookies come with
// --https-proxy only, and a client's X-Forwarded-Proto decides nothing.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		for _, proxy := range []bool{false, true} {
			h, err := newHandler(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, proxy)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			do := func(method, path, token, body string) *http.Response {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				req.Header.Set("X-Forwarded-Proto", "https")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { resp.Body.Close() })
				return resp
			}
			login := do("POST", "/api/v1/session", "", `{"username":"station","password":"`+storetest.Password+`"}`)
			var session struct{ Token string }
			if err := json.NewDecoder(login.Body).Decode(&session); err != nil || session.Token == "" {
				t.Fatalf("login: %d %v", login.StatusCode, err)
			}
			for _, c := range []struct {
				name, path, token string
				status            int
			}{
				{"health", "/healthz", "", 200},
				{"web page", "/login", "", 200},
				{"static", "/static/app.css", "", 200},
				{"web, to the login page", "/no-such-page", "", 200},
				{"API", "/api/v1/elders", session.Token, 200},
				{"API 401", "/api/v1/elders", "", 401},
				{"API 404", "/api/v1/elders/999999", session.Token, 404},
				{"export", "/api/v1/exports/elders.csv", session.Token, 200},
				{"openapi", "/api/v1/openapi.yaml", "", 200},
			} {
				resp := do("GET", c.path, c.token, "")
				if resp.StatusCode != c.status {
					t.Errorf("%s %s: status %d, want %d", c.name, c.path, resp.StatusCode, c.status)
				}
				hd := resp.Header
				if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("X-Frame-Options") != "DENY" || hd.Get("Referrer-Policy") != "same-origin" {
					t.Errorf("proxy=%v %s: security headers missing: %v", proxy, c.name, hd)
				}
				if got := hd.Get("Strict-Transport-Security"); (got != "") != proxy || (proxy && got != "max-age=31536000") {
					t.Errorf("proxy=%v %s: Strict-Transport-Security %q", proxy, c.name, got)
				}
				if c.name == "web page" {
					if len(resp.Cookies()) == 0 {
						t.Fatal("the login page sets its CSRF cookie")
					}
					for _, ck := range resp.Cookies() {
						if ck.Secure != proxy {
							t.Errorf("proxy=%v: cookie %s Secure=%v (X-Forwarded-Proto: https must not decide it)", proxy, ck.Name, ck.Secure)
						}
					}
				}
			}
		}
	})
}
