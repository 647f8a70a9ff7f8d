package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/vault"
)

// BenchmarkVerify1M measures `carecircle verify` over 1,000,000 service
// records (2,740 elders with a year of daily greetings) on SQLite. The
// records are written straight into the table with valid chains, because
// going through the writer would make the setup take longer than the walk.
func BenchmarkVerify1M(b *testing.B) {
	ctx := context.Background()
	v, _ := vault.New(make([]byte, 32))
	db, err := Open(ctx, filepath.Join(b.TempDir(), "v.db"), v)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	admin := care.Actor{Role: care.RoleAdmin, Username: "bench"}
	st := care.Street{Name: "基准街道"}
	if err := db.CreateStreet(ctx, admin, &st); err != nil {
		b.Fatal(err)
	}
	station := care.Actor{Role: care.RoleStation, StreetID: st.ID, Username: "bench"}
	c := care.Community{Name: "基准社区"}
	if err := db.SaveCommunity(ctx, station, &c); err != nil {
		b.Fatal(err)
	}
	const elders, perElder = 2740, 365
	start := time.Now()
	var batch []*care.Elder
	base := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < elders; i++ {
		birth := base.AddDate(0, 0, i)
		batch = append(batch, &care.Elder{Name: "老人", Gender: care.Female, BirthDate: birth, IDNumber: care.MakeIDNumber("320102", birth, 1, care.Female),
			CommunityID: c.ID, Building: "1栋", LivingSituation: "alone", SelfCare: "independent"})
	}
	if err := db.CreateElders(ctx, station, batch); err != nil {
		b.Fatal(err)
	}
	day0 := time.Date(2025, 12, 1, 8, 0, 0, 0, db.Loc)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		w := newWtx(tx, db)
		for _, e := range batch {
			prev := ""
			for d := 0; d < perElder; d++ {
				r := &care.ServiceRecord{ElderID: e.ID, Seq: int64(d + 1), Kind: "life", Type: "greeting", At: day0.AddDate(0, 0, d),
					ServedBy: "志愿者", Method: "none", Source: "spot", EnteredBy: "bench", EnteredAt: day0.AddDate(0, 0, d)}
				r.Month = monthOf(r.At)
				r.PrevHash = prev
				r.Hash = db.recordHash(prev, r)
				if err := w.QueryRowContext(ctx, db.q(`INSERT INTO service_records (elder_id, seq, month, kind, type, at, served_by, method,
 verified, source, entered_by, entered_at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`), r.ElderID, r.Seq, r.Month, r.Kind, r.Type,
					stamp(r.At), r.ServedBy, r.Method, false, r.Source, r.EnteredBy, stamp(r.EnteredAt), r.PrevHash, r.Hash).Scan(&r.ID); err != nil {
					return err
				}
				if err := db.sealRecordID(ctx, w, r); err != nil {
					return err
				}
				prev = r.Hash
			}
			if _, err := w.ExecContext(ctx, db.q("UPDATE elders SET chain_len = ?, chain_last = ?, chain_seal = ? WHERE id = ?"),
				perElder, prev, db.chainSeal(perElder, prev), e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote %d records in %v", elders*perElder, time.Since(start))
	for b.Loop() {
		rep, err := db.Verify(ctx)
		if err != nil || len(rep.Problems) != 0 || rep.Records != elders*perElder {
			b.Fatalf("verify: %v %d problems, %d records", err, len(rep.Problems), rep.Records)
		}
	}
}
