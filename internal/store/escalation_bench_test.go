package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// BenchmarkEscalation measures the chain on a street of 20,000 elders
// living alone (CARECIRCLE_BENCH_ELDERS), one in ten not greeted today:
// raising the day's alerts with their first step (the staff on duty and
// the responsible volunteer told in the same transaction), an idle run of
// AdvanceEscalations (what every 10-second tick costs while nothing is
// due), and the run 60 minutes later that tells every family. SQLite
// always, PostgreSQL with CARECIRCLE_BENCH_PG=1. Run with -benchtime=1x.
func BenchmarkEscalation(b *testing.B) {
	run := func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		elders := envInt("CARECIRCLE_BENCH_ELDERS", 20000)
		if _, err := store.FillBenchStreet(ctx, db, max(elders/2000, 1), min(elders, 2000), 1); err != nil {
			b.Fatal(err)
		}
		at := func(hh, mm int) time.Time {
			t := time.Date(2026, 11, 29, hh, mm, 0, 0, db.Loc)
			db.Now = func() time.Time { return t }
			return t
		}
		for b.Loop() {
			start := time.Now()
			n, err := db.RaiseNotGreetedAlerts(ctx, at(20, 0), "alert_job")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n), "alerts")
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "raise-ms")
			start = time.Now()
			if _, err := db.AdvanceEscalations(ctx, at(20, 30)); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "idle-tick-ms")
			start = time.Now()
			k, err := db.AdvanceEscalations(ctx, at(21, 0))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(k), "family-steps")
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "family-ms")
		}
	}
	b.Run("sqlite", func(b *testing.B) {
		run(b, storetest.Open(b, filepath.Join(b.TempDir(), "street.db")))
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("CARECIRCLE_BENCH_PG") == "" {
			b.Skip("set CARECIRCLE_BENCH_PG=1 and CARECIRCLE_TEST_PG")
		}
		run(b, storetest.Open(b, storetest.FreshSchema(b, storetest.PostgresDSN(b))))
	})
}
