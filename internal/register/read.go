package register

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"carecircle/internal/care"
	"carecircle/internal/safecsv"
)

// table is a register file as read: its header row and the data rows
// below it, each with its row number as Excel shows it (the first row is 1).
type table struct {
	headerRow int
	headers   []string
	rows      []record
}

type record struct {
	num   int
	cells []string
}

func (r record) cell(i int) string {
	if i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

func (r record) empty() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var (
	msgNoHeader = care.Msg{ZH: "没有找到表头行：前10行中应有一行写着姓名、身份证号等列名",
		EN: "no header row found: one of the first 10 rows must name the columns (姓名, 身份证号, …)"}
	msgXLS = care.Msg{ZH: "不支持旧的 .xls 格式，请在 Excel 中“另存为” .xlsx 或 .csv 后再导入",
		EN: "the old .xls format is not supported; save the file as .xlsx or .csv in Excel and import that"}
	msgBadXLSX = care.Msg{ZH: "无法读取此 Excel 文件，请确认是 .xlsx 格式且未加密", EN: "cannot read this Excel file; make sure it is an unencrypted .xlsx"}
	msgBadCSV  = care.Msg{ZH: "无法读取此 CSV 文件", EN: "cannot read this CSV file"}
	msgEmpty   = care.Msg{ZH: "文件是空的", EN: "the file is empty"}
)

// headerSearch is how many rows above the header a title may take.
const headerSearch = 10

// readTable reads a register from .xlsx or .csv, told apart by content
// rather than by name: an .xlsx is a zip archive.
func readTable(data []byte, isHeader func([]string) bool) (*table, *care.Msg) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, &msgEmpty
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, isHeader)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, &msgXLS
	}
	return readCSV(data, isHeader)
}

// readXLSX reads the first sheet that has a header row, streaming its rows.
// Raw cell values keep dates as Excel's serial numbers (the formatted
// value of a date cell depends on the sheet's locale) and ID numbers typed
// as numbers as they are stored, so the damage can be recognised.
func readXLSX(data []byte, isHeader func([]string) bool) (*table, *care.Msg) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &msgBadXLSX
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		t, err := readSheet(f, sheet, isHeader)
		if err != nil {
			return nil, &msgBadXLSX
		}
		if t != nil {
			return t, nil
		}
	}
	return nil, &msgNoHeader
}

func readSheet(f *excelize.File, sheet string, isHeader func([]string) bool) (*table, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &table{}
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if t.headers == nil {
			if isHeader(cells) {
				t.headerRow, t.headers = num, cells
			} else if num >= headerSearch {
				return nil, nil
			}
			continue
		}
		if r := (record{num, cells}); !r.empty() {
			t.rows = append(t.rows, r)
		}
	}
	if t.headers == nil {
		return nil, rows.Error()
	}
	return t, rows.Error()
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeText makes CSV bytes UTF-8: a BOM or valid UTF-8 is taken as
// UTF-8, anything else as GB18030 (which includes GBK and GB2312), the
// encoding of CSV files saved by Chinese Excel.
func decodeText(data []byte) ([]byte, error) {
	if rest, ok := bytes.CutPrefix(data, utf8BOM); ok {
		return rest, nil
	}
	if utf8.Valid(data) {
		return data, nil
	}
	return simplifiedchinese.GB18030.NewDecoder().Bytes(data)
}

// delimiter guesses the separator from the first line: comma, tab (Excel's
// "Unicode text") or semicolon (Excel in some locales).
func delimiter(text []byte) rune {
	line, _, _ := bytes.Cut(text, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{'\t', ';'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func readCSV(data []byte, isHeader func([]string) bool) (*table, *care.Msg) {
	text, err := decodeText(data)
	if err != nil {
		return nil, &msgBadCSV
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = delimiter(text), -1, true
	t := &table{}
	// Excel counts a record as one row however many lines its quoted cells
	// span, and counts blank lines, which the csv reader skips.
	num, lastLine := 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &msgBadCSV
		}
		line, _ := r.FieldPos(0)
		num += 1 + max(line-lastLine-1, 0)
		endLine, _ := r.FieldPos(len(rec) - 1)
		lastLine = endLine + strings.Count(rec[len(rec)-1], "\n")
		if t.headers == nil {
			if isHeader(rec) {
				t.headerRow, t.headers = num, rec
			} else if num >= headerSearch {
				return nil, &msgNoHeader
			}
			continue
		}
		for i, c := range rec {
			rec[i] = safecsv.Strip(c) // the ' an export put before =, +, -, @
		}
		if rr := (record{num, rec}); !rr.empty() {
			t.rows = append(t.rows, rr)
		}
	}
	if t.headers == nil {
		return nil, &msgNoHeader
	}
	return t, nil
}
