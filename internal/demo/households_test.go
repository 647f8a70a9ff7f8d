package demo

import (
	"context"
	"testing"

	"carecircle/internal/store"
)

// testHouseholds: the demo has one current household of two, both members
// served by the same volunteer (paired as a unit).
func testHouseholds(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := login(t, db, "community1")
	hs, err := db.Households(ctx, a, 0, false)
	if err != nil || len(hs) != 1 {
		t.Fatalf("households = %+v, %v", hs, err)
	}
	ms := hs[0].CurrentMembers()
	if len(ms) != 2 {
		t.Fatalf("members = %+v", ms)
	}
	shared := map[int64]int{}
	for _, m := range ms {
		team, err := db.ElderTeam(ctx, a, m.ElderID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range team {
			if tm.EndedOn == nil {
				shared[tm.VolunteerID]++
			}
		}
	}
	both := false
	for _, n := range shared {
		both = both || n == 2
	}
	if !both {
		t.Fatalf("no volunteer serves both members: %v", shared)
	}
	// One visit recorded for the whole household: a record on each
	// member's card, sharing one household visit.
	visits := map[string]int{}
	for _, m := range ms {
		month := db.Now().In(db.Loc).Format("2006-01")
		c, err := db.GetCard(ctx, a, m.ElderID, month)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Entries {
			if e.HouseholdVisitID != "" {
				visits[e.HouseholdVisitID]++
			}
		}
	}
	if len(visits) != 1 {
		t.Fatalf("household visits = %v", visits)
	}
	for _, n := range visits {
		if n != 2 {
			t.Fatalf("household visit on %d cards, want 2", n)
		}
	}
}
