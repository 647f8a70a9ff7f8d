package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/report"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

// BenchmarkReport measures a street's monthly and quarterly statistics
// report over a street of 20,000 elders greeted daily for a year (7.3
// million records): the aggregate SQL alone, and the whole report with the
// compliance table from a loaded tracker. SQLite by default (keep the
// database with CARECIRCLE_BENCH_DB); PostgreSQL too when
// CARECIRCLE_BENCH_PG=1 and CARECIRCLE_TEST_PG are set (a fresh schema,
// filled each run). CARECIRCLE_BENCH_ELDERS and _DAYS scale it. Run with
// -benchtime=3x or so: each report reads hundreds of thousands of records.
func BenchmarkReport(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		path := os.Getenv("CARECIRCLE_BENCH_DB")
		if path == "" {
			path = filepath.Join(b.TempDir(), "street.db")
		}
		benchReport(b, path)
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("CARECIRCLE_BENCH_PG") == "" {
			b.Skip("set CARECIRCLE_BENCH_PG=1 and CARECIRCLE_TEST_PG")
		}
		benchReport(b, storetest.FreshSchema(b, storetest.PostgresDSN(b)))
	})
}

func benchReport(b *testing.B, dsn string) {
	ctx := context.Background()
	db, bs := openBenchStreet(b, dsn)
	for _, period := range []string{"2026-10", "2026-Q3"} {
		p, err := store.ParsePeriod(period, db.Loc)
		if err != nil {
			b.Fatal(err)
		}
		u, err := db.ResolveReportUnit(ctx, bs.Station, bs.Street.Name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("sql/"+period, func(b *testing.B) {
			for b.Loop() {
				d, err := db.Report(ctx, bs.Station, u, p)
				if err != nil {
					b.Fatal(err)
				}
				var n int64
				for _, c := range d.Parts {
					n += c["services"]
				}
				b.ReportMetric(float64(n), "records")
			}
		})
	}
	cfg := tracker.DefaultConfig()
	cfg.TableTTL = 0 // measure the table, not the cache
	tr, err := tracker.New(db, cfg)
	if err == nil {
		err = tr.Prepare(ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := tr.Refresh(ctx, bs.Street.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("compliance state loaded in %v", time.Since(start).Round(time.Millisecond))
	for _, period := range []string{"2026-10", "2026-Q3"} {
		b.Run("whole/"+period, func(b *testing.B) {
			for b.Loop() {
				r, err := report.Build(ctx, db, tr, bs.Station, report.Options{Unit: bs.Street.Name, Period: period})
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Tables) != 11 { // the programme's seven, training, activities, requests and typical experience
					b.Fatal(len(r.Tables))
				}
			}
		})
	}
	viewer := care.Actor{Role: care.RoleViewer, StreetID: bs.Street.ID, Username: "bench"}
	b.Run("whole-masked/2026-10", func(b *testing.B) {
		for b.Loop() {
			if _, err := report.Build(ctx, db, tr, viewer, report.Options{Unit: bs.Street.Name, Period: "2026-10"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
