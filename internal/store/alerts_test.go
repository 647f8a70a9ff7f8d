package store_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// addElder registers one more elder of the fixture's first community.
func addElder(t *testing.T, db *store.DB, f *storetest.Fixture, name, living string, seq int) care.Elder {
	t.Helper()
	e := storetest.NewElder(name, f.C1.ID, "1945-05-06", care.Male, seq)
	e.LivingSituation = living
	if err := db.CreateElder(context.Background(), f.Comm1, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func names(list []store.UngreetedElder) map[int64]store.UngreetedElder {
	out := map[int64]store.UngreetedElder{}
	for _, u := range list {
		out[u.ElderID] = u
	}
	return out
}

func TestNotGreetedListsEveryActiveElderNotGreeted(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		family := addElder(t, db, f, "孙立新", "with_family", 21)
		paused := addElder(t, db, f, "周美华", "alone", 22)
		paused.Status = "paused"
		if err := db.UpdateElder(ctx, f.Comm1, &paused, "住院"); err != nil {
			t.Fatal(err)
		}
		today := db.Now().In(db.Loc)
		list, err := db.NotGreeted(ctx, f.Comm1, 0, today)
		if err != nil {
			t.Fatal(err)
		}
		got := names(list)
		if len(got) != 3 || got[paused.ID].ElderID != 0 {
			t.Fatalf("active elders of community 1, paused left out: %+v", list)
		}
		if !list[0].Alone || list[len(list)-1].ElderID != family.ID {
			t.Fatalf("elders living alone come first: %+v", list)
		}
		if n := got[f.Elder1.ID].Neighbours; len(n) != 1 || n[0].Name != f.Vol1.Name || n[0].Phone == "" {
			t.Fatalf("the neighbour volunteer and their phone: %+v", n)
		}
		if u := got[f.Elder2.ID]; len(u.Neighbours) != 0 || len(u.Contacts) != 1 {
			t.Fatalf("an elder with no neighbour is listed with the emergency contact: %+v", u)
		}
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now().Add(-time.Hour)}
		if err := db.AddService(ctx, f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		list, _ = db.NotGreeted(ctx, f.Comm1, 0, today)
		if _, still := names(list)[f.Elder1.ID]; still {
			t.Fatal("a greeted elder leaves the list")
		}
		if _, err := db.AddAmendment(ctx, f.Comm1, rec.ID, "误点", map[string]any{"void": true}); err != nil {
			t.Fatal(err)
		}
		list, _ = db.NotGreeted(ctx, f.Comm1, 0, today)
		if _, back := names(list)[f.Elder1.ID]; !back {
			t.Fatal("a struck-out greeting does not count")
		}
		if _, err := db.NotGreeted(ctx, f.Comm1, f.C2.ID, today); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community's list: %v", err)
		}
		if _, err := db.NotGreeted(ctx, f.Volunteer, 0, today); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteers have their own worklist: %v", err)
		}
		all, err := db.NotGreeted(ctx, f.Station, 0, today)
		if err != nil || len(all) != 4 {
			t.Fatalf("the station sees the street: %d %v", len(all), err)
		}
	})
}

func TestAlertsRaisedOncePerElderAndDay(t *testing.T) {
	store.SetAlertBatch(t, 1) // a transaction per elder: the batches add up
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		addElder(t, db, f, "孙立新", "with_family", 21)
		paused := addElder(t, db, f, "周美华", "alone", 22)
		paused.Status = "paused"
		if err := db.UpdateElder(ctx, f.Comm1, &paused, "住院"); err != nil {
			t.Fatal(err)
		}
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now().Add(-time.Hour)}
		if err := db.AddService(ctx, f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		today := db.Now().In(db.Loc)
		n, err := db.RaiseNotGreetedAlerts(ctx, today, "alert_job")
		if err != nil || n != 2 {
			t.Fatalf("alone, active, not greeted: elder 2 and elder 3, got %d %v", n, err)
		}
		if n, _ := db.RaiseNotGreetedAlerts(ctx, today, "alert_job"); n != 0 {
			t.Fatalf("raised again: %d", n)
		}
		if added, err := db.RaiseAlert(ctx, f.Comm1, f.Elder2.ID, today, "demo"); err != nil || added {
			t.Fatalf("one alert per elder and day: %v %v", added, err)
		}
		list, err := db.Alerts(ctx, f.Comm1, store.AlertFilter{Open: true})
		if err != nil || len(list) != 1 || list[0].ElderID != f.Elder2.ID || list[0].Status != "open" || list[0].RaisedBy != "alert_job" {
			t.Fatalf("community 1 sees its own alert: %+v %v", list, err)
		}
		if len(list[0].Contacts) != 1 || list[0].CommunityName != f.C1.Name {
			t.Fatalf("the alert carries the emergency contact: %+v", list[0])
		}
		if _, err := db.Alerts(ctx, f.Volunteer, store.AlertFilter{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer: %v", err)
		}
		id := list[0].ID
		if err := db.AcknowledgeAlert(ctx, f.Comm2, id, ""); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community acknowledging: %v", err)
		}
		if err := db.AcknowledgeAlert(ctx, f.Comm1, id, "正在联系"); err != nil {
			t.Fatal(err)
		}
		if err := db.ResolveAlert(ctx, f.Comm1, id, " "); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("resolving needs a note: %v", err)
		}
		if err := db.ResolveAlert(ctx, f.Comm1, id, "已上门，老人在家，一切安好"); err != nil {
			t.Fatal(err)
		}
		if err := db.ResolveAlert(ctx, f.Comm1, id, "again"); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("resolved is final: %v", err)
		}
		al, events, err := db.GetAlert(ctx, f.Comm1, id)
		if err != nil || al.Status != "resolved" || al.Note != "已上门，老人在家，一切安好" || len(events) != 3 {
			t.Fatalf("history kept: %+v %+v %v", al, events, err)
		}
		if events[1].Status != "acknowledged" || events[1].By != "c1" || events[2].Note == "" {
			t.Fatalf("events: %+v", events)
		}
		log, _ := db.AuditLog(ctx, f.Station, "alert", id, 10)
		if len(log) != 3 || log[0].Action != "resolved" || log[2].Action != "raise" {
			t.Fatalf("every step audited: %+v", log)
		}
		// A greeting after the alert marks it; it stays for staff to close.
		late := &care.ServiceRecord{ElderID: f.Elder3.ID, Kind: "life", Type: "greeting", At: db.Now()}
		if err := db.AddService(ctx, f.Comm2, late, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		list, _ = db.Alerts(ctx, f.Comm2, store.AlertFilter{Open: true})
		if len(list) != 1 || list[0].GreetedAt == nil || list[0].Status != "open" {
			t.Fatalf("a late greeting marks the alert: %+v", list)
		}
	})
}

func TestRaiseAlertNeedsAnActiveElderLivingAlone(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		family := addElder(t, db, f, "孙立新", "with_family", 21)
		today := db.Now().In(db.Loc)
		if _, err := db.RaiseAlert(ctx, f.Comm1, family.ID, today, "demo"); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("not alone: %v", err)
		}
		if added, err := db.RaiseAlert(ctx, f.Comm1, f.Elder2.ID, today, "demo"); err != nil || !added {
			t.Fatalf("raise: %v %v", added, err)
		}
		list, _ := db.Alerts(ctx, f.Station, store.AlertFilter{})
		if len(list) != 1 || list[0].RaisedBy != "demo" {
			t.Fatalf("the station sees it, marked as the demo's: %+v", list)
		}
	})
}
