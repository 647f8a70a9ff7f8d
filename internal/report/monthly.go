package report

import (
	"context"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/mask"
	"carecircle/internal/store"
)

// MonthlyMask is how a viewer sees the services of each month on the home
// page's chart: a community's, a street's or a district's services of a
// month are that month's report's (its services table's 合计 line), decided
// in the same layers, so the chart and the reports show or hide each
// number alike.
type MonthlyMask struct {
	set   mask.Set
	total string // the chart's total: a street, a district or "all"
}

// NewMonthlyMask decides the services of months per community, street and
// district of the viewer's scope (streets and comms; a viewer without a
// street reads the districts' reports too) from rows.
func NewMonthlyMask(streets []care.Street, comms []care.Community, a care.Actor, months []string, rows []store.MonthlyServices) *MonthlyMask {
	sc := newScope(streets, comms, a.StreetID == 0)
	counts := map[string]map[int64]store.ReportCounts{} // month → community → counts
	for _, r := range rows {
		m := counts[r.Month]
		if m == nil {
			m = map[int64]store.ReportCounts{}
			counts[r.Month] = m
		}
		c := m[r.CommunityID]
		if c == nil {
			c = store.ReportCounts{}
			m[r.CommunityID] = c
		}
		c["services"] += int64(r.Count)
		c["services."+r.Kind+"."+r.Type] += int64(r.Count)
	}
	tables := func(u store.ReportUnit, p store.Period) ([]Table, error) {
		d := &store.ReportData{Unit: u, Period: p, Parts: make([]store.ReportCounts, len(u.Parts))}
		for i, part := range u.Parts {
			d.Parts[i] = store.ReportCounts{}
			for _, c := range part.Communities {
				for k, n := range counts[p.Label][c] {
					d.Parts[i][k] += n
				}
			}
		}
		return tablesOf(context.Background(), nil, d, "zh")
	}
	l := newLayers(sc, tables, nil)
	mm := &MonthlyMask{}
	fixed := newDecided()
	for _, m := range months {
		p := store.Period{Label: m, Months: []string{m}}
		for _, u := range append(append([]store.ReportUnit(nil), sc.streets...), sc.districts...) {
			d, _ := l.decide(u, p) // tables of counts in memory: no error
			fixed.add(d)
		}
	}
	fixed.fix(&mm.set)
	tops := sc.tops()
	if len(tops) == 1 {
		mm.total = unitKey(tops[0])
		return mm
	}
	// The total of several districts is the chart's own.
	mm.total = "all"
	for _, m := range months {
		var total int64
		parts := make([]string, len(tops))
		for i, t := range tops {
			parts[i] = "services@" + unitKey(t) + "#" + m
			total += fixed.vals[parts[i]]
		}
		mm.set.Count("services@all#"+m, total)
		mm.set.Sum("services@all#"+m, parts...)
	}
	return mm
}

// Text is the services n of a month as the viewer may see them: of a
// community ("c12"), a street ("s3"), or with unit "" the chart's total.
func (mm *MonthlyMask) Text(unit, month string, n int) string {
	if unit == "" {
		unit = mm.total
	}
	if st := mm.set.State("services@" + unit + "#" + month); st != mask.Shown {
		return st.Text()
	}
	return strconv.Itoa(n)
}
