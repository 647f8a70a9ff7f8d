// Package store keeps CareCircle's data in SQLite (embedded, the default) or
// PostgreSQL (for large deployments) through database/sql. Every query takes
// the care.Actor asking and limits its answer to what that role may see.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"carecircle/internal/care"
	"carecircle/internal/vault"
)

//go:embed migrations
var migrations embed.FS

// DB is the store. It is safe for concurrent use.
type DB struct {
	// read serves queries; write is the only path for changes. On SQLite
	// write holds a single connection so writers queue in Go instead of
	// failing with SQLITE_BUSY.
	read, write *sql.DB
	dialect     dialect
	vault       *vault.Vault
	// Now is the clock; tests set it to exercise day and month boundaries.
	Now func() time.Time
	// Loc is the programme's time zone (Asia/Shanghai unless configured).
	Loc *time.Location
	// GeoRadius is how close (metres) a phone must be to an elder's home for
	// a visit to count as verified by position.
	GeoRadius int
	// LateEntry is how far back a volunteer may log a service
	// (serve --late-entry-hours); staff enter older ones from the paper card.
	LateEntry time.Duration
	// AlertHour is the hour of the not-greeted alert (serve --alert-hour):
	// a street's evening reminder to the neighbours must come before it.
	AlertHour int

	writes     chan *writeReq
	recording  atomic.Int64 // records queued or being written (YieldToRecords)
	closed     chan struct{}
	writerDone chan struct{}
	partitions sync.Map // months whose PostgreSQL partition exists
	closeOnce  sync.Once
	stmts      sync.Map               // prepared statements of the write path, by query
	attachDir  atomic.Pointer[string] // attachments.go: the content folder, once known
	reads      sync.Map               // prepared statements of hot reads on SQLite, by query
	wanted     sync.Map               // queries to prepare after the current transaction
	listenMu   sync.Mutex
	listeners  []func([]*care.ServiceRecord)

	// HashParams are the argon2id parameters for new password hashes; tests
	// lower them, production keeps the library's recommended defaults.
	HashParams *argon2id.Params
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database named by dsn (a SQLite file path or a
// postgres:// URL) and brings its schema up to date.
func Open(ctx context.Context, dsn string, v *vault.Vault) (*DB, error) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, err
	}
	db := &DB{vault: v, Now: time.Now, Loc: loc, HashParams: argon2id.DefaultParams, GeoRadius: GeoRadiusDefault, LateEntry: care.DefaultLateEntry, AlertHour: 20,
		writes: make(chan *writeReq, 1024), closed: make(chan struct{}), writerDone: make(chan struct{})}
	go db.writeLoop()
	if IsPostgres(dsn) {
		db.dialect = postgres
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(20)
		db.read, db.write = pool, pool
	} else {
		db.dialect = sqlite
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
		if db.read, db.write, err = openSQLite(dsn); err != nil {
			return nil, err
		}
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.checkKey(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.sealAtRest(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: encrypt and seal the data written before: %w", err)
	}
	if db.dialect == sqlite {
		// The WAL and shared-memory files exist now; SQLite gives them the
		// database file's mode, made private above, but an older database
		// may have been created readable by all.
		if err := privateFiles(dsn); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// createPrivate creates a missing SQLite file readable by its owner only
// (mode 0600, whatever the umask): it holds names, phones, addresses and
// health notes. SQLite creates the -wal and -shm files with the same mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil { // in case the umask took bits away from the owner
		f.Close()
		return err
	}
	return f.Close()
}

// privateFiles makes the database file and its -wal and -shm files private
// to their owner when they are readable by others.
func privateFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("store: make %s private to its owner: %w", p, err)
			}
		}
	}
	return nil
}

// openSQLite opens a read pool and a one-connection write pool on the same
// file. busy_timeout comes first so the other pragmas wait instead of
// failing; synchronous=FULL makes an acknowledged write survive a crash.
func openSQLite(path string) (read, write *sql.DB, err error) {
	q := url.Values{}
	// A larger page cache keeps list pages of a large street off the read
	// syscalls.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)",
		"cache_size(-32768)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	base := "file:" + path + "?" + q.Encode()
	// The writer reads through a memory map. Readers do not: SQLite drops
	// a reader's whole map whenever another connection has written, so
	// under a stream of records every read (the session of each request)
	// paid an munmap and its page faults again (issue 10's profile); a
	// long list reads about 10 % slower without it.
	write, err = sql.Open("sqlite", base+"&_pragma=mmap_size(268435456)&_txlock=immediate")
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err = sql.Open("sqlite", base+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	// Keep every read connection open: opening one costs the pragmas and
	// parsing the whole schema again, more than most queries (issue 10).
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	return read, write, nil
}

// Close stops the record writer (records already queued are answered) and
// releases the connections.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.closed)
		select {
		case <-db.writerDone:
		case <-time.After(30 * time.Second):
		}
		db.stmts.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
		db.reads.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	})
	err := db.write.Close()
	if db.read != db.write {
		if err2 := db.read.Close(); err == nil {
			err = err2
		}
	}
	return err
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect.name)
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	if db.dialect == postgres {
		gd = goose.DialectPostgres
	}
	// Out-of-order lets features developed side by side add their numbered
	// migrations in any order of landing.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if db.dialect == postgres {
		// Servers starting together on one database migrate one at a time:
		// a session advisory lock, keyed by the schema so that databases in
		// other schemas (tests) do not wait for each other.
		var schema string
		if err := db.write.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("carecircle/migrate/" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 600))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.write, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// checkKey records the data key's fingerprint on first use and refuses a
// different key later: data sealed with one key cannot be read with another.
func (db *DB) checkKey(ctx context.Context) error {
	var fp string
	err := db.write.QueryRowContext(ctx, db.q(`SELECT value FROM meta WHERE key = ?`), "key_fingerprint").Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = db.write.ExecContext(ctx, db.q(`INSERT INTO meta (key, value) VALUES (?, ?)`), "key_fingerprint", db.vault.Fingerprint)
		return err
	}
	if err != nil {
		return err
	}
	if fp != db.vault.Fingerprint {
		return fmt.Errorf("store: this database was encrypted with another key (fingerprint %s, given %s); start with the right key file or CARECIRCLE_KEY", fp, db.vault.Fingerprint)
	}
	return nil
}

// tx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return normalize(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return normalize(err)
	}
	return normalize(tx.Commit())
}

// now returns the current time in UTC text form as stored.
func (db *DB) now() string { return stamp(db.Now()) }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func parseStamp(s string) time.Time {
	t, _ := time.Parse("2006-01-02T15:04:05.000Z", s)
	return t
}

// today is the programme's calendar day now.
func (db *DB) today() time.Time {
	n := db.Now().In(db.Loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Today is the programme's calendar day now, as a UTC-midnight date.
func (db *DB) Today() time.Time { return db.today() }

// KeyFingerprint returns the fingerprint of the data key a database was
// sealed with, or "" when it holds none yet (a missing or empty SQLite file,
// or no schema). It creates nothing and changes nothing, so a command can
// decide whether a new key may be made before it opens the database.
func KeyFingerprint(ctx context.Context, dsn string) (string, error) {
	driver, source, exists := "pgx", dsn, `SELECT to_regclass('meta') IS NOT NULL`
	if !IsPostgres(dsn) {
		st, err := os.Stat(dsn)
		if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		driver, source = "sqlite", "file:"+dsn+"?mode=ro&_pragma=busy_timeout(10000)"
		exists = `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`
	}
	conn, err := sql.Open(driver, source)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var has bool
	if err := conn.QueryRowContext(ctx, exists).Scan(&has); err != nil {
		return "", fmt.Errorf("store: read %s: %w", filepath.Base(dsn), err)
	}
	if !has {
		return "", nil
	}
	var fp string
	err = conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_fingerprint'`).Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return fp, err
}

// queryIDs runs a query of one integer column and returns its values,
// the rows closed, so the caller may write in the same transaction.
func queryIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
