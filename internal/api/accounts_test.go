package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestAccountEndpoints is the contract of the account lifecycle endpoints,
// as a table of calls in order: who, what, which status.
func TestAccountEndpoints(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		ctx := context.Background()
		// a second token of the community user, to see it end
		u, _ := db.Authenticate(ctx, "c1", storetest.Password)
		s, _ := db.NewSession(ctx, u, "api")
		e.tokens["community1b"] = s.Token
		comm := itoa(e.f.Comm1.UserID)
		for _, c := range []struct {
			name, method, url, who string
			body                   any
			status                 int
			check                  func(out map[string]any)
		}{
			{"own sessions", "GET", "/api/v1/me/sessions", "community1", nil, 200, func(out map[string]any) {
				items := out["items"].([]any)
				current := 0
				for _, it := range items {
					m := it.(map[string]any)
					if m["current"] == true {
						current++
					}
					if m["kind"] != "api" || len(m["id"].(string)) != 16 || m["created_at"] == "" {
						t.Fatalf("session: %v", m)
					}
				}
				if len(items) != 2 || current != 1 {
					t.Fatalf("sessions: %v", out)
				}
			}},
			{"end someone else's session", "DELETE", "/api/v1/me/sessions/0000000000000000", "community1", nil, 404, nil},
			{"no sessions without a token", "GET", "/api/v1/me/sessions", "", nil, 401, nil},
			{"a wrong old password", "POST", "/api/v1/me/password", "community1", map[string]string{"old": "nope-nope-nope", "new": "c1-new-password"}, 422, func(out map[string]any) {
				if fieldsOf(out)["old"] == nil {
					t.Fatalf("names the old field: %v", out)
				}
			}},
			{"a common new password", "POST", "/api/v1/me/password", "community1", map[string]string{"old": storetest.Password, "new": "1234567890"}, 422, func(out map[string]any) {
				if fieldsOf(out)["new"] == nil {
					t.Fatalf("names the new field: %v", out)
				}
			}},
			{"unknown fields", "POST", "/api/v1/me/password", "community1", map[string]string{"password": "x"}, 422, nil},
			{"change", "POST", "/api/v1/me/password", "community1", map[string]string{"old": storetest.Password, "new": "c1-new-password"}, 204, nil},
			{"the other token ended", "GET", "/api/v1/me", "community1b", nil, 401, nil},
			{"this one stays", "GET", "/api/v1/me", "community1", nil, 200, nil},
			{"only an administrator disables", "POST", "/api/v1/users/" + comm + "/disable", "station", nil, 403, nil},
			{"disable", "POST", "/api/v1/users/" + comm + "/disable", "admin", nil, 200, func(out map[string]any) {
				if out["disabled"] != true {
					t.Fatalf("disable: %v", out)
				}
			}},
			{"a disabled account's token ends at once", "GET", "/api/v1/elders", "community1", nil, 401, nil},
			{"enable", "POST", "/api/v1/users/" + comm + "/enable", "admin", nil, 200, nil},
			{"unknown account", "POST", "/api/v1/users/999999/disable", "admin", nil, 404, nil},
			{"revoke", "POST", "/api/v1/users/" + itoa(e.f.Station.UserID) + "/revoke", "admin", nil, 200, func(out map[string]any) {
				if out["sessions_ended"] != float64(1) {
					t.Fatalf("revoke: %v", out)
				}
			}},
			{"a revoked token", "GET", "/api/v1/elders", "station", nil, 401, nil},
			{"only an administrator revokes", "POST", "/api/v1/users/" + comm + "/revoke", "viewer", nil, 403, nil},
		} {
			status, out := e.call(t, c.method, c.url, c.who, c.body)
			if status != c.status {
				t.Fatalf("%s: %d %v, want %d", c.name, status, out, c.status)
			}
			if c.check != nil {
				c.check(out)
			}
		}
	})
}

func TestEndOwnSession(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		u, _ := db.Authenticate(context.Background(), "v1", storetest.Password)
		s, _ := db.NewSession(context.Background(), u, "api")
		e.tokens["phone"] = s.Token
		_, out := e.call(t, "GET", "/api/v1/me/sessions", "volunteer", nil)
		var other string
		for _, it := range out["items"].([]any) {
			if m := it.(map[string]any); m["current"] != true {
				other = m["id"].(string)
			}
		}
		if status, _ := e.call(t, "DELETE", "/api/v1/me/sessions/"+other, "volunteer", nil); status != 204 {
			t.Fatalf("end: %d", status)
		}
		if status, _ := e.call(t, "GET", "/api/v1/me", "phone", nil); status != 401 {
			t.Fatalf("the ended token: %d", status)
		}
		if status, _ := e.call(t, "GET", "/api/v1/me", "volunteer", nil); status != 200 {
			t.Fatalf("this token: %d", status)
		}
	})
}

// TestResetPasswordMustBeChangedFirst: after an administrator's reset the
// API answers 403 password_change_required to everything but
// /me/password (and /me, logout) until the password is changed.
func TestResetPasswordMustBeChangedFirst(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		if err := db.ResetPassword(context.Background(), e.f.Admin, e.f.Comm1.UserID, "temporary-4410"); err != nil {
			t.Fatal(err)
		}
		status, out := e.call(t, "POST", "/api/v1/session", "", map[string]string{"username": "C1", "password": "temporary-4410"})
		if status != 201 || out["user"].(map[string]any)["must_change_password"] != true {
			t.Fatalf("login with the temporary password: %d %v", status, out)
		}
		e.tokens["temp"] = out["token"].(string)
		status, out = e.call(t, "GET", "/api/v1/elders", "temp", nil)
		if status != 403 || out["error"].(map[string]any)["code"] != "password_change_required" {
			t.Fatalf("before the change: %d %v", status, out)
		}
		if status, _ := e.call(t, "GET", "/api/v1/me", "temp", nil); status != 200 {
			t.Fatalf("/me works: %d", status)
		}
		if status, _ := e.call(t, "POST", "/api/v1/me/password", "temp", map[string]string{"old": "temporary-4410", "new": "all-mine-now-77"}); status != 204 {
			t.Fatalf("change: %d", status)
		}
		if status, _ := e.call(t, "GET", "/api/v1/elders", "temp", nil); status != 200 {
			t.Fatalf("after the change: %d", status)
		}
	})
}

// TestLoginDelaysAndRetryAfter: after the free failures every 429 carries
// Retry-After, the wait doubles, and the security log names each failure.
func TestLoginDelaysAndRetryAfter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		var logs bytes.Buffer
		h := api.New(db, slog.New(slog.NewJSONHandler(&logs, nil)), ratelimit.NewWithStore(3, time.Minute, db))
		try := func(password string) (int, string) {
			body, _ := json.Marshal(map[string]string{"username": " C1 ", "password": password})
			req := httptest.NewRequest("POST", "/api/v1/session", bytes.NewReader(body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			io.Copy(io.Discard, rec.Body)
			return rec.Code, rec.Header().Get("Retry-After")
		}
		for i := range 3 {
			if status, _ := try("wrong-password"); status != 401 {
				t.Fatalf("failure %d: %d", i, status)
			}
		}
		if status, retry := try(storetest.Password); status != http.StatusTooManyRequests || retry != "1" {
			t.Fatalf("even the right password waits: %d Retry-After %q", status, retry)
		}
		now := db.Now
		db.Now = func() time.Time { return now().Add(time.Second) }
		if status, _ := try("wrong-password"); status != 401 {
			t.Fatalf("after the wait: %d", status)
		}
		if status, retry := try("wrong-password"); status != 429 || retry != "2" {
			t.Fatalf("the wait doubles: %d %q", status, retry)
		}
		db.Now = func() time.Time { return now().Add(3 * time.Second) }
		if status, _ := try(storetest.Password); status != 201 {
			t.Fatalf("the right password after the wait: %d", status)
		}
		var failed, limited int
		for _, line := range bytes.Split(logs.Bytes(), []byte("\n")) {
			var m map[string]any
			if json.Unmarshal(line, &m) != nil || m["msg"] != "security" {
				continue
			}
			if m["user"] != "c1" || m["ip"] == "" || m["path"] != "/api/v1/session" {
				t.Fatalf("log line: %s", line)
			}
			switch m["status"] {
			case float64(401):
				failed++
			case float64(429):
				limited++
			}
		}
		if failed != 4 || limited != 2 {
			t.Fatalf("security log: %d failed logins, %d refusals; want 4 and 2:\n%s", failed, limited, logs.String())
		}
	})
}
