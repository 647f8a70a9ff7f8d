package tracker_test

import (
	"context"
	"fmt"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

// TestCommitteeInEveryCircle (issue 15 point 4): an elder with no committee
// member paired still has the community committee in the circle, so its
// monthly visit is checked; a volunteer's greeting is not the committee's,
// a visit the committee organised is; a health record cannot be marked so;
// and a rebuild from the stored records (the bulk reader) agrees.
func TestCommitteeInEveryCircle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		tr := start(t, db)
		key := fmt.Sprintf("c%d", s.Elder2.ID)
		report := func() *tracker.PairingReport {
			r, err := tr.PairingReport(ctx, s.Comm1, key, "2026-11")
			if err != nil {
				t.Fatalf("elder 2's committee: %v", err)
			}
			return r
		}
		if r := report(); r.Role != "committee" || r.VolunteerID != nil || !r.Committee() {
			t.Fatalf("the committee's place in the circle: %+v", r.PairingInfo)
		}
		record(t, db, s.Volunteer, care.ServiceRecord{ElderID: s.Elder2.ID, Kind: "life", Type: "greeting", At: day(db, 3, 9)})
		if st := status(t, report(), "committee_monthly_visit", "2026-11"); st.Count != 0 {
			t.Fatalf("a volunteer's own greeting counted for the committee: %+v", st)
		}
		record(t, db, s.Volunteer, care.ServiceRecord{ElderID: s.Elder2.ID, Kind: "spirit", Type: "chat", At: day(db, 10, 15), ByCommittee: true})
		if st := status(t, report(), "committee_monthly_visit", "2026-11"); st.Outcome != compliance.Met || st.Count != 1 {
			t.Fatalf("the visit the committee organised: %+v", st)
		}
		bad := &care.ServiceRecord{ElderID: s.Elder2.ID, Kind: "health", Type: "health_inquiry", At: day(db, 11, 10), ByCommittee: true}
		err := db.AddService(ctx, s.Comm1, bad, store.Proof{})
		if fe := (care.FieldErrors{}); !fe.Merge(err) || fe["by_committee"].ZH == "" {
			t.Fatalf("a health record marked as the committee's visit: %v", err)
		}
		before, err := tr.Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tr.RebuildStreet(ctx, s.Street.ID); err != nil {
			t.Fatal(err)
		}
		after, err := tr.Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRows(before, after); diff != "" {
			t.Fatalf("a rebuild differs: %s", diff)
		}
		if st := status(t, report(), "committee_monthly_visit", "2026-11"); st.Count != 1 {
			t.Fatalf("after a rebuild: %+v", st)
		}
	})
}
