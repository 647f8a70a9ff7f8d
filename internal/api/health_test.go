package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestHealthContract: the clinic writes and reads its elder's record,
// measurements and call-outs; community staff read only the summary and
// the call-outs without notes, audited; a volunteer and a viewer read
// nothing; bounds and times are refused naming the field.
func TestHealthContract(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		elder := "/api/v1/elders/" + itoa(f.Elder1.ID)
		record := map[string]any{"conditions": []string{"hypertension", "diabetes"}, "conditions_other": "腰椎间盘突出",
			"medicines": []string{"二甲双胍 0.5g 每日三次"}, "allergies": []string{"青霉素"}}
		for _, tc := range []struct {
			name, method, url, who string
			body                   any
			status                 int
			field                  string
		}{
			{"the clinic writes the record", "PUT", elder + "/health", "clinic", record, 200, ""},
			{"community staff may not", "PUT", elder + "/health", "community1", record, 403, ""},
			{"a condition off the list", "PUT", elder + "/health", "clinic", map[string]any{"conditions": []string{"flu"}}, 422, "conditions"},
			{"another clinic's elder", "PUT", "/api/v1/elders/" + itoa(f.Elder2.ID) + "/health", "clinic", record, 404, ""},
			{"a measurement", "POST", elder + "/health/measurements", "clinic", map[string]any{"taken_on": "2026-11-20", "systolic": 148, "diastolic": 90, "weight": 58.5}, 201, ""},
			{"a weight of 650 kg", "POST", elder + "/health/measurements", "clinic", map[string]any{"taken_on": "2026-11-20", "weight": 650}, 422, "weight"},
			{"tomorrow", "POST", elder + "/health/measurements", "clinic", map[string]any{"taken_on": "2026-11-30", "heart_rate": 70}, 422, "taken_on"},
			{"community staff record no measurement", "POST", elder + "/health/measurements", "community1", map[string]any{"taken_on": "2026-11-20", "heart_rate": 70}, 403, ""},
			{"the clinic's call-out", "POST", elder + "/callouts", "clinic", map[string]any{"called_at": "2026-11-28T21:05:00+08:00", "caller": "老伴",
				"arrived_at": "2026-11-28T21:30:00+08:00", "outcome": "treated", "note": "胸闷，含服硝酸甘油"}, 201, ""},
			{"a call taken by the community", "POST", elder + "/callouts", "community1", map[string]any{"called_at": "2026-11-29T07:40:00+08:00", "caller": "本人", "outcome": "advice"}, 201, ""},
			{"arrival before the call", "POST", elder + "/callouts", "clinic", map[string]any{"called_at": "2026-11-28T21:05:00+08:00", "caller": "本人",
				"arrived_at": "2026-11-28T20:30:00+08:00", "outcome": "treated"}, 422, "arrived_at"},
			{"a call in the future", "POST", elder + "/callouts", "clinic", map[string]any{"called_at": "2026-11-30T21:05:00+08:00", "caller": "本人", "outcome": "advice"}, 422, "called_at"},
			{"a volunteer logs no call-out", "POST", elder + "/callouts", "volunteer", map[string]any{"called_at": "2026-11-29T07:40:00+08:00", "caller": "本人", "outcome": "advice"}, 403, ""},
			{"a volunteer reads no health", "GET", elder + "/health", "volunteer", nil, 403, ""},
			{"a viewer reads no health", "GET", elder + "/health", "viewer", nil, 403, ""},
			{"nor measurements", "GET", elder + "/health/measurements", "viewer", nil, 403, ""},
			{"community staff read no measurements", "GET", elder + "/health/measurements", "community1", nil, 403, ""},
			{"another community's elder", "GET", elder + "/health", "community2", nil, 404, ""},
			{"a bad from", "GET", elder + "/health/measurements?from=yesterday", "clinic", nil, 422, "from"},
		} {
			s, out := e.call(t, tc.method, tc.url, tc.who, tc.body)
			if s != tc.status {
				t.Fatalf("%s: %d %v", tc.name, s, out)
			}
			if tc.field != "" {
				if fields, _ := out["error"].(map[string]any)["fields"].(map[string]any); fields[tc.field] == nil {
					t.Fatalf("%s: field %s not named: %v", tc.name, tc.field, out)
				}
			}
		}
		// The clinic reads the whole record.
		_, out := e.call(t, "GET", elder+"/health", "clinic", nil)
		if out["scope"] != "full" || out["allergies"].([]any)[0] != "青霉素" || out["last_checkup"] != "2026-11-20" || out["callouts_last_year"] != float64(2) {
			t.Fatalf("the clinic's record: %v", out)
		}
		_, out = e.call(t, "GET", elder+"/health/measurements", "clinic", nil)
		items := out["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["systolic"] != float64(148) || items[0].(map[string]any)["glucose"] != nil {
			t.Fatalf("measurements: %v", out)
		}
		_, out = e.call(t, "GET", elder+"/callouts", "clinic", nil)
		items = out["items"].([]any)
		if len(items) != 2 || items[1].(map[string]any)["minutes_to_arrive"] != float64(25) || items[1].(map[string]any)["note"] != "胸闷，含服硝酸甘油" {
			t.Fatalf("the clinic's call-outs: %v", out)
		}
		// Community staff: the summary, no medicines, allergies or notes;
		// each read audited under their name.
		s, out := e.call(t, "GET", elder+"/health", "community1", nil)
		if s != 200 || out["scope"] != "summary" || out["medicines"] != nil || out["allergies"] != nil || len(out["conditions"].([]any)) != 2 || out["last_checkup"] != "2026-11-20" {
			t.Fatalf("the community's summary: %d %v", s, out)
		}
		log, err := db.AuditLog(context.Background(), f.Station, "elder", f.Elder1.ID, 1)
		if err != nil || log[0].Action != "read_health_summary" || log[0].Username != "c1" {
			t.Fatalf("the summary read is not audited: %+v %v", log, err)
		}
		_, out = e.call(t, "GET", elder+"/callouts", "community1", nil)
		for _, it := range out["items"].([]any) {
			if it.(map[string]any)["note"] != "" {
				t.Fatalf("community staff read a call-out's note: %v", out)
			}
		}
		if log, _ := db.AuditLog(context.Background(), f.Station, "elder", f.Elder1.ID, 1); log[0].Action != "read_callouts" {
			t.Fatalf("the call-outs read is not audited: %+v", log)
		}
		// Nothing of the record appears in any answer to the community.
		for _, u := range []string{elder + "/health", elder + "/callouts", elder} {
			_, out := e.call(t, "GET", u, "community1", nil)
			if b := toText(out); strings.Contains(b, "青霉素") || strings.Contains(b, "二甲双胍") || strings.Contains(b, "硝酸甘油") {
				t.Fatalf("%s shows health data to the community: %s", u, b)
			}
		}
	})
}

func toText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestClinicWorklistByCommunity: the clinic's 本期待办 through the API,
// one community at a time.
func TestClinicWorklistByCommunity(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		withTracker(t, e)
		f := e.f
		s, out := e.call(t, "GET", "/api/v1/today?community_id="+itoa(f.C1.ID), "clinic", nil)
		if duties, _ := out["duties"].([]any); s != 200 || len(duties) != 2 {
			t.Fatalf("community 1: %d %v", s, out)
		}
		s, out = e.call(t, "GET", "/api/v1/today?community_id="+itoa(f.C2.ID), "clinic", nil)
		if duties, _ := out["duties"].([]any); s != 200 || len(duties) != 0 {
			t.Fatalf("community 2 (no elder of the clinic): %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/today?community_id=abc", "clinic", nil); s != 422 {
			t.Fatalf("malformed: %d %v", s, out)
		}
		if s, out := e.call(t, "GET", "/api/v1/today?community_id=99999", "clinic", nil); s != 404 {
			t.Fatalf("unknown community: %d %v", s, out)
		}
	})
}

// TestClinicComplianceTable: clinic staff's GET /compliance is their own
// standards for their elders, by community; nothing of the volunteers'.
func TestClinicComplianceTable(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		withTracker(t, e)
		f := e.f
		// A volunteer's greeting and the clinic's call: the table has a
		// past to judge, of two roles.
		elder := "/api/v1/elders/" + itoa(f.Elder1.ID)
		if s, out := e.call(t, "POST", elder+"/services", "volunteer", map[string]any{"kind": "life", "type": "greeting", "at": "2026-11-29T08:00:00+08:00"}); s != 201 {
			t.Fatalf("greeting: %d %v", s, out)
		}
		if s, out := e.call(t, "POST", elder+"/services", "clinic", map[string]any{"kind": "health", "type": "health_inquiry", "at": "2026-11-29T09:00:00+08:00"}); s != 201 {
			t.Fatalf("the clinic's call: %d %v", s, out)
		}
		if _, out := e.call(t, "GET", "/api/v1/compliance?month=2026-11", "station", nil); len(out["rows"].([]any)) <= 2 {
			t.Fatalf("the station's table has every role: %v", out)
		}
		s, out := e.call(t, "GET", "/api/v1/compliance?month=2026-11", "clinic", nil)
		rows, _ := out["rows"].([]any)
		if s != 200 || len(rows) != 2 {
			t.Fatalf("the clinic's table: %d %v", s, out)
		}
		for _, r := range rows {
			row := r.(map[string]any)
			if row["role"] != "clinic" || row["community_id"] != float64(f.C1.ID) {
				t.Fatalf("a row not the clinic's: %v", row)
			}
		}
		if s, out := e.call(t, "GET", "/api/v1/compliance?month=2026-11&community_id="+itoa(f.C2.ID), "clinic", nil); s != 200 || len(out["rows"].([]any)) != 0 {
			t.Fatalf("community 2 has no elder of the clinic: %d %v", s, out)
		}
		if s, _ := e.call(t, "GET", "/api/v1/compliance?month=2026-11&community_id=99999", "clinic", nil); s != 404 {
			t.Fatalf("an unknown community: %d", s)
		}
	})
}
