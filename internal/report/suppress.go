package report

// Hiding a count under 5 is not enough when the table also shows a total:
// the total minus the cells shown gives the hidden one back. So in a
// viewer's report, every sum the table holds (parts of a street adding up
// to its total, statuses adding up to the register, ...) is a relation,
// and more cells are hidden ("*") until the hidden parts of each relation
// are at least two and add up to at least 5, or the total is hidden too.
// A percentage computed from a hidden count is hidden with it.

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

func hidden(c *Cell) bool { return c.Masked || c.Suppressed }

// suppress hides more cells until no relation gives a hidden count back.
// Each round hides at least one more cell or stops, so it ends.
func suppress(t *Table) {
	for changed := true; changed; {
		changed = false
		for _, rel := range t.rels {
			for hideMore(t, rel) {
				changed = true
			}
		}
	}
	for _, d := range t.derived {
		c := t.at(d.cell)
		if c == nil || !c.IsNum || hidden(c) {
			continue
		}
		for _, f := range d.from {
			if fc := t.at(f); fc != nil && hidden(fc) {
				c.Suppressed = true
				break
			}
		}
	}
}

// hideMore hides one more cell of a relation that gives a hidden count
// back, and reports whether it did.
func hideMore(t *Table, rel relation) bool {
	total := t.at(rel.total)
	if total == nil || !total.count || hidden(total) {
		return false
	}
	var n int
	var sum float64
	var smallest *Cell
	for _, ref := range rel.parts {
		c := t.at(ref)
		if c == nil || !c.count {
			continue
		}
		if hidden(c) {
			n++
			sum += c.Num
		} else if c.Num > 0 && (smallest == nil || c.Num < smallest.Num) {
			smallest = c
		}
	}
	if n == 0 || (n >= 2 && sum >= 5) {
		return false
	}
	if smallest != nil {
		smallest.Suppressed = true
	} else {
		total.Suppressed = true
	}
	return true
}
