package tracker_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestRequestRecordCountsForNoCircle (issue 16 point 1): a service recorded
// by a volunteer dispatched from outside the elder's circle, under a request
// they accepted, changes no pairing's standing — no pairing of theirs covers
// the elder — and a rebuild from the stored records agrees.
func TestRequestRecordCountsForNoCircle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		tr := start(t, db)
		// The neighbour is paired with elder 1 only.
		rq := &store.Request{ElderID: s.Elder2.ID, Kind: "life", Type: "shopping", Urgency: "soon", Channel: "phone",
			WantedBy: db.Now().Add(3 * time.Hour)}
		must(t, db.CreateRequest(ctx, s.Comm1, rq))
		must(t, db.Dispatch(ctx, s.Comm1, rq.ID, s.nb.VolunteerID))
		must(t, db.AcceptRequest(ctx, s.nb, rq.ID))
		before, err := tr.Cells(ctx, s.Street.ID)
		must(t, err)
		rec := &care.ServiceRecord{ElderID: s.Elder2.ID, Kind: "life", Type: "greeting", At: db.Now().Add(-time.Hour)}
		must(t, db.AddService(ctx, s.nb, rec, store.Proof{}))
		must(t, db.DoneRequest(ctx, s.nb, rq.ID, rec.ID))
		after, err := tr.Cells(ctx, s.Street.ID)
		must(t, err)
		if diff := diffRows(before, after); diff != "" {
			t.Fatalf("a request's record changed a circle's standing: %s", diff)
		}
		if _, _, err := tr.RebuildStreet(ctx, s.Street.ID); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := tr.Cells(ctx, s.Street.ID)
		must(t, err)
		if diff := diffRows(after, rebuilt); diff != "" {
			t.Fatalf("a rebuild differs: %s", diff)
		}
	})
}
