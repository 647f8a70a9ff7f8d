package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// `carecircle simulate --json` prints exactly the contract's fields and
// exits 0; the same seed prints the same bytes; bad flags are bad usage.
func TestSimulateCommand(t *testing.T) {
	args := []string{"--elders", "20", "--days", "2", "--seed", "3", "--miss-rate", "0.2", "--webhook-failure-rate", "0.3", "--json"}
	code, out, stderr := runCmd(cmdSimulate, "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]json.Number
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []string{"alerted_by_deadline", "days", "false_alarms", "max_minutes_to_first_person", "messages_created",
		"messages_delivered", "messages_lost", "missed_greetings", "recall"}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, want) {
		t.Fatalf("fields %v, want %v", keys, want)
	}
	if !strings.HasPrefix(out, `{"days":2,"missed_greetings":`) {
		t.Errorf("the contract's order: %s", out)
	}
	if got["recall"] != "1.0" || got["false_alarms"] != "0" || got["messages_lost"] != "0" || got["missed_greetings"] == "0" {
		t.Errorf("figures: %s", out)
	}
	if got["alerted_by_deadline"] != got["missed_greetings"] || got["messages_created"] != got["messages_delivered"] {
		t.Errorf("figures: %s", out)
	}
	if _, again, _ := runCmd(cmdSimulate, "", args...); again != out {
		t.Errorf("same seed, different output:\n%s%s", out, again)
	}

	code, out, _ = runCmd(cmdSimulate, "", "--elders", "12", "--days", "1", "--seed", "3")
	if code != 0 || !strings.Contains(out, "2026-11-02") || !strings.Contains(out, "total") {
		t.Errorf("the human report has a line per day and the totals: exit %d\n%s", code, out)
	}

	for _, bad := range [][]string{
		{"--elders", "x"},
		{"--elders", "0", "--json"},
		{"--days", "-1"},
		{"--miss-rate", "2"},
		{"--webhook-failure-rate", "1"},
		{"--nope"},
		{"extra"},
	} {
		code, out, stderr := runCmd(cmdSimulate, "", bad...)
		if code != 2 || out != "" || !strings.Contains(stderr, "usage: carecircle simulate") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", bad, code, out, stderr)
		}
	}
	if code := run(t.Context(), []string{"simulate", "--days", "0"}, func(string) string { return "" }, nil, &strings.Builder{}, &strings.Builder{}); code != 2 {
		t.Errorf("through run: exit %d", code)
	}
}
