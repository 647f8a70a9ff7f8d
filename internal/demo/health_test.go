package demo

import (
	"context"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// testHealth: every elder in service of the clinic1 login's clinic has a
// health record and check-ups over the last year, blood pressure within its
// bounds; the clinic's home has call-outs to show.
func testHealth(t *testing.T, db *store.DB) {
	ctx := context.Background()
	clinic := login(t, db, "clinic1")
	elders, _, err := db.ListElders(ctx, clinic, store.ElderFilter{Status: "active", Limit: 500})
	if err != nil || len(elders) == 0 {
		t.Fatalf("the clinic's elders: %d %v", len(elders), err)
	}
	today := db.Today()
	conditions := 0
	for _, e := range elders {
		rec, err := db.HealthRecord(ctx, clinic, e.ID)
		if err != nil || rec.UpdatedBy != "clinic1" {
			t.Fatalf("elder %d has no health record: %+v %v", e.ID, rec, err)
		}
		conditions += len(rec.Conditions)
		ms, err := db.Measurements(ctx, clinic, e.ID, today.AddDate(-1, 0, 0), today)
		if err != nil || len(ms) < 4 {
			t.Fatalf("elder %d: %d check-ups in a year (%v)", e.ID, len(ms), err)
		}
		if first := ms[0].TakenOn; first.After(today.AddDate(0, -8, 0)) {
			t.Errorf("elder %d: check-ups start only on %s, not a year back", e.ID, first.Format("2006-01-02"))
		}
	}
	if conditions == 0 {
		t.Fatal("no elder of the clinic has a condition")
	}
	cs, err := db.ClinicCallouts(ctx, clinic, today.AddDate(-1, 0, 0), 200)
	if err != nil || len(cs) == 0 {
		t.Fatalf("no call-outs in the demo: %v", err)
	}
	if _, err := db.HealthRecord(ctx, login(t, db, "volunteer1"), elders[0].ID); care.ErrorCode(err) != care.EForbidden {
		t.Fatalf("volunteer1 reads a health record: %v", err)
	}
}
