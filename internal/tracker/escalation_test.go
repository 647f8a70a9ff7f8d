package tracker_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestGreetingStopsTheChainWithoutWaitingForTheTick: on a running server
// the alert loop takes the chain's steps (RaiseDueAlerts at start), and a
// greeting wakes it so the elder's chain stops — those told are told —
// well before the next 10-second tick.
func TestGreetingStopsTheChainWithoutWaitingForTheTick(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		now := time.Date(2026, 11, 29, 20, 30, 0, 0, db.Loc)
		db.Now = func() time.Time { return now }
		if _, err := db.RaiseNotGreetedAlerts(ctx, now, "alert_job"); err != nil {
			t.Fatal(err)
		}
		startWith(t, db, nil)
		// Let the start's first raise pass (it finds them raised).
		time.Sleep(200 * time.Millisecond)
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: now.Add(-time.Minute)}
		if err := db.AddService(ctx, f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(8 * time.Second) // the tick is every 10 s
		list, err := db.Alerts(ctx, f.Comm1, store.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		for _, a := range list {
			if a.ElderID == f.Elder1.ID {
				id = a.ID
			}
		}
		for {
			al, _, err := db.GetAlert(ctx, f.Comm1, id)
			if err != nil {
				t.Fatal(err)
			}
			stopped := 0
			for _, m := range al.Escalation {
				if m.Step == notify.StepStopped {
					stopped++
				}
			}
			if stopped == 2 && al.EscalationStopped == "greeted" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the greeting did not stop the chain before the tick: %d stopped messages", stopped)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
