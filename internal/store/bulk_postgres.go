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
}

const postgresBulkQuery = `SELECT id, elder_id, volunteer_id, kind, type, at, amount_cents FROM service_records
 WHERE month = $1 AND id >= $2 AND id <= $3 AND amends IS NULL`

func (db *DB) newPostgresBulk(ctx context.Context) (bulkReader, error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &postgresBulk{conn: conn, names: map[string]string{}}, nil
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
		params := [][]byte{[]byte(part.month), strconv.AppendInt(nil, part.lo, 10), strconv.AppendInt(nil, part.hi, 10)}
		const bin, txt = 1, 0 // result formats: binary, text
		rr := pc.ExecParams(ctx, postgresBulkQuery, params, nil, nil, []int16{bin, bin, bin, txt, txt, txt, bin})
		int8 := func(v []byte) (int64, error) {
			if len(v) != 8 {
				return 0, errBulkColumn
			}
			return int64(binary.BigEndian.Uint64(v)), nil
		}
		for rr.NextRow() {
			v := rr.Values()
			if len(v) != 7 {
				return errBulkColumn
			}
			elder, err := int8(v[1])
			if err != nil {
				return err
			}
			if !keep(elder) {
				continue
			}
			r := bulkRecord{ElderID: elder}
			if r.ID, err = int8(v[0]); err != nil {
				return err
			}
			if v[2] != nil {
				if r.VolunteerID, err = int8(v[2]); err != nil {
					return err
				}
				r.HasVolunteer = true
			}
			if r.AmountCents, err = int8(v[6]); err != nil {
				return err
			}
			r.Kind, r.Type, r.AtMillis = b.intern(v[3]), b.intern(v[4]), stampMillis(v[5])
			out = append(out, r)
		}
		_, err := rr.Close()
		return err
	})
	return out, err
}

func (b *postgresBulk) close() { b.conn.Close() }
