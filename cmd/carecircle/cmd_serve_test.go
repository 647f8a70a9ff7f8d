package main

import (
	"strings"
	"testing"
)

// TestServeRefusesBadSettings: settings out of range are bad usage (exit
// 2) with a message naming the flag, before anything is opened.
func TestServeRefusesBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"--late-entry-hours", "0"},
		{"--late-entry-hours", "9000"},
		{"--alert-hour", "24"},
		{"--geo-radius", "1"},
	} {
		code, _, stderr := runCmd(cmdServe, "", append(args, "--db", t.TempDir()+"/x.db")...)
		if code != 2 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, %q", args, code, stderr)
		}
	}
}
