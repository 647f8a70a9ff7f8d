package register

import (
	"context"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// names are what an export writes in place of record numbers.
type names struct {
	communities map[int64]string
	clinics     map[int64]string
}

func lookupNames(ctx context.Context, db *store.DB, a care.Actor) (*names, error) {
	n := &names{communities: map[int64]string{}, clinics: map[int64]string{}}
	comms, err := db.Communities(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range comms {
		n.communities[c.ID] = c.Name
	}
	clinics, err := db.Clinics(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range clinics {
		n.clinics[c.ID] = c.Name
	}
	return n, nil
}

// ExportElders writes the elders matching f (all of them: paging is
// ignored) in the columns the import reads, and returns how many. ID
// numbers are masked unless reveal is set, which the store allows only to
// roles that may reveal them and writes to the audit log. A masked export
// cannot be imported back: its ID numbers are refused row by row.
func ExportElders(ctx context.Context, db *store.DB, a care.Actor, f store.ElderFilter, format Format, reveal bool, w io.Writer) (int, error) {
	if !a.EditsRegistry() {
		return 0, care.ErrForbidden()
	}
	n, err := lookupNames(ctx, db, a)
	if err != nil {
		return 0, err
	}
	s := elderSchema
	sw, err := newSheetWriter(format, s.sheet, s.headers(), widths(s), w)
	if err != nil {
		return 0, err
	}
	count, err := db.ExportElders(ctx, a, f, reveal, func(e *care.Elder) error { return sw.row(s.cells(elderRowOf(e, n))) })
	if err != nil {
		return 0, err
	}
	return count, sw.close(w)
}

// ExportVolunteers writes the volunteers matching f in the columns the
// import reads, and returns how many.
func ExportVolunteers(ctx context.Context, db *store.DB, a care.Actor, f store.VolunteerFilter, format Format, w io.Writer) (int, error) {
	if !a.EditsRegistry() {
		return 0, care.ErrForbidden()
	}
	n, err := lookupNames(ctx, db, a)
	if err != nil {
		return 0, err
	}
	s := volunteerSchema
	sw, err := newSheetWriter(format, s.sheet, s.headers(), widths(s), w)
	if err != nil {
		return 0, err
	}
	count, err := db.ExportVolunteers(ctx, a, f, func(v *care.Volunteer) error { return sw.row(s.cells(volunteerRowOf(v, n))) })
	if err != nil {
		return 0, err
	}
	return count, sw.close(w)
}

func widths[R any](s *schema[R]) []float64 {
	out := make([]float64, len(s.columns))
	for i, c := range s.columns {
		out[i] = max(c.width, 8)
	}
	return out
}

// Template writes an empty register of kind: the headers and one example
// row, and in .xlsx a second sheet 填写说明 explaining each column.
func Template(kind Kind, format Format, w io.Writer) error {
	if kind == Elders {
		return writeTemplate(elderSchema, format, w)
	}
	return writeTemplate(volunteerSchema, format, w)
}

func writeTemplate[R any](s *schema[R], format Format, w io.Writer) error {
	sw, err := newSheetWriter(format, s.sheet, s.headers(), widths(s), w)
	if err != nil {
		return err
	}
	example := make([]cell, len(s.columns))
	for i, c := range s.columns {
		example[i] = cell{text: c.example, kind: c.kind}
	}
	if err := sw.row(example); err != nil {
		return err
	}
	if x, ok := sw.(*xlsxWriter); ok {
		if err := x.sw.Flush(); err != nil {
			return err
		}
		if err := notesSheet(x.f, s); err != nil {
			return err
		}
		defer x.f.Close()
		_, err := x.f.WriteTo(w)
		return err
	}
	return sw.close(w)
}

// notesSheet explains each column: whether it is required and what may be
// written, with the allowed values of every enumeration.
func notesSheet[R any](f *excelize.File, s *schema[R]) error {
	const sheet = "填写说明"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	rows := [][]any{
		{"列名", "说明", "Column notes (English)"},
	}
	for _, c := range s.columns {
		rows = append(rows, []any{c.header, c.note.ZH, c.note.EN})
	}
	rows = append(rows, []any{}, []any{"导入规则", importRules.ZH, importRules.EN})
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, ref, &r); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", 18); err != nil {
		return err
	}
	return f.SetColWidth(sheet, "B", "C", 60)
}

var importRules = care.Msg{
	ZH: "第一行为表头（上方可有标题行）；空行会被跳过。先“试导入”查看结果：有任何错误的行时，整个文件都不会导入。" +
		"服务对象按身份证号识别：已登记的同一人会被更新，不会重复登记。志愿者按同一社区内的联系电话识别。",
	EN: "The first row holds the headers (a title row above is allowed); empty rows are skipped. Try a dry run first: " +
		"when any row has an error nothing in the file is imported. Elders are matched by ID number, so a registered " +
		"person is updated, never duplicated; volunteers by phone within their community.",
}

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
