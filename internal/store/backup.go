package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Backup writes a consistent copy of the whole database to path as a SQLite
// file while the server keeps running. From SQLite it is VACUUM INTO (an
// online snapshot); from PostgreSQL the tables are copied into a new SQLite
// file with the same schema, so one backup format serves both and a
// PostgreSQL street can be restored anywhere. The data key is not in the
// backup: keep it beside it, or the ID numbers cannot be read back.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	if db.dialect == sqlite {
		_, err := db.write.ExecContext(ctx, "VACUUM INTO ?", path)
		return err
	}
	dst, err := Open(ctx, path, db.vault)
	if err != nil {
		return err
	}
	defer dst.Close()
	return copyTables(ctx, db, dst)
}

// Restore copies a backup made by Backup into this database, which must be
// empty (a fresh schema). The backup must have been made with the same data
// key; Open refuses it otherwise.
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
	src, err := Open(ctx, path, db.vault)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer src.Close()
	return copyTables(ctx, src, db)
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
	if dst.dialect == postgres {
		if err := dst.partitionsFor(ctx, src); err != nil {
			return err
		}
	} else if _, err := dst.write.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	defer dst.write.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	err = dst.tx(ctx, func(tx *sql.Tx) error {
		if dst.dialect == postgres {
			if _, err := tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return fmt.Errorf("suspending triggers needs a PostgreSQL superuser: %w", err)
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

// partitionsFor creates on PostgreSQL the monthly partitions the backup's
// service records need.
func (dst *DB) partitionsFor(ctx context.Context, src *DB) error {
	rows, err := src.read.QueryContext(ctx, "SELECT DISTINCT month FROM service_records")
	if err != nil {
		return err
	}
	var months []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return err
		}
		months = append(months, m)
	}
	rows.Close()
	for _, m := range months {
		if err := dst.ensurePartition(ctx, m); err != nil {
			return err
		}
	}
	return rows.Err()
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
