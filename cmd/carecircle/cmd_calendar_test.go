package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runCmd(cmd func(context.Context, env, []string) int, stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code := cmd(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestFestivalsCommand(t *testing.T) {
	code, out, stderr := runCmd(cmdFestivals, "", "--year", "2026", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []map[string]string{
		{"code": "spring_festival", "name": "春节", "date": "2026-02-17"},
		{"code": "lantern", "name": "元宵", "date": "2026-03-03"},
		{"code": "mid_autumn", "name": "中秋", "date": "2026-09-25"},
		{"code": "double_ninth", "name": "重阳", "date": "2026-10-18"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		for k, v := range want[i] {
			if got[i][k] != v {
				t.Errorf("festival %d %s = %q, want %q", i, k, got[i][k], v)
			}
		}
	}
	code, out, _ = runCmd(cmdFestivals, "", "--year=2027")
	if code != 0 || !strings.Contains(out, "2027-02-06") || !strings.Contains(out, "春节") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"--json"}, {"--year", "1900", "--json"}, {"--year", "2100"}, {"--year", "abc"}, {"--year", "2026", "extra"}, {"--bogus"}} {
		if code, out, stderr := runCmd(cmdFestivals, "", args...); code != 2 || out != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

func TestComplianceCommand(t *testing.T) {
	scenario := `{"as_of": "2026-11-29T21:00:00+08:00", "standards": "default",
	 "elders": [{"id": "e1", "birth_date": "1941-03-05", "lunar_birthday": false}],
	 "pairings": [{"id": "p1", "elder": "e1", "volunteer": "v1", "role": "neighbour", "from": "2026-11-29", "to": null}],
	 "records": [{"elder": "e1", "by": "v1", "kind": "life", "type": "greeting", "at": "2026-11-29T08:00:00+08:00"}]}`
	code, out, stderr := runCmd(cmdCompliance, scenario, "evaluate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Statuses []map[string]any `json:"statuses"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Statuses) != 2 || got.Statuses[0]["status"] != "met" || got.Statuses[1]["standard"] != "neighbour_weekly_chat" {
		t.Errorf("statuses: %v", got.Statuses)
	}
	if code, out, _ := runCmd(cmdCompliance, `{"as_of": "soon"}`, "evaluate"); code != 2 || out != "" {
		t.Errorf("bad input: exit %d, stdout %q", code, out)
	}
	for _, args := range [][]string{nil, {"judge"}, {"evaluate", "more"}} {
		if code, _, _ := runCmd(cmdCompliance, scenario, args...); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}
