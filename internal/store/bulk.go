package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// The full rebuild of a street's compliance state reads every service
// record (7.3 million in a street of 20,000 elders after a year). It reads
// them in parts, a few parts side by side on connections of their own,
// and hands the parts to the caller in order while the next are read:
//
//   - SQLite: ranges of ids, each walked in the table's own (id) order;
//     the caller applies records in the order they were written.
//   - PostgreSQL: month by month, each month's partition read straight
//     through (no index: ids are not in step with months, so a range of
//     ids would visit every partition's index and heap at random). Within
//     a month the table's order is the order of writing, nearly id order.
//
// The result does not depend on the order: the engine keeps each period's
// records sorted by id, amendments are applied to their original before it
// is handed over, and the first day kept is a minimum.

// bulkPart is one part of the bulk read: the originals with ids in
// [lo, hi], and of that month when month is set.
type bulkPart struct {
	lo, hi int64
	month  string
}

// bulkRecord is a service record as the bulk read returns it: an original
// (amendments are read apart), not yet amended.
type bulkRecord struct {
	ID, ElderID  int64
	VolunteerID  int64
	HasVolunteer bool
	Kind, Type   string
	AtMillis     int64 // Unix milliseconds
	AmountCents  int64
	ByCommittee  bool
}

// stampMillis reads a stored time ("2006-01-02T15:04:05.000Z") as Unix
// milliseconds without building a time.Time; anything else goes to the
// general parser.
func stampMillis(b []byte) int64 {
	if len(b) != 24 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return parseStamp(string(b)).UnixMilli()
	}
	n := func(i, j int) int64 {
		v := int64(0)
		for _, c := range b[i:j] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int64(c-'0')
		}
		return v
	}
	y, m, d := n(0, 4), n(5, 7), n(8, 10)
	hh, mm, ss, ms := n(11, 13), n(14, 16), n(17, 19), n(20, 23)
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 || ms < 0 {
		return parseStamp(string(b)).UnixMilli()
	}
	return ((daysFromCivil(y, m, d)*24+hh)*60+mm)*60000 + ss*1000 + ms
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y ≥ 0 here (years from 1 on)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// bulkReader reads the originals (amends IS NULL: written "+amends IS
// NULL", so that SQLite walks the table by id rather than the amends index
// and a lookup per record) of a part, of the elders keep accepts,
// appending them to out. A reader is used by one goroutine at a time.
type bulkReader interface {
	read(ctx context.Context, part bulkPart, keep func(elder int64) bool, out []bulkRecord) ([]bulkRecord, error)
	close()
}

// bulkSpan is the number of ids one range covers (a variable for tests).
var bulkSpan int64 = 1 << 15

// bulkReaders is how many readers work side by side. On SQLite the
// readers are this process's own goroutines: two keep the caller applying
// without taking every core, and they yield often (bulk_sqlite.go). On
// PostgreSQL each reader is a database process scanning at full speed,
// which no yielding here can slow: two of them beside the applier took
// both cores of a 2-CPU machine from the greetings' transactions (issue
// 11, 20,000 elders: a greeting's p99 during a rebuild 181 ms with two,
// 37 ms with one; the rebuild 4.7 s against 6.6 s).
func (db *DB) bulkReaders() int {
	if db.dialect == postgres {
		return 1
	}
	return max(1, min(2, runtime.GOMAXPROCS(0)))
}

// eachBulk reads the originals with ids up to maxID of the elders keep
// accepts and calls fn with them part by part, in order. fn runs on the
// caller's goroutine; its slice is reused after it returns.
func (db *DB) eachBulk(ctx context.Context, maxID int64, keep func(int64) bool, fn func([]bulkRecord) error) error {
	parts, err := db.bulkParts(ctx, maxID)
	if err != nil || len(parts) == 0 {
		return err
	}
	n := len(parts)
	workers := min(db.bulkReaders(), n)
	ctx, cancel := context.WithCancel(ctx)
	type result struct {
		recs []bulkRecord
		err  error
	}
	// Range i is delivered on results[i]; ahead bounds the ranges read and
	// not yet applied (memory), free recycles their slices.
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	ahead := make(chan struct{}, 2*workers)
	free := make(chan []bulkRecord, 2*workers+1)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r bulkReader
			defer func() {
				if r != nil {
					r.close()
				}
			}()
			for {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				var res result
				if r == nil {
					r, res.err = db.newBulkReader(ctx)
				}
				if res.err == nil {
					var buf []bulkRecord
					select {
					case buf = <-free:
					default:
					}
					res.recs, res.err = r.read(ctx, parts[i], keep, buf[:0])
				}
				results[i] <- res
				if res.err != nil {
					return
				}
			}
		}()
	}
	defer func() {
		cancel() // readers waiting for room stop
		wg.Wait()
	}()
	for i := 0; i < n; i++ {
		var res result
		select {
		case res = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if res.err != nil {
			return res.err
		}
		if err := fn(res.recs); err != nil {
			return err
		}
		select {
		case free <- res.recs:
		default:
		}
		<-ahead
	}
	return nil
}

// bulkParts cuts the records up to maxID into parts: ranges of bulkSpan
// ids on SQLite, months on PostgreSQL.
func (db *DB) bulkParts(ctx context.Context, maxID int64) ([]bulkPart, error) {
	var parts []bulkPart
	if db.dialect == sqlite {
		var lo sql.NullInt64
		if err := db.read.QueryRowContext(ctx, `SELECT MIN(id) FROM service_records`).Scan(&lo); err != nil || !lo.Valid {
			return nil, err
		}
		for from := lo.Int64; from <= maxID; from += bulkSpan {
			parts = append(parts, bulkPart{lo: from, hi: min(maxID, from+bulkSpan-1)})
		}
		return parts, nil
	}
	var first, last sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(month), MAX(month) FROM service_records`).Scan(&first, &last); err != nil || !first.Valid {
		return nil, err
	}
	from, err1 := time.Parse("2006-01", first.String)
	to, err2 := time.Parse("2006-01", last.String)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("store: bulk read: months %q to %q", first.String, last.String)
	}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		parts = append(parts, bulkPart{lo: 0, hi: maxID, month: m.Format("2006-01")})
	}
	return parts, nil
}

// newBulkReader opens a reader for the database: on SQLite a connection
// of its own straight on SQLite's C interface; on PostgreSQL a connection
// of the pool.
func (db *DB) newBulkReader(ctx context.Context) (bulkReader, error) {
	if db.dialect == sqlite {
		return db.newSQLiteBulk(ctx)
	}
	return db.newPostgresBulk(ctx)
}
