package store

import (
	"context"
	"database/sql"
)

// ReadRow lets the external tests look at raw stored values (is the ID
// number really encrypted? is the hash argon2id?).
func (db *DB) ReadRow(query string, args ...any) *sql.Row {
	return db.read.QueryRow(db.q(query), args...)
}

// RawExec changes the database behind the application's back, as someone
// with the sqlite3 shell or psql could; the tamper tests use it.
func (db *DB) RawExec(query string, args ...any) error {
	_, err := db.write.Exec(db.q(query), args...)
	return err
}

// IsPostgres tells the tamper tests which way to switch triggers off.
func (db *DB) IsPostgres() bool { return db.dialect == postgres }

// SealAtRest runs the one-time conversion of data written before
// encryption at rest (it runs at Open); the tests run it again after
// removing its mark.
func (db *DB) SealAtRest(ctx context.Context) error { return db.sealAtRest(ctx) }

// SetAlertBatch changes how many elders a transaction of a raise looks at
// until the test ends.
func SetAlertBatch(t interface{ Cleanup(func()) }, n int) {
	old := alertBatch
	alertBatch = n
	t.Cleanup(func() { alertBatch = old })
}
