package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5/stdlib"
)

// postgresBulk reads service records for a rebuild on a connection of the
// pool, below database/sql and pgx's row decoding: the integers come in
// binary, the text columns as bytes, read in place. A part is a month: its
// partition is read straight through, in the table's order.
type postgresBulk struct {
	conn  *sql.Conn
	names map[string]string
	yield func(context.Context) // DB.YieldToRecords
}

const postgresBulkQuery = `SELECT id, elder_id, volunteer_id, kind, type, at, amount_cents, by_committee FROM service_records
 WHERE month = $1 AND id >= $2 AND id <= $3 AND amends IS NULL`

func (db *DB) newPostgresBulk(ctx context.Context) (bulkReader, error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &postgresBulk{conn: conn, names: map[string]string{}, yield: db.YieldToRecords}, nil
}

func (b *postgresBulk) intern(p []byte) string {
	if s, ok := b.names[string(p)]; ok {
		return s
	}
	s := string(p)
	b.names[s] = s
	return s
}

var errBulkColumn = errors.New("store: bulk read: unexpected column")

func (b *postgresBulk) read(ctx context.Context, part bulkPart, keep func(int64) bool, out []bulkRecord) ([]bulkRecord, error) {
	err := b.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn().PgConn()
		// A cursor fetched in batches, not one query streamed: the
		// database scans only when asked, so the read can stand aside
		// while records are written (YieldToRecords). A streamed scan ran
		// on in the database process, taking a core from the greetings
		// (issue 11: a greeting's p99 during a rebuild on 2 CPUs).
		if err := pc.Exec(ctx, "BEGIN READ ONLY").Close(); err != nil {
			return err
		}
		defer func() {
			// Deferred as a whole: Exec sends its statement when called.
			_ = pc.Exec(context.WithoutCancel(ctx), "ROLLBACK").Close()
		}()
		params := [][]byte{[]byte(part.month), strconv.AppendInt(nil, part.lo, 10), strconv.AppendInt(nil, part.hi, 10)}
		if _, err := pc.ExecParams(ctx, postgresBulkCursor, params, nil, nil, nil).Close(); err != nil {
			return err
		}
		int8 := func(v []byte) (int64, error) {
			if len(v) != 8 {
				return 0, errBulkColumn
			}
			return int64(binary.BigEndian.Uint64(v)), nil
		}
		for {
			b.yield(ctx)
			// Every column in binary: text's binary form is its bytes.
			rr := pc.ExecParams(ctx, postgresBulkFetch, nil, nil, nil, []int16{1})
			rows := 0
			for rr.NextRow() {
				rows++
				v := rr.Values()
				if len(v) != 8 || len(v[7]) != 1 {
					rr.Close()
					return errBulkColumn
				}
				elder, err := int8(v[1])
				if err != nil {
					rr.Close()
					return err
				}
				if !keep(elder) {
					continue
				}
				r := bulkRecord{ElderID: elder, ByCommittee: v[7][0] != 0}
				if r.ID, err = int8(v[0]); err == nil && v[2] != nil {
					r.VolunteerID, err = int8(v[2])
					r.HasVolunteer = true
				}
				if err == nil {
					r.AmountCents, err = int8(v[6])
				}
				if err != nil {
					rr.Close()
					return err
				}
				r.Kind, r.Type, r.AtMillis = b.intern(v[3]), b.intern(v[4]), stampMillis(v[5])
				out = append(out, r)
			}
			if _, err := rr.Close(); err != nil {
				return err
			}
			if rows < postgresBulkBatch {
				return nil
			}
		}
	})
	return out, err
}

// postgresBulkBatch is how many rows one fetch returns (a few ms of
// scanning).
const postgresBulkBatch = 4096

var (
	postgresBulkCursor = "DECLARE bulk NO SCROLL CURSOR FOR " + postgresBulkQuery
	postgresBulkFetch  = "FETCH " + strconv.Itoa(postgresBulkBatch) + " FROM bulk"
)

func (b *postgresBulk) close() { b.conn.Close() }
