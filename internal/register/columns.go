package register

import (
	"strings"

	"carecircle/internal/care"
)

// cellKind says how a column's cells are written to .xlsx, so that numbers
// and dates stay numbers and dates in Excel and ID numbers stay text.
type cellKind int

const (
	textCell cellKind = iota
	numberCell
	dateCell
)

// column is one column of a register: its header and the other headers
// people use for it, the care field its errors belong to, and how a cell
// is read into a row (set) and written from one (get).
type column[R any] struct {
	header  string
	aliases []string
	field   string
	kind    cellKind
	width   float64
	note    care.Msg // what to write, for the template's notes sheet
	example string
	get     func(r *R) string
	set     func(r *R, v string) *care.Msg
}

// schema is a register: its columns in the order exports write them.
type schema[R any] struct {
	kind    Kind
	sheet   string
	columns []column[R]
	// required are the headers without which no row can be imported.
	required []string
	// finish completes a row once every cell is read.
	finish func(r *R)
	index  map[string]int
}

func (s *schema[R]) init() *schema[R] {
	s.index = map[string]int{}
	for i, c := range s.columns {
		for _, h := range append([]string{c.header}, c.aliases...) {
			s.index[headerKey(h)] = i
		}
	}
	return s
}

// headerKey is a header as compared: 身份证号码（必填）, ＊姓名 and 姓 名 all
// match their column.
func headerKey(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '*' || r == '＊' || r == ':' || r == '：' {
			return -1
		}
		return r
	}, fold(s))
	return strings.ToLower(stripBrackets(s))
}

// isHeader tells the header row apart from a title row above it: it names
// at least two known columns.
func (s *schema[R]) isHeader(cells []string) bool {
	n := 0
	for _, c := range cells {
		if _, ok := s.index[headerKey(c)]; ok {
			n++
		}
	}
	return n >= 2
}

// quietlyIgnored are columns registers often have that mean nothing to
// the registry: a running number.
var quietlyIgnored = map[string]bool{"序号": true, "编号": true, "序": true, "no.": true, "no": true}

// layout is how a file's columns map to the schema's.
type layout struct {
	// of[i] is the schema column of the file's column i, or -1.
	of      []int
	headers []string
	// byField is the file's header for each care field it has a column for.
	byField map[string]string
	fields  []string
	ignored []string
}

func (s *schema[R]) layout(headers []string) *layout {
	l := &layout{of: make([]int, len(headers)), headers: headers, byField: map[string]string{}}
	seen := map[int]bool{}
	for i, h := range headers {
		l.of[i] = -1
		j, ok := s.index[headerKey(h)]
		switch {
		case strings.TrimSpace(h) == "":
		case !ok && quietlyIgnored[headerKey(h)]:
		case !ok || seen[j]:
			l.ignored = append(l.ignored, strings.TrimSpace(h))
		default:
			l.of[i], seen[j] = j, true
			f := s.columns[j].field
			if _, dup := l.byField[f]; !dup {
				l.byField[f] = strings.TrimSpace(h)
				l.fields = append(l.fields, f)
			}
		}
	}
	return l
}

// missing lists the required headers the file lacks.
func (s *schema[R]) missing(l *layout) []string {
	var out []string
	for _, h := range s.required {
		found := false
		for _, j := range l.of {
			if j >= 0 && s.columns[j].header == h {
				found = true
			}
		}
		if !found {
			out = append(out, h)
		}
	}
	return out
}

// columnOf is the header to show for an error on a care field: the file's
// own header when it has the column, else the canonical one.
func (s *schema[R]) columnOf(l *layout, field string) string {
	if h, ok := l.byField[field]; ok {
		return h
	}
	if field == "lon" {
		return s.columnOf(l, "lat")
	}
	for _, c := range s.columns {
		if c.field == field {
			return c.header
		}
	}
	return field
}

// headers are the canonical headers in order.
func (s *schema[R]) headers() []string {
	out := make([]string, len(s.columns))
	for i, c := range s.columns {
		out[i] = c.header
	}
	return out
}

// cells writes a row in the schema's column order.
func (s *schema[R]) cells(r *R) []cell {
	out := make([]cell, len(s.columns))
	for i, c := range s.columns {
		out[i] = cell{text: c.get(r), kind: c.kind}
	}
	return out
}
