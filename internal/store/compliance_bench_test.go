package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

func benchTracker(b *testing.B, db *store.DB) (*tracker.Tracker, context.CancelFunc) {
	cfg := tracker.DefaultConfig()
	cfg.SyncEvery, cfg.FullSyncEvery = time.Hour, time.Hour
	tr, err := tracker.New(db, cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := tr.Start(ctx); err != nil {
		b.Fatal(err)
	}
	streets, err := db.Streets(ctx, care.Actor{Role: care.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range streets { // Start loads in the background
		if err := tr.WaitRebuilt(ctx, s.ID); err != nil {
			b.Fatal(err)
		}
	}
	return tr, cancel
}

// applyOne measures one greeting through the tracker: stored by the record
// writer (outside the timer unless withWrite), then applied to the state
// and its touched cells and watermark saved.
func applyOne(b *testing.B, db *store.DB, tr *tracker.Tracker, a care.Actor, elder int64, withWrite bool) {
	ctx := context.Background()
	for b.Loop() {
		if !withWrite {
			b.StopTimer()
		}
		r := &care.ServiceRecord{ElderID: elder, Kind: "life", Type: "greeting", At: db.Now()}
		if err := db.AddService(ctx, a, r, store.Proof{}); err != nil {
			b.Fatal(err)
		}
		if !withWrite {
			b.StartTimer()
		}
		if err := tr.Refresh(ctx, a.StreetID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyRecord is the cost of one new record on a small street.
func BenchmarkApplyRecord(b *testing.B) {
	db := storetest.Open(b, filepath.Join(b.TempDir(), "apply.db"))
	f := storetest.Seed(b, db)
	tr, cancel := benchTracker(b, db)
	defer cancel()
	b.Run("apply", func(b *testing.B) { applyOne(b, db, tr, f.Volunteer, f.Elder1.ID, false) })
	b.Run("write+apply", func(b *testing.B) { applyOne(b, db, tr, f.Volunteer, f.Elder1.ID, true) })
}

// BenchmarkStreet measures a street of 20,000 elders living alone in ten
// communities of 2,000, each greeted daily for a year (7.3 million records)
// on SQLite. CARECIRCLE_BENCH_ELDERS and CARECIRCLE_BENCH_DAYS scale it;
// CARECIRCLE_BENCH_DB keeps the database (it takes minutes to write) for
// the next run. Run with -benchtime=1x: the rebuilds take a while each.
func BenchmarkStreet(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("CARECIRCLE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "street.db")
	}
	db, bs := openBenchStreet(b, path)
	today := db.Now().In(db.Loc)
	b.Run("not-greeted/community-2000", func(b *testing.B) {
		for b.Loop() {
			list, err := db.NotGreeted(ctx, bs.Station, bs.Communities[0], today)
			if err != nil || len(list) == 0 {
				b.Fatalf("%d %v", len(list), err)
			}
		}
	})
	b.Run("not-greeted/street", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.NotGreeted(ctx, bs.Station, 0, today); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rebuild/state-in-memory", func(b *testing.B) { rebuildInMemory(b, db, bs.Street.ID) })
	tr, err := tracker.New(db, tracker.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("rebuild/tracker-with-saving", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := tr.RebuildStreet(ctx, bs.Street.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("restart/restore-saved-snapshot", func(b *testing.B) {
		for b.Loop() {
			_, cancel := benchTracker(b, db)
			cancel()
		}
	})
	live, cancel := benchTracker(b, db)
	defer cancel()
	b.Run("apply", func(b *testing.B) { applyOne(b, db, live, bs.Neighbour, bs.FirstElder, false) })
	b.Run("write+apply", func(b *testing.B) { applyOne(b, db, live, bs.Neighbour, bs.FirstElder, true) })
}

// rebuildInMemory is the engine's part of a rebuild: every record read
// from the database and applied, nothing saved.
func rebuildInMemory(b *testing.B, db *store.DB, streetID int64) {
	ctx := context.Background()
	for b.Loop() {
		set, err := db.StreetStandards(ctx, streetID)
		if err != nil {
			b.Fatal(err)
		}
		cfg, _ := set.Config(db.Loc)
		elders, _ := db.ComplianceElders(ctx, streetID, nil)
		facts, _ := db.CompliancePairings(ctx, streetID, nil)
		st, err := compliance.NewState(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range elders {
			st.AddElder(compliance.Elder{ID: strconv.FormatInt(e.ID, 10), BirthDate: dateOf(e.BirthDate)})
		}
		for _, p := range facts {
			st.AddPairing(compliance.Pairing{ID: strconv.FormatInt(p.ID, 10), Elder: strconv.FormatInt(p.ElderID, 10),
				Volunteer: strconv.FormatInt(p.VolunteerID, 10), Role: compliance.Role(p.Kind), From: dateOf(p.StartedOn)})
		}
		n := 0
		max, _ := db.MaxRecordID(ctx)
		err = db.EachComplianceRecord(ctx, streetID, max, func(r *store.ComplianceRecord) error {
			n++
			return st.Apply(compliance.Record{ID: compliance.RecordID(r.ID), Elder: strconv.FormatInt(r.ElderID, 10),
				By: strconv.FormatInt(*r.VolunteerID, 10), Kind: r.Kind, Type: r.Type, At: r.At})
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "records")
	}
}

// openBenchStreet opens the benchmark street at dsn: a SQLite file kept
// from an earlier run, or else a new one (or a PostgreSQL schema) filled
// with CARECIRCLE_BENCH_ELDERS elders (20,000) greeted daily for
// CARECIRCLE_BENCH_DAYS days (365).
func openBenchStreet(b *testing.B, dsn string) (*store.DB, *store.BenchStreet) {
	elders, days := envInt("CARECIRCLE_BENCH_ELDERS", 20000), envInt("CARECIRCLE_BENCH_DAYS", 365)
	_, statErr := os.Stat(dsn)
	db := storetest.Open(b, dsn)
	if statErr == nil {
		return db, reopenBench(b, db)
	}
	start := time.Now()
	bs, err := store.FillBenchStreet(context.Background(), db, max(elders/2000, 1), min(elders, 2000), days)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote %d elders and %d records in %v", elders, elders*days, time.Since(start).Round(time.Second))
	return db, bs
}

func reopenBench(b *testing.B, db *store.DB) *store.BenchStreet {
	ctx := context.Background()
	streets, err := db.Streets(ctx, care.Actor{Role: care.RoleAdmin})
	if err != nil || len(streets) != 1 {
		b.Fatalf("the kept database holds %d streets: %v", len(streets), err)
	}
	bs := &store.BenchStreet{Street: streets[0], Station: care.Actor{Role: care.RoleStation, StreetID: streets[0].ID, Username: "bench"}}
	comms, err := db.Communities(ctx, bs.Station)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range comms {
		bs.Communities = append(bs.Communities, c.ID)
	}
	facts, err := db.CompliancePairings(ctx, bs.Street.ID, []int64{1})
	if err != nil || len(facts) == 0 {
		b.Fatalf("elder 1's pairing: %v", err)
	}
	bs.FirstElder = 1
	bs.Neighbour = care.Actor{Role: care.RoleVolunteer, StreetID: bs.Street.ID, CommunityID: bs.Communities[0], VolunteerID: facts[0].VolunteerID, Username: "bench"}
	return bs
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func dateOf(t time.Time) calendar.Date { return calendar.NewDate(t.Year(), t.Month(), t.Day()) }
