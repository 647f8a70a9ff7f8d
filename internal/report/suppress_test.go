package report

import (
	"slices"
	"testing"
)

func shown(t *Table) [][]string {
	var out [][]string
	for _, r := range t.Rows {
		var row []string
		for _, c := range r {
			row = append(row, c.String())
		}
		out = append(out, row)
	}
	return out
}

// TestNoTotalGivesAMaskedCountBack: a hidden count can be had neither by
// subtracting the cells shown from the total, nor from a percentage.
func TestNoTotalGivesAMaskedCountBack(t *testing.T) {
	for _, c := range []struct {
		parts []int64
		want  []string // the parts, then the total, as shown
	}{
		{[]int64{3, 10, 12}, []string{"<5", "*", "12", "25"}},
		{[]int64{1, 1, 40}, []string{"<5", "<5", "*", "42"}},
		{[]int64{2, 4, 9}, []string{"<5", "<5", "9", "15"}},
		{[]int64{0, 7, 9}, []string{"0", "7", "9", "16"}},
		{[]int64{3, 0}, []string{"<5", "0", "<5"}},
	} {
		tb := Table{Columns: []string{"单位", "人数"}}
		for _, n := range c.parts {
			tb.Rows = append(tb.Rows, []Cell{text("社区"), count(n)})
		}
		var sum int64
		for _, n := range c.parts {
			sum += n
		}
		tb.Rows = append(tb.Rows, []Cell{text("合计"), count(sum)})
		tb.perPartSums(len(c.parts))
		maskTables([]Table{tb})
		var got []string
		for _, r := range shown(&tb) {
			got = append(got, r[1])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: shown %v, want %v", c.parts, got, c.want)
		}
	}
	// Within a row: paired + unpaired = active, and the rate.
	tb := Table{Columns: []string{"单位", "服务中", "已结对", "未结对", "结对率"}}
	tb.Rows = [][]Cell{{text("幸福社区"), count(30), count(27), count(3), rate(27, 30)}}
	tb.rowSums(1, 2, 3)
	tb.rowRates(4, 1, 2)
	maskTables([]Table{tb})
	if got := shown(&tb)[0]; !slices.Equal(got, []string{"幸福社区", "30", "*", "<5", "*"}) {
		t.Errorf("row shown %v", got)
	}
}
