package report

// Hiding a count under 5 is not enough when the table also shows a total:
// the total minus the cells shown gives the hidden one back. So every sum
// a table holds (parts of a street adding up to its total, statuses adding
// up to the register, ...) is a relation, and every percentage says what
// it is computed from; package mask decides what a viewer sees.

import (
	"fmt"

	"carecircle/internal/mask"
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

// cellKey names a cell for the mask: its count's name when it has one, so
// the same number in two tables (active elders in 老年人基本情况 and in 结对情况)
// is shown or hidden in both, else its place.
func cellKey(ti int, t *Table, ref cellRef) string {
	if c := t.at(ref); c != nil && c.key != "" {
		return c.key
	}
	return fmt.Sprintf("%d/%d/%d", ti, ref.row, ref.col)
}

// maskTables hides, in a viewer's report, every number resting on one to
// four people and every number that would give one back: the report's
// tables and their sums, and those of the reports that show the same
// numbers (more), go into one mask.Set, which decides.
func maskTables(tables []Table, more ...Table) {
	var s mask.Set
	all := append(append([]Table(nil), tables...), more...)
	for ti := range all {
		t := &all[ti]
		for r, row := range t.Rows {
			for c, cell := range row {
				k := cellKey(ti, t, cellRef{r, c})
				switch {
				case !cell.IsNum:
				case cell.count:
					s.Count(k, int64(cell.Num))
				default:
					s.Value(k, cell.Num, cell.Base)
				}
			}
		}
		for _, rel := range t.rels {
			parts := make([]string, len(rel.parts))
			for i, p := range rel.parts {
				parts[i] = cellKey(ti, t, p)
			}
			s.Sum(cellKey(ti, t, rel.total), parts...)
		}
		for _, d := range t.derived {
			if c := t.at(d.cell); c == nil || !c.IsNum {
				continue
			}
			from := make([]string, len(d.from))
			for i, f := range d.from {
				from[i] = cellKey(ti, t, f)
			}
			s.Value(cellKey(ti, t, d.cell), t.at(d.cell).Num, t.at(d.cell).Base, from...)
		}
	}
	for ti := range tables {
		t := &tables[ti]
		for r, row := range t.Rows {
			for c := range row {
				if !row[c].IsNum {
					continue
				}
				switch s.State(cellKey(ti, t, cellRef{r, c})) {
				case mask.Small:
					row[c].Masked = true
				case mask.Hidden:
					row[c].Suppressed = true
				}
			}
		}
	}
}
