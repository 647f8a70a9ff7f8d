package register_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// bigRegister is an .xlsx of n elders in the fixture's two communities,
// with every common column filled, as a street's register would be.
func bigRegister(b *testing.B, f *storetest.Fixture, n int) []byte {
	return xlsxOf(b, bigRegisterRows(f, n))
}

// bigRegisterRows are bigRegister's rows, the header first.
func bigRegisterRows(f *storetest.Fixture, n int) [][]string {
	rows := [][]string{elderHeader}
	start := storetest.Day("1930-01-01")
	comms := []string{f.C1.Name, f.C2.Name}
	for i := range n {
		birth := start.AddDate(0, 0, i/400)
		id := care.MakeIDNumber("320105", birth, i%400, care.Female)
		rows = append(rows, []string{"老人" + strconv.Itoa(i), "女", id, birth.Format("2006-01-02"), "139" + strconv.Itoa(10000000+i),
			comms[i%2], strconv.Itoa(i%30+1) + "栋", "1单元", strconv.Itoa(100 + i%900), "独居", "半自理", "空巢、病残",
			"子女" + strconv.Itoa(i), "138" + strconv.Itoa(10000000+i), "儿子"})
	}
	return rows
}

// peakHeap samples the heap while fn runs, since the peak of an import
// (the parsed file and the planned rows) is gone by the time it returns.
// The peak is the heap in use above what it was before fn (the test's own
// file and rows), every 20 ms.
func peakHeap(fn func()) (peak uint64, total uint64) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return peak - min(peak, before.HeapInuse), after.TotalAlloc - before.TotalAlloc
}

// BenchmarkImport20k imports a 20,000-row .xlsx into SQLite in one
// transaction (go test -bench Import20k -benchtime 1x ./internal/register/).
func BenchmarkImport20k(b *testing.B) {
	const n = 20000
	seed := storetest.Open(b, filepath.Join(b.TempDir(), "seed.db"))
	data := bigRegister(b, storetest.Seed(b, seed), n)
	b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := storetest.Open(b, filepath.Join(b.TempDir(), "bench.db"))
		f := storetest.Seed(b, db)
		b.StartTimer()
		var rep *register.Report
		peak, total := peakHeap(func() {
			var err error
			rep, err = register.Import(context.Background(), db, f.Station, register.Elders, "big.xlsx", data, register.Options{})
			if err != nil {
				b.Fatal(err)
			}
		})
		if !rep.Committed || rep.Created != n {
			b.Fatalf("imported %d of %d: %v", rep.Created, n, rep.Errors[:min(3, len(rep.Errors))])
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(total)/(1<<20), "alloc-MB")
		if _, c, _ := db.ListElders(context.Background(), f.Station, store.ElderFilter{}); c != n+3 {
			b.Fatalf("elders %d", c)
		}
	}
}
