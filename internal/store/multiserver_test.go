package store_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/vault"
)

// TestServersStartingTogetherMigrateOnce: several servers opening a new
// PostgreSQL database at once all start; the migrations ran once, under a
// lock, and the schema works.
func TestServersStartingTogetherMigrateOnce(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	v, err := vault.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	dbs := make([]*store.DB, 4)
	errs := make([]error, 4)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = store.Open(t.Context(), dsn, v)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	f := storetest.Seed(t, dbs[0])
	for _, db := range dbs {
		if _, err := db.GetElder(t.Context(), f.Station, f.Elder1.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoginThrottlingHoldsAcrossServers: attempts counted through two
// servers add up, so of 30 concurrent guesses exactly the free ones reach
// the password check; then each attempt waits a doubling delay, told in
// the refusal; a good login clears its username; a day alone forgets.
func TestLoginThrottlingHoldsAcrossServers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := ratelimit.NewWithStore(10, 15*time.Minute, db)
		b := ratelimit.NewWithStore(10, 15*time.Minute, db) // another server on the same database
		guess := ratelimit.Keys("community3", "203.0.113.9")
		var wg sync.WaitGroup
		var allowed atomic.Int32
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := a
				if i%2 == 1 {
					l = b
				}
				err := l.Begin(ctx, guess)
				if err == nil {
					allowed.Add(1)
				} else if care.ErrorCode(err) != care.ERateLimited {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n != 10 {
			t.Fatalf("%d of 30 concurrent guesses went on to the password check, want 10", n)
		}
		waitOf := func(err error) time.Duration {
			t.Helper()
			var ce *care.Error
			if !errors.As(err, &ce) || ce.Code != care.ERateLimited {
				t.Fatalf("want a refusal, got %v", err)
			}
			return ce.RetryAfter
		}
		if w := waitOf(b.Begin(ctx, ratelimit.Keys(" Community3 ", "198.51.100.1"))); w != time.Second {
			t.Fatalf("the user written with spaces and capitals is the same user; wait %v, want 1s", w)
		}
		now := db.Now
		at := func(d time.Duration) { db.Now = func() time.Time { return now().Add(d) } }
		at(time.Second)
		if err := a.Begin(ctx, guess); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
		if w := waitOf(b.Begin(ctx, guess)); w != 2*time.Second {
			t.Fatalf("the wait doubles: %v", w)
		}
		office := ratelimit.Keys("station", "192.0.2.1")
		for i := range 60 {
			if err := a.Begin(ctx, office); err != nil {
				t.Fatalf("good login %d from one office: %v", i, err)
			}
			if err := b.Succeeded(ctx, office); err != nil {
				t.Fatal(err)
			}
		}
		at(ratelimit.Forget + 2*time.Second)
		if err := a.Begin(ctx, guess); err != nil {
			t.Fatalf("a day alone forgets: %v", err)
		}
		if err := db.PurgeLogins(ctx, time.Nanosecond); err != nil {
			t.Fatal(err)
		}
	})
}

// TestOneServerLeads: of two servers on one PostgreSQL database one leads;
// when its session dies the other takes over at its next try; a server
// that gives the role up hands it over at once.
func TestOneServerLeads(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
	ctx := t.Context()
	la, err := a.NewLead(ctx, "alerts")
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.NewLead(ctx, "alerts")
	if err != nil {
		t.Fatal(err)
	}
	if !la.Try(ctx) || lb.Try(ctx) || !la.Try(ctx) {
		t.Fatal("the first server leads, the second does not")
	}
	other, err := b.NewLead(ctx, "state")
	if err != nil || !other.Try(ctx) {
		t.Fatalf("another role is led on its own: %v", err)
	}
	// The leader's session dies (a crash, a network cut).
	if err := b.RawExec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND classid::bigint = ? AND objid::bigint = ?",
		la.ID()>>32, la.ID()&0xffffffff); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !lb.Try(ctx) {
		if time.Now().After(deadline) {
			t.Fatal("the second server never took over")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if la.Try(ctx) {
		t.Fatal("the first server still believes it leads")
	}
	lb.Release()
	if !la.Try(ctx) {
		t.Fatal("a released role is taken at once")
	}
}

// TestRecordsBecomeVisibleInIDOrder: two servers write records at once
// while a reader watches; whenever the reader has seen id N, it has seen
// every record below N that ever comes to exist, so a watermark at the
// highest id seen never passes a record committed later.
func TestRecordsBecomeVisibleInIDOrder(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
	f := storetest.Seed(t, a)
	ctx := t.Context()
	type seen struct{ max, count int64 }
	var views []seen
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var v seen
			if err := a.ReadRow("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM service_records").Scan(&v.max, &v.count); err != nil {
				t.Error(err)
				return
			}
			views = append(views, v)
		}
	}()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := a
			if w%2 == 1 {
				db = b
			}
			for i := range 40 {
				actor, elder := f.Comm1, f.Elder1.ID
				switch (w + i) % 3 {
				case 1:
					elder = f.Elder2.ID
				case 2:
					actor, elder = f.Comm2, f.Elder3.ID
				}
				r := &care.ServiceRecord{ElderID: elder, Kind: "life", Type: "greeting", At: at9(db), Source: "paper"}
				if err := db.AddService(ctx, actor, r, store.Proof{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-watched
	for _, v := range views {
		var final int64
		if err := a.ReadRow("SELECT COUNT(*) FROM service_records WHERE id <= ?", v.max).Scan(&final); err != nil {
			t.Fatal(err)
		}
		if final != v.count {
			t.Fatalf("the reader saw %d records up to id %d; %d exist there now: a lower id committed later", v.count, v.max, final)
		}
	}
	t.Logf("%d views of 320 records written through two servers", len(views))
}
