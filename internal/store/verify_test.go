package store_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// history gives elder1 five records and signs November.
func history(t *testing.T, db *store.DB, f *storetest.Fixture) []*care.ServiceRecord {
	ctx := context.Background()
	var out []*care.ServiceRecord
	for h := 1; h <= 5; h++ {
		r := greeting(f, f.Elder1.ID, at(db, h))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	storetest.MonthEnded(db)
	if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "pass", ""); err != nil {
		t.Fatal(err)
	}
	return out
}

// tamper changes the database the way someone with the database shell
// could: switching the guard triggers off first.
func tamper(t *testing.T, db *store.DB, stmts ...string) {
	t.Helper()
	if db.IsPostgres() {
		stmts = append(append([]string{"ALTER TABLE service_records DISABLE TRIGGER USER", "ALTER TABLE card_signatures DISABLE TRIGGER USER"}, stmts...),
			"ALTER TABLE service_records ENABLE TRIGGER USER", "ALTER TABLE card_signatures ENABLE TRIGGER USER")
	} else {
		stmts = append([]string{"DROP TRIGGER service_records_append_only_u", "DROP TRIGGER service_records_append_only_d",
			"DROP TRIGGER card_signatures_final_u", "DROP TRIGGER card_signatures_final_d", "DROP TRIGGER service_records_month_locked"}, stmts...)
	}
	for _, s := range stmts {
		if err := db.RawExec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestVerifyFindsEveryKindOfTampering(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stmts func(rs []*care.ServiceRecord) []string
		want  string // part of the problem's description
		rec   int    // index of the record named, -1 when none
	}{
		{"content changed", func(rs []*care.ServiceRecord) []string {
			return []string{"UPDATE service_records SET note = '改过' WHERE id = " + itoa(rs[2].ID)}
		}, "content was changed", 2},
		{"record in the middle removed", func(rs []*care.ServiceRecord) []string {
			return []string{"DELETE FROM service_records WHERE id = " + itoa(rs[1].ID)}
		}, "missing", 2},
		{"last record removed", func(rs []*care.ServiceRecord) []string {
			return []string{"DELETE FROM service_records WHERE id = " + itoa(rs[4].ID)}
		}, "sealed end", -1},
		{"last record removed and the head rolled back", func(rs []*care.ServiceRecord) []string {
			return []string{"DELETE FROM service_records WHERE id = " + itoa(rs[4].ID),
				"UPDATE elders SET chain_len = 4, chain_last = '" + rs[3].Hash + "' WHERE id = " + itoa(rs[4].ElderID)}
		}, "sealed end", -1},
		{"signature changed", func(rs []*care.ServiceRecord) []string {
			return []string{"UPDATE card_signatures SET result = 'needs_improvement'"}
		}, "signature was changed", -1},
		{"signature removed", func(rs []*care.ServiceRecord) []string {
			return []string{"DELETE FROM card_signatures"}
		}, "signature was removed", -1},
		{"record slipped into a signed month", func(rs []*care.ServiceRecord) []string {
			return []string{"INSERT INTO service_records (elder_id, seq, month, kind, type, at, method, source, entered_by, entered_at, prev_hash, hash) VALUES (" +
				itoa(rs[0].ElderID) + ", 6, '2026-11', 'life', 'greeting', '2026-11-29T02:00:00.000Z', 'none', 'spot', 'x', '2026-11-29T02:00:00.000Z', '" + rs[4].Hash + "', 'forged')"}
		}, "content was changed", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, db *store.DB) {
				f := storetest.Seed(t, db)
				rs := history(t, db, f)
				ctx := context.Background()
				rep, err := db.Verify(ctx)
				if err != nil || len(rep.Problems) != 0 || rep.Records != 5 || rep.Signatures != 1 {
					t.Fatalf("untouched history must verify: %v %+v", err, rep)
				}
				tamper(t, db, tc.stmts(rs)...)
				rep, err = db.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var found bool
				for _, p := range rep.Problems {
					if strings.Contains(p.What, tc.want) && p.ElderID == f.Elder1.ID && (tc.rec < 0 || p.Record == rs[tc.rec].ID) {
						found = true
					}
				}
				if !found {
					t.Fatalf("want a problem %q naming elder %d, got %v", tc.want, f.Elder1.ID, rep.Problems)
				}
			})
		})
	}
}
