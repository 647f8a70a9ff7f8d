package store_test

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// The full rebuild's read gives the same records, amended, whether it
// reads one part or many side by side; on SQLite in id order.
func TestEachComplianceRecordRanges(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		at := func(day string, h int) time.Time { return storetest.Day(day).Add(time.Duration(h-8) * time.Hour) }
		var ids []int64
		for i := 0; i < 40; i++ {
			r := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: at("2026-11-01", 8).Add(time.Duration(i) * 7 * time.Hour)}
			if i%5 == 0 {
				r.Kind, r.Type, r.AmountCents = "life", "donation", int64(100*i+1)
			}
			if i%3 == 1 { // the committee's, without a volunteer
				r.ElderID, r.ServedBy = f.Elder2.ID, "社区"
				if err := db.AddService(ctx, f.Comm1, r, store.Proof{}); err != nil {
					t.Fatal(err)
				}
			} else {
				storetest.AddMade(t, db, f.Volunteer, r, store.Proof{})
			}
			ids = append(ids, r.ID)
		}
		staff := &care.ServiceRecord{ElderID: f.Elder3.ID, Kind: "life", Type: "shopping", At: at("2026-11-06", 9), ServedBy: "社区"}
		if err := db.AddService(ctx, f.Station, staff, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		for _, am := range []struct {
			id      int64
			changes map[string]any
		}{
			{ids[3], map[string]any{"void": true}},
			{ids[7], map[string]any{"type": "cooking"}},
			{ids[7], map[string]any{"type": "cleaning"}},
			{staff.ID, map[string]any{"at": at("2026-11-07", 10).Format(time.RFC3339)}},
		} {
			if _, err := db.AddAmendment(ctx, f.Station, am.id, "更正", am.changes); err != nil {
				t.Fatal(err)
			}
		}
		read := func() []store.ComplianceRecord {
			maxID, err := db.MaxRecordID(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []store.ComplianceRecord
			err = db.EachComplianceRecord(ctx, f.Street.ID, maxID, func(r *store.ComplianceRecord) error {
				c := *r
				if r.VolunteerID != nil {
					v := *r.VolunteerID
					c.VolunteerID = &v
				}
				out = append(out, c)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if db.IsPostgres() { // month by month, nearly in id order
				slices.SortFunc(out, func(a, b store.ComplianceRecord) int { return cmp.Compare(a.ID, b.ID) })
			}
			return out
		}
		whole := read()
		if len(whole) != 40 { // 41 records, one struck out
			t.Fatalf("%d records", len(whole))
		}
		for i := 1; i < len(whole); i++ {
			if whole[i].ID <= whole[i-1].ID {
				t.Fatalf("not in id order: %d after %d", whole[i].ID, whole[i-1].ID)
			}
		}
		for _, r := range whole {
			switch r.ID {
			case ids[7]:
				if r.Type != "cleaning" {
					t.Errorf("corrected twice: %+v", r)
				}
			case staff.ID:
				if r.VolunteerID != nil || !r.At.Equal(at("2026-11-07", 10)) {
					t.Errorf("staff's record: %+v", r)
				}
			case ids[5]:
				if r.AmountCents != 501 || r.Type != "donation" || r.VolunteerID == nil || *r.VolunteerID != f.Vol1.ID {
					t.Errorf("donation: %+v", r)
				}
			case ids[4]:
				if r.ElderID != f.Elder2.ID || r.VolunteerID != nil {
					t.Errorf("donation: %+v", r)
				}
			}
		}
		for _, span := range []int64{1, 2, 3, 7} {
			restore := store.SetBulkSpan(span)
			got := read()
			restore()
			if !reflect.DeepEqual(got, whole) {
				t.Fatalf("ranges of %d ids:\n%+v\nwant\n%+v", span, got, whole)
			}
		}
		if db.IsPostgres() {
			return // a single month: nothing left to cancel
		}
		// A cancelled read stops with the context's error.
		cctx, cancel := context.WithCancel(ctx)
		restore := store.SetBulkSpan(2)
		defer restore()
		n := 0
		err := db.EachComplianceRecord(cctx, f.Street.ID, whole[len(whole)-1].ID, func(*store.ComplianceRecord) error {
			if n++; n == 5 {
				cancel()
			}
			return nil
		})
		if err == nil || n >= len(whole) {
			t.Fatalf("cancelled read: %v after %d records", err, n)
		}
	})
}
