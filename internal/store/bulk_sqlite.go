package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteBulk reads service records for a rebuild on a read-only connection
// of its own, straight on SQLite's C interface (the transpiled library the
// driver wraps). Through database/sql every column of every row costs the
// driver a type query and a value call, each taking the connection's
// mutex, and a Go string per text column: three quarters of a rebuild's
// reading. Here the connection is opened without a mutex (one goroutine
// uses it), integers come as integers, and the text columns are read in
// place: kind and type interned, the time parsed from its bytes.
//
// The connection lives for one rebuild. It takes no memory map: the
// records are read once, and the map would only be dropped by the next
// write anyway.
type sqliteBulk struct {
	tls   *libc.TLS
	db    uintptr
	stmt  uintptr
	names map[string]string
}

const sqliteBulkQuery = `SELECT id, elder_id, volunteer_id, kind, type, at, amount_cents, by_committee FROM service_records
 WHERE id >= ? AND id <= ? AND +amends IS NULL ORDER BY id`

func (db *DB) newSQLiteBulk(ctx context.Context) (_ bulkReader, err error) {
	var path string
	if err := db.read.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		return nil, err
	}
	if path == "" {
		return nil, errors.New("store: the SQLite database has no file")
	}
	b := &sqliteBulk{tls: libc.NewTLS(), names: map[string]string{}}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	cpath, err := libc.CString(path)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(b.tls, cpath)
	out := libc.Xmalloc(b.tls, types.Size_t(unsafe.Sizeof(uintptr(0))))
	if out == 0 {
		return nil, errors.New("store: out of memory")
	}
	defer libc.Xfree(b.tls, out)
	*cptr(out) = 0
	rc := sqlite3.Xsqlite3_open_v2(b.tls, cpath, out, sqlite3.SQLITE_OPEN_READONLY|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	b.db = *cptr(out)
	if rc != sqlite3.SQLITE_OK {
		return nil, b.err("open", rc)
	}
	sqlite3.Xsqlite3_busy_timeout(b.tls, b.db, 10000)
	for _, pragma := range []string{"PRAGMA cache_size = -32768", "PRAGMA query_only = 1"} {
		if err := b.exec(pragma); err != nil {
			return nil, err
		}
	}
	q, err := libc.CString(sqliteBulkQuery)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(b.tls, q)
	*cptr(out) = 0
	rc = sqlite3.Xsqlite3_prepare_v2(b.tls, b.db, q, -1, out, 0)
	b.stmt = *cptr(out)
	if rc != sqlite3.SQLITE_OK {
		return nil, b.err("prepare", rc)
	}
	return b, nil
}

// cptr views C memory (libc's heap, outside Go's) holding a pointer.
func cptr(p uintptr) *uintptr { return (*uintptr)(unsafe.Add(unsafe.Pointer(nil), p)) }

// cbytes views n bytes of C memory; valid until the next step.
func cbytes(p uintptr, n int32) []byte {
	if p == 0 || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), p)), n)
}

func (b *sqliteBulk) exec(sql string) error {
	q, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(b.tls, q)
	if rc := sqlite3.Xsqlite3_exec(b.tls, b.db, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return b.err(sql, rc)
	}
	return nil
}

func (b *sqliteBulk) err(what string, rc int32) error {
	msg := ""
	if b.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(b.tls, b.db))
	}
	return fmt.Errorf("store: bulk read: %s: %s (%d)", what, msg, rc)
}

func (b *sqliteBulk) intern(p []byte) string {
	if s, ok := b.names[string(p)]; ok {
		return s
	}
	s := string(p)
	b.names[s] = s
	return s
}

func (b *sqliteBulk) read(ctx context.Context, part bulkPart, keep func(int64) bool, out []bulkRecord) ([]bulkRecord, error) {
	tls, st := b.tls, b.stmt
	defer sqlite3.Xsqlite3_reset(tls, st)
	if rc := sqlite3.Xsqlite3_bind_int64(tls, st, 1, part.lo); rc != sqlite3.SQLITE_OK {
		return out, b.err("bind", rc)
	}
	if rc := sqlite3.Xsqlite3_bind_int64(tls, st, 2, part.hi); rc != sqlite3.SQLITE_OK {
		return out, b.err("bind", rc)
	}
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			// A rebuild reads on every core; yielding every thousand rows
			// (well under a millisecond) lets a greeting's goroutines,
			// woken behind it, run now rather than at the scheduler's next
			// 10 ms preemption (issue 11: p99 of a greeting during a
			// rebuild).
			runtime.Gosched()
		}
		switch rc := sqlite3.Xsqlite3_step(tls, st); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			return out, nil
		default:
			return out, b.err("step", rc)
		}
		elder := sqlite3.Xsqlite3_column_int64(tls, st, 1)
		if !keep(elder) {
			continue
		}
		r := bulkRecord{ID: sqlite3.Xsqlite3_column_int64(tls, st, 0), ElderID: elder,
			AmountCents: sqlite3.Xsqlite3_column_int64(tls, st, 6), ByCommittee: sqlite3.Xsqlite3_column_int64(tls, st, 7) != 0}
		if sqlite3.Xsqlite3_column_type(tls, st, 2) != sqlite3.SQLITE_NULL {
			r.VolunteerID, r.HasVolunteer = sqlite3.Xsqlite3_column_int64(tls, st, 2), true
		}
		r.Kind = b.intern(b.text(3))
		r.Type = b.intern(b.text(4))
		r.AtMillis = stampMillis(b.text(5))
		out = append(out, r)
	}
}

// text returns column i of the current row in place (text_ before bytes,
// as SQLite asks).
func (b *sqliteBulk) text(i int32) []byte {
	p := sqlite3.Xsqlite3_column_text(b.tls, b.stmt, i)
	return cbytes(p, sqlite3.Xsqlite3_column_bytes(b.tls, b.stmt, i))
}

func (b *sqliteBulk) close() {
	if b.stmt != 0 {
		sqlite3.Xsqlite3_finalize(b.tls, b.stmt)
		b.stmt = 0
	}
	if b.db != 0 {
		sqlite3.Xsqlite3_close_v2(b.tls, b.db)
		b.db = 0
	}
	if b.tls != nil {
		b.tls.Close()
		b.tls = nil
	}
}
