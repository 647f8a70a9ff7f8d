package demo

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/hours"
	"carecircle/internal/store"
)

// testHours: the demo's ledgers are its service history — volunteer1's
// credits each name one of their own records, a timed record earns its
// length, and the balance is the opening hours plus the credits minus the
// two hours given in the time bank.
func testHours(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := login(t, db, "volunteer1")
	v, err := db.GetVolunteer(ctx, a, a.VolunteerID)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := db.VolunteerHours(ctx, a, a.VolunteerID, 500)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Opening != int(v.HoursTenths*6) || acc.DonatedOut != 120 || acc.Earned <= 0 ||
		acc.Balance != acc.Opening+acc.Earned-acc.DonatedOut+acc.DonatedIn {
		t.Fatalf("volunteer1's account: %+v (typed %d tenths)", acc, v.HoursTenths)
	}
	credited := 0
	for _, e := range acc.Entries {
		if e.Source != hours.SourceService {
			continue
		}
		r, err := db.GetRecord(ctx, a, e.RecordID)
		if err != nil || r.VolunteerID == nil || *r.VolunteerID != a.VolunteerID {
			t.Fatalf("credit %+v names record %v (%v)", e, r, err)
		}
		if r.EndAt != nil && e.AmendmentID == 0 && e.Minutes != int(r.EndAt.Sub(r.At).Round(time.Minute)/time.Minute) {
			t.Errorf("record %d lasted %v and earned %d minutes", r.ID, r.EndAt.Sub(r.At), e.Minutes)
		}
		credited++
	}
	if credited == 0 {
		t.Fatal("volunteer1's services credited nothing")
	}
}
