package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

type env struct {
	h      http.Handler
	db     *store.DB
	f      *storetest.Fixture
	tokens map[string]string // role name -> bearer token
}

// setup seeds the fixture street and issues an API token for each role.
func setup(t testing.TB, db *store.DB) *env {
	f := storetest.Seed(t, db)
	e := &env{h: api.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), ratelimit.New(5, time.Minute)), db: db, f: f, tokens: map[string]string{}}
	ctx := context.Background()
	admin := &care.User{Username: "admin", Role: care.RoleAdmin}
	if err := db.CreateUser(ctx, f.Admin, admin, storetest.Password); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]care.Actor{"station": f.Station, "community1": f.Comm1, "community2": f.Comm2,
		"volunteer": f.Volunteer, "clinic": f.ClinicA, "viewer": f.Viewer} {
		u, err := db.Authenticate(ctx, a.Username, storetest.Password)
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.NewSession(ctx, u, "api")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = s.Token
	}
	s, err := db.NewSession(ctx, admin, "api")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["admin"] = s.Token
	return e
}

func (e *env) call(t *testing.T, method, url, who string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, url, rd)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, url, rec.Body.String())
		}
	}
	return rec.Code, out
}

func validElderBody(f *storetest.Fixture, seq int) map[string]any {
	birth := storetest.Day("1941-03-05")
	return map[string]any{"name": "孙桂兰", "gender": "female", "birth_date": "1941-03-05",
		"id_number": care.MakeIDNumber("320102", birth, seq, care.Female), "phone": "13912345678",
		"community_id": f.C1.ID, "building": "2栋", "unit": "1单元", "room": "402", "lat": 32.05, "lon": 118.78,
		"living_situation": "alone", "self_care": "partial", "categories": []string{"empty_nest", "sick_disabled"},
		"needs": []string{"life", "health"}, "emergency_contacts": []map[string]string{{"name": "孙强", "relation": "son", "phone": "13800001111", "lives": "上海"}}}
}

func fieldsOf(body map[string]any) map[string]any {
	errObj, _ := body["error"].(map[string]any)
	fields, _ := errObj["fields"].(map[string]any)
	return fields
}

func TestAccessByRole(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		for _, tc := range []struct {
			name, method, url, who string
			status                 int
			total                  float64 // -1: not a list
		}{
			{"no token", "GET", "/api/v1/elders", "", 401, -1},
			{"station sees the street", "GET", "/api/v1/elders", "station", 200, 3},
			{"community sees its own", "GET", "/api/v1/elders", "community1", 200, 2},
			{"community filter by category", "GET", "/api/v1/elders?category=advanced_age", "community1", 200, 1},
			{"volunteer sees paired", "GET", "/api/v1/elders", "volunteer", 200, 1},
			{"clinic sees assigned", "GET", "/api/v1/elders", "clinic", 200, 1},
			{"viewer no personal data", "GET", "/api/v1/elders", "viewer", 403, -1},
			{"admin no personal data", "GET", "/api/v1/elders", "admin", 403, -1},
			{"other community's elder", "GET", "/api/v1/elders/" + itoa(f.Elder1.ID), "community2", 404, -1},
			{"unpaired elder for volunteer", "GET", "/api/v1/elders/" + itoa(f.Elder2.ID), "volunteer", 404, -1},
			{"viewer gets aggregates", "GET", "/api/v1/stats/elders", "viewer", 200, 2},
			{"viewer no volunteers", "GET", "/api/v1/volunteers", "viewer", 403, -1},
			{"clinic no volunteers", "GET", "/api/v1/volunteers", "clinic", 403, -1},
			{"volunteer sees self", "GET", "/api/v1/volunteers", "volunteer", 200, 1},
			{"communities for community user", "GET", "/api/v1/communities", "community1", 200, 2},
			{"clinics", "GET", "/api/v1/clinics", "station", 200, 1},
			{"volunteer may not register", "POST", "/api/v1/elders", "volunteer", 403, -1},
			{"viewer may not reveal", "GET", "/api/v1/elders/" + itoa(f.Elder1.ID) + "/id-number", "viewer", 403, -1},
			{"unknown endpoint", "GET", "/api/v1/nothing", "", 404, -1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var body any
				if tc.method == "POST" {
					body = validElderBody(f, 40)
				}
				status, out := e.call(t, tc.method, tc.url, tc.who, body)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %v", status, tc.status, out)
				}
				if tc.total >= 0 && out["total"] != tc.total {
					t.Fatalf("total %v, want %v", out["total"], tc.total)
				}
				if status >= 400 {
					if errObj, ok := out["error"].(map[string]any); !ok || errObj["code"] == "" || errObj["message"] == "" {
						t.Fatalf("error body must carry code and message: %v", out)
					}
				}
			})
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestVolunteerSeesOnlyServingFields(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		status, out := e.call(t, "GET", "/api/v1/elders/"+itoa(e.f.Elder1.ID), "volunteer", nil)
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		for _, k := range []string{"name", "phone", "building", "needs", "emergency_contacts"} {
			if _, ok := out[k]; !ok {
				t.Errorf("volunteer needs %s", k)
			}
		}
		for _, k := range []string{"birth_date", "id_number_masked", "id_number", "notes", "wishes", "categories", "lat", "lon"} {
			if _, ok := out[k]; ok {
				t.Errorf("volunteer must not get %s", k)
			}
		}
	})
}

func TestCreateValidatesEveryFieldAndSavesNothingWhenBad(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		bad := validElderBody(e.f, 41)
		id := bad["id_number"].(string)
		last := byte('0')
		if id[17] == '0' {
			last = '1'
		}
		bad["id_number"] = id[:17] + string(last)
		bad["phone"] = "123"
		bad["self_care"] = "flying"
		status, out := e.call(t, "POST", "/api/v1/elders", "community1", bad)
		if status != 422 {
			t.Fatalf("status %d, want 422: %v", status, out)
		}
		fields := fieldsOf(out)
		for _, k := range []string{"id_number", "phone", "self_care"} {
			if fields[k] == nil {
				t.Errorf("no error on %s: %v", k, fields)
			}
		}
		if !strings.Contains(fields["id_number"].(string), "校验码") {
			t.Errorf("Chinese reason by default, got %v", fields["id_number"])
		}
		_, out = e.call(t, "POST", "/api/v1/elders", "community1", bad, "Accept-Language", "en-GB")
		if !strings.Contains(fieldsOf(out)["id_number"].(string), "check digit") {
			t.Errorf("English reason on request, got %v", fieldsOf(out)["id_number"])
		}
		_, list := e.call(t, "GET", "/api/v1/elders", "community1", nil)
		if list["total"] != float64(2) {
			t.Fatalf("a rejected elder was saved: total %v", list["total"])
		}
		if s, _ := e.call(t, "POST", "/api/v1/elders", "community1", `{"name": `); s != 400 {
			t.Errorf("malformed JSON: %d, want 400", s)
		}
		if s, out := e.call(t, "POST", "/api/v1/elders", "community1", `{"nmae": "x"}`); s != 422 || fieldsOf(out)["nmae"] == nil {
			t.Errorf("unknown field: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/elders", "community1", `{"lat": "north"}`); s != 422 || fieldsOf(out)["lat"] == nil {
			t.Errorf("wrong type: %d %v", s, out)
		}
	})
}

func TestCreatePatchStatusAndReveal(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		body := validElderBody(e.f, 42)
		status, out := e.call(t, "POST", "/api/v1/elders", "community1", body)
		if status != 201 {
			t.Fatalf("create: %d %v", status, out)
		}
		if _, ok := out["id_number"]; ok {
			t.Fatal("id_number is write-only")
		}
		if out["id_number_masked"] != care.MaskIDNumber(body["id_number"].(string)) {
			t.Fatalf("masked = %v", out["id_number_masked"])
		}
		if out["priority"] != float64(4) || len(out["priority_explanation"].([]any)) == 0 {
			t.Fatalf("priority must be computed and explained: %v %v", out["priority"], out["priority_explanation"])
		}
		url := "/api/v1/elders/" + itoa(int64(out["id"].(float64)))
		if s, out := e.call(t, "PATCH", url, "community1", map[string]any{"status": "deceased"}); s != 422 || fieldsOf(out)["status_reason"] == nil {
			t.Fatalf("status change without reason: %d %v", s, out)
		}
		if s, out := e.call(t, "PATCH", url, "community1", map[string]any{"priority": 5}); s != 422 || fieldsOf(out)["priority_reason"] == nil {
			t.Fatalf("override without reason: %d %v", s, out)
		}
		s, out := e.call(t, "PATCH", url, "community1", map[string]any{"status": "paused", "status_reason": "住院治疗", "priority": 5, "priority_reason": "独居且术后"})
		if s != 200 || out["status"] != "paused" || out["priority"] != float64(5) || out["phone"] != "13912345678" {
			t.Fatalf("patch: %d %v", s, out)
		}
		_, hist := e.call(t, "GET", url+"/status-history", "community1", nil)
		if hist["total"] != float64(1) {
			t.Fatalf("status history: %v", hist)
		}
		if s, _ := e.call(t, "GET", url+"/id-number", "community2", nil); s != 404 {
			t.Fatalf("reveal from another community: %d", s)
		}
		s, out = e.call(t, "GET", url+"/id-number", "community1", nil)
		if s != 200 || out["id_number"] != body["id_number"] {
			t.Fatalf("reveal: %d %v", s, out)
		}
		log, _ := db.AuditLog(context.Background(), e.f.Station, "elder", int64(out["id"].(float64)), 5)
		if len(log) == 0 || log[0].Action != "reveal_id_number" {
			t.Fatalf("the reveal must be audited: %+v", log)
		}
		if s, out := e.call(t, "POST", "/api/v1/elders", "community1", body); s != 422 || fieldsOf(out)["id_number"] == nil {
			t.Fatalf("duplicate ID number: %d %v", s, out)
		}
	})
}

func TestVolunteersAndOrg(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		v := map[string]any{"name": "周立新", "phone": "1390000", "kind": "neighbour", "community_id": e.f.C1.ID, "capacity": 2}
		if s, out := e.call(t, "POST", "/api/v1/volunteers", "community1", v); s != 422 || fieldsOf(out)["phone"] == nil {
			t.Fatalf("bad phone: %d %v", s, out)
		}
		v["phone"] = "13900001234"
		s, out := e.call(t, "POST", "/api/v1/volunteers", "community1", v)
		if s != 201 {
			t.Fatalf("create volunteer: %d %v", s, out)
		}
		if s, _ := e.call(t, "GET", "/api/v1/volunteers/"+itoa(int64(out["id"].(float64))), "community2", nil); s != 404 {
			t.Fatalf("another community's volunteer: %d", s)
		}
		s, out = e.call(t, "PATCH", "/api/v1/volunteers/"+itoa(int64(out["id"].(float64))), "community1", map[string]any{"status": "left"})
		if s != 200 || out["status"] != "left" || out["name"] != "周立新" {
			t.Fatalf("patch volunteer: %d %v", s, out)
		}
		_, list := e.call(t, "GET", "/api/v1/volunteers?kind=neighbour&status=left", "station", nil)
		if list["total"] != float64(1) {
			t.Fatalf("filter: %v", list)
		}
		if s, _ := e.call(t, "POST", "/api/v1/communities", "community1", map[string]any{"name": "新社区"}); s != 403 {
			t.Fatalf("community staff may not add communities: %d", s)
		}
		s, out = e.call(t, "POST", "/api/v1/communities", "station", map[string]any{"name": "新社区", "buildings": []string{"1栋", "2栋"}})
		if s != 201 || len(out["buildings"].([]any)) != 2 {
			t.Fatalf("add community: %d %v", s, out)
		}
		s, out = e.call(t, "PATCH", "/api/v1/communities/"+itoa(int64(out["id"].(float64))), "station", map[string]any{"buildings": []string{"3栋"}})
		if s != 200 || len(out["buildings"].([]any)) != 3 {
			t.Fatalf("buildings are added, never dropped: %d %v", s, out)
		}
	})
}

func TestSessionLoginAndRateLimit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		u := &care.User{Username: "community9", Role: care.RoleCommunity, CommunityID: e.f.C1.ID}
		if err := db.CreateUser(context.Background(), e.f.Admin, u, "right-password"); err != nil {
			t.Fatal(err)
		}
		s, out := e.call(t, "POST", "/api/v1/session", "", map[string]string{"username": "community9", "password": "right-password"})
		if s != 201 || out["token"] == "" {
			t.Fatalf("login: %d %v", s, out)
		}
		e.tokens["new"] = out["token"].(string)
		if s, out := e.call(t, "GET", "/api/v1/elders", "new", nil); s != 200 || out["total"] != float64(2) {
			t.Fatalf("token use: %d %v", s, out)
		}
		if s, _ := e.call(t, "DELETE", "/api/v1/session", "new", nil); s != 204 {
			t.Fatalf("logout: %d", s)
		}
		if s, _ := e.call(t, "GET", "/api/v1/elders", "new", nil); s != 401 {
			t.Fatalf("token after logout: %d", s)
		}
		for i := 0; i < 5; i++ {
			if s, _ := e.call(t, "POST", "/api/v1/session", "", map[string]string{"username": "community9", "password": "wrong"}); s != 401 {
				t.Fatalf("wrong password %d: %d", i, s)
			}
		}
		if s, _ := e.call(t, "POST", "/api/v1/session", "", map[string]string{"username": "community9", "password": "right-password"}); s != 429 {
			t.Fatalf("after 5 failures even the right password waits: %d", s)
		}
	})
}
