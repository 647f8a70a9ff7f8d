package store

import (
	"context"
	"database/sql"
	"hash/fnv"
	"sync"
)

// Lead is a role one server of a deployment holds at a time (raising the
// daily alerts, saving the compliance state). On PostgreSQL it is a session
// advisory lock held on a connection of its own: when the server dies or
// its connection breaks, the database releases it and another server takes
// it over at its next try. On SQLite one server runs per file (serve locks
// it), so that server always leads.
type Lead struct {
	db   *DB
	id   int64
	mu   sync.Mutex
	conn *sql.Conn // holding the lock (PostgreSQL)
}

// NewLead names a role; servers naming the same role on the same database
// (and schema) compete for it.
func (db *DB) NewLead(ctx context.Context, role string) (*Lead, error) {
	l := &Lead{db: db}
	if db.dialect != postgres {
		return l, nil
	}
	var schema string
	if err := db.read.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("carecircle/lead/" + schema + "/" + role))
	l.id = int64(h.Sum64() >> 1)
	return l, nil
}

// Try reports whether this server leads now: it checks that a lock it
// holds is still held (its connection alive) or tries to take it.
func (l *Lead) Try(ctx context.Context) bool {
	if l.db.dialect != postgres {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if err := l.conn.PingContext(ctx); err == nil {
			return true
		}
		l.conn.Close() // the session is gone, and the lock with it
		l.conn = nil
	}
	conn, err := l.db.read.Conn(ctx)
	if err != nil {
		return false
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", l.id).Scan(&got); err != nil || !got {
		conn.Close()
		return false
	}
	l.conn = conn
	return true
}

// Release gives the role up (at shutdown), so another server takes it at
// once rather than when this connection is found dead.
func (l *Lead) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", l.id)
		l.conn.Close()
		l.conn = nil
	}
}

// ID is the advisory lock's key (0 on SQLite), for tests and diagnostics.
func (l *Lead) ID() int64 { return l.id }

// lockRecordOrder makes transactions that store service records, on every
// server of a PostgreSQL database, take their record ids and commit one
// after another: ids then become visible in id order, so a reader that has
// seen id N has seen every record below N, and the compliance state's
// watermark can never pass a record committed later. (SQLite has one
// writer, which orders them already.) The lock is held until the
// transaction ends; group commit keeps the cost to one wait per group.
func (db *DB) lockRecordOrder(ctx context.Context, tx *sql.Tx) error {
	if db.dialect != postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('carecircle/records/' || current_schema(), 0))")
	return err
}
