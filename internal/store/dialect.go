package store

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"carecircle/internal/care"
)

// dialect holds every difference between the two databases in one place.
type dialect struct {
	name string
	// numbered placeholders ($1) instead of ?
	numbered bool
	// forUpdate locks a selected row for the transaction; SQLite has one
	// writer, so it needs none.
	forUpdate string
	// skipLocked makes a claim pass over rows another server's claim has
	// locked (the outbox); SQLite has one writer, so it needs none.
	skipLocked string
	// lateRecord is true for a record r stored more than care.LateAfter
	// (two hours) after its time: entered late (补录).
	lateRecord string
}

var (
	sqlite   = dialect{name: "sqlite", lateRecord: "(julianday(r.entered_at) - julianday(r.at)) * 86400 > 7200"}
	postgres = dialect{name: "postgres", numbered: true, forUpdate: " FOR UPDATE", skipLocked: " FOR UPDATE SKIP LOCKED",
		lateRecord: "(r.entered_at::timestamptz - r.at::timestamptz) > interval '2 hours'"}
)

// q rewrites ? placeholders for the dialect. Queries in this package never
// contain a literal question mark.
func (db *DB) q(query string) string {
	if !db.dialect.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// normalize maps driver errors to domain errors once, at the edge:
// a unique violation becomes a conflict, everything else stays internal.
func normalize(err error) error {
	if err == nil {
		return nil
	}
	var ce *care.Error
	if errors.As(err, &ce) {
		return err
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &care.Error{Code: care.EConflict, Message: "记录已存在 / already exists"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &care.Error{Code: care.EInvalid, Message: "引用的记录不存在 / a referenced record does not exist"}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &care.Error{Code: care.EConflict, Message: "记录已存在 / already exists"}
		case "23503":
			return &care.Error{Code: care.EInvalid, Message: "引用的记录不存在 / a referenced record does not exist"}
		}
	}
	return err
}
