package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/hours"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// BenchmarkHoursCredit is a volunteer's greeting stored under each of the
// street's rules: "confirmed" (an unverified greeting earns nothing: the
// credit's INSERT … SELECT selects no row) and "recorded" (it inserts the
// credit). Compare with BenchmarkApplyRecord/write+apply.
func BenchmarkHoursCredit(b *testing.B) {
	for _, rule := range []string{hours.EarnConfirmed, hours.EarnRecorded} {
		b.Run(rule, func(b *testing.B) {
			db := storetest.Open(b, filepath.Join(b.TempDir(), "hours.db"))
			f := storetest.Seed(b, db)
			ctx := context.Background()
			if err := db.SaveHoursPolicy(ctx, f.Station, hours.Policy{Earn: rule}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now()}
				if err := db.AddService(ctx, f.Volunteer, r, store.Proof{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
