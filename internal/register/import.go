package register

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/gctune"
	"carecircle/internal/store"
)

// Options say how to run an import.
type Options struct {
	// DryRun checks the file and reports what would happen, writing nothing.
	DryRun bool
	// ConfirmRows are the row numbers (as Excel numbers them) the user
	// confirmed: a row that looks like a registered elder or an earlier
	// row under another ID number (可能重复) is imported only when listed.
	ConfirmRows []int
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
	// Errors are every problem of the file as a whole and of its first
	// MaxListedRows bad rows; Problems and BadRowCount count them all.
	Errors      []Problem
	Problems    int
	BadRowCount int
	// Ignored are the file's headers that match no column.
	Ignored []string
	// Lookalikes are the rows that look like a registered elder or an
	// earlier row under another ID number (可能重复), confirmed or not.
	Lookalikes []int `json:",omitempty"`
}

// MaxListedRows is how many bad rows a report lists with their problems:
// a file of 100,000 bad rows is reported by its first 1,000 and counted,
// so the report and the memory it takes stay small whatever the file.
const MaxListedRows = 1000

// OK reports whether every row can be imported.
func (r *Report) OK() bool { return len(r.Errors) == 0 }

// BadRows counts the rows with at least one error, listed or not.
func (r *Report) BadRows() int {
	if r.BadRowCount > 0 {
		return r.BadRowCount
	}
	rows := map[int]bool{} // a report stored before the count was kept
	for _, p := range r.Errors {
		rows[p.Row] = true
	}
	return len(rows)
}

// Unlisted counts the problems a report counts but does not list.
func (r *Report) Unlisted() int { return max(r.Problems-len(r.Errors), 0) }

var msgMissingColumn = care.Msg{ZH: "缺少此列", EN: "this column is missing"}

// Import reads a register file and, unless it is a dry run or any row is
// bad, imports every row in one transaction as the actor. It returns an
// error only when the import could not be tried at all (forbidden, or the
// database failed); an unreadable file or bad rows are in the report.
func Import(ctx context.Context, db *store.DB, a care.Actor, kind Kind, file string, data []byte, o Options) (*Report, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	defer gctune.Bounded()()
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
	var rows []store.ElderImport
	im := &importer[elderRow]{s: elderSchema, rep: rep, start: func(n int) { rows = make([]store.ElderImport, n) },
		keep: func(i, num int, r *elderRow) {
			rows[i] = store.ElderImport{Row: num, Elder: r.Elder, Community: r.community, Clinic: r.clinic}
		}}
	if ok, err := im.read(data, o); !ok {
		return err
	}
	im.title = func(i int) string { return rows[i].Elder.Name }
	res, err := db.ImportElders(ctx, a, rows, store.ImportOptions{DryRun: o.DryRun || !rep.OK(), Fields: im.l.fields,
		Source: rep.File, Progress: o.Progress, MergeElder: mergeElder(im.l.fields), OnError: im.storeError,
		ConfirmRows: confirmSet(o.ConfirmRows)})
	if err != nil {
		return err
	}
	im.finish(res)
	return nil
}

func importVolunteers(ctx context.Context, db *store.DB, a care.Actor, rep *Report, data []byte, o Options) error {
	var rows []store.VolunteerImport
	im := &importer[volunteerRow]{s: volunteerSchema, rep: rep, start: func(n int) { rows = make([]store.VolunteerImport, n) },
		keep: func(i, num int, r *volunteerRow) {
			rows[i] = store.VolunteerImport{Row: num, Volunteer: r.Volunteer, Community: r.community}
		}}
	if ok, err := im.read(data, o); !ok {
		return err
	}
	im.title = func(i int) string { return rows[i].Volunteer.Name }
	res, err := db.ImportVolunteers(ctx, a, rows, store.ImportOptions{DryRun: o.DryRun || !rep.OK(), Fields: im.l.fields,
		Source: rep.File, Progress: o.Progress, MergeVolunteer: mergeVolunteer(im.l.fields), OnError: im.storeError})
	if err != nil {
		return err
	}
	im.finish(res)
	return nil
}

// importer reads one file's rows with a schema and gathers the report.
// Each row is parsed and handed to keep at once (the store's type), so the
// file's rows are never held twice.
type importer[R any] struct {
	s     *schema[R]
	rep   *Report
	start func(n int)            // told how many rows there are
	keep  func(i, num int, r *R) // row i, numbered num in the file
	title func(i int) string     // the name of row i, for the planned rows
	t     *table
	l     *layout
	// seen holds, per row with problems, the schema columns already named
	// (a cell that could not be read is also empty to validation, and the
	// first reason is the precise one); bit 63 is any other column.
	seen map[int]uint64
	// listed are the row numbers whose problems the report lists, in order.
	listed []int
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
	im.start(len(t.rows))
	r := new(R)
	for i, rec := range t.rows {
		var zero R
		*r = zero
		for j, col := range im.l.of {
			if col < 0 {
				continue
			}
			if bad := im.s.columns[col].set(r, rec.cell(j)); bad != nil {
				im.add(rec.num, im.l.headers[j], rec.cell(j), *bad)
			}
		}
		im.s.finish(r)
		im.keep(i, rec.num, r)
		o.progress("read", i+1, len(t.rows))
	}
	im.forgetUnlisted()
	return true, nil
}

// forgetUnlisted lets go of the cells of the rows after the last one the
// report can list: once MaxListedRows bad rows are listed, the store's
// checks can add no row after them, and the cells are kept only to quote
// the values of the rows the report lists.
func (im *importer[R]) forgetUnlisted() {
	if len(im.listed) < MaxListedRows {
		return
	}
	last := im.listed[len(im.listed)-1]
	for i := range im.t.rows {
		if im.t.rows[i].num > last {
			im.t.rows[i].text, im.t.rows[i].ends = "", nil
		}
	}
}

// storeError takes a bad row's error from the store's checks: its fields,
// each named by its column.
func (im *importer[R]) storeError(index int, ce *care.Error) {
	rec := im.t.rows[index]
	for _, field := range sortedFields(ce.Fields) {
		col := im.s.columnOf(im.l, field)
		im.add(rec.num, col, im.valueOf(rec, col), ce.Fields[field])
	}
}

// add records a problem unless the cell already has one, counting it; the
// report lists it when its row is among the first MaxListedRows bad rows
// (problems of the file as a whole, row 0, always).
func (im *importer[R]) add(row int, column, value string, m care.Msg) {
	if im.seen == nil {
		im.seen = map[int]uint64{}
	}
	column = strings.TrimSpace(column)
	bit := uint64(1) << 63
	if j, ok := im.s.index[headerKey(column)]; ok && j < 63 {
		bit = 1 << j
	}
	marks, known := im.seen[row]
	if marks&bit != 0 && (bit != 1<<63 || im.listedProblem(row, column)) {
		return
	}
	im.seen[row] = marks | bit
	im.rep.Problems++
	if !known && row > 0 {
		im.rep.BadRowCount++
	}
	if row > 0 && !im.list(row) {
		return
	}
	if im.fieldOf(column) == "id_number" && len(strings.TrimSpace(value)) >= 8 {
		value = care.MaskIDNumber(strings.TrimSpace(value)) // reports are shown on screen
	}
	im.rep.Errors = append(im.rep.Errors, Problem{Row: row, Column: Quote(column), Value: Quote(strings.TrimSpace(value)), Reason: m})
}

// listedProblem reports whether the report lists a problem of row and
// column already (for columns outside the schema, which share one mark).
func (im *importer[R]) listedProblem(row int, column string) bool {
	for _, p := range im.rep.Errors {
		if p.Row == row && p.Column == Quote(column) {
			return true
		}
	}
	return false
}

// list reports whether row's problems are listed, making room for it when
// it comes before the last row listed.
func (im *importer[R]) list(row int) bool {
	i, found := slices.BinarySearch(im.listed, row)
	switch {
	case found:
		return true
	case len(im.listed) < MaxListedRows:
	case i == len(im.listed):
		return false
	default:
		last := im.listed[len(im.listed)-1]
		im.listed = im.listed[:len(im.listed)-1]
		im.rep.Errors = slices.DeleteFunc(im.rep.Errors, func(p Problem) bool { return p.Row == last })
	}
	im.listed = slices.Insert(im.listed, i, row)
	return true
}

func (im *importer[R]) fieldOf(header string) string {
	if j, ok := im.s.index[headerKey(header)]; ok {
		return im.s.columns[j].field
	}
	return ""
}

// finish lists the good rows and orders the problems.
func (im *importer[R]) finish(res *store.ImportResult) {
	for i, act := range res.Actions {
		num := im.t.rows[i].num
		if _, bad := im.seen[num]; act == "" || bad {
			continue
		}
		im.rep.Planned = append(im.rep.Planned, Planned{Row: num, Action: act, Name: im.title(i)})
		if act == store.ActionCreate {
			im.rep.Created++
		} else {
			im.rep.Updated++
		}
	}
	im.rep.Committed = res.Committed && im.rep.OK()
	im.rep.Lookalikes = res.Lookalikes
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

func confirmSet(rows []int) map[int]bool {
	out := make(map[int]bool, len(rows))
	for _, r := range rows {
		out[r] = true
	}
	return out
}

// ParseRows reads a list of row numbers such as "2,5 7" (the CLI's
// --confirm-rows, the API's confirm_rows); ok is false when any is not a
// row number.
func ParseRows(s string) (rows []int, ok bool) {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == ';' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, false
		}
		rows = append(rows, n)
	}
	return rows, true
}
