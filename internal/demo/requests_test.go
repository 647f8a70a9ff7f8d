package demo

import (
	"context"
	"testing"

	"carecircle/internal/store"
)

// testRequests: the demo has open, dispatched, accepted and answered
// requests, the answered ones done with a real record of the same elder,
// and overdue ones in two communities.
func testRequests(t *testing.T, db *store.DB) {
	ctx := context.Background()
	station := login(t, db, "station")
	rs, err := db.Requests(ctx, station, store.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	overdue := map[int64]bool{}
	for _, r := range rs {
		statuses[r.Status]++
		if r.Overdue != "" {
			overdue[r.CommunityID] = true
		}
		if r.Status == "done" {
			rec, err := db.GetRecord(ctx, station, r.ServiceID)
			if err != nil || rec.ElderID != r.ElderID || rec.VolunteerID == nil || *rec.VolunteerID != r.AssigneeID {
				t.Fatalf("request %d done with record %d: %+v, %v", r.ID, r.ServiceID, rec, err)
			}
		}
	}
	for _, s := range []string{"open", "dispatched", "accepted", "done"} {
		if statuses[s] == 0 {
			t.Errorf("no %s request: %v", s, statuses)
		}
	}
	if len(overdue) < 2 {
		t.Errorf("overdue requests in %d communities", len(overdue))
	}
	// The volunteer1 login has something on the phone.
	v := login(t, db, "volunteer1")
	mine, err := db.Requests(ctx, v, store.RequestFilter{Status: "active"})
	if err != nil || len(mine) == 0 {
		t.Errorf("volunteer1's requests: %d, %v", len(mine), err)
	}
}
