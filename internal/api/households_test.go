package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// A household formed by community staff, paired as a unit, and visited
// once by its volunteer: the visit is on both members' cards.
func TestHouseholdsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		// A household needs two elders; errors name the field.
		code, body := e.call(t, "POST", "/api/v1/households", "community1", map[string]any{"elder_ids": []int64{f.Elder1.ID}})
		if code != http.StatusUnprocessableEntity || body["error"].(map[string]any)["fields"] == nil {
			t.Fatalf("one elder: %d %v", code, body)
		}
		if code, _ := e.call(t, "POST", "/api/v1/households", "volunteer", map[string]any{"elder_ids": []int64{f.Elder1.ID, f.Elder2.ID}}); code != http.StatusForbidden {
			t.Fatalf("volunteer formed a household: %d", code)
		}
		code, body = e.call(t, "POST", "/api/v1/households", "community1", map[string]any{"name": "王陈家", "elder_ids": []int64{f.Elder1.ID, f.Elder2.ID}})
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, body)
		}
		id := int64(body["id"].(float64))
		if ms := body["members"].([]any); len(ms) != 2 || body["counts_once"] != true {
			t.Fatalf("household = %v", body)
		}
		// Community 2 does not see it.
		if code, _ := e.call(t, "GET", fmt.Sprintf("/api/v1/households/%d", id), "community2", nil); code != http.StatusNotFound {
			t.Fatalf("another community read the household: %d", code)
		}
		// The volunteer serves elder 1 only: a household visit is refused
		// until the household is paired with them as a unit.
		visit := map[string]any{"elder_id": f.Elder1.ID, "kind": "spirit", "type": "chat"}
		url := fmt.Sprintf("/api/v1/households/%d/visits", id)
		if code, body := e.call(t, "POST", url, "volunteer", visit); code != http.StatusUnprocessableEntity {
			t.Fatalf("visit before pairing: %d %v", code, body)
		}
		code, body = e.call(t, "POST", fmt.Sprintf("/api/v1/households/%d/pairings", id), "community1", map[string]any{"volunteer_id": f.Vol1.ID})
		if code != http.StatusCreated || len(body["pairings"].([]any)) != 1 {
			t.Fatalf("pair household: %d %v", code, body)
		}
		code, body = e.call(t, "POST", url, "volunteer", visit, "Idempotency-Key", "hv-api-1")
		if code != http.StatusCreated {
			t.Fatalf("household visit: %d %v", code, body)
		}
		recs := body["records"].([]any)
		group := body["household_visit_id"]
		if len(recs) != 2 || group == "" || recs[1].(map[string]any)["household_visit_id"] != group {
			t.Fatalf("visit records = %v", body)
		}
		if code, again := e.call(t, "POST", url, "volunteer", visit, "Idempotency-Key", "hv-api-1"); code != http.StatusOK || again["household_visit_id"] != group {
			t.Fatalf("retry: %d %v", code, again)
		}
		// The volunteer now sees the household with both members.
		code, body = e.call(t, "GET", "/api/v1/households", "volunteer", nil)
		if code != http.StatusOK || len(body["households"].([]any)) != 1 {
			t.Fatalf("volunteer's households: %d %v", code, body)
		}
		// A member leaves with a reason; the household of one ends.
		code, body = e.call(t, "POST", fmt.Sprintf("/api/v1/households/%d/leave", id), "community1", map[string]any{"elder_id": f.Elder2.ID, "reason": "入住养老院"})
		if code != http.StatusOK || body["current"] != false {
			t.Fatalf("leave: %d %v", code, body)
		}
	})
}
