// Package register reads and writes the Excel and CSV registers that
// communities keep of their elders and volunteers (SPEC §2): the column
// headers people write, cells as Excel stores them, files in UTF-8 (with or
// without BOM) or GB18030, and the import report that names every bad row
// by its row number and column as the user sees them in Excel.
//
// Validation is the registry's own (care.Elder.Validate,
// care.Volunteer.Validate, via the store); this package only maps its field
// errors back to the columns they came from.
package register

import (
	"path"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Kind is what a register lists.
type Kind string

// Kinds of register.
const (
	Elders     Kind = "elders"
	Volunteers Kind = "volunteers"
)

// ParseKind accepts "elders" or "volunteers".
func ParseKind(s string) (Kind, bool) {
	switch Kind(s) {
	case Elders, Volunteers:
		return Kind(s), true
	}
	return "", false
}

// Label names the kind in lang.
func (k Kind) Label(lang string) string {
	if k == Elders {
		return care.Msg{ZH: "服务对象", EN: "elders"}.In(lang)
	}
	return care.Msg{ZH: "志愿者", EN: "volunteers"}.In(lang)
}

// Format is a file format.
type Format string

// Formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat accepts "xlsx" or "csv" (case-insensitive, with or without a dot).
func ParseFormat(s string) (Format, bool) {
	switch f := Format(strings.ToLower(strings.TrimPrefix(s, "."))); f {
	case XLSX, CSV:
		return f, true
	}
	return "", false
}

// FormatOf guesses the format from a file name.
func FormatOf(name string) (Format, bool) { return ParseFormat(path.Ext(name)) }

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// DisplayFileName is the name of an exported register as people see it:
// 服务对象名册_2026-12-04.xlsx (Shanghai's date of at).
func DisplayFileName(k Kind, f Format, at time.Time) string {
	name := map[Kind]string{Elders: "服务对象名册", Volunteers: "志愿者名册"}[k]
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return name + "_" + at.In(loc).Format("2006-01-02") + "." + string(f)
}

// FileName is the download name of a register of kind in format.
func FileName(k Kind, f Format) string {
	return string(k) + "." + string(f)
}

// MaxFileSize is the largest register file accepted: a street's 20,000
// elders fit in a few megabytes.
const MaxFileSize = 20 << 20
