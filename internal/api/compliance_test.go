package api_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

// withTracker gives the API of env a running compliance tracker.
func withTracker(t *testing.T, e *env) {
	t.Helper()
	cfg := tracker.DefaultConfig()
	cfg.SyncEvery, cfg.FullSyncEvery, cfg.TableTTL = time.Hour, time.Hour, 0
	tr, err := tracker.New(e.db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := tr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.h.(*api.Server).SetTracker(tr)
}

func pairingOf(t *testing.T, db *store.DB, f *storetest.Fixture) string {
	team, err := db.ElderTeam(context.Background(), f.Comm1, f.Elder1.ID)
	if err != nil || len(team) != 1 {
		t.Fatalf("team: %v %v", team, err)
	}
	return itoa(team[0].ID)
}

func TestComplianceContract(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		withTracker(t, e)
		f := e.f
		elder := "/api/v1/elders/" + itoa(f.Elder1.ID)
		if s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "life", "type": "greeting", "at": "2026-11-29T08:00:00+08:00"}); s != 201 {
			t.Fatalf("greeting: %d %v", s, out)
		}
		pairing := "/api/v1/pairings/" + pairingOf(t, db, f) + "/compliance?month=2026-11"
		for _, tc := range []struct {
			name, method, url, who string
			body                   any
			status                 int
		}{
			{"pairing statuses", "GET", pairing, "community1", nil, 200},
			{"the volunteer's own pairing", "GET", pairing, "volunteer", nil, 200},
			{"another community's pairing", "GET", pairing, "community2", nil, 404},
			{"viewer", "GET", pairing, "viewer", nil, 404},
			{"bad month", "GET", "/api/v1/pairings/1/compliance?month=2026-13", "station", nil, 422},
			{"elder's pairings with the clinic", "GET", elder + "/compliance?month=2026-11", "station", nil, 200},
			{"worklist", "GET", "/api/v1/today", "volunteer", nil, 200},
			{"the committee's worklist for community staff", "GET", "/api/v1/today", "community1", nil, 200},
			{"no worklist for the station", "GET", "/api/v1/today", "station", nil, 403},
			{"the clinic's worklist", "GET", "/api/v1/today", "clinic", nil, 200},
			{"no worklist for the viewer", "GET", "/api/v1/today", "viewer", nil, 403},
			{"not greeted", "GET", "/api/v1/not-greeted", "community1", nil, 200},
			{"not greeted of another community", "GET", "/api/v1/not-greeted?community_id=" + itoa(f.C2.ID), "community1", nil, 404},
			{"not greeted for volunteers", "GET", "/api/v1/not-greeted", "volunteer", nil, 403},
			{"table", "GET", "/api/v1/compliance?month=2026-11", "station", nil, 200},
			{"table for the viewer", "GET", "/api/v1/compliance?month=2026-11", "viewer", nil, 403},
			{"drill-down", "GET", "/api/v1/compliance/communities/" + itoa(f.C1.ID) + "?month=2026-11", "station", nil, 200},
			{"alerts", "GET", "/api/v1/alerts", "community1", nil, 200},
			{"alerts bad status", "GET", "/api/v1/alerts?status=closed", "community1", nil, 422},
			{"standards", "GET", "/api/v1/standards", "community1", nil, 200},
			{"standards edited by the station only", "POST", "/api/v1/standards", "community1",
				map[string]any{"code": "x_y", "role": "neighbour", "period": "day", "required": 1, "counts": []any{map[string]any{"kind": "life"}}, "effective_from": "2026-12-01"}, 403},
			{"standard not JSON", "POST", "/api/v1/standards", "station", "{", 400},
			{"invalid standard", "POST", "/api/v1/standards", "station",
				map[string]any{"code": "x_y", "role": "nurse", "period": "day", "required": 0, "counts": []any{}, "effective_from": "2026-12-01"}, 422},
			{"festivals of a year", "GET", "/api/v1/festivals?year=2027", "station", nil, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if s, out := e.call(t, tc.method, tc.url, tc.who, tc.body); s != tc.status {
					t.Fatalf("status %d, want %d: %v", s, tc.status, out)
				}
			})
		}
		_, out := e.call(t, "GET", pairing, "station", nil)
		day := out["statuses"].([]any)[0].(map[string]any)
		if out["role"] != "neighbour" || day["period"] != "2026-11-29" || day["status"] != "met" || len(day["records"].([]any)) != 1 {
			t.Fatalf("pairing statuses: %v", out)
		}
		_, out = e.call(t, "GET", elder+"/compliance?month=2026-11", "station", nil)
		// The committee and the clinic are pseudo-pairings: c1 is the
		// community committee's place in every elder's circle.
		if ps := out["pairings"].([]any); len(ps) != 3 || ps[0].(map[string]any)["role"] != "committee" || ps[0].(map[string]any)["pairing"] != "c1" ||
			ps[0].(map[string]any)["pairing_id"] != nil || ps[1].(map[string]any)["role"] != "clinic" || ps[1].(map[string]any)["pairing_id"] != nil {
			t.Fatalf("the elder's committee and clinic are pseudo-pairings: %v", out)
		}
		_, out = e.call(t, "GET", "/api/v1/today", "volunteer", nil)
		duties := out["duties"].([]any)
		if len(duties) != 1 || duties[0].(map[string]any)["standard"] != "neighbour_weekly_chat" || duties[0].(map[string]any)["left"] != float64(1) {
			t.Fatalf("greeted today, one chat left: %v", out)
		}
		// The clinic's: elder 1's half-month call and quarterly check-up
		// (elders 2 and 3 have no clinic), each naming its community.
		_, out = e.call(t, "GET", "/api/v1/today", "clinic", nil)
		duties = out["duties"].([]any)
		if len(duties) != 2 {
			t.Fatalf("the clinic owes elder 1 a call and a check-up: %v", out)
		}
		for i, std := range []string{"clinic_halfmonth_inquiry", "clinic_quarterly_checkup"} {
			d := duties[i].(map[string]any)
			if d["standard"] != std || d["elder_id"] != float64(f.Elder1.ID) || d["community_id"] != float64(f.C1.ID) || d["role"] != "clinic" || d["status"] != "due" {
				t.Fatalf("duty %d: %v", i, d)
			}
		}
		_, out = e.call(t, "GET", "/api/v1/not-greeted", "community1", nil)
		items := out["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["elder_id"] != float64(f.Elder2.ID) || len(items[0].(map[string]any)["emergency_contacts"].([]any)) != 1 {
			t.Fatalf("not greeted: %v", out)
		}
		_, out = e.call(t, "GET", "/api/v1/compliance?month=2026-11&community_id="+itoa(f.C1.ID), "station", nil)
		if rows := out["rows"].([]any); len(rows) == 0 || out["total"].(map[string]any)["met"] != float64(1) {
			t.Fatalf("table: %v", out)
		}
		_, out = e.call(t, "GET", "/api/v1/festivals?year=2027", "station", nil)
		if fs := out["festivals"].([]any); fs[0].(map[string]any)["date"] != "2027-02-06" {
			t.Fatalf("festivals: %v", out)
		}
	})
}

func TestAlertsAndStandardsOverTheAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		withTracker(t, e)
		if _, err := db.RaiseNotGreetedAlerts(context.Background(), db.Now().In(db.Loc), "alert_job"); err != nil {
			t.Fatal(err)
		}
		_, out := e.call(t, "GET", "/api/v1/alerts", "community1", nil)
		items := out["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("elders 1 and 2 of community 1: %v", out)
		}
		first := items[0].(map[string]any)
		id := itoa(int64(first["id"].(float64)))
		if s, out := e.call(t, "POST", "/api/v1/alerts/"+id+"/resolve", "community1", map[string]any{}); s != 422 || fieldsOf(out)["note"] == nil {
			t.Fatalf("resolve needs a note: %d %v", s, out)
		}
		if s, _ := e.call(t, "POST", "/api/v1/alerts/"+id+"/ack", "community2", nil); s != 404 {
			t.Fatalf("another community: %d", s)
		}
		if s, out := e.call(t, "POST", "/api/v1/alerts/"+id+"/ack", "community1", nil); s != 200 || out["status"] != "acknowledged" {
			t.Fatalf("ack: %d %v", s, out)
		}
		s, out := e.call(t, "POST", "/api/v1/alerts/"+id+"/resolve", "community1", map[string]any{"note": "已上门"})
		if s != 200 || out["status"] != "resolved" || len(out["events"].([]any)) != 3 {
			t.Fatalf("resolve: %d %v", s, out)
		}
		if _, out := e.call(t, "GET", "/api/v1/alerts?status=all", "station", nil); len(out["items"].([]any)) != 3 {
			t.Fatalf("the station sees all: %v", out)
		}
		std := map[string]any{"code": "neighbour_weekly_chat", "role": "neighbour", "period": "iso_week", "required": 3,
			"counts": []any{map[string]any{"kind": "spirit", "type": "chat"}}, "effective_from": "2026-11-30"}
		s, out = e.call(t, "POST", "/api/v1/standards", "station", std)
		if s != 201 || out["version"] != float64(1) || len(out["standards"].([]any)) != 9 {
			t.Fatalf("save standard: %d %v", s, out)
		}
		std["effective_from"] = "2026-11-01"
		if s, out := e.call(t, "POST", "/api/v1/standards", "station", std); s != 422 || fieldsOf(out)["effective_from"] == nil {
			t.Fatalf("the past keeps its standard: %d %v", s, out)
		}
		fest := map[string]any{"code": "laba", "name": "腊八节", "lunar": true, "month": 12, "day": 8, "effective_from": "2026-12-01"}
		if s, out := e.call(t, "POST", "/api/v1/festivals", "station", fest); s != 201 || len(out["festivals"].([]any)) != 1 {
			t.Fatalf("add festival: %d %v", s, out)
		}
		if _, out := e.call(t, "GET", "/api/v1/festivals?year=2026", "community1", nil); len(out["festivals"].([]any)) != 5 {
			t.Fatalf("the station's festival in the calendar: %v", out)
		}
	})
}
