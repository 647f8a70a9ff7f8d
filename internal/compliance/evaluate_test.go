package compliance

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const briefScenario = `{"as_of": "2026-11-29T21:00:00+08:00",
 "standards": "default",
 "elders": [{"id": "e1", "birth_date": "1941-03-05", "lunar_birthday": false}],
 "pairings": [{"id": "p1", "elder": "e1", "volunteer": "v1", "role": "neighbour",
               "from": "2026-11-01", "to": null}],
 "records": [{"elder": "e1", "by": "v1", "kind": "life", "type": "greeting",
              "at": "2026-11-29T08:00:00+08:00"}]}`

type evalOutput struct {
	Statuses []map[string]any `json:"statuses"`
}

func runEval(t *testing.T, input string) (int, evalOutput, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunEvaluate(strings.NewReader(input), &out, &errb)
	var parsed evalOutput
	if code == 0 {
		if err := json.Unmarshal(out.Bytes(), &parsed); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out.String())
		}
	} else if out.Len() != 0 {
		t.Errorf("exit %d with output on stdout: %s", code, out.String())
	}
	return code, parsed, errb.String()
}

func TestEvaluateBriefScenario(t *testing.T) {
	code, out, stderr := runEval(t, briefScenario)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 29 days of greetings and the five ISO weeks W44…W48 that touch November.
	if len(out.Statuses) != 29+5 {
		t.Fatalf("%d statuses", len(out.Statuses))
	}
	var today map[string]any
	for _, s := range out.Statuses {
		if s["period"] == "2026-11-29" {
			today = s
		}
	}
	want := map[string]any{"pairing": "p1", "standard": "neighbour_daily_greeting", "period": "2026-11-29",
		"status": "met", "count": 1.0, "required": 1.0}
	for k, v := range want {
		if today[k] != v {
			t.Errorf("%s = %v, want %v", k, today[k], v)
		}
	}
	if recs, _ := today["records"].([]any); len(recs) != 1 || recs[0] != 0.0 {
		t.Errorf("records %v", today["records"])
	}
	first, last := out.Statuses[0], out.Statuses[len(out.Statuses)-1]
	if first["period"] != "2026-11-01" || first["status"] != "missed" || last["period"] != "2026-W48" || last["status"] != "due" {
		t.Errorf("order: first %v, last %v", first, last)
	}
}

func TestEvaluateCustomStandards(t *testing.T) {
	input := `{"as_of": "2026-10-02T12:00:00+08:00", "timezone": "Asia/Shanghai",
	 "festivals": [{"code": "national_day", "name": "国庆", "month": 10, "day": 1}],
	 "standards": [
	   {"code": "social_festival_visit", "role": "social", "period": "festival",
	    "counts": [{"kind": "festival", "type": "festival_visit"}], "required": 1,
	    "festivals": ["mid_autumn", "national_day"], "window_before_days": 0, "window_after_days": 0},
	   {"code": "social_monthly_visit", "role": "social", "period": "month", "required": 1,
	    "counts": [{"kind": "life"}, {"kind": "spirit"}]},
	   {"code": "social_monthly_visit", "role": "social", "period": "month", "required": 2,
	    "counts": [{"kind": "life"}, {"kind": "spirit"}], "effective_from": "2026-10-01"}],
	 "elders": [{"id": 7, "birth_date": "1941-03-05"}],
	 "pairings": [{"id": 3, "elder": 7, "volunteer": 12, "role": "social", "from": "2026-09-01", "to": "2026-12-31"}],
	 "records": [{"elder": 7, "by": 12, "kind": "festival", "type": "festival_visit", "at": "2026-09-25T10:00:00+08:00"},
	             {"elder": 7, "by": 12, "kind": "spirit", "type": "walk", "at": "2026-09-25T11:00:00+08:00"},
	             {"elder": 7, "by": 12, "kind": "spirit", "type": "walk", "at": "2026-10-03T11:00:00+08:00"}]}`
	code, out, stderr := runEval(t, input)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []string
	for _, s := range out.Statuses {
		got = append(got, s["standard"].(string)+" "+s["period"].(string)+" "+s["status"].(string)+" "+
			jsonNum(s["count"])+"/"+jsonNum(s["required"]))
	}
	want := []string{
		"social_festival_visit 2026-mid_autumn met 1/1",
		"social_festival_visit 2026-national_day missed 0/1", // a zero-day window closed at midnight
		"social_monthly_visit 2026-09 met 1/1",
		"social_monthly_visit 2026-10 due 0/2", // the new version; the walk of 10-03 is after as_of
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if out.Statuses[0]["pairing"] != "3" || out.Statuses[0]["occasion_date"] != "2026-09-25" {
		t.Errorf("numeric ids and occasion date: %v", out.Statuses[0])
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestEvaluateBadInput(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(briefScenario, old, new, 1) }
	tests := []struct{ name, input, want string }{
		{"malformed JSON", `{"as_of": `, "malformed JSON"},
		{"two values", briefScenario + " {}", "more than one value"},
		{"bad as_of", replace(`"2026-11-29T21:00:00+08:00"`, `"2026-11-29"`), "as_of"},
		{"standards variant", replace(`"default"`, `"defaults"`), `unknown set "defaults"`},
		{"standards number", replace(`"default"`, `42`), "standards"},
		{"bad standard", replace(`"default"`, `[{"code": "x", "role": "neighbour", "period": "fortnight", "counts": [{"kind": "life"}], "required": 1}]`), `unknown period "fortnight"`},
		{"empty standards", replace(`"default"`, `[]`), "empty"},
		{"bad birth date", replace(`"1941-03-05"`, `"1941-02-30"`), "elders[0].birth_date"},
		{"unknown elder", replace(`"elder": "e1", "volunteer"`, `"elder": "e2", "volunteer"`), `unknown elder "e2"`},
		{"unknown role", replace(`"neighbour"`, `"station"`), `unknown role "station"`},
		{"bad from", replace(`"2026-11-01"`, `"11/01/2026"`), "pairings[0].from"},
		{"end before start", replace(`"to": null`, `"to": "2026-10-01"`), "before it starts"},
		{"bad record time", replace(`"2026-11-29T08:00:00+08:00"`, `"yesterday"`), "records[0].at"},
		{"record without zone", replace(`"2026-11-29T08:00:00+08:00"`, `"2026-11-29T08:00:00"`), "records[0].at"},
		{"unknown kind", replace(`"kind": "life"`, `"kind": "fun"`), `unknown service kind "fun"`},
		{"bad timezone", replace(`"standards"`, `"timezone": "Mars/Base", "standards"`), "timezone"},
		{"bad festival", replace(`"standards"`, `"festivals": [{"code": "lantern", "name": "x", "month": 1, "day": 1}], "standards"`), "already used"},
		{"duplicate pairing", replace(`"to": null}]`, `"to": null}, {"id": "p1", "elder": "e1", "volunteer": "v2", "role": "social", "from": "2026-11-01"}]`), "listed twice"},
		{"fractional id", replace(`"id": "e1"`, `"id": 1.5`), "integer"},
	}
	for _, tt := range tests {
		code, _, stderr := runEval(t, tt.input)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q, want exit 2 mentioning %q", tt.name, code, stderr, tt.want)
		}
	}
	// Every problem is reported at once.
	bad := replace(`"neighbour"`, `"station"`)
	bad = strings.Replace(bad, `"2026-11-29T08:00:00+08:00"`, `"yesterday"`, 1)
	if _, _, stderr := runEval(t, bad); strings.Count(stderr, "\n") != 2 {
		t.Errorf("want two problems, got %q", stderr)
	}
}

func TestStandardsJSONRoundTrip(t *testing.T) {
	data, err := json.Marshal(DefaultStandards())
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseStandards(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateStandards(back, testCal); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if !bytes.Equal(data, again) {
		t.Errorf("round trip changed the standards:\n%s\n%s", data, again)
	}
	if !strings.Contains(string(data), `"window_before_days":7,"window_after_days":3`) ||
		strings.Contains(string(data), `"effective_from"`) {
		t.Errorf("JSON form: %s", data)
	}
}

func TestValidateStandards(t *testing.T) {
	ok := DefaultStandards()[0]
	tests := []struct {
		name string
		edit func(*Standard)
		want string
	}{
		{"bad code", func(s *Standard) { s.Code = "Daily Greeting" }, "code"},
		{"role", func(s *Standard) { s.Role = "station" }, "unknown role"},
		{"period", func(s *Standard) { s.Period = "year" }, "unknown period"},
		{"required", func(s *Standard) { s.Required = 0 }, "required"},
		{"no counts", func(s *Standard) { s.Counts = nil }, "counts"},
		{"kind", func(s *Standard) { s.Counts = []Match{{Kind: "fun"}} }, "unknown service kind"},
		{"festivals on a daily rule", func(s *Standard) { s.Festivals = []string{"lantern"} }, "only to festival"},
		{"unknown festival", func(s *Standard) { s.Period, s.Festivals = "festival", []string{"xmas"} }, `unknown festival "xmas"`},
		{"window", func(s *Standard) { s.Period, s.Window.Before = "festival", 99 }, "window days"},
		{"also", func(s *Standard) { s.Also = []Requirement{{Required: 1}} }, "also[0]"},
	}
	for _, tt := range tests {
		s := ok
		tt.edit(&s)
		if err := ValidateStandards([]Standard{s}, testCal); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	twin := ok
	twin.Role = RoleSocial
	if err := ValidateStandards([]Standard{ok, ok, twin}, testCal); err == nil ||
		!strings.Contains(err.Error(), "same role") || !strings.Contains(err.Error(), "two versions") {
		t.Errorf("versions: %v", err)
	}
}
