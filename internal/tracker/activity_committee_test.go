package tracker_test

import (
	"context"
	"fmt"
	"testing"

	"carecircle/internal/activity"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestActivityCountsForTheCommittee (issue 15 points 1 and 4): an elder
// who took part in an activity the community held has the committee's
// monthly visit met once the activity is marked held — its record goes
// through the record path and the tracker follows it.
func TestActivityCountsForTheCommittee(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		tr := start(t, db)
		key := fmt.Sprintf("c%d", s.Elder2.ID)
		visit := func() compliance.Status {
			r, err := tr.PairingReport(ctx, s.Comm1, key, "2026-11")
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range r.Statuses {
				if st.Standard == "committee_monthly_visit" && st.Period.Label == "2026-11" {
					return st
				}
			}
			return compliance.Status{} // not yet judged: nothing counted
		}
		if st := visit(); st.Count != 0 {
			t.Fatalf("before the activity: %+v", st)
		}
		x := &activity.Activity{CommunityID: s.C1.ID, Theme: "包饺子", Date: storetest.Day("2026-11-29"), StartTime: "08:00", EndTime: "09:30"}
		must(t, db.CreateActivity(ctx, s.Comm1, x, nil))
		must(t, db.SetActivityElders(ctx, s.Comm1, x.ID, []int64{s.Elder2.ID}, 0))
		if st := visit(); st.Count != 0 {
			t.Fatalf("an activity not yet held counted: %+v", st)
		}
		must(t, db.FinishActivity(ctx, s.Comm1, x.ID, "老人们包了饺子"))
		if st := visit(); st.Outcome != compliance.Met || st.Count != 1 {
			t.Fatalf("after the activity: %+v", st)
		}
	})
}
