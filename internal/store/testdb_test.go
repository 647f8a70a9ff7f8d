package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carecircle/internal/vault"
)

// eachDB runs a storage test on SQLite always and on PostgreSQL when
// CARECIRCLE_TEST_PG is set; each run gets a fresh database (a temp file or a
// new schema) so packages can run in parallel.
func eachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openTestDB(t, filepath.Join(t.TempDir(), "test.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CARECIRCLE_TEST_PG")
		if dsn == "" {
			t.Skip("CARECIRCLE_TEST_PG is not set")
		}
		fn(t, openTestDB(t, freshSchema(t, dsn)))
	})
}

// freshSchema creates a new schema and returns a DSN that uses it.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

func openTestDB(t *testing.T, dsn string) *DB {
	t.Helper()
	v, err := vault.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), dsn, v)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 0, db.Loc) }
	t.Cleanup(func() { db.Close() })
	return db
}
