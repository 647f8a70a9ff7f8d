package tracker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// A rebuild cancelled midway (its caller gone) leaves the last state
// answering, whole; the next rebuild completes and equals it.
func TestCancelledRebuildKeepsTheLastState(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		var cancelAt atomic.Int64 // the record count at which to cancel; 0: never
		var seen atomic.Int64
		var cancel atomic.Pointer[context.CancelFunc]
		tr := startWith(t, db, func(_ context.Context, stage string) error {
			if stage == "record" && seen.Add(1) == cancelAt.Load() {
				(*cancel.Load())()
			}
			return nil
		})
		s.history(t, db)
		before, err := tr.Cells(ctx, s.Street.ID)
		if err != nil || len(before) == 0 {
			t.Fatalf("cells: %d %v", len(before), err)
		}
		reqCtx, stop := context.WithCancel(ctx)
		cancel.Store(&stop)
		seen.Store(0)
		cancelAt.Store(10)
		if _, _, err := tr.RebuildStreet(reqCtx, s.Street.ID); !errors.Is(err, context.Canceled) {
			t.Fatalf("a rebuild cancelled midway: %v", err)
		}
		cancelAt.Store(0)
		after, err := tr.Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRows(before, after); diff != "" {
			t.Fatalf("the state after a cancelled rebuild: %s", diff)
		}
		if _, _, err := tr.RebuildStreet(ctx, s.Street.ID); err != nil {
			t.Fatal(err)
		}
		rebuilt, _ := tr.Cells(ctx, s.Street.ID)
		if diff := diffRows(before, rebuilt); diff != "" {
			t.Fatalf("a later rebuild: %s", diff)
		}
	})
}

// A rebuild started by a request (the standards saved) runs on the
// tracker's context: the request going away midway does not stop it, and
// until it lands the last state answers, marked as being rebuilt.
func TestRebuildOutlivesTheRequest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		var armed atomic.Bool
		release := make(chan struct{})
		reqCtx, stop := context.WithCancel(ctx)
		tr := startWith(t, db, func(_ context.Context, stage string) error {
			if stage == "built" && armed.Load() {
				stop() // the request is gone while the rebuild is half done
				<-release
			}
			return nil
		})
		record(t, db, s.nb, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "life", Type: "greeting", At: day(db, 2, 8)})
		must(t, tr.WaitRebuilt(ctx, s.Street.ID))
		armed.Store(true)
		chats := compliance.DefaultStandards()[1]
		chats.Required, chats.EffectiveFrom = 3, calendar.NewDate(2026, 11, 29)
		must(t, db.SaveStandard(ctx, s.Station, chats))
		if err := tr.Refresh(reqCtx, s.Street.ID); err != nil {
			t.Fatal(err)
		}
		if !tr.Rebuilding(s.Street.ID) {
			t.Fatal("the rebuild should be running")
		}
		p1 := fmt.Sprintf("p%d", s.p1.ID)
		r, err := tr.PairingReport(ctx, s.Comm1, p1, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if st := status(t, r, "neighbour_weekly_chat", "2026-W48"); st.Required != 2 {
			t.Fatalf("the last state answers meanwhile: %+v", st)
		}
		close(release)
		must(t, tr.WaitRebuilt(ctx, s.Street.ID))
		if tr.Rebuilding(s.Street.ID) {
			t.Fatal("still rebuilding")
		}
		r, _ = tr.PairingReport(ctx, s.Comm1, p1, "2026-12")
		if r == nil {
			t.Fatal("no report")
		}
	})
}

// A failed rebuild is logged and retried with backoff; the last state
// answers until one lands.
func TestFailedRebuildIsRetried(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		var armed atomic.Bool
		var mu sync.Mutex
		failures := 0
		tr := startWith(t, db, func(_ context.Context, stage string) error {
			if stage != "start" || !armed.Load() {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			if failures < 3 {
				failures++
				return errors.New("injected failure")
			}
			return nil
		})
		record(t, db, s.nb, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "life", Type: "greeting", At: day(db, 2, 8)})
		before, err := tr.Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		armed.Store(true)
		chats := compliance.DefaultStandards()[1]
		chats.Required, chats.EffectiveFrom = 3, calendar.NewDate(2026, 11, 30)
		must(t, db.SaveStandard(ctx, s.Station, chats))
		mid, err := tr.Cells(ctx, s.Street.ID) // starts the rebuild, answers from the last state
		if err != nil {
			t.Fatal(err)
		}
		if len(mid) != len(before) {
			t.Fatalf("the last state answers while the rebuild fails: %d cells, had %d", len(mid), len(before))
		}
		must(t, tr.WaitRebuilt(ctx, s.Street.ID))
		mu.Lock()
		n := failures
		mu.Unlock()
		if n != 3 {
			t.Fatalf("%d failures before the rebuild landed", n)
		}
		after, _ := tr.Cells(ctx, s.Street.ID)
		// The incremental state, a rebuild and a restart agree again.
		if _, _, err := tr.RebuildStreet(ctx, s.Street.ID); err != nil {
			t.Fatal(err)
		}
		rebuilt, _ := tr.Cells(ctx, s.Street.ID)
		if diff := diffRows(after, rebuilt); diff != "" {
			t.Fatal(diff)
		}
		restored, err := start(t, db).Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRows(restored, rebuilt); diff != "" {
			t.Fatalf("restored from the snapshot: %s", diff)
		}
	})
}
