package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/vault"
)

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// TestExportsReportsAndBackupsArePrivate: whatever the umask, the files the
// commands write from personal data are readable by their owner only.
func TestExportsReportsAndBackupsArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	r := newRegisterEnv(t)
	out := filepath.Join(r.dir, "elders.xlsx")
	if code, _, stderr := r.run(cmdExport, "elders", "--db", r.dsn, "--out", out); code != 0 {
		t.Fatalf("export: exit %d %s", code, stderr)
	}
	rep := filepath.Join(r.dir, "report.csv")
	if code, _, stderr := r.run(cmdReport, "--db", r.dsn, "--period", "2026-11", "--unit", r.f.Street.Name, "--out", rep); code != 0 {
		t.Fatalf("report: exit %d %s", code, stderr)
	}
	bak := filepath.Join(r.dir, "backup.db")
	if code, _, stderr := r.run(cmdBackup, "--db", r.dsn, "--out", bak); code != 0 {
		t.Fatalf("backup: exit %d %s", code, stderr)
	}
	for _, p := range []string{out, rep, bak, r.dsn} {
		if m := modeOf(t, p); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
		}
	}
}

// TestAMissingKeyIsAnErrorNeverANewKey: with the key file gone, no command
// makes a new key for a database that holds data, and verify and restore
// make none at all; only a new database gets a new key.
func TestAMissingKeyIsAnErrorNeverANewKey(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "cc.db")
	db := storetest.Open(t, dsn) // sealed with the zero key, which is in no file
	storetest.Seed(t, db)
	db.Close()
	keyPath := dsn + ".key"
	for _, tc := range []struct {
		name string
		cmd  func(context.Context, env, []string) int
		args []string
	}{
		{"verify", cmdVerify, nil},
		{"migrate", cmdMigrate, nil},
		{"demo", cmdDemo, nil},
		{"backup", cmdBackup, []string{"--out", filepath.Join(dir, "b.db")}},
		{"user add", cmdUser, []string{"add", "--username", "root", "--role", "admin"}},
	} {
		stdin := ""
		if tc.name == "user add" {
			stdin = "a-good-admin-password\n"
		}
		code, _, stderr := runCmd(tc.cmd, stdin, append(tc.args, "--db", dsn)...)
		if code != 1 || !strings.Contains(stderr, keyPath) {
			t.Errorf("%s: exit %d %q, want 1 naming %s", tc.name, code, stderr, keyPath)
		}
		if _, err := os.Stat(keyPath); err == nil {
			t.Fatalf("%s made a new key", tc.name)
		}
	}
	// restore never makes a key, even for a new database.
	fresh := filepath.Join(dir, "new.db")
	if code, _, stderr := runCmd(cmdRestore, "", "--db", fresh, "--from", dsn); code != 1 || !strings.Contains(stderr, fresh+".key") {
		t.Fatalf("restore without a key: exit %d %s", code, stderr)
	}
	if left, _ := filepath.Glob(fresh + "*"); len(left) != 0 {
		t.Fatalf("a refused restore leaves %v", left)
	}
	// A new, empty database may get its key.
	if code, _, stderr := runCmd(cmdMigrate, "", "--db", fresh); code != 0 || !strings.Contains(stderr, "created a new data key") {
		t.Fatalf("migrate of a new database: exit %d %s", code, stderr)
	}
	if modeOf(t, fresh+".key") != 0o600 || modeOf(t, fresh) != 0o600 {
		t.Fatal("the new key and database are private")
	}
}

// TestAFailedRestoreLeavesNothing restores a backup whose cases table breaks
// a rule of the schema midway through the copy.
func TestAFailedRestoreLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := storetest.Open(t, filepath.Join(dir, "src.db"))
	f := storetest.Seed(t, src)
	legal := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "legal", Type: "complaint", At: src.Now().Add(-3600e9), Note: "楼上漏水"}
	if err := src.AddService(ctx, f.Comm1, legal, store.Proof{}); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "backup.db")
	if err := src.Backup(ctx, bak); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", bak)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	for _, s := range []string{"PRAGMA ignore_check_constraints = ON", "UPDATE cases SET kind = 'bogus'"} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	before, _ := os.ReadDir(dir)
	v, _ := vault.New(make([]byte, 32))
	target := filepath.Join(dir, "restored.db")
	if err := store.Restore(ctx, target, v, bak); err == nil || !strings.Contains(err.Error(), "cases") {
		t.Fatalf("restore of a broken backup: %v", err)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Fatalf("a failed restore left files: before %v, after %v", before, after)
	}
}

// TestVerifyNamesTheAuditLog: an audit entry removed with the sqlite3 shell
// is reported in the style of the records' problems.
func TestVerifyNamesTheAuditLog(t *testing.T) {
	r := newRegisterEnv(t)
	if code, out, stderr := r.run(cmdVerify, "--db", r.dsn); code != 0 || !strings.Contains(out, "history intact") {
		t.Fatalf("verify: exit %d %s%s", code, out, stderr)
	}
	raw, err := sql.Open("sqlite", r.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)"); err != nil {
		t.Fatal(err)
	}
	code, out, _ := r.run(cmdVerify, "--db", r.dsn)
	if code != 1 || !strings.Contains(out, "TAMPERED: audit log, entry ") || !strings.Contains(out, "an entry before it was removed") {
		t.Fatalf("verify after a removed audit entry: exit %d\n%s", code, out)
	}
}
