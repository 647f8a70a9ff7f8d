package register_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"carecircle/internal/gctune"
	"carecircle/internal/register"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// allBadRows are the rows of a register of n elders where every row is bad several
// times over: an ID number with a wrong check digit, a birth date that is
// no date, an unknown community, a bad phone and self-care.
func allBadRows(n int) [][]string {
	rows := [][]string{elderHeader}
	for i := range n {
		rows = append(rows, []string{"老人" + strconv.Itoa(i), "女", "32010519300101" + strconv.Itoa(1000 + i%9000)[:3] + "X",
			"1930-13-" + strconv.Itoa(i%40), "电话" + strconv.Itoa(i), "没有这个社区" + strconv.Itoa(i%50), strconv.Itoa(i%30+1) + "栋", "1单元",
			strconv.Itoa(100 + i%900), "独居", "能走" + strconv.Itoa(i), "空巢、病残", "子女" + strconv.Itoa(i), "不是电话" + strconv.Itoa(i), "儿子"})
	}
	return rows
}

// BenchmarkDryRun100k is the dry run of the largest register allowed
// (100,000 rows), every row bad several times over or every row good, as
// .xlsx and .csv; it reports the peak heap in use, which must stay under
// 300 MB whatever the file (go test -run XXX -bench DryRun100k -benchtime 1x
// ./internal/register/). It runs under the server's collector settings
// (gctune.Server), as an upload to serve does.
func BenchmarkDryRun100k(b *testing.B) {
	defer gctune.Server()()
	const n = register.MaxRows
	db := storetest.Open(b, filepath.Join(b.TempDir(), "bench.db"))
	f := storetest.Seed(b, db)
	// The files are made first and the rows they were made of let go, so
	// that the test's own heap does not let the collector wait longer.
	bad := allBadRows(n)
	cases := []struct {
		name string
		data []byte
		bad  bool
	}{
		{"xlsx-all-bad", xlsxOf(b, bad), true},
		{"csv-all-bad", csvOf(b, bad, "bom", ','), true},
		{"xlsx-good", bigRegister(b, f, n), false},
	}
	bad = nil
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			data := c.data
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
			b.ResetTimer()
			for range b.N {
				var rep *register.Report
				peak, total := peakHeap(func() {
					var err error
					rep, err = register.Import(context.Background(), db, f.Station, register.Elders, "big", data, register.Options{DryRun: true})
					if err != nil {
						b.Fatal(err)
					}
				})
				if rep.Rows != n || rep.OK() == c.bad || (c.bad && rep.BadRows() != n) {
					b.Fatalf("rows %d, bad %d, listed problems %d of %d", rep.Rows, rep.BadRows(), len(rep.Errors), rep.Problems)
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(total)/(1<<20), "alloc-MB")
			}
		})
	}
}

// TestABadFileIsReportedByItsFirstRows: a report lists every problem of
// the first MaxListedRows bad rows in file order — also when the store's
// checks find earlier rows bad after the cells of later ones were — and
// counts the rest, so its size is bounded whatever the file.
func TestABadFileIsReportedByItsFirstRows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) { badFileReport(t, db) })
}

func badFileReport(t *testing.T, db *store.DB) {
	f := storetest.Seed(t, db)
	good := bigRegisterRows(f, 3000)
	rows := [][]string{good[0]}
	const unknown, badCells = 1200, 1300
	for i := 1; i <= unknown; i++ { // only the store finds these bad
		r := append([]string(nil), good[i]...)
		r[5] = "没有这个社区"
		rows = append(rows, r)
	}
	for i := unknown + 1; i <= unknown+badCells; i++ { // bad when read
		r := append([]string(nil), good[i]...)
		r[3], r[10] = "1930-13-01", "能走"
		rows = append(rows, r)
	}
	rep := importFile(t, db, f.Station, register.Elders, csvOf(t, rows, "bom", ','), true)
	listed := map[int]bool{}
	for _, p := range rep.Errors {
		listed[p.Row] = true
	}
	if len(listed) != register.MaxListedRows || !listed[2] || !listed[register.MaxListedRows+1] || listed[register.MaxListedRows+2] {
		t.Fatalf("listed %d rows (2: %v, %d: %v)", len(listed), listed[2], register.MaxListedRows+1, listed[register.MaxListedRows+1])
	}
	if rep.BadRows() != unknown+badCells || rep.Problems < unknown+2*badCells || rep.Unlisted() != rep.Problems-len(rep.Errors) {
		t.Fatalf("bad rows %d, problems %d, unlisted %d", rep.BadRows(), rep.Problems, rep.Unlisted())
	}
	j := rep.JSON("zh")
	if j.BadRows != unknown+badCells || j.Problems != rep.Problems || len(j.Errors) != len(rep.Errors) {
		t.Fatalf("JSON: bad_rows %d problems %d errors %d", j.BadRows, j.Problems, len(j.Errors))
	}
	var out strings.Builder
	if err := rep.WriteText(&out, true, "zh"); err != nil || !strings.Contains(out.String(), "个问题未列出") {
		t.Fatalf("the text does not say what is not listed: %v", err)
	}
}
