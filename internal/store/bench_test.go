package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

var (
	surnames = []rune("王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高")
	givens   = []string{"秀英", "桂兰", "淑珍", "建国", "国华", "德明", "玉兰", "志强", "凤英", "文华", "金凤", "长生", "明德", "素芳", "振华"}
)

// fillElders registers n elders in batches of 1,000 across the fixture's
// communities, with distinct valid ID numbers and varied names and phones.
func fillElders(tb testing.TB, db *store.DB, f *storetest.Fixture, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	ctx := context.Background()
	base := storetest.Day("1930-01-01")
	batch := make([]*care.Elder, 0, 1000)
	for i := 0; i < n; i++ {
		g := care.Female
		if i%2 == 1 {
			g = care.Male
		}
		birth := base.AddDate(0, 0, (i/2)%10000)
		comm := f.C1.ID
		if i%3 == 0 {
			comm = f.C2.ID
		}
		name := string(surnames[rng.IntN(len(surnames))]) + givens[rng.IntN(len(givens))]
		e := storetest.NewElder(name, comm, birth.Format("2006-01-02"), g, 100+i/20000)
		e.Phone = fmt.Sprintf("13%09d", rng.IntN(1e9))
		e.SelfCare = []string{"independent", "independent", "partial", "dependent"}[rng.IntN(4)]
		batch = append(batch, &e)
		if len(batch) == cap(batch) || i == n-1 {
			if err := db.CreateElders(ctx, f.Station, batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// BenchmarkElderList100k measures the list and search pages' query on
// 100,000 elders in SQLite and reports the median and 99th percentile.
func BenchmarkElderList100k(b *testing.B) {
	db := storetest.Open(b, filepath.Join(b.TempDir(), "bench.db"))
	f := storetest.Seed(b, db)
	start := time.Now()
	fillElders(b, db, f, 100_000)
	b.Logf("registered 100,000 elders in %v", time.Since(start))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		actor care.Actor
		f     store.ElderFilter
	}{
		{"street_first_page", f.Station, store.ElderFilter{Limit: 30}},
		{"street_page_100", f.Station, store.ElderFilter{Limit: 30, Offset: 2970}},
		{"community_filter", f.Comm1, store.ElderFilter{Limit: 30, SelfCare: "dependent", Category: "advanced_age"}},
		{"search_name", f.Station, store.ElderFilter{Limit: 30, Q: "秀英"}},
		{"search_phone", f.Station, store.ElderFilter{Limit: 30, Q: "8888"}},
		{"priority_5", f.Station, store.ElderFilter{Limit: 30, Priority: 5}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, _, err := db.ListElders(ctx, tc.actor, tc.f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
