package api_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestActivitiesAPI: community staff plan a nursing-home visit from the
// template and a series of their own; the volunteer signs up, sees the
// item they own and ticks it, checks in on the day; staff name the elders,
// correct attendance and finish it; the hours and the committee's visit
// records follow. Bad input is 422 at the field; other roles are refused.
func TestActivitiesAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		for _, tc := range []struct {
			name, who string
			body      map[string]any
			status    int
			field     string
		}{
			{"no theme", "community1", map[string]any{"date": "2026-12-05", "start_time": "14:00", "end_time": "17:00"}, 422, "theme"},
			{"bad date", "community1", map[string]any{"theme": "t", "date": "12/05", "start_time": "14:00", "end_time": "17:00"}, 422, "date"},
			{"end first", "community1", map[string]any{"theme": "t", "date": "2026-12-05", "start_time": "14:00", "end_time": "13:00"}, 422, "end_time"},
			{"negative cap", "community1", map[string]any{"theme": "t", "date": "2026-12-05", "start_time": "14:00", "end_time": "17:00", "cap": -1}, 422, "cap"},
			{"bad template", "community1", map[string]any{"template": "party", "date": "2026-12-05"}, 422, "template"},
			{"template without date", "community1", map[string]any{"template": "nursing_home"}, 422, "date"},
			{"stage field", "community1", map[string]any{"theme": "系列", "stages": []map[string]any{{"theme": "一", "date": "2026-12-05", "start_time": "9", "end_time": "11:00"}}}, 422, "stages[0].start_time"},
			{"another community", "community2", map[string]any{"theme": "t", "community_id": f.C1.ID, "date": "2026-12-05", "start_time": "14:00", "end_time": "17:00"}, 422, "community_id"},
			{"volunteer plans", "volunteer", map[string]any{"theme": "t"}, 403, ""},
			{"clinic plans", "clinic", map[string]any{"theme": "t"}, 403, ""},
		} {
			s, out := e.call(t, "POST", "/api/v1/activities", tc.who, tc.body)
			if s != tc.status || (tc.field != "" && fieldsOf(out)[tc.field] == nil) {
				t.Fatalf("%s: %d %v", tc.name, s, out)
			}
		}
		// Today (2026-11-29) from the template, in the afternoon.
		s, out := e.call(t, "POST", "/api/v1/activities", "community1", map[string]any{"template": "nursing_home", "date": "2026-11-29"})
		if s != 201 || out["template"] != "nursing_home" || out["minutes"] != 180.0 || out["community_id"] != float64(f.C1.ID) {
			t.Fatalf("template: %d %v", s, out)
		}
		id := itoa(int64(out["id"].(float64)))
		url := "/api/v1/activities/" + id
		if s, out := e.call(t, "GET", url, "community2", nil); s != 404 {
			t.Fatalf("community 2 read it: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", url, "viewer", nil); s != 403 {
			t.Fatalf("viewer read it: %d %v", s, out)
		}
		// A checklist item for the volunteer.
		s, item := e.call(t, "POST", url+"/checklist", "community1", map[string]any{"item": "带指甲刀", "owner_volunteer_id": f.Vol1.ID, "due": "2026-11-29"})
		if s != 201 || item["owner_name"] != f.Vol1.Name {
			t.Fatalf("checklist: %d %v", s, item)
		}
		itemID := itoa(int64(item["id"].(float64)))
		if s, out := e.call(t, "POST", url+"/checklist", "volunteer", map[string]any{"item": "x"}); s != 403 {
			t.Fatalf("volunteer added an item: %d %v", s, out)
		}
		// The volunteer signs up, ticks their item, checks in.
		if s, out := e.call(t, "POST", url+"/signups", "volunteer", map[string]any{}); s != 200 || out["signed_up"] != 1.0 {
			t.Fatalf("sign-up: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url+"/signups", "volunteer", map[string]any{"volunteer_id": f.Vol2.ID}); s != 403 {
			t.Fatalf("signed another up: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url+"/checklist/"+itemID+"/done", "volunteer", map[string]any{}); s != 200 || out["done"] != true || out["done_at"] == nil {
			t.Fatalf("tick: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url+"/checklist/999999/done", "volunteer", map[string]any{}); s != 404 {
			t.Fatalf("tick of no item: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url+"/attendance", "volunteer", map[string]any{"present": true, "minutes": 600}); s != 422 || fieldsOf(out)["present"] == nil {
			t.Fatalf("volunteer set their minutes: %d %v", s, out)
		}
		s, att := e.call(t, "POST", url+"/attendance", "volunteer", map[string]any{})
		items, _ := att["items"].([]any)
		if s != 200 || len(items) != 1 || items[0].(map[string]any)["present"] != true || items[0].(map[string]any)["minutes"] != 180.0 {
			t.Fatalf("check-in: %d %v", s, att)
		}
		// Staff: bad corrections, the elders, the finish.
		if s, out := e.call(t, "POST", url+"/attendance", "community1", map[string]any{"volunteer_id": f.Vol1.ID}); s != 422 || fieldsOf(out)["present"] == nil {
			t.Fatalf("correction without present: %d %v", s, out)
		}
		if s, out := e.call(t, "PUT", url+"/elders", "community1", map[string]any{"elder_ids": []int64{f.Elder3.ID}}); s != 422 || fieldsOf(out)["elder_ids"] == nil {
			t.Fatalf("another community's elder: %d %v", s, out)
		}
		if s, out := e.call(t, "PUT", url+"/elders", "community1", map[string]any{"elder_ids": []int64{f.Elder1.ID, f.Elder2.ID}, "residents": 20}); s != 200 || len(out["elders"].([]any)) != 2 {
			t.Fatalf("elders: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url+"/finish", "community1", map[string]any{"summary": "早了"}); s != 422 || fieldsOf(out)["date"] == nil {
			t.Fatalf("finished before it started: %d %v", s, out)
		}
		db.Now = func() time.Time { return time.Date(2026, 11, 29, 17, 30, 0, 0, db.Loc) }
		if s, out := e.call(t, "POST", url+"/finish", "volunteer", map[string]any{"summary": "x"}); s != 403 {
			t.Fatalf("volunteer finished: %d %v", s, out)
		}
		s, out = e.call(t, "POST", url+"/finish", "community1", map[string]any{"summary": "打扫了房间，表演了节目，合影留念"})
		if s != 200 || out["status"] != "held" || out["residents"] != 20.0 {
			t.Fatalf("finish: %d %v", s, out)
		}
		for _, el := range out["elders"].([]any) {
			if el.(map[string]any)["record_id"] == nil {
				t.Fatalf("no record for %v", el)
			}
		}
		acc, err := db.VolunteerHours(context.Background(), f.Comm1, f.Vol1.ID, 10)
		if err != nil || acc.Earned != 180 {
			t.Fatalf("hours %+v %v", acc, err)
		}
		if s, out := e.call(t, "POST", url+"/attendance", "community1", map[string]any{"volunteer_id": f.Vol1.ID, "present": true, "minutes": 150}); s != 200 {
			t.Fatalf("correction: %d %v", s, out)
		}
		if acc, _ := db.VolunteerHours(context.Background(), f.Comm1, f.Vol1.ID, 10); acc.Earned != 150 {
			t.Fatalf("after the correction: %d", acc.Earned)
		}
		// The elder's card shows the committee's visit.
		s, card := e.call(t, "GET", "/api/v1/elders/"+itoa(f.Elder2.ID)+"/card?month=2026-11", "community1", nil)
		found := false
		for _, en := range card["entries"].([]any) {
			if rec, _ := en.(map[string]any)["record"].(map[string]any); rec["by_committee"] == true && rec["type"] == "culture" {
				found = true
			}
		}
		if s != 200 || !found {
			t.Fatalf("card: %d %v", s, card)
		}
		// Cancelling is a status; held stays held.
		if s, out := e.call(t, "PUT", url, "community1", map[string]any{"status": "cancelled"}); s != 422 || fieldsOf(out)["status"] == nil {
			t.Fatalf("cancelled a held activity: %d %v", s, out)
		}
		// A series from the template is street-wide when the station plans it.
		s, out = e.call(t, "POST", "/api/v1/activities", "station", map[string]any{"template": "monthly_series", "date": "2026-12-10"})
		if s != 201 || out["series"] == nil || len(out["series"].(map[string]any)["stages"].([]any)) != 5 || out["community_id"] != 0.0 {
			t.Fatalf("series: %d %v", s, out)
		}
		sid := itoa(int64(out["id"].(float64)))
		if s, out := e.call(t, "PUT", "/api/v1/activities/"+sid, "community1", map[string]any{"cap": 10}); s != 403 {
			t.Fatalf("community changed the station's series: %d %v", s, out)
		}
		if s, out := e.call(t, "PUT", "/api/v1/activities/"+sid, "station", map[string]any{"cap": 10, "status": "cancelled"}); s != 200 || out["cap"] != 10.0 || out["status"] != "cancelled" {
			t.Fatalf("station's change: %d %v", s, out)
		}
		s, lst := e.call(t, "GET", "/api/v1/activities?status=held", "volunteer", nil)
		if s != 200 || lst["total"] != 1.0 {
			t.Fatalf("held list: %d %v", s, lst)
		}
		if s, out := e.call(t, "GET", "/api/v1/activities?status=done", "station", nil); s != 422 || fieldsOf(out)["status"] == nil {
			t.Fatalf("bad status filter: %d %v", s, out)
		}
		// Sign-up cancellation (after a fresh activity).
		s, out = e.call(t, "POST", "/api/v1/activities", "community1", map[string]any{"theme": "包饺子", "date": "2026-12-20", "start_time": "09:00", "end_time": "11:00", "cap": 1,
			"checklist": []map[string]any{{"item": "买饺子皮", "due": "2026-12-19"}}})
		if s != 201 || len(out["checklist"].([]any)) != 1 {
			t.Fatalf("create: %d %v", s, out)
		}
		nid := "/api/v1/activities/" + itoa(int64(out["id"].(float64)))
		if s, out := e.call(t, "POST", nid+"/signups", "community1", map[string]any{}); s != 422 || fieldsOf(out)["volunteer_id"] == nil {
			t.Fatalf("staff without volunteer_id: %d %v", s, out)
		}
		if s, _ := e.call(t, "POST", nid+"/signups", "volunteer", map[string]any{}); s != 200 {
			t.Fatalf("sign-up: %d", s)
		}
		if s, out := e.call(t, "POST", nid+"/attendance", "volunteer", map[string]any{}); s != 422 || fieldsOf(out)["date"] == nil {
			t.Fatalf("check-in on another day: %d %v", s, out)
		}
		if s, out := e.call(t, "DELETE", nid+"/signups", "volunteer", nil); s != 200 || out["signed_up"] != 0.0 {
			t.Fatalf("cancel: %d %v", s, out)
		}
		if s, _ := e.call(t, "DELETE", nid+"/signups", "volunteer", nil); s != 404 {
			t.Fatalf("cancel twice: %d", s)
		}
	})
}
