package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runMatch(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code = cmdMatch(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestCmdMatch(t *testing.T) {
	const instance = `{"max_distance_m":1500,
 "elders":[{"id":"e1","lat":31.2304,"lon":121.4737,"priority":3}],
 "volunteers":[{"id":"v1","lat":31.2310,"lon":121.4740,"capacity":2,"kind":"neighbour"}]}`
	tests := []struct {
		name         string
		args         []string
		stdin        string
		code         int
		stdout, errs string
	}{
		{"solve", []string{"solve"}, instance, 0, `"objective":{"priority":3,"neighbour_slots":1,"total_cost_m":72.56}}` + "\n", ""},
		{"bad input", []string{"solve"}, `{"max_distance_m":1,"elders":[{"id":"e","lat":91,"lon":0,"priority":1}]}`, 2, "", "elders[0].lat"},
		{"unknown subcommand", []string{"run"}, "", 2, "", "usage:"},
		{"no subcommand", nil, "", 2, "", "usage:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMatch(tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			if tt.stdout == "" && stdout != "" || !strings.HasSuffix(stdout, tt.stdout) {
				t.Errorf("stdout %q, want suffix %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.errs) || tt.errs == "" && stderr != "" {
				t.Errorf("stderr %q, want %q", stderr, tt.errs)
			}
		})
	}
}
