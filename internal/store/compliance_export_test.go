package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"carecircle/internal/care"
)

// BenchStreet is a large street written straight into the tables for the
// compliance benchmarks: going through the record writer would make the
// setup take far longer than what is measured.
type BenchStreet struct {
	Street      care.Street
	Communities []int64
	Station     care.Actor
	// Neighbour is the volunteer actor of the first elder's neighbour.
	Neighbour  care.Actor
	FirstElder int64
}

// FillBenchStreet registers communities × perCommunity elders living
// alone, a neighbour volunteer for every three of them, paired a year ago,
// and a greeting for every elder on each of the days before now and, for
// nine elders in ten, this morning. Chains and hashes are left out: the
// benchmarks do not verify.
func FillBenchStreet(ctx context.Context, db *DB, communities, perCommunity, days int) (*BenchStreet, error) {
	admin := care.Actor{Role: care.RoleAdmin, Username: "bench"}
	bs := &BenchStreet{Street: care.Street{Name: "基准街道"}}
	if err := db.CreateStreet(ctx, admin, &bs.Street); err != nil {
		return nil, err
	}
	bs.Station = care.Actor{Role: care.RoleStation, StreetID: bs.Street.ID, Username: "bench"}
	now := db.Now().In(db.Loc)
	first := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, db.Loc).AddDate(0, 0, -days+1)
	for m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, db.Loc); !m.After(now); m = m.AddDate(0, 1, 0) {
		if err := db.ensurePartition(ctx, monthOf(m)); err != nil {
			return nil, err
		}
	}
	for c := 0; c < communities; c++ {
		comm := care.Community{Name: fmt.Sprintf("基准社区%02d", c+1)}
		if err := db.SaveCommunity(ctx, bs.Station, &comm); err != nil {
			return nil, err
		}
		bs.Communities = append(bs.Communities, comm.ID)
		if err := db.fillBenchCommunity(ctx, bs, comm.ID, c, perCommunity, first, days); err != nil {
			return nil, err
		}
	}
	if db.dialect == postgres {
		// What autovacuum does a while after a bulk load: without
		// statistics the planner takes the new tables for empty.
		if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
			return nil, err
		}
	}
	return bs, nil
}

func (db *DB) fillBenchCommunity(ctx context.Context, bs *BenchStreet, community int64, c, n int, first time.Time, days int) (err error) {
	base := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	var elders []*care.Elder
	for i := 0; i < n; i++ {
		k := c*n + i
		birth := base.AddDate(0, 0, k%9000)
		elders = append(elders, &care.Elder{Name: fmt.Sprintf("老人%d", k), Gender: care.Female, BirthDate: birth,
			IDNumber: care.MakeIDNumber("320102", birth, k/9000+1, care.Female), CommunityID: community, Building: "1栋",
			LivingSituation: "alone", SelfCare: "independent"})
	}
	station := bs.Station
	if err := db.CreateElders(ctx, station, elders); err != nil {
		return err
	}
	// PostgreSQL takes the year of greetings by COPY, after the elders and
	// pairings are committed: row by row it takes an hour.
	var copies []benchCopy
	defer func() {
		if err == nil && len(copies) > 0 {
			err = db.copyGreetings(ctx, copies, first)
		}
	}()
	return db.tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		started := dateString(first)
		var vol int64
		for i, e := range elders {
			if i%3 == 0 {
				if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO volunteers (community_id, name, phone, kind, capacity, created_at, updated_at)
 VALUES (?,?,?,?,?,?,?) RETURNING id`), community, fmt.Sprintf("志愿者%d-%d", c, i), fmt.Sprintf("137%08d", c*100000+i), "neighbour", 3, now, now).Scan(&vol); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO pairings (elder_id, volunteer_id, responsible, started_on, created_at) VALUES (?,?,?,?,?)`),
				e.ID, vol, true, started, now); err != nil {
				return err
			}
			if bs.FirstElder == 0 {
				bs.FirstElder = e.ID
				bs.Neighbour = care.Actor{Role: care.RoleVolunteer, StreetID: bs.Street.ID, CommunityID: community, VolunteerID: vol, Username: "bench"}
			}
			written := days
			if i%10 == 0 {
				written-- // one elder in ten is not greeted yet today
			}
			if db.dialect == postgres {
				copies = append(copies, benchCopy{e.ID, vol, written})
			} else if err := db.benchGreetings(ctx, tx, e.ID, vol, first, written); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE elders SET chain_len = ? WHERE id = ?`), written, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

type benchCopy struct {
	elder, vol int64
	days       int
}

// copyGreetings writes benchGreetings' rows with COPY.
func (db *DB) copyGreetings(ctx context.Context, copies []benchCopy, first time.Time) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	cols := []string{"elder_id", "seq", "month", "kind", "type", "at", "volunteer_id", "served_by", "method", "verified",
		"source", "entered_by", "entered_at", "prev_hash", "hash"}
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		i, d := 0, 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			for i < len(copies) && d >= copies[i].days {
				i, d = i+1, 0
			}
			if i == len(copies) {
				return nil, nil
			}
			c := copies[i]
			at := first.AddDate(0, 0, d).Add(8*time.Hour + time.Duration((c.elder*7+int64(d))%120)*time.Minute)
			d++
			return []any{c.elder, d, monthOf(at), "life", "greeting", stamp(at), c.vol, "志愿者", "none", false, "spot", "bench", stamp(at), "", ""}, nil
		})
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"service_records"}, cols, src)
		return err
	})
}

// benchGreetings writes one greeting a day, 8:00–9:59, with multi-row
// inserts.
func (db *DB) benchGreetings(ctx context.Context, tx *sql.Tx, elder, vol int64, first time.Time, days int) error {
	const per = 120
	for d0 := 0; d0 < days; d0 += per {
		n := min(per, days-d0)
		var b strings.Builder
		b.WriteString(`INSERT INTO service_records (elder_id, seq, month, kind, type, at, volunteer_id, served_by, method, verified,
 source, entered_by, entered_at, prev_hash, hash) VALUES `)
		args := make([]any, 0, n*15)
		for d := d0; d < d0+n; d++ {
			if d > d0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			at := first.AddDate(0, 0, d).Add(8*time.Hour + time.Duration((elder*7+int64(d))%120)*time.Minute)
			args = append(args, elder, d+1, monthOf(at), "life", "greeting", stamp(at), vol, "志愿者", "none", false, "spot", "bench", stamp(at), "", "")
		}
		if _, err := tx.ExecContext(ctx, db.q(b.String()), args...); err != nil {
			return err
		}
	}
	return nil
}
