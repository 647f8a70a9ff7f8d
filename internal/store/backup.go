package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"carecircle/internal/vault"
)

// Backup writes a consistent copy of the whole database to path as a SQLite
// file while the server keeps running. From SQLite it is VACUUM INTO (an
// online snapshot); from PostgreSQL the tables are copied into a new SQLite
// file with the same schema, so one backup format serves both and a
// PostgreSQL street can be restored anywhere. The data key is not in the
// backup: keep it beside it, or the ID numbers cannot be read back. The
// file is readable by its owner only (0600) and appears whole or not at
// all: it is written beside path and moved into place when complete.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	tmp, err := privateTemp(path, ".backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := db.backupTo(ctx, tmp); err != nil {
		removeSQLite(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		removeSQLite(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	removeSQLite(tmp) // the emptied -wal and -shm a closed copy may leave
	return nil
}

func (db *DB) backupTo(ctx context.Context, tmp string) error {
	if db.dialect == sqlite {
		// VACUUM INTO accepts an empty file, which keeps privateTemp's mode.
		if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
			return err
		}
		return db.foldAttachments(ctx, tmp)
	}
	dst, err := Open(ctx, tmp, db.vault)
	if err != nil {
		return err
	}
	if err := copyTables(ctx, db, dst); err != nil {
		dst.Close()
		return err
	}
	return dst.closeWhole(ctx)
}

// privateTemp creates an empty file readable by its owner only beside path.
func privateTemp(path, pattern string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+pattern)
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// removeSQLite removes a SQLite file with its WAL and shared-memory files.
func removeSQLite(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

// closeWhole checkpoints a SQLite database into its main file and closes
// it, so that the file alone holds everything before it is moved (an empty
// -wal and the -shm may stay behind: the read-only connections, closed
// last, do not remove them).
func (db *DB) closeWhole(ctx context.Context) error {
	if db.dialect == sqlite {
		if _, err := db.write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			db.Close()
			return err
		}
	}
	return db.Close()
}

// Restore copies the backup at from into the database dsn, which must be
// empty or, for SQLite, not exist yet. Nothing is left behind by a restore
// that fails: a new SQLite file is made beside dsn and moved into place
// only when complete, and the copy into an existing database is one
// transaction. The backup itself is not changed (it is read from a private
// copy, which opening upgrades).
func Restore(ctx context.Context, dsn string, v *vault.Vault, from string) error {
	if IsPostgres(dsn) {
		return restoreInto(ctx, dsn, v, from)
	}
	if _, err := os.Stat(dsn); err == nil {
		return restoreInto(ctx, dsn, v, from)
	}
	tmp, err := privateTemp(dsn, ".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	err = restoreInto(ctx, tmp, v, from)
	if err == nil {
		err = os.Rename(tmp, dsn)
	}
	removeSQLite(tmp) // all of it after a failure, else the emptied -wal and -shm
	return err
}

func restoreInto(ctx context.Context, dsn string, v *vault.Vault, from string) error {
	dst, err := Open(ctx, dsn, v)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := dst.Restore(ctx, from); err != nil {
		dst.Close()
		return err
	}
	return dst.closeWhole(ctx)
}

// Restore copies a backup made by Backup into this database, which must be
// empty (a fresh schema), in one transaction: a copy that fails leaves the
// database as empty as it was. The backup must have been made with the
// same data key; Open refuses it otherwise.
func (db *DB) Restore(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM streets").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("restore: the target database is not empty; restore into a new database")
	}
	copyPath, err := privateTemp(path, ".reading-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer removeSQLite(copyPath)
	if err := copyFile(path, copyPath); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	src, err := Open(ctx, copyPath, db.vault)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer src.Close()
	if err := copyTables(ctx, src, db); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// copyFile copies a closed file's bytes into dst (which exists, private).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// skipTables are not copied: the schema's own bookkeeping, and sessions
// and import jobs (uploaded files of the last 30 minutes), which should not
// outlive a restore.
var skipTables = []string{"meta", "goose_db_version", "sqlite_sequence", "sessions", "import_jobs"}

func (db *DB) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.dialect == postgres {
		q = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = current_schema() ORDER BY c.relname`
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if !slices.Contains(skipTables, t) {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// columns returns a table's columns and which of them are boolean (stored
// as integers on SQLite).
func (db *DB) columns(ctx context.Context, table string) ([]string, map[string]bool, error) {
	q, args := `SELECT name, type FROM pragma_table_info(?)`, []any{table}
	if db.dialect == postgres {
		q = `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cols []string
	bools := map[string]bool{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, nil, err
		}
		cols = append(cols, name)
		bools[name] = strings.EqualFold(typ, "boolean")
	}
	return cols, bools, rows.Err()
}

// copyTables copies every table of src into the empty dst in one
// transaction, with foreign keys and the append-only triggers suspended for
// the copy (the rows were checked when they were first written).
func copyTables(ctx context.Context, src, dst *DB) error {
	tables, err := src.tables(ctx)
	if err != nil {
		return err
	}
	if dst.dialect == sqlite {
		if _, err := dst.write.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		defer dst.write.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	}
	var months []string
	err = dst.tx(ctx, func(tx *sql.Tx) error {
		if dst.dialect == postgres {
			if _, err := tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return fmt.Errorf("suspending triggers needs a PostgreSQL superuser: %w", err)
			}
			// In the transaction, so a failed copy leaves no partitions.
			if months, err = dst.partitionsFor(ctx, tx, src); err != nil {
				return err
			}
		}
		// Signatures lock months: copy them after the records they cover.
		slices.SortStableFunc(tables, func(a, b string) int {
			return boolInt(a == "card_signatures") - boolInt(b == "card_signatures")
		})
		for _, t := range tables {
			if err := copyTable(ctx, src, dst, tx, t); err != nil {
				return fmt.Errorf("table %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range months {
		dst.partitions.Store(m, true)
	}
	return dst.resetSequences(ctx, tables)
}

func copyTable(ctx context.Context, src, dst *DB, tx *sql.Tx, table string) error {
	scols, _, err := src.columns(ctx, table)
	if err != nil {
		return err
	}
	dcols, dbools, err := dst.columns(ctx, table)
	if err != nil {
		return err
	}
	var cols []string
	for _, c := range scols {
		if slices.Contains(dcols, c) {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	order := ""
	if slices.Contains(cols, "id") {
		order = " ORDER BY id"
	}
	rows, err := src.read.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	ins, err := tx.PrepareContext(ctx, dst.q("INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",")+")"))
	if err != nil {
		return err
	}
	defer ins.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			if n, ok := vals[i].(int64); ok && dbools[c] {
				vals[i] = n != 0
			}
		}
		if _, err := ins.ExecContext(ctx, vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// partitionsFor creates on PostgreSQL, inside the copy's transaction, the
// monthly partitions the backup's service records need.
func (dst *DB) partitionsFor(ctx context.Context, tx *sql.Tx, src *DB) ([]string, error) {
	rows, err := src.read.QueryContext(ctx, "SELECT DISTINCT month FROM service_records")
	if err != nil {
		return nil, err
	}
	var months []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return nil, err
		}
		months = append(months, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, m := range months {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			return nil, err
		}
		name := "service_records_" + strings.ReplaceAll(m, "-", "_")
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF service_records FOR VALUES FROM ('%s') TO ('%s')`,
			name, m, t.AddDate(0, 1, 0).Format("2006-01"))); err != nil {
			return nil, fmt.Errorf("store: partition %s: %w", m, err)
		}
	}
	return months, nil
}

// resetSequences moves PostgreSQL's id sequences past the restored rows.
func (db *DB) resetSequences(ctx context.Context, tables []string) error {
	if db.dialect != postgres {
		return nil
	}
	for _, t := range tables {
		seq := "pg_get_serial_sequence('" + t + "', 'id')"
		if t == "service_records" {
			seq = "'service_records_id_seq'"
		}
		var has sql.NullString
		if err := db.read.QueryRowContext(ctx, "SELECT "+seq).Scan(&has); err != nil || !has.Valid {
			continue // no id sequence
		}
		if _, err := db.write.ExecContext(ctx, "SELECT setval("+seq+", COALESCE((SELECT MAX(id) FROM "+t+"), 0) + 1, false)"); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
