package demo

import (
	"context"
	"testing"

	"carecircle/internal/rollout"
	"carecircle/internal/store"
	"carecircle/internal/survey"
)

// testRollout: every new page shows something real — the first community
// runs in full, the second waits for the exchange, the third is in its
// pilot with proposals awaiting review and its list not approved; the
// volunteer1 surveyor's proposal waits in the first community.
func testRollout(t *testing.T, db *store.DB) {
	ctx := context.Background()
	station := login(t, db, "station")
	r, err := db.GetRollout(ctx, station)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{rollout.PhaseRegular, rollout.PhaseExchange, rollout.PhasePilot}
	if len(r.Communities) != len(want) {
		t.Fatalf("%d communities", len(r.Communities))
	}
	for i, c := range r.Communities {
		if c.Progress.Phase != want[i] {
			t.Errorf("%s: phase %s, want %s (%v)", c.Name, c.Progress.Phase, want[i], c.Progress.Outstanding)
		}
		if approved := c.Approval != nil && c.Approval.Approved; approved != (i < 2) {
			t.Errorf("%s: approved %v", c.Name, approved)
		}
	}
	if r.Communities[2].Facts.PendingProposals != 3 || r.Communities[0].Facts.PendingProposals != 1 {
		t.Errorf("pending: %d and %d", r.Communities[0].Facts.PendingProposals, r.Communities[2].Facts.PendingProposals)
	}
	if len(r.Supervisions) != 2 || len(r.Meetings) != 1 {
		t.Errorf("%d supervisions, %d meetings", len(r.Supervisions), len(r.Meetings))
	}
	v1 := login(t, db, "volunteer1")
	mine, err := db.Surveys(ctx, v1, store.SurveyFilter{Status: survey.StatusPending})
	if err != nil || len(mine) != 1 {
		t.Fatalf("volunteer1's proposals: %d %v", len(mine), err)
	}
	det, err := db.ElderNeedDetails(ctx, v1, mine[0].ElderID)
	if err != nil || len(det) == 0 {
		t.Errorf("the need details on volunteer1's card: %v %v", det, err)
	}
}
