package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestDoubleTapStoresOneRecord: ten submissions of one attempt at once (a
// double tap, a retry racing the first answer) store one record; every
// caller gets that record, and all but one are told it is a replay.
func TestDoubleTapStoresOneRecord(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		at := store.Attempt{Key: "tap-1", Fingerprint: "greeting/1"}
		var wg sync.WaitGroup
		ids := make([]int64, 10)
		replays := make([]bool, 10)
		errs := make([]error, 10)
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := greeting(f, f.Elder1.ID, at9(db))
				replays[i], errs[i] = db.AddServiceOnce(ctx, f.Volunteer, r, store.Proof{}, at)
				ids[i] = r.ID
			}()
		}
		wg.Wait()
		n := 0
		for i := range 10 {
			if errs[i] != nil || ids[i] != ids[0] || ids[0] == 0 {
				t.Fatalf("submission %d: id %d (first %d), %v", i, ids[i], ids[0], errs[i])
			}
			if !replays[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d submissions were told they stored the record, want 1", n)
		}
		card, err := db.GetCard(ctx, f.Station, f.Elder1.ID, "2026-11")
		if err != nil || len(card.Entries) != 1 {
			t.Fatalf("card: %v, %d entries, want 1", err, len(card.Entries))
		}
		// A refused attempt stores its key nowhere: corrected, it is stored.
		bad := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: at9(db), Source: "paper"}
		if _, err := db.AddServiceOnce(ctx, f.Volunteer, bad, store.Proof{}, store.Attempt{Key: "tap-2", Fingerprint: "a"}); code(err) != care.EInvalid {
			t.Fatalf("a volunteer's paper record: %v", err)
		}
		if replay, err := db.AddServiceOnce(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at9(db)), store.Proof{}, store.Attempt{Key: "tap-2", Fingerprint: "a"}); err != nil || replay {
			t.Fatalf("the same key after a refusal: %v %v", replay, err)
		}
	})
}

func at9(db *store.DB) time.Time { return time.Date(2026, 11, 29, 9, 0, 0, 0, db.Loc) }

// TestLateRecordsAreMarked: a record stored more than two hours after its
// time is late on the card and counted in inspection; the source is kept.
func TestLateRecordsAreMarked(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		onTime := greeting(f, f.Elder1.ID, time.Date(2026, 11, 29, 8, 30, 0, 0, db.Loc))
		late := greeting(f, f.Elder1.ID, time.Date(2026, 11, 28, 8, 0, 0, 0, db.Loc))
		paper := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: time.Date(2026, 11, 20, 15, 0, 0, 0, db.Loc), Source: "paper"}
		for _, x := range []struct {
			a care.Actor
			r *care.ServiceRecord
		}{{f.Volunteer, onTime}, {f.Volunteer, late}, {f.Comm1, paper}} {
			if err := db.AddService(ctx, x.a, x.r, store.Proof{}); err != nil {
				t.Fatal(err)
			}
		}
		card, err := db.GetCard(ctx, f.Station, f.Elder1.ID, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, en := range card.Entries {
			got[en.ID] = en.Late()
			if en.ID == paper.ID && en.Source != "paper" {
				t.Errorf("the paper record's source became %q", en.Source)
			}
		}
		if got[onTime.ID] || !got[late.ID] || !got[paper.ID] {
			t.Fatalf("late marks %v: on time %d, late %d, paper %d", got, onTime.ID, late.ID, paper.ID)
		}
		rows, err := db.Inspection(ctx, f.Station, "2026-11", f.C1.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ElderID == f.Elder1.ID && (r.Late != 2 || r.Services != 3) {
				t.Fatalf("inspection row %+v, want 2 late of 3", r)
			}
		}
	})
}

// TestTwoServersStoreOneRecord: two servers on one PostgreSQL database get
// the same attempt at once (a client retried through a load balancer); one
// record is stored and both answer it.
func TestTwoServersStoreOneRecord(t *testing.T) {
	schema := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	a := storetest.Open(t, schema)
	f := storetest.Seed(t, a)
	b := storetest.Open(t, schema)
	ctx := context.Background()
	for round := range 20 {
		at := store.Attempt{Key: "retry-" + strconv.Itoa(round), Fingerprint: "greeting"}
		var wg sync.WaitGroup
		var ids [2]int64
		var errs [2]error
		for i, db := range []*store.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := greeting(f, f.Elder1.ID, at9(db))
				_, errs[i] = db.AddServiceOnce(ctx, f.Volunteer, r, store.Proof{}, at)
				ids[i] = r.ID
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || ids[0] != ids[1] {
			t.Fatalf("round %d: ids %v, errors %v", round, ids, errs)
		}
	}
	card, err := a.GetCard(ctx, f.Station, f.Elder1.ID, "2026-11")
	if err != nil || len(card.Entries) != 20 {
		t.Fatalf("card: %v, %d entries, want 20", err, len(card.Entries))
	}
}

// TestCallsAfterCloseFail: after Close every call answers an error; none
// waits for a writer that is gone.
func TestCallsAfterCloseFail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		db.Close()
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at9(db)), store.Proof{})
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second): // a hang, not a slow answer
			t.Fatal("AddService after Close did not return")
		}
		close(errs)
		for err := range errs {
			if err == nil {
				t.Fatal("a record was accepted after Close")
			}
		}
		if _, err := db.GetElder(ctx, f.Station, f.Elder1.ID); err == nil {
			t.Fatal("a read after Close succeeded")
		}
	})
}

// TestCorrectionsOfSignedMonthsAreReviewed: in a signed month a volunteer
// may not strike out or move a record (staff may), and every amendment
// made after the signature is listed for the station's review.
func TestCorrectionsOfSignedMonthsAreReviewed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		r := greeting(f, f.Elder1.ID, at9(db))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		early, err := db.AddAmendment(ctx, f.Comm1, r.ID, "补充说明", map[string]any{"note": "老人精神好"})
		if err != nil {
			t.Fatal(err)
		}
		storetest.MonthEnded(db)
		if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "pass", ""); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, db.Loc) } // an hour after signing
		for _, ch := range []map[string]any{{"void": true}, {"at": "2026-11-29T10:00:00+08:00"}} {
			if _, err := db.AddAmendment(ctx, f.Volunteer, r.ID, "记错了", ch); code(err) != care.EConflict {
				t.Fatalf("a volunteer's %v in a signed month: %v", ch, err)
			}
		}
		if _, err := db.AddAmendment(ctx, f.Volunteer, r.ID, "补充", map[string]any{"note": "送了水果"}); err != nil {
			t.Fatalf("a volunteer's note in a signed month: %v", err)
		}
		void, err := db.AddAmendment(ctx, f.Comm1, r.ID, "重复录入", map[string]any{"void": true})
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.CorrectionsAfterSigning(ctx, f.Station, db.Now().AddDate(0, 0, -60))
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].RecordID != void.ID || !list[0].Void || list[0].Month != "2026-11" || list[1].Void {
			t.Fatalf("corrections after signing: %+v (the one before the signature, %d, is not among them)", list, early.ID)
		}
		if other, err := db.CorrectionsAfterSigning(ctx, f.Comm2, db.Now().AddDate(0, 0, -60)); err != nil || len(other) != 0 {
			t.Fatalf("another community sees %v %v", other, err)
		}
	})
}
