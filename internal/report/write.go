package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"carecircle/internal/safecsv"
)

// Formats a report can be written in.
var Formats = []string{"xlsx", "csv", "json"}

// Write writes the report in a format: xlsx, csv or json.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "xlsx":
		return r.WriteXLSX(w)
	case "csv":
		return r.WriteCSV(w)
	case "json":
		return r.WriteJSON(w)
	}
	return fmt.Errorf("report: unknown format %q (xlsx, csv or json)", format)
}

// WriteXLSX writes a workbook with one sheet per table: a title row naming
// the unit and the period, the headers, numbers as numbers (a masked cell
// as the text "<5"), column widths set to fit.
func (r *Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	oneDecimal := "0.0"
	dec, err := f.NewStyle(&excelize.Style{CustomNumFmt: &oneDecimal})
	if err != nil {
		return err
	}
	right, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right"}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range r.Tables {
		name := sheetName(t.Title, i, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		for j, wd := range r.widths(t) {
			if err := sw.SetColWidth(j+1, j+1, wd); err != nil {
				return err
			}
		}
		n := 0
		put := func(vals []any) error {
			n++
			ref, _ := excelize.CoordinatesToCellName(1, n)
			return sw.SetRow(ref, vals)
		}
		if err := put([]any{excelize.Cell{StyleID: title, Value: r.Title + " — " + t.Title}}); err != nil {
			return err
		}
		if err := put([]any{r.subtitle()}); err != nil {
			return err
		}
		heads := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			heads[j] = excelize.Cell{StyleID: head, Value: c}
		}
		if err := put(heads); err != nil {
			return err
		}
		for _, row := range t.Rows {
			vals := make([]any, len(row))
			for j, c := range row {
				switch {
				case c.Masked || c.Suppressed:
					vals[j] = excelize.Cell{StyleID: right, Value: c.String()}
				case c.IsNum && c.Decimals > 0:
					vals[j] = excelize.Cell{StyleID: dec, Value: c.Num}
				case c.IsNum:
					vals[j] = int64(c.Num)
				default:
					vals[j] = c.Text
				}
			}
			if err := put(vals); err != nil {
				return err
			}
		}
		if t.Note != "" {
			if err := put([]any{nil}); err != nil {
				return err
			}
			if err := put([]any{t.Note}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// subtitle names the period's days, when the report was made and, for
// viewers, why some cells say "<5".
func (r *Report) subtitle() string {
	l := labeler(r.lang)
	s := fmt.Sprintf(l("统计期：%s 至 %s　制表时间：%s", "Period: %s to %s   Made: %s"), r.From, r.To, r.Generated)
	if r.Masked {
		s += l("　（不足5人的数字显示为“<5”；为防止由合计反推，另有部分数字以“*”隐藏）",
			"   (counts under 5 are shown as \"<5\"; a few more are hidden as \"*\" so that no total gives them back)")
	}
	return s
}

// widths fits each column to its longest cell, counting a Chinese
// character as two.
func (r *Report) widths(t Table) []float64 {
	out := make([]float64, len(t.Columns))
	fit := func(j int, s string) {
		w := 0
		for _, c := range s {
			if utf8.RuneLen(c) > 1 {
				w += 2
			} else {
				w++
			}
		}
		out[j] = min(max(out[j], float64(w)+2), 40)
	}
	for j, c := range t.Columns {
		fit(j, c)
	}
	for _, row := range t.Rows {
		for j, c := range row {
			fit(j, c.String())
		}
	}
	for j := range out {
		out[j] = max(out[j], 8)
	}
	return out
}

// sheetName makes a table title a valid, unique sheet name (at most 31
// characters, none of []:*?/\).
func sheetName(title string, i int, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, title)
	if rs := []rune(name); len(rs) > 28 {
		name = string(rs[:28])
	}
	if used[name] {
		name = fmt.Sprintf("%s %d", name, i+1)
	}
	used[name] = true
	return name
}

// WriteCSV writes every table one after another in one UTF-8 file (with a
// byte-order mark, so Excel opens it as UTF-8): a title line, the headers,
// the rows, and a blank line between tables.
func (r *Report) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := safecsv.NewWriter(w) // no cell is read as a formula
	_ = cw.Write([]string{r.Title})
	_ = cw.Write([]string{r.subtitle()})
	for _, t := range r.Tables {
		_ = cw.Write(nil)
		_ = cw.Write([]string{t.Title})
		_ = cw.Write(t.Columns)
		for _, row := range t.Rows {
			rec := make([]string, len(row))
			for j, c := range row {
				rec[j] = c.String()
			}
			_ = cw.Write(rec)
		}
		if t.Note != "" {
			_ = cw.Write([]string{t.Note})
		}
	}
	cw.Flush()
	return cw.Error()
}

type jsonTable struct {
	Key     string   `json:"key"`
	Title   string   `json:"title"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Note    string   `json:"note,omitempty"`
}

type jsonReport struct {
	Title     string      `json:"title"`
	Unit      string      `json:"unit"`
	UnitKind  string      `json:"unit_kind"`
	Period    string      `json:"period"`
	From      string      `json:"from"`
	To        string      `json:"to"`
	Generated string      `json:"generated"`
	Masked    bool        `json:"masked"`
	Tables    []jsonTable `json:"tables"`
	// Submissions: the month's submit-and-receive step (upward.go).
	Submissions []any `json:"submissions,omitempty"`
}

// JSON is the report as plain values: numbers as numbers, a masked cell
// as the string "<5", texts as strings.
func (r *Report) JSON() any {
	out := jsonReport{Title: r.Title, Unit: r.Unit, UnitKind: r.UnitKind, Period: r.Period, From: r.From, To: r.To,
		Generated: r.Generated, Masked: r.Masked, Tables: []jsonTable{}}
	for _, t := range r.Tables {
		jt := jsonTable{Key: t.Key, Title: t.Title, Columns: t.Columns, Rows: [][]any{}, Note: t.Note}
		for _, row := range t.Rows {
			vals := make([]any, len(row))
			for j, c := range row {
				switch {
				case c.Masked || c.Suppressed || !c.IsNum:
					vals[j] = c.String()
				default:
					vals[j] = c.Num
				}
			}
			jt.Rows = append(jt.Rows, vals)
		}
		out.Tables = append(out.Tables, jt)
	}
	for _, sub := range r.Submissions {
		out.Submissions = append(out.Submissions, SubmissionJSON(sub, r.loc))
	}
	return out
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r.JSON())
}
