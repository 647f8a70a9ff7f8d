package register

import (
	"context"
	"sort"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Options say how to run an import.
type Options struct {
	// DryRun checks the file and reports what would happen, writing nothing.
	DryRun bool
	// Progress, when set, is told how far reading ("read"), checking
	// ("check") and writing ("write") have come.
	Progress func(stage string, done, total int)
}

func (o Options) progress(stage string, done, total int) {
	if o.Progress != nil && (done%500 == 0 || done == total) {
		o.Progress(stage, done, total)
	}
}

// Problem is one bad cell: its row as Excel numbers it (the header is row
// 1 unless a title sits above it; 0 is the file as a whole), its column as
// the file names it, the value found and why it cannot be imported.
type Problem struct {
	Row    int
	Column string
	Value  string
	Reason care.Msg
}

// Planned is a good row and what importing it does.
type Planned struct {
	Row    int
	Action string // store.ActionCreate or store.ActionUpdate
	Name   string
}

// Report is the outcome of an import or a dry run.
type Report struct {
	Kind Kind
	File string
	// Rows counts the data rows read (empty rows are skipped).
	Rows             int
	Created, Updated int
	// Committed is true when the rows were written; with any error nothing is.
	Committed bool
	Planned   []Planned
	Errors    []Problem
	// Ignored are the file's headers that match no column.
	Ignored []string
}

// OK reports whether every row can be imported.
func (r *Report) OK() bool { return len(r.Errors) == 0 }

// BadRows counts the rows with at least one error.
func (r *Report) BadRows() int {
	rows := map[int]bool{}
	for _, p := range r.Errors {
		rows[p.Row] = true
	}
	return len(rows)
}

var msgMissingColumn = care.Msg{ZH: "缺少此列", EN: "this column is missing"}

// Import reads a register file and, unless it is a dry run or any row is
// bad, imports every row in one transaction as the actor. It returns an
// error only when the import could not be tried at all (forbidden, or the
// database failed); an unreadable file or bad rows are in the report.
func Import(ctx context.Context, db *store.DB, a care.Actor, kind Kind, file string, data []byte, o Options) (*Report, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	rep := &Report{Kind: kind, File: file}
	var err error
	switch kind {
	case Elders:
		err = importElders(ctx, db, a, rep, data, o)
	case Volunteers:
		err = importVolunteers(ctx, db, a, rep, data, o)
	default:
		return nil, care.Errorf(care.ENotFound, "没有这种名册 / no such register: %s", kind)
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func importElders(ctx context.Context, db *store.DB, a care.Actor, rep *Report, data []byte, o Options) error {
	im := &importer[elderRow]{s: elderSchema, rep: rep, title: func(r *elderRow) string { return r.Name }}
	if ok, err := im.read(data, o); !ok {
		return err
	}
	rows := make([]store.ElderImport, len(im.rows))
	for i := range im.rows {
		r := &im.rows[i]
		rows[i] = store.ElderImport{Row: im.t.rows[i].num, Elder: r.Elder, Community: r.community, Clinic: r.clinic}
	}
	res, err := db.ImportElders(ctx, a, rows, store.ImportOptions{DryRun: o.DryRun || !rep.OK(), Fields: im.l.fields,
		Source: rep.File, Progress: o.Progress, MergeElder: mergeElder(im.l.fields)})
	if err != nil {
		return err
	}
	im.finish(res)
	return nil
}

func importVolunteers(ctx context.Context, db *store.DB, a care.Actor, rep *Report, data []byte, o Options) error {
	im := &importer[volunteerRow]{s: volunteerSchema, rep: rep, title: func(r *volunteerRow) string { return r.Name }}
	if ok, err := im.read(data, o); !ok {
		return err
	}
	rows := make([]store.VolunteerImport, len(im.rows))
	for i := range im.rows {
		r := &im.rows[i]
		rows[i] = store.VolunteerImport{Row: im.t.rows[i].num, Volunteer: r.Volunteer, Community: r.community}
	}
	res, err := db.ImportVolunteers(ctx, a, rows, store.ImportOptions{DryRun: o.DryRun || !rep.OK(), Fields: im.l.fields,
		Source: rep.File, Progress: o.Progress, MergeVolunteer: mergeVolunteer(im.l.fields)})
	if err != nil {
		return err
	}
	im.finish(res)
	return nil
}

// importer reads one file's rows with a schema and gathers the report.
type importer[R any] struct {
	s      *schema[R]
	rep    *Report
	title  func(r *R) string
	t      *table
	l      *layout
	rows   []R
	marked map[problemKey]bool
}

type problemKey struct {
	row    int
	column string
}

// read parses every cell; it reports false when the file cannot be
// imported at all (unreadable, over a limit, no header, a required column
// missing), with an error when it is too large to read.
func (im *importer[R]) read(data []byte, o Options) (bool, error) {
	t, bad, err := readTable(data, im.s.isHeader)
	if err != nil {
		return false, err
	}
	if bad != nil {
		im.add(0, "", "", *bad)
		return false, nil
	}
	im.t, im.l = t, im.s.layout(t.headers)
	im.rep.Ignored, im.rep.Rows = im.l.ignored, len(t.rows)
	if len(t.long) > 0 {
		for _, p := range t.long {
			im.add(p.Row, p.Column, p.Value, p.Reason)
		}
		return false, nil
	}
	if miss := im.s.missing(im.l); len(miss) > 0 {
		for _, h := range miss {
			im.add(t.headerRow, h, "", msgMissingColumn)
		}
		return false, nil
	}
	im.rows = make([]R, len(t.rows))
	for i, rec := range t.rows {
		r := &im.rows[i]
		for j, col := range im.l.of {
			if col < 0 {
				continue
			}
			if bad := im.s.columns[col].set(r, rec.cell(j)); bad != nil {
				im.add(rec.num, im.l.headers[j], rec.cell(j), *bad)
			}
		}
		im.s.finish(r)
		o.progress("read", i+1, len(t.rows))
	}
	return true, nil
}

// add records a problem unless the cell already has one: a cell that
// could not be read is also empty to validation, and the first reason is
// the precise one.
func (im *importer[R]) add(row int, column, value string, m care.Msg) {
	if im.marked == nil {
		im.marked = map[problemKey]bool{}
	}
	k := problemKey{row, strings.TrimSpace(column)}
	if im.marked[k] {
		return
	}
	im.marked[k] = true
	if im.fieldOf(column) == "id_number" && len(strings.TrimSpace(value)) >= 8 {
		value = care.MaskIDNumber(strings.TrimSpace(value)) // reports are shown on screen
	}
	im.rep.Errors = append(im.rep.Errors, Problem{Row: row, Column: Quote(k.column), Value: Quote(strings.TrimSpace(value)), Reason: m})
}

func (im *importer[R]) fieldOf(header string) string {
	if j, ok := im.s.index[headerKey(header)]; ok {
		return im.s.columns[j].field
	}
	return ""
}

// finish maps the store's field errors to columns and lists the good rows.
func (im *importer[R]) finish(res *store.ImportResult) {
	for _, re := range res.Errors {
		rec := im.t.rows[re.Index]
		ce, ok := re.Err.(*care.Error)
		if !ok {
			continue
		}
		for _, field := range sortedFields(ce.Fields) {
			col := im.s.columnOf(im.l, field)
			im.add(rec.num, col, im.valueOf(rec, col), ce.Fields[field])
		}
	}
	bad := map[int]bool{}
	for _, p := range im.rep.Errors {
		bad[p.Row] = true
	}
	for i, act := range res.Actions {
		num := im.t.rows[i].num
		if act == "" || bad[num] {
			continue
		}
		im.rep.Planned = append(im.rep.Planned, Planned{Row: num, Action: act, Name: im.title(&im.rows[i])})
		if act == store.ActionCreate {
			im.rep.Created++
		} else {
			im.rep.Updated++
		}
	}
	im.rep.Committed = res.Committed && im.rep.OK()
	order := map[string]int{}
	for i, h := range im.l.headers {
		if _, ok := order[strings.TrimSpace(h)]; !ok {
			order[strings.TrimSpace(h)] = i
		}
	}
	sort.SliceStable(im.rep.Errors, func(i, j int) bool {
		a, b := im.rep.Errors[i], im.rep.Errors[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return rank(order, a.Column) < rank(order, b.Column)
	})
}

func rank(order map[string]int, column string) int {
	if i, ok := order[column]; ok {
		return i
	}
	return 1 << 20
}

func (im *importer[R]) valueOf(rec record, header string) string {
	for j, h := range im.l.headers {
		if strings.TrimSpace(h) == header {
			return rec.cell(j)
		}
	}
	return ""
}

func sortedFields(m map[string]care.Msg) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
