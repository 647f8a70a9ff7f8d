package api_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestAlertEscalationOverTheAPI: GET /alerts/{id} shows the chain's steps
// (who was told, when, how, delivered or not); the station sets the
// street's chain, community staff read it, a bad field is named.
func TestAlertEscalationOverTheAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		ctx := context.Background()
		at := func(hh, mm int) time.Time {
			tm := time.Date(2026, 11, 29, hh, mm, 0, 0, db.Loc)
			db.Now = func() time.Time { return tm }
			return tm
		}
		if _, err := db.RaiseNotGreetedAlerts(ctx, at(20, 0), "alert_job"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AdvanceEscalations(ctx, at(21, 0)); err != nil {
			t.Fatal(err)
		}
		var id string
		_, out := e.call(t, "GET", "/api/v1/alerts", "community1", nil)
		for _, it := range out["items"].([]any) {
			if a := it.(map[string]any); a["elder_id"] == float64(e.f.Elder1.ID) {
				id = itoa(int64(a["id"].(float64)))
			}
		}
		s, out := e.call(t, "GET", "/api/v1/alerts/"+id, "community1", nil)
		steps, _ := out["escalation"].([]any)
		if s != 200 || len(steps) != 3 {
			t.Fatalf("the alert's chain: %d %v", s, out)
		}
		last := steps[2].(map[string]any)
		if last["step"] != "family" || last["to"] != "张伟" || last["channel"] != "sms" || last["status"] != "pending" ||
			last["at"] != "2026-11-29T21:00:00+08:00" || last["step_label"] == "" || last["delivered_at"] != nil {
			t.Fatalf("the family's SMS: %v", last)
		}
		if first := steps[0].(map[string]any); first["step"] != "alert" || first["channel"] != "inbox" || first["status"] != "delivered" {
			t.Fatalf("the alert's own step: %v", first)
		}
		at(21, 5)
		if s, out = e.call(t, "POST", "/api/v1/alerts/"+id+"/ack", "community1", nil); s != 200 || out["escalation_stopped"] != "acknowledged" ||
			len(out["escalation"].([]any)) != 6 {
			t.Fatalf("acknowledged: the chain stops and those told are told: %d %v", s, out)
		}

		// An emergency case: acknowledged by staff's first update.
		sos := &care.ServiceRecord{ElderID: e.f.Elder1.ID, Kind: "emergency", Type: "emergency_help", At: at(21, 10), Note: "摔倒"}
		if err := db.AddService(ctx, e.f.Volunteer, sos, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		cases, err := db.Cases(ctx, e.f.Comm1, true)
		if err != nil || len(cases) != 1 {
			t.Fatalf("the case: %v %v", cases, err)
		}
		cid := itoa(cases[0].ID)
		if s, out = e.call(t, "GET", "/api/v1/cases/"+cid, "community1", nil); s != 200 || out["acknowledged_at"] != nil {
			t.Fatalf("not yet acknowledged: %d %v", s, out)
		}
		if s, _ = e.call(t, "POST", "/api/v1/cases/"+cid+"/events", "community1", map[string]any{"status": "open", "note": "正在上门"}); s >= 300 {
			t.Fatalf("update: %d", s)
		}
		if s, out = e.call(t, "GET", "/api/v1/cases/"+cid, "community1", nil); out["acknowledged_by"] != "c1" || out["acknowledged_at"] == nil {
			t.Fatalf("acknowledged: %d %v", s, out)
		}

		s, out = e.call(t, "GET", "/api/v1/escalation-policy", "community1", nil)
		if s != 200 || out["reminder_at"] != "18:00" || out["family_after_minutes"] != float64(60) || out["editable"] != false {
			t.Fatalf("community staff read the defaults: %d %v", s, out)
		}
		bad := map[string]any{"reminder_at": "6pm", "family_after_minutes": 60, "station_after_minutes": 1, "emergency_after_minutes": 15}
		if s, out = e.call(t, "PUT", "/api/v1/escalation-policy", "station", bad); s != 422 || fieldsOf(out)["reminder_at"] == nil ||
			fieldsOf(out)["station_after_minutes"] == nil {
			t.Fatalf("each bad field named: %d %v", s, out)
		}
		good := map[string]any{"reminder_at": "17:30", "family_after_minutes": 45, "station_after_minutes": 30, "emergency_after_minutes": 10}
		if s, out = e.call(t, "PUT", "/api/v1/escalation-policy", "station", good); s != 200 || out["reminder_at"] != "17:30" || out["editable"] != true {
			t.Fatalf("saved: %d %v", s, out)
		}
		if s, _ = e.call(t, "PUT", "/api/v1/escalation-policy", "community1", good); s != 403 && s != 404 {
			t.Fatalf("community staff cannot set it: %d", s)
		}
	})
}
