package api_test

import (
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestSurveyReviewAndApprovalOverHTTP walks issue 15 points 2 and 3
// through the API: a named volunteer surveys on the phone, community 2
// neither sees nor reviews community 1's proposal, community staff review
// it field by field, the station approves the list, and GET /rollout
// shows the community's phase; the elder's record changed only through
// the review, and the volunteer never reads back the health answer.
func TestSurveyReviewAndApprovalOverHTTP(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		st, _ := e.call(t, "PUT", "/api/v1/surveys/surveyors", "community1", map[string]any{"volunteer_id": f.Vol1.ID, "named": true})
		if st != 200 {
			t.Fatalf("name surveyor: %d", st)
		}
		st, out := e.call(t, "GET", "/api/v1/surveys/targets", "volunteer", nil)
		if items, _ := out["items"].([]any); st != 200 || len(items) != 2 {
			t.Fatalf("targets: %d %v", st, out)
		}
		body := map[string]any{"elder_id": f.Elder2.ID, "answers": map[string]any{"living_situation": "with_spouse", "self_care": "partial",
			"categories": []string{"empty_nest"}, "needs": []any{map[string]any{"kind": "life", "detail": "代买米面油"}, map[string]any{"kind": "spirit"}},
			"health": "糖尿病"}}
		st, out = e.call(t, "POST", "/api/v1/surveys", "volunteer", body)
		if st != 201 || out["status"] != "pending" {
			t.Fatalf("submit: %d %v", st, out)
		}
		if ans, _ := out["answers"].(map[string]any); ans["health"] != nil {
			t.Fatalf("the volunteer reads back the health answer: %v", ans)
		}
		id := itoa(int64(out["id"].(float64)))
		// Community 2: not found; the clinic: forbidden.
		if st, _ := e.call(t, "GET", "/api/v1/surveys/"+id, "community2", nil); st != 404 {
			t.Fatalf("community 2 reads: %d", st)
		}
		if st, _ := e.call(t, "POST", "/api/v1/surveys/"+id+"/review", "community2", map[string]any{"decisions": map[string]string{"needs": "accept"}}); st != 404 {
			t.Fatalf("community 2 reviews: %d", st)
		}
		if st, _ := e.call(t, "GET", "/api/v1/surveys?community_id="+itoa(f.C2.ID), "community1", nil); st != 404 {
			t.Fatalf("foreign filter: %d", st)
		}
		// The station cannot approve while the proposal waits.
		st, out = e.call(t, "PUT", "/api/v1/communities/"+itoa(f.C1.ID)+"/approval", "station", map[string]any{"approved": true})
		if st != 422 || fieldsOf(out)["community_id"] == nil {
			t.Fatalf("approve with a pending proposal: %d %v", st, out)
		}
		st, out = e.call(t, "POST", "/api/v1/surveys/"+id+"/review", "community1", map[string]any{"decisions": map[string]string{"living_situation": "accept"}})
		if st != 422 || fieldsOf(out)["decisions.self_care"] == nil {
			t.Fatalf("undecided fields: %d %v", st, out)
		}
		st, out = e.call(t, "POST", "/api/v1/surveys/"+id+"/review", "community1", map[string]any{"decisions": map[string]string{
			"living_situation": "accept", "self_care": "reject", "needs": "accept", "health": "accept"}, "note": "自理情况待复核"})
		if st != 200 || out["status"] != "reviewed" {
			t.Fatalf("review: %d %v", st, out)
		}
		st, out = e.call(t, "GET", "/api/v1/elders/"+itoa(f.Elder2.ID), "community1", nil)
		if st != 200 || out["living_situation"] != "with_spouse" || out["self_care"] != "dependent" {
			t.Fatalf("record after review: %v", out)
		}
		st, out = e.call(t, "GET", "/api/v1/elders/"+itoa(f.Elder2.ID)+"/need-history", "community1", nil)
		if items, _ := out["items"].([]any); st != 200 || len(items) != 2 {
			t.Fatalf("need history: %d %v", st, out)
		}
		if st, _ := e.call(t, "PUT", "/api/v1/communities/"+itoa(f.C1.ID)+"/approval", "community1", map[string]any{"approved": true}); st != 403 {
			t.Fatalf("community approves: %d", st)
		}
		st, out = e.call(t, "PUT", "/api/v1/communities/"+itoa(f.C1.ID)+"/approval", "station", map[string]any{"approved": true, "note": "核实无误"})
		if st != 200 || out["approved"] != true {
			t.Fatalf("approve: %d %v", st, out)
		}
		if st, _ := e.call(t, "GET", "/api/v1/communities/"+itoa(f.C1.ID)+"/approval", "community2", nil); st != 404 {
			t.Fatalf("community 2 reads community 1's approval: %d", st)
		}
		st, out = e.call(t, "GET", "/api/v1/rollout", "viewer", nil)
		cs, _ := out["communities"].([]any)
		if st != 200 || len(cs) != 2 {
			t.Fatalf("rollout: %d %v", st, out)
		}
		c1 := cs[0].(map[string]any)
		if c1["phase"] != "not_joined" || c1["approval"] == nil {
			t.Fatalf("community 1 in the rollout: %v", c1)
		}
		st, out = e.call(t, "GET", "/api/v1/rollout", "community2", nil)
		if cs, _ := out["communities"].([]any); st != 200 || len(cs) != 1 {
			t.Fatalf("community 2's rollout: %d %v", st, out)
		}
	})
}
