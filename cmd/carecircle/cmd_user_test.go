package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"carecircle/internal/care"
)

// TestUserCommands: add reads the password from standard input (no
// --password flag), and disable, enable, revoke and reset-password act on
// one account with exit status 0, 1 or 2.
func TestUserCommands(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "users.db")
	run := func(stdin string, args ...string) (int, string, string) {
		return runCmd(cmdUser, stdin, append(args, "--db", dsn)...)
	}
	if code, _, stderr := run("a-good-admin-password\n", "add", "--username", "root", "--role", "admin", "--password", "x"); code != 2 {
		t.Fatalf("--password is gone: exit %d %s", code, stderr)
	}
	if code, _, stderr := run("12345678\n", "add", "--username", "root", "--role", "admin"); code != 2 || !strings.Contains(stderr, "password") {
		t.Fatalf("a weak password is bad input: exit %d %s", code, stderr)
	}
	if code, out, stderr := run("a-good-admin-password\n", "add", "--username", "Root", "--role", "admin"); code != 0 || !strings.Contains(out, `"root"`) {
		t.Fatalf("add: exit %d %s %s", code, out, stderr)
	}
	ctx := context.Background()
	open := func() (*care.User, func() int) {
		db := dbFlags{dsn: dsn}
		st, err := db.open(ctx, env{getenv: func(string) string { return "" }, stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		u, err := st.Authenticate(ctx, "root", "a-good-admin-password")
		if err != nil {
			return nil, nil
		}
		s, err := st.NewSession(ctx, u, "api")
		if err != nil {
			t.Fatal(err)
		}
		return u, func() int {
			list, _ := st.UserSessions(ctx, u.ID, s.Token)
			return len(list)
		}
	}
	u, sessions := open()
	if u == nil || sessions() != 1 {
		t.Fatal("the new administrator logs in")
	}
	if code, out, _ := run("", "revoke", "--username", "root"); code != 0 || !strings.Contains(out, "1 sessions") || sessions() != 0 {
		t.Fatalf("revoke: exit %d %q, %d left", code, out, sessions())
	}
	_, sessions = open()
	if code, _, _ := run("", "disable", "--username", "ROOT"); code != 0 || sessions() != 0 {
		t.Fatalf("disable: exit %d, %d sessions left", code, sessions())
	}
	if u, _ := open(); u != nil {
		t.Fatal("a disabled account cannot log in")
	}
	if code, _, _ := run("", "enable", "--username", "root"); code != 0 {
		t.Fatalf("enable: exit %d", code)
	}
	if u, _ := open(); u == nil {
		t.Fatal("enabled again")
	}
	if code, _, _ := run("root\n", "reset-password", "--username", "root"); code != 2 {
		t.Fatalf("a reset to a bad password is bad input: %d", code)
	}
	if code, _, stderr := run("temporary-8812\n", "reset-password", "--username", "root"); code != 0 {
		t.Fatalf("reset-password: exit %d %s", code, stderr)
	}
	db := dbFlags{dsn: dsn}
	st, _ := db.open(ctx, env{getenv: func(string) string { return "" }, stderr: io.Discard})
	defer st.Close()
	if u, err := st.Authenticate(ctx, "root", "temporary-8812"); err != nil || !u.MustChangePassword {
		t.Fatalf("after a reset the temporary password must be changed: %v", err)
	}
	for _, args := range [][]string{{"disable", "--username", "nobody"}, {"revoke"}, {"frobnicate", "--username", "root"}, {}} {
		if code, _, _ := run("", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
