package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/vault"
)

// BenchmarkMonthlyServices measures the dashboards' aggregate on SQLite
// at a large street's size: 20,000 elders in 10 communities with 30
// services each a month (600,000 a month) over six months. The records are
// written straight into the table, chains unchecked, to keep the setup
// short. CARECIRCLE_BENCH_ELDERS changes the number of elders. Measured
// (2 vCPU): a street's month 0.6 s, six months 4.0 s; a community of 2,000
// elders 0.1 s a month; the elders greeted today 0.03 s.
func BenchmarkMonthlyServices(b *testing.B) {
	ctx := context.Background()
	v, _ := vault.New(make([]byte, 32))
	db, err := Open(ctx, filepath.Join(b.TempDir(), "d.db"), v)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	elders := 20_000
	if n, err := strconv.Atoi(os.Getenv("CARECIRCLE_BENCH_ELDERS")); err == nil && n > 0 {
		elders = n
	}
	const communities, perMonth = 10, 30
	months := []string{"2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}
	admin := care.Actor{Role: care.RoleAdmin, Username: "bench"}
	st := care.Street{Name: "基准街道"}
	if err := db.CreateStreet(ctx, admin, &st); err != nil {
		b.Fatal(err)
	}
	station := care.Actor{Role: care.RoleStation, StreetID: st.ID, Username: "bench"}
	var comms []int64
	for i := range communities {
		c := care.Community{Name: "社区" + strconv.Itoa(i)}
		if err := db.SaveCommunity(ctx, station, &c); err != nil {
			b.Fatal(err)
		}
		comms = append(comms, c.ID)
	}
	start := time.Now()
	var batch []*care.Elder
	base := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range elders {
		birth := base.AddDate(0, 0, i%10000)
		batch = append(batch, &care.Elder{Name: "老人", Gender: care.Female, BirthDate: birth, IDNumber: care.MakeIDNumber("320102", birth, 1+i/10000, care.Female),
			CommunityID: comms[i%communities], Building: "1栋", LivingSituation: "alone", SelfCare: "independent"})
	}
	for i := 0; i < len(batch); i += 1000 {
		if err := db.CreateElders(ctx, station, batch[i:min(i+1000, len(batch))]); err != nil {
			b.Fatal(err)
		}
	}
	kinds := []struct{ kind, typ string }{{"life", "greeting"}, {"life", "shopping"}, {"spirit", "chat"}, {"health", "health_inquiry"}, {"festival", "festival_visit"}, {"emergency", "safety_education"}}
	ids := make([]int64, len(batch))
	for i, e := range batch {
		ids[i] = e.ID
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, db.q(`INSERT INTO service_records (elder_id, seq, month, kind, type, at, served_by, method,
 verified, source, entered_by, entered_at, prev_hash, hash) VALUES (?,?,?,?,?,?,'志愿者','none',0,'spot','bench',?,'','')`))
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, id := range ids {
			seq := int64(0)
			for _, m := range months {
				first, _ := time.ParseInLocation("2006-01", m, db.Loc)
				for d := range perMonth {
					seq++
					k := kinds[(int(id)+d)%len(kinds)]
					if d%2 == 0 {
						k = kinds[0] // greetings are most of the records
					}
					at := stamp(first.AddDate(0, 0, d).Add(9 * time.Hour))
					if _, err := ins.ExecContext(ctx, id, seq, m, k.kind, k.typ, at, at); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote %d records in %v", len(ids)*perMonth*len(months), time.Since(start))
	community := care.Actor{Role: care.RoleCommunity, StreetID: st.ID, CommunityID: comms[0], Username: "c"}
	for _, tc := range []struct {
		name   string
		actor  care.Actor
		months []string
	}{
		{"street_6_months", station, months},
		{"street_1_month", station, months[5:]},
		{"community_6_months", community, months},
		{"community_1_month", community, months[5:]},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := db.MonthlyServices(ctx, tc.actor, tc.months)
				if err != nil || len(rows) == 0 {
					b.Fatal(rows, err)
				}
			}
		})
	}
	b.Run("street_greeted_today", func(b *testing.B) {
		day := time.Date(2026, 11, 5, 12, 0, 0, 0, db.Loc)
		for b.Loop() {
			if n, err := db.GreetedOn(ctx, station, day); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
}
