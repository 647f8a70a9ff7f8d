package store

import (
	"context"
	"database/sql"
)

// wtx is a write transaction that reuses prepared statements: the service
// record path runs the same few statements for every record, and preparing
// them anew each time (the triggers included) costs more than running them.
// A statement not yet prepared for the database is prepared for this
// transaction and, after it, for the database: on SQLite the transaction
// holds the only writer connection, so preparing on the pool inside it
// would wait forever.
type wtx struct {
	*sql.Tx
	db    *DB
	local map[string]*sql.Stmt
}

func newWtx(tx *sql.Tx, db *DB) *wtx { return &wtx{Tx: tx, db: db, local: map[string]*sql.Stmt{}} }

func (t *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.db.stmts.Load(query); ok {
		return t.Tx.StmtContext(ctx, s.(*sql.Stmt)), nil
	}
	if s, ok := t.local[query]; ok {
		return s, nil
	}
	t.db.wanted.Store(query, true)
	s, err := t.Tx.PrepareContext(ctx, query) // closed with the transaction
	if err != nil {
		return nil, err
	}
	t.local[query] = s
	return s, nil
}

// QueryRowContext runs a cached statement inside the transaction.
func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return s.QueryRowContext(ctx, args...)
}

// ExecContext runs a cached statement inside the transaction.
func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// prepareWanted prepares the statements transactions asked for; it runs
// between transactions.
func (db *DB) prepareWanted(ctx context.Context) {
	db.wanted.Range(func(q, _ any) bool {
		db.wanted.Delete(q)
		if _, ok := db.stmts.Load(q); ok {
			return true
		}
		if s, err := db.write.PrepareContext(ctx, q.(string)); err == nil {
			db.stmts.Store(q, s)
		}
		return true
	})
}

// readRow runs a hot read query (one that every API call or page makes,
// such as the session lookup) through a prepared statement of the read
// pool: on SQLite parsing such a query costs more than running it.
// PostgreSQL's driver caches its statements itself.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.dialect != sqlite {
		return db.read.QueryRowContext(ctx, query, args...)
	}
	s, err := db.readStmt(ctx, query)
	if err != nil {
		return db.read.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return s.QueryRowContext(ctx, args...)
}

func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := db.reads.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.reads.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// hotReads is the read pool with its queries prepared once (readRow), for
// helpers that take a querier.
type hotReads struct{ db *DB }

func (h hotReads) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return h.db.readRow(ctx, query, args...)
}
