package register

import (
	"io"
	"strconv"
	"time"

	"carecircle/internal/safecsv"

	"github.com/xuri/excelize/v2"
)

// cell is one value to write with how to write it.
type cell struct {
	text string
	kind cellKind
}

// sheetWriter writes a register row by row.
type sheetWriter interface {
	row(cells []cell) error
	// close writes the file to w.
	close(w io.Writer) error
}

func newSheetWriter(f Format, sheet string, headers []string, widths []float64, w io.Writer) (sheetWriter, error) {
	if f == XLSX {
		return newXLSXWriter(sheet, headers, widths)
	}
	return newCSVWriter(headers, w)
}

// csvWriter writes UTF-8 with a BOM, without which Excel reads UTF-8 CSV
// as the system's ANSI code page and garbles the Chinese.
// Every cell goes through safecsv, so none is read as a formula.
type csvWriter struct{ w *safecsv.Writer }

func newCSVWriter(headers []string, w io.Writer) (*csvWriter, error) {
	if _, err := w.Write(utf8BOM); err != nil {
		return nil, err
	}
	cw := safecsv.NewWriter(w)
	cw.UseCRLF = true
	return &csvWriter{cw}, cw.Write(headers)
}

func (c *csvWriter) row(cells []cell) error {
	rec := make([]string, len(cells))
	for i, x := range cells {
		rec[i] = x.text
	}
	return c.w.Write(rec)
}

func (c *csvWriter) close(io.Writer) error {
	c.w.Flush()
	return c.w.Error()
}

// xlsxWriter streams rows into one sheet; text cells are formatted as text
// so that an ID number edited in Excel is not turned into a number.
type xlsxWriter struct {
	f                    *excelize.File
	sw                   *excelize.StreamWriter
	n                    int
	textStyle, dateStyle int
}

func newXLSXWriter(sheet string, headers []string, widths []float64) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	x := &xlsxWriter{f: f}
	var err error
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, err
	}
	if x.textStyle, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": text
		return nil, err
	}
	ymd := "yyyy-mm-dd"
	if x.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &ymd}); err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := x.sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	vals := make([]any, len(headers))
	for i, h := range headers {
		vals[i] = excelize.Cell{StyleID: head, Value: h}
	}
	return x, x.put(vals)
}

func (x *xlsxWriter) put(vals []any) error {
	x.n++
	ref, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	return x.sw.SetRow(ref, vals)
}

func (x *xlsxWriter) row(cells []cell) error {
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = x.value(c)
	}
	return x.put(vals)
}

// value writes numbers as numbers and dates as date cells, so Excel can
// sort and sum them; reading them back gives the same values.
func (x *xlsxWriter) value(c cell) any {
	switch c.kind {
	case numberCell:
		if f, err := strconv.ParseFloat(c.text, 64); err == nil {
			return f
		}
	case dateCell:
		if t, err := time.Parse("2006-01-02", c.text); err == nil {
			return excelize.Cell{StyleID: x.dateStyle, Value: t}
		}
	}
	return excelize.Cell{StyleID: x.textStyle, Value: c.text}
}

func (x *xlsxWriter) close(w io.Writer) error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(w)
	return err
}
