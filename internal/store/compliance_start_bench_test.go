package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

// BenchmarkComplianceState measures, on the benchmark street (20,000
// elders greeted daily for a year, 7.3 million records; scaled by
// CARECIRCLE_BENCH_ELDERS and _DAYS), what issue 11 asks of the tracker:
//
//   - rebuild: a full rebuild of the street's state from every record,
//     built aside, swapped in and saved as a snapshot;
//   - start/worklist: a new tracker started until a volunteer's worklist
//     answers, checked equal to that of the running one;
//   - greeting-during-rebuild: greetings stored (the record writer, as
//     POST /services does before its 201) one every 20 ms while the
//     street is rebuilt and saved, reported as p50/p99/max.
//
// SQLite always (CARECIRCLE_BENCH_DB keeps the file); PostgreSQL too when
// CARECIRCLE_BENCH_PG=1 and CARECIRCLE_TEST_PG are set, in the schema
// CARECIRCLE_BENCH_PG_SCHEMA (kept and filled once: filling takes
// minutes) or else a fresh one. Run with -benchtime=1x.
func BenchmarkComplianceState(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		path := os.Getenv("CARECIRCLE_BENCH_DB")
		if path == "" {
			path = filepath.Join(b.TempDir(), "street.db")
		}
		db, bs := openBenchStreet(b, path)
		benchComplianceState(b, db, bs)
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("CARECIRCLE_BENCH_PG") == "" {
			b.Skip("set CARECIRCLE_BENCH_PG=1 and CARECIRCLE_TEST_PG")
		}
		db, bs := openBenchPostgres(b)
		benchComplianceState(b, db, bs)
	})
}

func benchComplianceState(b *testing.B, db *store.DB, bs *store.BenchStreet) {
	ctx := context.Background()
	live, cancel := benchTracker(b, db)
	defer cancel()
	b.Run("rebuild", func(b *testing.B) {
		for b.Loop() {
			cpu := cpuTime()
			if _, _, err := live.RebuildStreet(ctx, bs.Street.ID); err != nil {
				b.Fatal(err)
			}
			// The process's CPU time (user + system, every core) tells a
			// loaded machine's figure apart from the work itself.
			b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		}
	})
	want, err := live.Today(ctx, bs.Neighbour)
	if err != nil || len(want) == 0 {
		b.Fatalf("worklist: %d %v", len(want), err)
	}
	b.Run("start/worklist", func(b *testing.B) {
		for b.Loop() {
			tr, err := tracker.New(db, tracker.DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			tctx, stop := context.WithCancel(ctx)
			if err := tr.Start(tctx); err != nil {
				b.Fatal(err)
			}
			got, err := tr.Today(ctx, bs.Neighbour)
			b.StopTimer()
			stop()
			if err != nil || !reflect.DeepEqual(got, want) {
				b.Fatalf("the worklist after a start differs: %v\n%+v\n%+v", err, got, want)
			}
			b.StartTimer()
		}
	})
	b.Run("greeting-during-rebuild", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			done := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(done)
				if _, _, err := live.RebuildStreet(ctx, bs.Street.ID); err != nil {
					b.Error(err)
				}
			}()
			var lat []time.Duration
			tick := time.NewTicker(20 * time.Millisecond)
		greet:
			for {
				select {
				case <-done:
					break greet
				case <-tick.C:
				}
				r := &care.ServiceRecord{ElderID: bs.FirstElder, Kind: "life", Type: "greeting", At: db.Now()}
				started := time.Now()
				if err := db.AddService(ctx, bs.Neighbour, r, store.Proof{}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(started))
			}
			tick.Stop()
			wg.Wait()
			if len(lat) == 0 {
				continue
			}
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(q(1), "max-ms")
			b.ReportMetric(float64(len(lat)), "greetings")
		}
	})
}

// openBenchPostgres opens the benchmark street on PostgreSQL: in the kept
// schema CARECIRCLE_BENCH_PG_SCHEMA (filled on first use), or a fresh one.
func openBenchPostgres(b *testing.B) (*store.DB, *store.BenchStreet) {
	dsn := storetest.PostgresDSN(b)
	schema := os.Getenv("CARECIRCLE_BENCH_PG_SCHEMA")
	if schema == "" {
		return openBenchStreet(b, storetest.FreshSchema(b, dsn))
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema); err != nil {
		b.Fatal(err)
	}
	sep := "?"
	if slices.Contains([]byte(dsn), '?') {
		sep = "&"
	}
	kept := dsn + sep + "search_path=" + schema
	db := storetest.Open(b, kept)
	if streets, err := db.Streets(context.Background(), care.Actor{Role: care.RoleAdmin}); err == nil && len(streets) == 1 {
		return db, reopenBench(b, db)
	}
	db.Close()
	return openBenchStreet(b, kept)
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
