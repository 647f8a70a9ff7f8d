package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestBackupRestoreRoundTrip backs up a street with service history and a
// signed month, restores it into an empty database of each kind, and finds
// the same people and an intact, verifiable history.
func TestBackupRestoreRoundTrip(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, src *store.DB) {
		f := storetest.Seed(t, src)
		history(t, src, f)
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "backup.db")
		if err := src.Backup(ctx, path); err != nil {
			t.Fatal(err)
		}
		if err := src.Backup(ctx, path); err == nil {
			t.Fatal("a backup must not overwrite an existing file")
		}
		storetest.ForEach(t, func(t *testing.T, dst *store.DB) {
			if err := dst.Restore(ctx, path); err != nil {
				t.Fatal(err)
			}
			if err := dst.Restore(ctx, path); err == nil {
				t.Fatal("restoring into a database that holds data must be refused")
			}
			if n := countElders(t, dst, f.Station); n != 3 {
				t.Fatalf("restored %d elders, want 3", n)
			}
			rep, err := dst.Verify(ctx)
			if err != nil || rep.Records != 5 || rep.Signatures != 1 || len(rep.Problems) != 0 {
				t.Fatalf("restored history: %v %+v", err, rep)
			}
			plain, err := dst.RevealElderID(ctx, f.Comm1, f.Elder1.ID)
			if err != nil || plain != f.Elder1.IDNumber {
				t.Fatalf("ID numbers after restore: %q %v", plain, err)
			}
			// New writes continue the sequences after the restored rows.
			r := greeting(f, f.Elder2.ID, at(dst, 9))
			if err := dst.AddService(ctx, f.Comm1, r, store.Proof{}); err != nil {
				t.Fatal(err)
			}
		})
	})
}
