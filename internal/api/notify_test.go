package api_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestInboxAPI: GET /inbox lists the caller's messages newest first with
// the unread count; POST /inbox/{id}/read marks one, another's is 404.
func TestInboxAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		ctx := context.Background()
		for i, text := range []string{"王秀英今天还没有被问候", "应急求助：陈建国"} {
			m := notify.Message{ID: "api-" + itoa(int64(i)), Kind: notify.KindMissedGreeting, Channel: notify.ChannelInbox,
				To: notify.Recipient{UserID: f.Comm1.UserID}, Text: text, ElderID: f.Elder1.ID, CreatedAt: db.Now().Add(-time.Duration(i) * time.Minute)}
			if err := db.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		status, body := e.call(t, "GET", "/api/v1/inbox", "community1", nil)
		items, _ := body["items"].([]any)
		if status != 200 || body["unread"] != float64(2) || len(items) != 2 {
			t.Fatalf("inbox: %d %v", status, body)
		}
		first := items[0].(map[string]any)
		if first["id"] != "api-0" || first["kind"] != "missed_greeting" || first["elder_id"] != float64(f.Elder1.ID) || first["alert_id"] != nil || first["read_at"] != nil {
			t.Fatalf("newest first, with its fields: %v", first)
		}
		for _, tc := range []struct {
			who, id string
			status  int
			unread  float64
		}{
			{"community2", "api-0", 404, -1},
			{"community1", "nope", 404, -1},
			{"community1", "api-0", 200, 1},
			{"community1", "api-0", 200, 1}, // again: no change
		} {
			status, body := e.call(t, "POST", "/api/v1/inbox/"+tc.id+"/read", tc.who, nil)
			if status != tc.status || (tc.unread >= 0 && body["unread"] != tc.unread) {
				t.Errorf("%s reads %s: %d %v", tc.who, tc.id, status, body)
			}
		}
		if _, body := e.call(t, "GET", "/api/v1/inbox", "community2", nil); body["unread"] != float64(0) {
			t.Errorf("community 2 sees another's: %v", body)
		}
		if status, _ := e.call(t, "GET", "/api/v1/inbox", "", nil); status != 401 {
			t.Errorf("no token: %d", status)
		}
	})
}

// TestNotifySettingsAPI: the caller's channels and quiet hours, with every
// field's problem at once.
func TestNotifySettingsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		if status, body := e.call(t, "GET", "/api/v1/me/notifications", "volunteer", nil); status != 200 || body["sms"] != false || body["phone"] != "" {
			t.Fatalf("unset: %d %v", status, body)
		}
		status, body := e.call(t, "PUT", "/api/v1/me/notifications", "volunteer", map[string]any{"sms": true, "mail": true, "email": "x", "quiet_from": "23:00"})
		fields := fieldsOf(body)
		if status != 422 || fields["phone"] == nil || fields["email"] == nil || fields["quiet_to"] == nil {
			t.Fatalf("bad settings: %d %v", status, body)
		}
		status, body = e.call(t, "PUT", "/api/v1/me/notifications", "volunteer", map[string]any{"phone": "137 0000 0001", "sms": true, "quiet_from": "22:00", "quiet_to": "07:00"})
		if status != 200 || body["phone"] != "13700000001" || body["sms"] != true {
			t.Fatalf("saved: %d %v", status, body)
		}
		if _, body := e.call(t, "GET", "/api/v1/me/notifications", "volunteer", nil); body["quiet_to"] != "07:00" {
			t.Fatalf("read back: %v", body)
		}
		if _, body := e.call(t, "GET", "/api/v1/me/notifications", "community1", nil); body["sms"] != false {
			t.Fatalf("another account's settings: %v", body)
		}
	})
}

// TestDutyAPI: community staff keep their own roster, the station any of
// its street; GET says who is on duty now.
func TestDutyAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		// The fixture's clock: Sunday 2026-11-29 10:00.
		roster := map[string]any{"shifts": []map[string]any{{"weekday": 7, "from": "08:00", "to": "20:00", "user_id": f.Comm1.UserID}},
			"exceptions": []map[string]any{{"from": "2026-12-24", "to": "2026-12-26", "replaces_user_id": f.Comm1.UserID, "user_id": nil, "note": "休假"}}}
		status, body := e.call(t, "PUT", "/api/v1/duty", "community1", roster)
		items, _ := body["items"].([]any)
		if status != 200 || len(items) != 1 {
			t.Fatalf("save: %d %v", status, body)
		}
		got := items[0].(map[string]any)
		onDuty, _ := got["on_duty"].([]any)
		ex := got["exceptions"].([]any)[0].(map[string]any)
		if got["rostered"] != true || len(onDuty) != 1 || onDuty[0].(map[string]any)["user_id"] != float64(f.Comm1.UserID) ||
			ex["user_id"] != nil || ex["from"] != "2026-12-24" || ex["note"] != "休假" {
			t.Fatalf("saved roster: %v", got)
		}
		status, body = e.call(t, "PUT", "/api/v1/duty", "community1", map[string]any{
			"shifts":     []map[string]any{{"weekday": 8, "from": "8", "to": "20:00", "user_id": f.Comm2.UserID}},
			"exceptions": []map[string]any{{"from": "24/12", "to": "2026-12-26"}}})
		fields := fieldsOf(body)
		for _, k := range []string{"shifts[0].weekday", "shifts[0].from", "shifts[0].user_id", "exceptions[0].from"} {
			if fields[k] == nil {
				t.Errorf("no error on %s: %d %v", k, status, body)
			}
		}
		for _, tc := range []struct {
			method, url, who string
			body             any
			status           int
		}{
			{"GET", "/api/v1/duty", "station", nil, 200},
			{"GET", "/api/v1/duty?community_id=" + itoa(f.C1.ID), "community2", nil, 404},
			{"GET", "/api/v1/duty", "volunteer", nil, 403},
			{"PUT", "/api/v1/duty", "community2", map[string]any{"community_id": f.C1.ID}, 404},
			{"PUT", "/api/v1/duty", "station", map[string]any{}, 422},
			{"PUT", "/api/v1/duty", "clinic", map[string]any{}, 403},
		} {
			if status, body := e.call(t, tc.method, tc.url, tc.who, tc.body); status != tc.status {
				t.Errorf("%s %s as %s: %d %v", tc.method, tc.url, tc.who, status, body)
			}
		}
		_, body = e.call(t, "GET", "/api/v1/duty", "station", nil)
		if items, _ := body["items"].([]any); len(items) != 2 {
			t.Errorf("the station sees both communities: %v", body)
		}
	})
}
