package store

import "database/sql"

// ReadRow lets the external tests look at raw stored values (is the ID
// number really encrypted? is the hash argon2id?).
func (db *DB) ReadRow(query string, args ...any) *sql.Row {
	return db.read.QueryRow(db.q(query), args...)
}
