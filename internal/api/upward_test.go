package api_test

import (
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestExperienceAndSubmissionAPI: a community writes, submits; the station
// reads (read mark), returns with a reason, receives; the month's report
// is submitted and received, and GET /reports shows both the step and the
// experience; another community, a volunteer and a viewer are refused.
func TestExperienceAndSubmissionAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		storetest.MonthEnded(db)
		for _, tc := range []struct {
			name, who string
			body      map[string]any
			status    int
			field     string
		}{
			{"no title", "community1", map[string]any{"body": "x", "month": "2026-11"}, 422, "title"},
			{"bad month", "community1", map[string]any{"title": "t", "body": "x", "month": "2026-13"}, 422, "month"},
			{"station writes", "station", map[string]any{"title": "t", "body": "x", "month": "2026-11"}, 403, ""},
			{"volunteer writes", "volunteer", map[string]any{"title": "t", "body": "x", "month": "2026-11"}, 403, ""},
		} {
			s, out := e.call(t, "POST", "/api/v1/experiences", tc.who, tc.body)
			if s != tc.status || (tc.field != "" && fieldsOf(out)[tc.field] == nil) {
				t.Fatalf("%s: %d %v", tc.name, s, out)
			}
		}
		s, out := e.call(t, "POST", "/api/v1/experiences", "community1", map[string]any{"title": "邻里守望", "body": "每日问候独居老人", "month": "2026-11"})
		if s != 201 || out["status"] != "draft" {
			t.Fatalf("create: %d %v", s, out)
		}
		id := itoa(int64(out["id"].(float64)))
		if s, out := e.call(t, "GET", "/api/v1/experiences/"+id, "station", nil); s != 404 {
			t.Fatalf("the station reads a draft: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/experiences/"+id, "community2", nil); s != 404 {
			t.Fatalf("community 2 reads it: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/experiences/"+id+"/status", "community1", map[string]any{"status": "submitted"}); s != 200 || out["submitted_by"] != "c1" {
			t.Fatalf("submit: %d %v", s, out)
		}
		if s, out := e.call(t, "PATCH", "/api/v1/experiences/"+id, "community1", map[string]any{"title": "改"}); s != 422 || fieldsOf(out)["status"] == nil {
			t.Fatalf("a submitted report changed: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/experiences/"+id, "station", nil); s != 200 || out["read_by"] != "station" {
			t.Fatalf("the station's reading: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/experiences/"+id+"/status", "station", map[string]any{"status": "returned"}); s != 422 || fieldsOf(out)["reason"] == nil {
			t.Fatalf("returned without a reason: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/experiences/"+id+"/status", "station", map[string]any{"status": "returned", "reason": "请补充成效"}); s != 200 || out["reason"] != "请补充成效" {
			t.Fatalf("return: %d %v", s, out)
		}
		if s, out := e.call(t, "PATCH", "/api/v1/experiences/"+id, "community1", map[string]any{"body": "每日问候独居老人，三个月无一漏问"}); s != 200 || out["status"] != "returned" {
			t.Fatalf("change a returned report: %d %v", s, out)
		}
		e.call(t, "POST", "/api/v1/experiences/"+id+"/status", "community1", map[string]any{"status": "submitted"})
		if s, out := e.call(t, "POST", "/api/v1/experiences/"+id+"/status", "community1", map[string]any{"status": "received"}); s != 403 {
			t.Fatalf("the community receives its own: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/experiences/"+id+"/status", "station", map[string]any{"status": "received"}); s != 200 || out["status"] != "received" {
			t.Fatalf("receive: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/experiences?status=received", "station", nil); s != 200 || out["total"] != 1.0 {
			t.Fatalf("the station's list: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/experiences?community_id="+itoa(e.f.C1.ID), "community2", nil); s != 404 {
			t.Fatalf("community 2 filters community 1: %d %v", s, out)
		}

		// The month's report: submitted by the community, received by the station.
		if s, out := e.call(t, "POST", "/api/v1/reports/2026-12/submission", "community1", map[string]any{"status": "submitted"}); s != 422 || fieldsOf(out)["period"] == nil {
			t.Fatalf("December submitted in December: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/reports/2026-11/submission", "community1", map[string]any{"status": "submitted"}); s != 200 || out["status"] != "submitted" || out["submitted_at"] == nil {
			t.Fatalf("submit: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/reports/2026-11/submission", "station", map[string]any{"status": "received"}); s != 422 || fieldsOf(out)["community_id"] == nil {
			t.Fatalf("received without a community: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", "/api/v1/reports/2026-11/submission", "station", map[string]any{"status": "received", "community_id": e.f.C1.ID}); s != 200 || out["decided_by"] != "station" {
			t.Fatalf("receive: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/reports/2026-11/submissions", "station", nil); s != 200 || out["total"] != 2.0 {
			t.Fatalf("the station's submissions: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/reports/2026-11/submissions", "viewer", nil); s != 403 {
			t.Fatalf("a viewer's submissions: %d %v", s, out)
		}
		s, out = e.call(t, "GET", reportURL("unit", e.f.Street.Name, "period", "2026-11"), "station", nil)
		subs, _ := out["submissions"].([]any)
		if s != 200 || len(subs) != 2 || subs[0].(map[string]any)["status"] != "received" {
			t.Fatalf("the report's submissions: %d %v", s, out["submissions"])
		}
		var found bool
		for _, tb := range out["tables"].([]any) {
			tm := tb.(map[string]any)
			if tm["key"] == "experiences" {
				rows := tm["rows"].([]any)
				found = len(rows) == 1 && rows[0].([]any)[2] == "邻里守望"
			}
		}
		if !found {
			t.Fatalf("the report lacks the received experience: %v", out["tables"])
		}
	})
}

// TestTrainingAndCommendationAPI: sessions with attendees in scope,
// corrections, the volunteer's view, commendations; every reason named.
func TestTrainingAndCommendationAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		if s, out := e.call(t, "POST", "/api/v1/trainings", "community1", map[string]any{"held_on": "2026-11-31"}); s != 422 ||
			fieldsOf(out)["held_on"] == nil || fieldsOf(out)["topic"] == nil || fieldsOf(out)["trainer"] == nil {
			t.Fatalf("every field at once: %d %v", s, out)
		}
		body := map[string]any{"topic": "助老服务礼仪", "held_on": "2026-11-12", "trainer": "街道志愿站 王老师", "attendee_ids": []int64{f.Vol1.ID, f.Vol2.ID}}
		if s, out := e.call(t, "POST", "/api/v1/trainings", "community1", body); s != 422 || fieldsOf(out)["attendee_ids"] == nil {
			t.Fatalf("another community's volunteer: %d %v", s, out)
		}
		body["community_id"] = f.C2.ID
		s, out := e.call(t, "POST", "/api/v1/trainings", "station", body)
		if s != 201 || len(out["attendees"].([]any)) != 2 {
			t.Fatalf("the station's session: %d %v", s, out)
		}
		id := itoa(int64(out["id"].(float64)))
		if s, out := e.call(t, "GET", "/api/v1/trainings/"+id, "community1", nil); s != 404 {
			t.Fatalf("community 1 reads community 2's session: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/trainings", "volunteer", nil); s != 200 || out["total"] != 1.0 || len(out["items"].([]any)[0].(map[string]any)["attendees"].([]any)) != 1 {
			t.Fatalf("the volunteer's sessions: %d %v", s, out)
		}
		if s, out := e.call(t, "PATCH", "/api/v1/trainings/"+id, "community2", map[string]any{"attendee_ids": []int64{f.Vol2.ID}, "place": "安康社区会议室"}); s != 200 || len(out["attendees"].([]any)) != 1 || out["topic"] != "助老服务礼仪" {
			t.Fatalf("community 2 corrects its session: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/trainings", "volunteer", nil); s != 200 || out["total"] != 0.0 {
			t.Fatalf("the volunteer after the correction: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/trainings", "viewer", nil); s != 403 {
			t.Fatalf("a viewer: %d %v", s, out)
		}

		url := "/api/v1/volunteers/" + itoa(f.Vol1.ID) + "/commendations"
		if s, out := e.call(t, "POST", url, "community1", map[string]any{"awarded_on": "yesterday"}); s != 422 ||
			fieldsOf(out)["awarded_on"] == nil || fieldsOf(out)["title"] == nil || fieldsOf(out)["reason"] == nil {
			t.Fatalf("every field at once: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url, "community2", map[string]any{"title": "优秀志愿者", "awarded_on": "2026-11-20", "reason": "r"}); s != 404 {
			t.Fatalf("another community's volunteer: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url, "volunteer", map[string]any{"title": "优秀志愿者", "awarded_on": "2026-11-20", "reason": "r"}); s != 403 {
			t.Fatalf("the volunteer commends themself: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", url, "community1", map[string]any{"title": "优秀志愿者", "awarded_on": "2026-11-20", "reason": "结对服务满一年", "awarded_by": "和平街道办事处"}); s != 201 || out["title"] != "优秀志愿者" {
			t.Fatalf("commend: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", url, "volunteer", nil); s != 200 || out["total"] != 1.0 {
			t.Fatalf("the volunteer's commendations: %d %v", s, out)
		}
		// The register's training text is read-only history.
		if s, out := e.call(t, "PATCH", "/api/v1/volunteers/"+itoa(f.Vol1.ID), "community1", map[string]any{"training": "急救培训"}); s != 422 || fieldsOf(out)["training"] == nil {
			t.Fatalf("training text changed: %d %v", s, out)
		}
	})
}
