package report

// Hiding a count under 5 is not enough when the table also shows a total:
// the total minus the cells shown gives the hidden one back. So every sum
// a table holds (parts of a street adding up to its total, statuses adding
// up to the register, ...) is a relation, and every percentage says what
// it is computed from; package mask decides what a viewer sees.

import (
	"fmt"
	"strconv"
	"strings"

	"carecircle/internal/mask"
	"carecircle/internal/store"
)

// cellRef names a cell by row and column.
type cellRef struct{ row, col int }

// relation says the parts add up to the total.
type relation struct {
	total cellRef
	parts []cellRef
}

// derived says a cell (a percentage) is computed from others.
type derived struct {
	cell cellRef
	from []cellRef
}

// columnSums relates, for each of the columns, the cells of the rows to
// the total row's cell.
func (t *Table) columnSums(rows []int, total int, cols ...int) {
	for _, c := range cols {
		rel := relation{total: cellRef{total, c}}
		for _, r := range rows {
			rel.parts = append(rel.parts, cellRef{r, c})
		}
		t.rels = append(t.rels, rel)
	}
}

// rowSums relates, in every row, the cells of the part columns to the
// total column's cell.
func (t *Table) rowSums(total int, parts ...int) {
	for r := range t.Rows {
		rel := relation{total: cellRef{r, total}}
		for _, c := range parts {
			rel.parts = append(rel.parts, cellRef{r, c})
		}
		t.rels = append(t.rels, rel)
	}
}

// rowRates marks, in every row, the cell of column rate as computed from
// the cells of columns from.
func (t *Table) rowRates(rate int, from ...int) {
	for r := range t.Rows {
		d := derived{cell: cellRef{r, rate}}
		for _, c := range from {
			d.from = append(d.from, cellRef{r, c})
		}
		t.derived = append(t.derived, d)
	}
}

// perPartSums relates the part rows to the total row for every column of
// a table made by perPart, when it has a total row.
func (t *Table) perPartSums(parts int) {
	if parts < 2 {
		return
	}
	rows := make([]int, parts)
	for i := range rows {
		rows[i] = i
	}
	cols := make([]int, 0, len(t.Columns)-1)
	for c := 1; c < len(t.Columns); c++ {
		cols = append(cols, c)
	}
	t.columnSums(rows, parts, cols...)
}

func (t *Table) at(ref cellRef) *Cell {
	if ref.row >= len(t.Rows) || ref.col >= len(t.Rows[ref.row]) {
		return nil
	}
	return &t.Rows[ref.row][ref.col]
}

// numKey names the count name of part i of d (the whole unit after the
// parts) for the mask, so that a number shown in several reports is one
// number: "services@c12#2026-11". The part is named by its id (a
// community's line of its street's report is the community's report; a
// street's total its line of the district's), and the period as the
// number has it (numberPeriod).
func numKey(name string, d *store.ReportData, i int) string {
	part := unitKey(d.Unit)
	if i < len(d.Unit.Parts) {
		part = partKey(d.Unit, d.Unit.Parts[i])
	}
	return name + "@" + part + numberPeriod(name, d.Period)
}

// unitKey names a unit in the mask's keys.
func unitKey(u store.ReportUnit) string {
	switch u.Kind {
	case store.UnitCommunity:
		return "c" + strconv.FormatInt(u.ID, 10)
	case store.UnitStreet:
		return "s" + strconv.FormatInt(u.ID, 10)
	}
	return "d:" + u.Name
}

// partKey names a part of unit u: a street of a district, else a community.
func partKey(u store.ReportUnit, p store.ReportPart) string {
	if u.Kind == store.UnitDistrict {
		return "s" + strconv.FormatInt(p.ID, 10)
	}
	return "c" + strconv.FormatInt(p.ID, 10)
}

// numberPeriod is the period a count belongs to, as a key's suffix. The
// register (elders and volunteers as they stand now) is the same number in
// every report: no period. Pairing, 高龄 and the cases still open are as
// of the period's last day: a quarter's are its last month's. The others
// are the period's own: services, cards and cases opened and resolved add
// up over the months (sumsOverMonths), the elders and volunteers served
// and compliance do not.
func numberPeriod(name string, p store.Period) string {
	switch {
	case inRegister(name):
		return ""
	case name == "elders.category.advanced_age" || strings.HasPrefix(name, "pairing.") || strings.HasPrefix(name, "cases.open."):
		return "#" + p.Months[len(p.Months)-1]
	}
	return "#" + p.Label
}

// inRegister reports whether the count named name is the register's.
func inRegister(name string) bool {
	switch {
	case name == "elders" || name == "volunteers" || name == "volunteers.active":
		return true
	case name == "elders.category.advanced_age":
		return false
	}
	for _, prefix := range []string{"elders.status.", "elders.self_care.", "elders.category.", "volunteers.kind."} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// sumsOverMonths reports whether a quarter's count named name is its
// months' added up. Cases resolved are counted once a quarter even when
// resolved twice, but a reader would add the months up all the same.
func sumsOverMonths(name string) bool {
	switch {
	case name == "services.elders":
		return false
	case name == "elders.new" || name == "services" || name == "cards":
		return true
	}
	for _, prefix := range []string{"services.", "cards.", "cases.opened.", "cases.resolved."} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// cellKey names a cell for the mask: its count's key when it has one,
// else its place (prefix names the report).
func cellKey(prefix string, ti int, t *Table, ref cellRef) string {
	if c := t.at(ref); c != nil && c.key != "" {
		return c.key
	}
	return fmt.Sprintf("%s/%d/%d/%d", prefix, ti, ref.row, ref.col)
}

// addTables puts the numbers of tables, their sums and their percentages
// in s; with register only the register's counts and the sums among them.
func addTables(s *mask.Set, prefix string, tables []Table, register bool) {
	for ti := range tables {
		t := &tables[ti]
		key := func(ref cellRef) string { return cellKey(prefix, ti, t, ref) }
		inSet := func(ref cellRef) bool {
			c := t.at(ref)
			return c != nil && c.IsNum && (!register || (c.count && inRegister(baseName(c.key))))
		}
		for r, row := range t.Rows {
			for c, cell := range row {
				switch ref := (cellRef{r, c}); {
				case !inSet(ref):
				case cell.count:
					s.Count(key(ref), int64(cell.Num))
				default:
					s.Value(key(ref), cell.Num, cell.Base)
				}
			}
		}
	rels:
		for _, rel := range t.rels {
			if !inSet(rel.total) {
				continue
			}
			parts := make([]string, 0, len(rel.parts))
			for _, p := range rel.parts {
				if !inSet(p) {
					if register {
						continue rels
					}
					continue
				}
				parts = append(parts, key(p))
			}
			s.Sum(key(rel.total), parts...)
		}
		if register {
			continue
		}
		for _, d := range t.derived {
			c := t.at(d.cell)
			if c == nil || !c.IsNum {
				continue
			}
			from := make([]string, len(d.from))
			for i, f := range d.from {
				from[i] = key(f)
			}
			s.Value(key(d.cell), c.Num, c.Base, from...)
		}
	}
}

// baseName is the count's name of a key: "services" of "services@c12#2026-11".
func baseName(key string) string {
	if i := strings.IndexByte(key, '@'); i >= 0 {
		return key[:i]
	}
	return key
}

// applyStates marks every number of tables as s decides it.
func applyStates(s *mask.Set, prefix string, tables []Table) {
	for ti := range tables {
		t := &tables[ti]
		for r, row := range t.Rows {
			for c := range row {
				if !row[c].IsNum {
					continue
				}
				switch s.State(cellKey(prefix, ti, t, cellRef{r, c})) {
				case mask.Small:
					row[c].Masked = true
				case mask.Hidden:
					row[c].Suppressed = true
				}
			}
		}
	}
}

// maskTables hides, in tables read alone, every number resting on one to
// four people and every number that would give one back.
func maskTables(tables []Table) {
	var s mask.Set
	addTables(&s, "", tables, false)
	applyStates(&s, "", tables)
}
