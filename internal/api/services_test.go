package api_test

import (
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func TestServiceCardContract(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		elder := "/api/v1/elders/" + itoa(e.f.Elder1.ID)
		s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "life", "type": "greeting",
			"at": "2026-11-29T08:00:00+08:00", "verification": map[string]any{"method": "none"}})
		if s != 201 || out["seq"] != float64(1) || out["type_label"] != "敲门问候" || out["verification"].(map[string]any)["verified"] != false {
			t.Fatalf("greeting: %d %v", s, out)
		}
		recID := itoa(int64(out["id"].(float64)))
		if s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "life", "type": "dancing"}); s != 422 || fieldsOf(out)["type"] == nil {
			t.Fatalf("bad type: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "life", "type": "greeting", "at": "yesterday"}); s != 422 || fieldsOf(out)["at"] == nil {
			t.Fatalf("bad time: %d %v", s, out)
		}
		if s, _ := e.call(t, "POST", "/api/v1/elders/"+itoa(e.f.Elder2.ID)+"/services", "volunteer", map[string]any{"kind": "life", "type": "greeting"}); s != 404 {
			t.Fatalf("unpaired elder: %d", s)
		}
		// Without "at" the record is made now (10:00 on the fixture's clock).
		if s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "spirit", "type": "chat"}); s != 201 || out["at"] != "2026-11-29T10:00:00+08:00" {
			t.Fatalf("default time: %d %v", s, out)
		}
		// The month has not ended: signing would lock the rest of its visits out.
		for url, body := range map[string]any{elder + "/card/2026-11/signature": map[string]any{"result": "pass"},
			"/api/v1/cards/2026-11/signatures": map[string]any{"elder_ids": []int64{e.f.Elder1.ID}}} {
			s, out := e.call(t, "POST", url, "station", body)
			if errObj, _ := out["error"].(map[string]any); s != 422 || errObj["code"] != "month_not_ended" {
				t.Fatalf("%s before the month ended: %d %v", url, s, out)
			}
		}
		storetest.MonthEnded(e.db)
		if s, _ := e.call(t, "POST", elder+"/card/2026-11/signature", "community1", map[string]any{"result": "pass"}); s != 403 {
			t.Fatalf("only the station signs: %d", s)
		}
		if s, out := e.call(t, "POST", elder+"/card/2026-11/signature", "station", map[string]any{"result": "pass", "comment": "记录完整"}); s != 201 || out["chain_len"] != float64(2) {
			t.Fatalf("sign: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "life", "type": "greeting", "at": "2026-11-29T09:00:00+08:00"}); s != 409 {
			t.Fatalf("a signed month: %d %v", s, out)
		}
		s, out = e.call(t, "POST", "/api/v1/services/"+recID+"/amendments", "community1", map[string]any{"reason": "补记说明", "changes": map[string]any{"note": "老人精神很好"}})
		if s != 201 || out["amends"] != float64(int64(out["amends"].(float64))) || out["amend_reason"] != "补记说明" {
			t.Fatalf("amendment: %d %v", s, out)
		}
		s, card := e.call(t, "GET", elder+"/card?month=2026-11", "station", nil)
		if s != 200 || card["locked"] != true || len(card["entries"].([]any)) != 2 {
			t.Fatalf("card: %d %v", s, card)
		}
		first := card["entries"].([]any)[0].(map[string]any)
		if len(first["amendments"].([]any)) != 1 {
			t.Fatalf("the amendment is on the card: %v", first)
		}
		if s, _ := e.call(t, "GET", elder+"/card?month=2026-13", "station", nil); s != 422 {
			t.Fatalf("bad month: %d", s)
		}
		if s, _ := e.call(t, "GET", elder+"/card?month=2026-11", "community2", nil); s != 404 {
			t.Fatalf("another community's card: %d", s)
		}
		if s, out := e.call(t, "GET", "/api/v1/inspection?month=2026-11&community_id="+itoa(e.f.C1.ID), "station", nil); s != 200 || out["signed"] != float64(1) {
			t.Fatalf("inspection: %d %v", s, out)
		}
		// The queue's filters (issue 14): unsigned only, most flags first; a bad flag is 422 naming it.
		s, out = e.call(t, "GET", "/api/v1/inspection?month=2026-11&signed=no&sort=flags", "station", nil)
		if items, _ := out["items"].([]any); s != 200 || len(items) == 0 || out["signed"] != float64(0) {
			t.Fatalf("unsigned queue: %d %v", s, out)
		} else if first := items[0].(map[string]any); first["signed"] != false || first["unverified_greetings"] == nil || first["greetings_only"] == nil {
			t.Fatalf("queue item: %v", first)
		}
		if s, out := e.call(t, "GET", "/api/v1/inspection?month=2026-11&flag=bogus", "station", nil); s != 422 || fieldsOf(out)["flag"] == nil {
			t.Fatalf("a bad flag: %d %v", s, out)
		}
	})
}
