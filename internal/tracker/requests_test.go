package tracker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestOverdueRequestsEscalateWithTheChains: the serve loop's escalation
// pass tells the community's staff of a request nobody accepted within two
// hours, once however often it runs.
func TestOverdueRequestsEscalateWithTheChains(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		r := &store.Request{ElderID: f.Elder1.ID, Kind: "life", Type: "shopping", Urgency: "urgent", Channel: "phone",
			WantedBy: db.Now().Add(4 * time.Hour)}
		if err := db.CreateRequest(ctx, f.Comm1, r); err != nil {
			t.Fatal(err)
		}
		later := db.Now().Add(2*time.Hour + 5*time.Minute)
		db.Now = func() time.Time { return later }
		tr := startWith(t, db, nil)
		for range 2 {
			if _, err := tr.AdvanceEscalations(ctx); err != nil {
				t.Fatal(err)
			}
		}
		inbox, _, err := db.Inbox(ctx, f.Comm1, 20)
		if err != nil {
			t.Fatal(err)
		}
		told := 0
		for _, m := range inbox {
			if strings.Contains(m.Text, "求助超时") {
				told++
			}
		}
		if told != 1 {
			t.Fatalf("the staff were told %d times: %+v", told, inbox)
		}
	})
}
