package store_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// The reads `carecircle simulate` counts with: every alert with its day
// and time, every message with its delivery, and when the worker next has
// something to do (an accelerated clock jumps there).
func TestSimulationReads(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		if _, ok, err := db.OutboxNextAttempt(ctx); ok || err != nil {
			t.Fatalf("an empty outbox has nothing due: %v %v", ok, err)
		}
		now := db.Now()
		at := now.Add(20 * time.Hour)
		db.Now = func() time.Time { return at }
		if _, err := db.RaiseNotGreetedAlerts(ctx, at.In(db.Loc), "alert_job"); err != nil {
			t.Fatal(err)
		}
		alerts, err := db.AllAlerts(ctx)
		if err != nil || len(alerts) == 0 {
			t.Fatalf("alerts: %v %v", alerts, err)
		}
		for _, a := range alerts {
			if a.Day != at.In(db.Loc).Format(time.DateOnly) || !a.RaisedAt.Equal(at) || a.Kind != "not_greeted" || a.Status != "open" {
				t.Fatalf("alert %+v", a)
			}
		}
		later := at.Add(3 * time.Minute)
		sms := notify.Message{ID: notify.EventID("sim", 1), Kind: notify.KindReminder, Channel: notify.ChannelSMS,
			To: notify.Recipient{Name: "张伟", Phone: "13900000000"}, Text: "x", ElderID: f.Elder1.ID, NotBefore: later}
		if err := db.Enqueue(ctx, sms); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.AllOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range msgs {
			found = found || m.ID == sms.ID && m.Status == notify.StatusPending
		}
		if !found {
			t.Fatalf("the message is listed, pending: %+v", msgs)
		}
		next, ok, err := db.OutboxNextAttempt(ctx)
		if err != nil || !ok || next.After(later) {
			t.Fatalf("next attempt %v %v %v, want by %v", next, ok, err, later)
		}
		db.Now = func() time.Time { return later }
		claimed, err := db.ClaimOutbox(ctx, "w", []notify.Channel{notify.ChannelSMS}, 100, time.Minute)
		if err != nil || len(claimed) == 0 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		// Leased: not due again before the lease ends.
		if next, ok, _ := db.OutboxNextAttempt(ctx); !ok || next.Before(later.Add(time.Minute)) {
			t.Fatalf("a leased message is due when its lease ends: %v %v", next, ok)
		}
		for _, m := range claimed {
			if _, err := db.OutboxDelivered(ctx, "w", m.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok, _ := db.OutboxNextAttempt(ctx); ok {
			t.Fatal("everything delivered: nothing is due")
		}
	})
}
