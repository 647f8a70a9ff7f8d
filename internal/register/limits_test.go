package register_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// rewriteXLSX copies an .xlsx, replacing the parts in parts with what
// their functions write, streamed, so that a test can build a sheet of
// hundreds of megabytes that packs into a few.
func rewriteXLSX(t testing.TB, data []byte, parts map[string]func(w io.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if parts[f.Name] == nil {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, write := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		write(w)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// sheetRows writes a worksheet of inline-string rows: the header, then
// the rows made by row(i) for i below n.
func sheetRows(n int, row func(i int) []string) func(w io.Writer) {
	return sheetOf([]string{"姓名", "身份证号"}, n, row)
}

func sheetOf(header []string, n int, row func(i int) []string) func(w io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, sheetHead)
		writeRow := func(num int, cells []string) {
			fmt.Fprintf(w, `<row r="%d">`, num)
			for j, c := range cells {
				ref, _ := excelize.CoordinatesToCellName(j+1, num)
				fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>`, ref)
				io.WriteString(w, c)
				io.WriteString(w, `</t></is></c>`)
			}
			io.WriteString(w, `</row>`)
		}
		writeRow(1, header)
		for i := range n {
			writeRow(i+2, row(i))
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
}

func limitDB(t *testing.T) (*store.DB, *storetest.Fixture) {
	db := storetest.Open(t, filepath.Join(t.TempDir(), "test.db"))
	return db, storetest.Seed(t, db)
}

// importMeasured imports data as a dry run, logging its time and memory,
// and fails when the heap passes 300 MB.
func importMeasured(t *testing.T, db *store.DB, a care.Actor, data []byte) (*register.Report, error) {
	t.Helper()
	var rep *register.Report
	var err error
	start := time.Now()
	peak, total := peakHeap(func() {
		rep, err = register.Import(context.Background(), db, a, register.Elders, "test.xlsx", data, register.Options{DryRun: true})
	})
	t.Logf("%.1f MB file: %v, peak heap %d MB, allocated %d MB", float64(len(data))/(1<<20), time.Since(start).Round(time.Millisecond),
		peak>>20, total>>20)
	if peak > 300<<20 {
		t.Errorf("peak heap %d MB, want under 300 MB", peak>>20)
	}
	return rep, err
}

// A sheet that unpacks to 300 MB (from an archive of well under 1 MB) is
// refused from the archive's directory, unread.
func TestZipBombIsRefused(t *testing.T) {
	db, f := limitDB(t)
	row := `<row><c t="inlineStr"><is><t>王秀英</t></is></c><c t="inlineStr"><is><t>` + strings.Repeat("1", 500) + `</t></is></c></row>`
	bomb := rewriteXLSX(t, xlsxOf(t, [][]string{{"姓名"}}), map[string]func(io.Writer){
		"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, sheetHead)
			for written := 0; written < 300<<20; written += len(row) {
				io.WriteString(w, row)
			}
			io.WriteString(w, `</sheetData></worksheet>`)
		}})
	_, err := importMeasured(t, db, f.Comm1, bomb)
	if care.ErrorCode(err) != care.ETooLarge || !strings.Contains(care.ErrorMessage(err), "200 MB") {
		t.Fatalf("err %v, want too_large naming 200 MB", err)
	}
}

// A part that unpacks to more than its directory says is refused when the
// unpacking passes the stated size.
func TestPartLongerThanItsDirectorySaysIsRefused(t *testing.T) {
	db, f := limitDB(t)
	data := xlsxOf(t, [][]string{{"姓名", "身份证号"}, {"王秀英", "1"}})
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			zw.Copy(zf)
			continue
		}
		rc, _ := zf.OpenRaw()
		raw, _ := io.ReadAll(rc)
		h := zf.FileHeader
		h.UncompressedSize64 = 10 // a lie
		w, _ := zw.CreateRaw(&h)
		w.Write(raw)
	}
	zw.Close()
	rep, err := importMeasured(t, db, f.Comm1, out.Bytes())
	if err != nil || rep.OK() || !strings.Contains(rep.Errors[0].Reason.EN, "cannot read this Excel file") {
		t.Fatalf("report %+v, err %v: want the file refused as unreadable", rep, err)
	}
}

// One cell far over Excel's limit is refused while streaming, naming its
// row, before any of it is parsed.
func TestHugeCellIsRefusedNamingItsRow(t *testing.T) {
	db, f := limitDB(t)
	// 2 MB of text in one cell, varied so that it packs as real text does.
	var b strings.Builder
	for i := range 700_000 {
		b.WriteRune(rune(0x4e00 + (i*7919)%20000))
	}
	big := b.String()
	data := rewriteXLSX(t, xlsxOf(t, [][]string{{"姓名"}}), map[string]func(io.Writer){
		"xl/worksheets/sheet1.xml": sheetRows(3, func(i int) []string {
			if i == 1 {
				return []string{"王秀英", big}
			}
			return []string{"王秀英", "1"}
		})})
	rep, err := importMeasured(t, db, f.Comm1, data)
	if care.ErrorCode(err) != care.ETooLarge || !strings.Contains(care.ErrorMessage(err), "row 3") {
		t.Fatalf("report %v, err %v: want too_large naming row 3", rep, err)
	}
	if len(care.ErrorMessage(err)) > 300 {
		t.Errorf("message of %d bytes", len(care.ErrorMessage(err)))
	}
}

// A row of cells that all point at one long shared text is refused by the
// text it would unfold to, not by its few bytes.
func TestSharedTextMultipliedByARowIsRefused(t *testing.T) {
	db, f := limitDB(t)
	long := strings.Repeat("x", 200_000)
	data := rewriteXLSX(t, xlsxOf(t, [][]string{{"姓名"}}), map[string]func(io.Writer){
		"xl/sharedStrings.xml": func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			io.WriteString(w, `<si><t>姓名</t></si><si><t>`+long+`</t></si></sst>`)
		},
		"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, sheetHead+`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">`)
			for j := range 16000 {
				ref, _ := excelize.CoordinatesToCellName(j+1, 2)
				fmt.Fprintf(w, `<c r="%s" t="s"><v>1</v></c>`, ref)
			}
			io.WriteString(w, `</row></sheetData></worksheet>`)
		}})
	_, err := importMeasured(t, db, f.Comm1, data)
	if care.ErrorCode(err) != care.ETooLarge || !strings.Contains(care.ErrorMessage(err), "row 2") {
		t.Fatalf("err %v, want too_large naming row 2", err)
	}
}

// A cell over 32,767 characters is named by row and column, and the
// report quotes 100 characters of it.
func TestLongCellIsNamedAndQuotedShort(t *testing.T) {
	db, f := limitDB(t)
	long := strings.Repeat("长", 100_000)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"xlsx", rewriteXLSX(t, xlsxOf(t, [][]string{{"姓名"}}), map[string]func(io.Writer){
			"xl/worksheets/sheet1.xml": sheetOf(elderHeader, 2, func(i int) []string {
				if i == 1 {
					return append([]string{long}, elderLine("", "1941-03-08", 2)[1:]...)
				}
				return elderLine("赵玉兰", "1941-03-08", 1)
			})})},
		{"csv", csvOf(t, [][]string{elderHeader, elderLine("赵玉兰", "1941-03-08", 1), append([]string{long}, elderLine("", "1941-03-08", 2)[1:]...)}, "", ',')},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := importMeasured(t, db, f.Comm1, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) != 1 {
				t.Fatalf("errors %+v, want one", rep.Errors)
			}
			p := rep.Errors[0]
			if p.Row != 3 || p.Column != "姓名" || !strings.Contains(p.Reason.EN, "100,000 characters") || !strings.Contains(p.Reason.EN, "32,767") {
				t.Errorf("problem %d/%s %q, want row 3, 姓名, 100,000 over 32,767", p.Row, p.Column, p.Reason.EN)
			}
			if n := utf8.RuneCountInString(p.Value); n > register.QuoteChars+1 {
				t.Errorf("the report quotes %d characters", n)
			}
			if len(rep.JSON("en").Errors[0].Value) > 400 {
				t.Errorf("the answer quotes %d bytes", len(rep.JSON("en").Errors[0].Value))
			}
		})
	}
}

// One data row over 100,000 is refused, naming the limit, before any row
// is checked (the reader's side of the limit is TestReaderTakesMaxRows).
func TestRowLimit(t *testing.T) {
	db, f := limitDB(t)
	n := register.MaxRows + 1
	row := func(i int) []string { return []string{"王秀英", "bad"} }
	xlsx := rewriteXLSX(t, xlsxOf(t, [][]string{{"姓名"}}), map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheetRows(n, row)})
	var buf bytes.Buffer
	buf.WriteString("姓名,身份证号\n")
	for range n {
		buf.WriteString("王秀英,bad\n")
	}
	for name, data := range map[string][]byte{"xlsx": xlsx, "csv": buf.Bytes()} {
		t.Run(name, func(t *testing.T) {
			rep, err := importMeasured(t, db, f.Comm1, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) != 1 || rep.Errors[0].Row != 0 || !strings.Contains(rep.Errors[0].Reason.EN, "100,000") {
				t.Fatalf("%d rows: errors %d, first %+v", n, len(rep.Errors), rep.Errors[0])
			}
		})
	}
}

// A CSV row of more separators than Excel has columns is refused before
// the csv reader builds it.
func TestCSVRowOfTooManyCells(t *testing.T) {
	db, f := limitDB(t)
	data := []byte("姓名,身份证号\n王秀英," + strings.Repeat(",", 5<<20) + "\n")
	rep, err := importMeasured(t, db, f.Comm1, data)
	if err != nil || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Reason.EN, "16,384") {
		t.Fatalf("report %+v, err %v", rep, err)
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // characters
	}{{"", 0}, {"王秀英", 3}, {strings.Repeat("a", 100), 100}, {strings.Repeat("长", 101), 101}, {strings.Repeat("a", 1<<20), 101}} {
		got := register.Quote(tc.in)
		if utf8.RuneCountInString(got) != tc.want || !utf8.ValidString(got) {
			t.Errorf("Quote of %d characters: %d characters", utf8.RuneCountInString(tc.in), utf8.RuneCountInString(got))
		}
	}
}
