// Package safecsv writes CSV that is safe to open in a spreadsheet: a cell
// starting with = + - @, a tab or a carriage return would be read as a
// formula (formula injection), so it is written with a leading ', which
// Excel shows as text and hides; the register import removes it again
// (Strip), so an export imports back unchanged.
package safecsv

import (
	"encoding/csv"
	"io"
	"strings"
)

// Escape is the cell as written: s with a leading ' when a spreadsheet
// would read it as a formula. Apostrophes already in front of such a cell
// count as part of it ("'=1" is written "”=1"), so Strip gives s back.
func Escape(s string) string {
	if risky(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// Strip undoes Escape: it removes the one ' that Escape put in front.
func Strip(s string) string {
	if strings.HasPrefix(s, "'") && risky(strings.TrimLeft(s, "'")) {
		return s[1:]
	}
	return s
}

// risky reports whether a spreadsheet would take s as a formula.
func risky(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// Writer is a csv.Writer that escapes every cell.
type Writer struct {
	*csv.Writer
}

// NewWriter writes CSV to w, every cell escaped.
func NewWriter(w io.Writer) *Writer { return &Writer{csv.NewWriter(w)} }

// Write writes one record, every cell escaped.
func (w *Writer) Write(rec []string) error {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = Escape(s)
	}
	return w.Writer.Write(out)
}

// WriteAll writes the records, every cell escaped, and flushes.
func (w *Writer) WriteAll(recs [][]string) error {
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
