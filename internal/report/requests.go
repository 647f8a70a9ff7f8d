package report

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/store"
)

// requestsTable counts, per community, the requests for help (按需服务,
// issue 16 point 1) received in the period, those answered (done) and the
// median time to answer in minutes (made → done). The median is computed
// from the answered requests' minutes (requests.answer_minutes.M), so a
// street's total is the median of all its requests, not a sum; it is not
// part of the table's sums but computed from the answered count, so the
// mask hides it whenever that count is hidden and shows "<5" when fewer
// than five requests were answered.
func requestsTable(d *store.ReportData, l func(string, string) string) Table {
	headers := []string{l("收到求助（件）", "Requests received"), l("已完成（件）", "Requests answered"),
		l("完成用时中位数（分钟）", "Median time to answer (minutes)")}
	t := perPart(d, l, "requests", l("按需服务", "Requests for help"), headers, func(c store.ReportCounts) []Cell {
		return []Cell{countOf(c, "requests.received"), countOf(c, "requests.answered"), medianMinutes(c)}
	})
	// The median is no sum of the parts' medians.
	t.rels = slices.DeleteFunc(t.rels, func(r relation) bool { return r.total.col == 3 })
	t.rowRates(3, 2)
	t.Note = l("按老人所属社区计；收到按登记时间、完成按完成时间计入统计期；用时为登记到完成的分钟数。",
		"By the elder's community; received by when recorded, answered by when done; the time to answer is minutes from recorded to done.")
	return t
}

// medianMinutes is the median of the answer times counted in c, resting on
// the number answered; "—" when none was.
func medianMinutes(c store.ReportCounts) Cell {
	const prefix = "requests.answer_minutes."
	type value struct{ minutes, n int64 }
	var vs []value
	var total int64
	for k, n := range c {
		if !strings.HasPrefix(k, prefix) || n <= 0 {
			continue
		}
		m, err := strconv.ParseInt(strings.TrimPrefix(k, prefix), 10, 64)
		if err != nil {
			continue
		}
		vs = append(vs, value{m, n})
		total += n
	}
	if total == 0 {
		return text("—")
	}
	slices.SortFunc(vs, func(a, b value) int { return int(a.minutes - b.minutes) })
	// nth is the value at 0-based position i of the sorted answers.
	nth := func(i int64) int64 {
		for _, v := range vs {
			if i < v.n {
				return v.minutes
			}
			i -= v.n
		}
		return vs[len(vs)-1].minutes
	}
	med := float64(nth((total - 1) / 2))
	if total%2 == 0 {
		med = (med + float64(nth(total/2))) / 2
	}
	return Cell{Num: math.Round(med), IsNum: true, Base: total}
}
