package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// A request for help over the API: recorded by community staff, dispatched
// to the elder's volunteer, accepted and done with the volunteer's own
// service record; bad input names its field and changes nothing.
func TestRequestsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		wanted := db.Now().Add(3 * time.Hour).In(db.Loc).Format(time.RFC3339)
		code, body := e.call(t, "POST", "/api/v1/requests", "community1", map[string]any{"elder_id": f.Elder1.ID, "kind": "life",
			"type": "cooking", "urgency": "asap", "channel": "phone", "wanted_by": "tomorrow"})
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if code != http.StatusUnprocessableEntity || fields["wanted_by"] == nil {
			t.Fatalf("bad time: %d %v", code, body)
		}
		code, body = e.call(t, "POST", "/api/v1/requests", "community1", map[string]any{"elder_id": f.Elder1.ID, "kind": "life",
			"type": "legal_aid", "urgency": "asap", "channel": "phone", "wanted_by": wanted})
		fields, _ = body["error"].(map[string]any)["fields"].(map[string]any)
		if code != http.StatusUnprocessableEntity || fields["type"] == nil || fields["urgency"] == nil {
			t.Fatalf("bad type and urgency: %d %v", code, body)
		}
		if _, body := e.call(t, "GET", "/api/v1/requests", "community1", nil); len(body["requests"].([]any)) != 0 {
			t.Fatalf("a refused request was stored: %v", body)
		}
		code, body = e.call(t, "POST", "/api/v1/requests", "community1", map[string]any{"elder_id": f.Elder1.ID, "kind": "life",
			"type": "cooking", "urgency": "soon", "channel": "family", "wanted_by": wanted, "note": "女儿来电：老人腿疼，想请人做午饭"})
		if code != http.StatusCreated || body["status"] != "open" || body["status_label"] != "待派单" {
			t.Fatalf("create: %d %v", code, body)
		}
		id := int64(body["id"].(float64))
		url := fmt.Sprintf("/api/v1/requests/%d", id)
		if code, _ := e.call(t, "GET", url, "community2", nil); code != http.StatusNotFound {
			t.Fatalf("community 2 read it: %d", code)
		}
		code, body = e.call(t, "GET", url+"/candidates", "community1", nil)
		cs := body["candidates"].([]any)
		if code != http.StatusOK || len(cs) == 0 || cs[0].(map[string]any)["in_circle"] != true {
			t.Fatalf("candidates: %d %v", code, body)
		}
		if code, body := e.call(t, "POST", url+"/dispatch", "community1", map[string]any{"volunteer_id": f.Vol2.ID}); code != http.StatusUnprocessableEntity {
			t.Fatalf("dispatch to another community's volunteer: %d %v", code, body)
		}
		code, body = e.call(t, "POST", url+"/dispatch", "community1", map[string]any{"volunteer_id": f.Vol1.ID})
		if code != http.StatusOK || body["status"] != "dispatched" || body["assignee"] != f.Vol1.Name {
			t.Fatalf("dispatch: %d %v", code, body)
		}
		if _, body := e.call(t, "GET", "/api/v1/requests?status=dispatched", "volunteer", nil); len(body["requests"].([]any)) != 1 {
			t.Fatalf("the volunteer's dispatched: %v", body)
		}
		if code, _ := e.call(t, "GET", "/api/v1/requests?status=whatever", "volunteer", nil); code != http.StatusUnprocessableEntity {
			t.Fatalf("bad status filter: %d", code)
		}
		if code, _ := e.call(t, "POST", url+"/accept", "community1", nil); code != http.StatusForbidden {
			t.Fatalf("staff accepted: %d", code)
		}
		if code, body := e.call(t, "POST", url+"/accept", "volunteer", nil); code != http.StatusOK || body["status"] != "accepted" {
			t.Fatalf("accept: %d %v", code, body)
		}
		code, body = e.call(t, "POST", fmt.Sprintf("/api/v1/elders/%d/services", f.Elder1.ID), "volunteer", map[string]any{"kind": "life", "type": "cooking"})
		if code != http.StatusCreated {
			t.Fatalf("record: %d %v", code, body)
		}
		rec := int64(body["id"].(float64))
		if code, body := e.call(t, "POST", url+"/done", "volunteer", map[string]any{"service_id": rec + 1000}); code != http.StatusUnprocessableEntity {
			t.Fatalf("done with no such record: %d %v", code, body)
		}
		code, body = e.call(t, "POST", url+"/done", "volunteer", map[string]any{"service_id": rec})
		if code != http.StatusOK || body["status"] != "done" || int64(body["service_id"].(float64)) != rec {
			t.Fatalf("done: %d %v", code, body)
		}
		if evs := body["events"].([]any); len(evs) != 4 {
			t.Fatalf("history: %v", evs)
		}
		// Decline needs a reason.
		code, body = e.call(t, "POST", "/api/v1/requests", "volunteer", map[string]any{"elder_id": f.Elder1.ID, "kind": "spirit",
			"channel": "volunteer", "wanted_by": wanted})
		if code != http.StatusCreated {
			t.Fatalf("volunteer records: %d %v", code, body)
		}
		url2 := fmt.Sprintf("/api/v1/requests/%d", int64(body["id"].(float64)))
		e.call(t, "POST", url2+"/dispatch", "community1", map[string]any{"volunteer_id": f.Vol1.ID})
		if code, _ := e.call(t, "POST", url2+"/decline", "volunteer", map[string]any{"reason": ""}); code != http.StatusUnprocessableEntity {
			t.Fatalf("decline without a reason: %d", code)
		}
		if code, body := e.call(t, "POST", url2+"/decline", "volunteer", map[string]any{"reason": "出差"}); code != http.StatusOK || body["status"] != "declined" {
			t.Fatalf("decline: %d %v", code, body)
		}
	})
}
