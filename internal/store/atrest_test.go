package store_test

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

// permissiveUmask lets the process create files readable by all, so the
// tests show the modes do not depend on the umask.
func permissiveUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", filepath.Base(path), st.Mode().Perm())
	}
}

func TestDatabaseFilesArePrivate(t *testing.T) {
	permissiveUmask(t)
	path := filepath.Join(t.TempDir(), "care.db")
	db := storetest.Open(t, path)
	f := storetest.Seed(t, db)
	if err := db.AddService(context.Background(), f.Volunteer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, p)
	}
	// A database made readable by all (by an older version) is made private.
	db.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	storetest.Open(t, path)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, p)
	}
}

func TestBackupIsPrivateAndWhole(t *testing.T) {
	permissiveUmask(t)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		history(t, db, f)
		dir := t.TempDir()
		out := filepath.Join(dir, "backup.db")
		if err := db.Backup(context.Background(), out); err != nil {
			t.Fatal(err)
		}
		wantMode(t, out)
		left, _ := os.ReadDir(dir)
		if len(left) != 1 {
			t.Fatalf("the backup leaves only itself behind: %v", left)
		}
	})
}

const healthNote = "糖尿病，需定期测血糖"

func TestHealthNotesAndCaseTextsAreEncryptedAtRest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		e, err := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.Notes = healthNote
		if err := db.UpdateElder(ctx, f.Comm1, e, ""); err != nil {
			t.Fatal(err)
		}
		legal := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "legal", Type: "complaint", At: at(db, 8), Note: "楼上漏水，物业不处理"}
		if err := db.AddService(ctx, f.Volunteer, legal, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		cases, err := db.Cases(ctx, f.Comm1, false)
		if err != nil || len(cases) != 1 {
			t.Fatalf("cases: %v %+v", err, cases)
		}
		if err := db.UpdateCase(ctx, f.Comm1, cases[0].ID, "referred", "街道司法所", "已约双方调解"); err != nil {
			t.Fatal(err)
		}

		// Through the store: as written.
		if got, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID); got.Notes != healthNote {
			t.Fatalf("notes through the store: %q", got.Notes)
		}
		c, err := db.GetCase(ctx, f.Comm1, cases[0].ID)
		if err != nil || c.Summary != "楼上漏水，物业不处理" || len(c.Events) != 2 || c.Events[1].Note != "已约双方调解" {
			t.Fatalf("case through the store: %v %+v", err, c)
		}
		// In the rows: sealed, and nowhere in the clear (audit log included).
		var raw string
		for _, q := range []string{"SELECT notes FROM elders WHERE id = ?", "SELECT summary FROM cases WHERE id = ?",
			"SELECT note FROM case_events WHERE case_id = ? ORDER BY id DESC LIMIT 1"} {
			id := f.Elder1.ID
			if !strings.Contains(q, "elders") {
				id = cases[0].ID
			}
			if err := db.ReadRow(q, id).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(raw, vault.TextPrefix) {
				t.Fatalf("%s: stored %q, want it sealed", q, raw)
			}
		}
		var clear int
		if err := db.ReadRow(`SELECT COUNT(*) FROM audit_log WHERE before LIKE ? OR after LIKE ? OR after LIKE ?`,
			"%糖尿病%", "%糖尿病%", "%调解%").Scan(&clear); err != nil || clear != 0 {
			t.Fatalf("%d audit entries hold a note in the clear (%v)", clear, err)
		}
		rep, err := db.Verify(ctx)
		if err != nil || len(rep.Problems) != 0 || rep.Cases != 1 || rep.CaseEvents != 2 || rep.Audit == 0 {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// TestPlainRowsOfAnOlderDatabaseAreSealedOnce writes notes in the clear as
// a version before encryption at rest did, and opens the store again.
func TestPlainRowsOfAnOlderDatabaseAreSealedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		history(t, db, f)
		sos := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "emergency", Type: "emergency_help", At: at(db, 9), Note: "老人摔倒，需要送医"}
		if err := db.AddService(ctx, f.Comm1, sos, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		e3, err := db.GetElder(ctx, f.Station, f.Elder3.ID)
		if err != nil {
			t.Fatal(err)
		}
		e3.Notes = healthNote
		if err := db.UpdateElder(ctx, f.Station, e3, ""); err != nil {
			t.Fatal(err)
		}
		var sealedBefore string
		db.ReadRow("SELECT notes FROM elders WHERE id = ?", f.Elder3.ID).Scan(&sealedBefore)
		for _, s := range []string{
			"UPDATE elders SET notes = '血压平稳' WHERE id = " + itoa(f.Elder1.ID),
			"UPDATE elders SET notes = 'enc1:不是密文' WHERE id = " + itoa(f.Elder2.ID),
			"UPDATE elders SET notes = '" + sealedBefore + "' WHERE id = " + itoa(f.Elder3.ID),
			"UPDATE cases SET summary = '老人摔倒，需要送医', seal = ''",
			"UPDATE case_events SET note = '老人摔倒，需要送医', seal = ''",
			"UPDATE audit_log SET seal = ''",
			"DELETE FROM record_seals", "DELETE FROM chain_heads", "DELETE FROM meta WHERE key = 'sealed_at_rest'",
		} {
			if err := db.RawExec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		for range 2 { // the second run finds the mark and changes nothing
			if err := db.SealAtRest(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var raw string
		db.ReadRow("SELECT notes FROM elders WHERE id = ?", f.Elder1.ID).Scan(&raw)
		if !strings.HasPrefix(raw, vault.TextPrefix) {
			t.Fatalf("a plain note stays plain: %q", raw)
		}
		if db.ReadRow("SELECT notes FROM elders WHERE id = ?", f.Elder3.ID).Scan(&raw); raw != sealedBefore || !strings.HasPrefix(raw, vault.TextPrefix) {
			t.Fatal("a sealed note must not be sealed again")
		}
		for id, want := range map[int64]string{f.Elder1.ID: "血压平稳", f.Elder2.ID: "enc1:不是密文"} {
			if e, err := db.GetElder(ctx, f.Comm1, id); err != nil || e.Notes != want {
				t.Fatalf("elder %d notes %q (%v), want %q", id, e.Notes, err, want)
			}
		}
		db.ReadRow("SELECT summary FROM cases").Scan(&raw)
		if !strings.HasPrefix(raw, vault.TextPrefix) {
			t.Fatalf("a plain case summary stays plain: %q", raw)
		}
		rep, err := db.Verify(ctx)
		if err != nil || len(rep.Problems) != 0 || rep.Records != 6 || rep.Cases != 1 {
			t.Fatalf("the sealed history must verify: %v %+v", err, rep)
		}
	})
}

// TestAFailedRestoreLeavesTheDatabaseEmpty restores a backup whose cases
// table breaks a rule of the schema midway through the copy: the copy is
// one transaction, so the database stays as empty as it was, without the
// PostgreSQL partitions made for it.
func TestAFailedRestoreLeavesTheDatabaseEmpty(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, filepath.Join(t.TempDir(), "src.db"))
	f := storetest.Seed(t, src)
	history(t, src, f)
	legal := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "legal", Type: "complaint", At: at(src, 8), Note: "楼上漏水"}
	if err := src.AddService(ctx, f.Comm1, legal, store.Proof{}); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(t.TempDir(), "backup.db")
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
	storetest.ForEach(t, func(t *testing.T, dst *store.DB) {
		if err := dst.Restore(ctx, bak); err == nil || !strings.Contains(err.Error(), "cases") {
			t.Fatalf("restore of a broken backup: %v", err)
		}
		var n int
		if err := dst.ReadRow(`SELECT (SELECT COUNT(*) FROM streets) + (SELECT COUNT(*) FROM elders) + (SELECT COUNT(*) FROM service_records)
 + (SELECT COUNT(*) FROM audit_log)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the failed restore left %d rows (%v)", n, err)
		}
		if dst.IsPostgres() {
			if err := dst.ReadRow("SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'service_records_2%' AND relnamespace = current_schema()::regnamespace").Scan(&n); err != nil || n != 0 {
				t.Fatalf("the failed restore left %d partitions (%v)", n, err)
			}
		}
	})
}
