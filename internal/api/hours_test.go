package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestHoursAPI: a volunteer reads their balance and ledger, donates within
// it (a donation beyond it is 422 naming minutes), and staff get the
// printable certificate of a year; another community's staff get 404.
func TestHoursAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		ctx := context.Background()
		vid := f.Vol1.ID
		start := time.Date(2026, 11, 28, 9, 0, 0, 0, db.Loc)
		end := start.Add(90 * time.Minute)
		r := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "shopping", At: start, EndAt: &end, Source: "paper", VolunteerID: &vid}
		if err := db.AddService(ctx, f.Comm1, r, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		url := "/api/v1/volunteers/" + itoa(f.Vol1.ID) + "/hours"
		code, body := e.call(t, "GET", url, "volunteer", nil)
		if code != 200 || body["balance_minutes"] != float64(90) {
			t.Fatalf("hours: %d %v", code, body)
		}
		entries, _ := body["entries"].([]any)
		if len(entries) != 1 || entries[0].(map[string]any)["source"] != "service" || entries[0].(map[string]any)["record_id"] != float64(r.ID) {
			t.Fatalf("entries: %v", entries)
		}
		if code, _ := e.call(t, "GET", url, "community2", nil); code != 404 {
			t.Fatalf("another community's staff: %d", code)
		}
		code, body = e.call(t, "POST", url+"/donations", "volunteer", map[string]any{"to_volunteer_id": f.Vol2.ID, "minutes": 91})
		if code != 422 || fieldsOf(body)["minutes"] == nil {
			t.Fatalf("beyond the balance: %d %v", code, body)
		}
		code, body = e.call(t, "POST", url+"/donations", "volunteer", map[string]any{"to_elder_id": f.Elder3.ID, "minutes": 30, "note": "留给刘奶奶"})
		if code != 201 || body["balance_minutes"] != float64(60) {
			t.Fatalf("donation: %d %v", code, body)
		}
		req := httptest.NewRequest("GET", url+"/certificate?period=2026", nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["community1"])
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(rec.Body.String(), "志愿服务时长证明") || !strings.Contains(rec.Body.String(), "1.5") {
			t.Fatalf("certificate: %d %s", rec.Code, rec.Body.String())
		}
		if code, body := e.call(t, "GET", url+"/certificate?period=20x6", "community1", nil); code != 422 || fieldsOf(body)["period"] == nil {
			t.Fatalf("a bad period: %d %v", code, body)
		}
	})
}
