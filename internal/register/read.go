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
	// long are the cells over MaxCellChars, read as empty.
	long []Problem
}

// record is one row, its cells kept one after another in one string: a
// register of 100,000 rows holds its cells in 100,000 strings, not in
// 1.5 million.
type record struct {
	num  int
	text string
	ends []uint32 // where each cell ends in text
}

func newRecord(num int, cells []string) record {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	var b strings.Builder
	n := 0
	for _, c := range cells {
		n += len(c)
	}
	b.Grow(n)
	r := record{num: num, ends: make([]uint32, len(cells))}
	for i, c := range cells {
		b.WriteString(c)
		r.ends[i] = uint32(b.Len())
	}
	r.text = b.String()
	return r
}

func (r record) cell(i int) string {
	if i >= len(r.ends) {
		return ""
	}
	start := uint32(0)
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.text[start:r.ends[i]]
}

// cells are the row's cells, one string each.
func (r record) cells() []string {
	out := make([]string, len(r.ends))
	for i := range out {
		out[i] = r.cell(i)
	}
	return out
}

func (r record) empty() bool { return strings.TrimSpace(r.text) == "" }

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
// rather than by name: an .xlsx is a zip archive. A file that cannot be
// imported is a message for the report; one over a size limit an error.
func readTable(data []byte, isHeader func([]string) bool) (*table, *care.Msg, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, &msgEmpty, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, isHeader)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, &msgXLS, nil
	}
	return readCSV(data, isHeader)
}

// tableReader gathers the rows of a table as they stream in, within the
// limits: MaxRows data rows, MaxCellChars a cell, maxTextBytes in all.
type tableReader struct {
	t        table
	isHeader func([]string) bool
	text     int
}

// add takes the next row; stop says to read no further, with bad or err
// saying why when the file cannot be imported.
func (tr *tableReader) add(num int, cells []string, strip bool) (stop bool, bad *care.Msg, err error) {
	for i, c := range cells {
		if n, long := longCell(c); long {
			if len(tr.t.long) < maxCellProblems {
				tr.t.long = append(tr.t.long, Problem{Row: num, Column: tr.column(i), Value: Quote(c), Reason: msgLongCell(n)})
			}
			cells[i] = ""
		}
	}
	if tr.t.headers == nil {
		if tr.isHeader(cells) {
			tr.t.headerRow, tr.t.headers = num, cells
		} else if num >= headerSearch {
			return true, &msgNoHeader, nil
		}
		return false, nil, nil
	}
	if strip {
		for i, c := range cells {
			cells[i] = safecsv.Strip(c) // the ' an export put before =, +, -, @
		}
	}
	r := newRecord(num, cells)
	if r.empty() {
		return false, nil, nil
	}
	if len(tr.t.rows) == MaxRows {
		return true, &msgTooManyRows, nil
	}
	tr.text += 48 + 16*len(cells)
	for _, c := range cells {
		tr.text += len(c)
	}
	if tr.text > maxTextBytes {
		return true, nil, errTooLarge("文件中的文字过多（超过 128 MB），不能导入", "the file holds too much text (over 128 MB) to import")
	}
	tr.t.rows = append(tr.t.rows, r)
	return false, nil, nil
}

// column names column i as the header does, or by its letter.
func (tr *tableReader) column(i int) string {
	if i < len(tr.t.headers) && strings.TrimSpace(tr.t.headers[i]) != "" {
		return strings.TrimSpace(tr.t.headers[i])
	}
	return columnLetter(i)
}

// readXLSX reads the first sheet that has a header row, streaming its rows
// from an archive checkXLSX has bounded. Raw cell values keep dates as
// Excel's serial numbers (the formatted value of a date cell depends on
// the sheet's locale) and ID numbers typed as numbers as they are stored,
// so the damage can be recognised.
func readXLSX(data []byte, isHeader func([]string) bool) (*table, *care.Msg, error) {
	data, err := checkXLSX(data)
	if errors.Is(err, errBadXLSX) {
		return nil, &msgBadXLSX, nil
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: xmlInMemory})
	if err != nil {
		return nil, &msgBadXLSX, nil
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		t, bad, err := readSheet(f, sheet, isHeader)
		if err != nil {
			return nil, nil, err
		}
		if bad == &msgNoHeader {
			continue
		}
		if bad != nil || t != nil {
			return t, bad, nil
		}
	}
	return nil, &msgNoHeader, nil
}

func readSheet(f *excelize.File, sheet string, isHeader func([]string) bool) (*table, *care.Msg, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, &msgBadXLSX, nil
	}
	defer rows.Close()
	tr := &tableReader{isHeader: isHeader}
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &msgBadXLSX, nil
		}
		stop, bad, err := tr.add(num, cells, false)
		if stop || err != nil {
			return nil, bad, err
		}
	}
	if rows.Error() != nil {
		return nil, &msgBadXLSX, nil
	}
	if tr.t.headers == nil {
		return nil, &msgNoHeader, nil
	}
	return &tr.t, nil, nil
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

func readCSV(data []byte, isHeader func([]string) bool) (*table, *care.Msg, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, &msgBadCSV, nil
	}
	comma := delimiter(text)
	guard := &cellGuard{text: text, comma: byte(comma)}
	r := csv.NewReader(guard)
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = comma, -1, true
	tr := &tableReader{isHeader: isHeader}
	// Excel counts a record as one row however many lines its quoted cells
	// span, and counts blank lines, which the csv reader skips.
	num, lastLine := 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if guard.tooMany {
			return nil, &msgTooManyCells, nil
		}
		if err != nil {
			return nil, &msgBadCSV, nil
		}
		guard.recordEnded(r.InputOffset())
		line, _ := r.FieldPos(0)
		num += 1 + max(line-lastLine-1, 0)
		endLine, _ := r.FieldPos(len(rec) - 1)
		lastLine = endLine + strings.Count(rec[len(rec)-1], "\n")
		stop, bad, err := tr.add(num, rec, tr.t.headers != nil)
		if stop || err != nil {
			return nil, bad, err
		}
	}
	if tr.t.headers == nil {
		return nil, &msgNoHeader, nil
	}
	return &tr.t, nil, nil
}

// maxCells is the most cells a row may have, Excel's column limit.
const maxCells = 16384

var msgTooManyCells = care.Msg{ZH: "文件中有一行超过 16,384 个单元格（Excel 的列数上限），不能导入",
	EN: "a row of the file has more than 16,384 cells (Excel's column limit); the file cannot be imported"}

// cellGuard feeds the csv reader, refusing a record of more than maxCells
// cells before the reader builds it: it counts the separators handed out
// since the last record ended (quoted ones too, which errs on the safe
// side).
type cellGuard struct {
	text         []byte
	comma        byte
	pos, pending int
	tooMany      bool
}

func (g *cellGuard) Read(p []byte) (int, error) {
	if g.pos >= len(g.text) {
		return 0, io.EOF
	}
	n := copy(p, g.text[g.pos:])
	g.pending += bytes.Count(p[:n], []byte{g.comma})
	g.pos += n
	if g.pending >= maxCells {
		g.tooMany = true
		return 0, errors.New("register: too many cells in a row")
	}
	return n, nil
}

// recordEnded restarts the count at the end of a record.
func (g *cellGuard) recordEnded(offset int64) {
	g.pending = bytes.Count(g.text[min(int(offset), g.pos):g.pos], []byte{g.comma})
}
