package report

import (
	"context"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/mask"
	"carecircle/internal/store"
)

// Overview is the register as it stands now, per community and in total:
// the home page's tiles and table and GET /api/v1/stats/elders. For a
// viewer every number goes through one mask.Set, with the sums the
// readers can form (communities adding up to the total, statuses and
// self-care adding up to the register, paired + unpaired = active,
// volunteers by kind adding up to the active ones). The register's numbers
// are the reports' and are decided as theirs (layers.go), so each is shown
// or hidden alike on every page.
type Overview struct {
	Masked      bool
	Communities []store.CommunityStats
	Total       store.CommunityStats
	set         mask.Set
	total       string // the total's unit in the keys
}

// Overview fields: "elders", "paired", "status.S", "self_care.S",
// "category.C", "volunteers.K"; TotalID names the total.
const TotalID int64 = -1

// NewOverview lays out the numbers of stats, the communities of streets
// the actor sees; masked for viewers.
func NewOverview(stats []store.CommunityStats, streets []care.Street, a care.Actor) *Overview {
	o := &Overview{Masked: a.Role == care.RoleViewer, Communities: stats, Total: sumStats(stats), total: "all"}
	if o.Masked {
		o.fixRegister(streets, a.StreetID == 0)
	}
	ids := make([]int64, len(stats))
	for i, c := range stats {
		ids[i] = c.CommunityID
		o.add(c.CommunityID, c)
	}
	o.add(TotalID, o.Total)
	col := func(f string) {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = o.key(f, id)
		}
		o.set.Sum(o.key(f, TotalID), parts...)
	}
	row := func(total string, fields []string) {
		for _, id := range append(ids, TotalID) {
			parts := make([]string, len(fields))
			for i, f := range fields {
				parts[i] = o.key(f, id)
			}
			o.set.Sum(o.key(total, id), parts...)
		}
	}
	codes := func(prefix string, cs []care.Choice) []string {
		var out []string
		for _, c := range cs {
			out = append(out, prefix+c.Code)
		}
		return out
	}
	statuses, selfCare := codes("status.", care.ElderStatuses), codes("self_care.", care.SelfCareLevels)
	col("elders")
	for _, f := range codes("category.", care.Categories) {
		col(f)
	}
	for _, f := range append(statuses, selfCare...) {
		col(f)
	}
	row("elders", statuses)
	row("elders", selfCare)
	col("paired")
	col("unpaired")
	row("status.active", []string{"paired", "unpaired"})
	kinds := codes("volunteers.", care.VolunteerKinds)
	col("volunteers")
	for _, f := range kinds {
		col(f)
	}
	row("volunteers", kinds)
	for _, id := range append(ids, TotalID) {
		o.set.Value(o.key("paired_pct", id), 0, int64(o.get(id).ByStatus["active"]), o.key("paired", id), o.key("status.active", id))
	}
	return o
}

// fixRegister puts the register's numbers in the set as the reports
// decide them: each street's, each district's, and the total's when it is
// a street's or a district's.
func (o *Overview) fixRegister(streets []care.Street, districts bool) {
	comms := make([]care.Community, len(o.Communities))
	for i, c := range o.Communities {
		comms[i] = care.Community{ID: c.CommunityID, StreetID: c.StreetID, Name: c.Name}
	}
	sc := newScope(streets, comms, districts)
	counts := map[int64]store.ReportCounts{}
	for _, c := range o.Communities {
		counts[c.CommunityID] = registerCounts(c)
	}
	now := store.Period{Label: "now", Months: []string{"now"}}
	tables := func(u store.ReportUnit, p store.Period) ([]Table, error) {
		d := &store.ReportData{Unit: u, Period: p, Parts: make([]store.ReportCounts, len(u.Parts))}
		for i, part := range u.Parts {
			d.Parts[i] = store.ReportCounts{}
			for _, c := range part.Communities {
				for k, n := range counts[c] {
					d.Parts[i][k] += n
				}
			}
		}
		return tablesOf(context.Background(), nil, d, "zh")
	}
	l := newLayers(sc, tables, nil)
	fixed := newDecided()
	tops := sc.tops()
	for _, u := range append(append([]store.ReportUnit(nil), sc.streets...), sc.districts...) {
		d, _ := l.register(u, now) // tables of counts in memory: no error
		fixed.add(d)
	}
	fixed.fix(&o.set)
	if len(tops) == 1 {
		o.total = unitKey(tops[0])
		return
	}
	// The total of several districts is the page's own: the districts'
	// reports add up to it.
	for _, k := range fixed.order {
		name, unit, _ := strings.Cut(k, "@")
		if unit != unitKey(tops[0]) {
			continue
		}
		parts := make([]string, len(tops))
		for i, t := range tops {
			parts[i] = name + "@" + unitKey(t)
		}
		o.set.Sum(name+"@all", parts...)
	}
}

// registerCounts are a community's register numbers as the reports name them.
func registerCounts(c store.CommunityStats) store.ReportCounts {
	out := store.ReportCounts{"elders": int64(c.Elders)}
	for k, n := range c.ByStatus {
		out["elders.status."+k] = int64(n)
	}
	for k, n := range c.BySelfCare {
		out["elders.self_care."+k] = int64(n)
	}
	for k, n := range c.ByCategory {
		if k != "advanced_age" { // the reports' is as of a period's end
			out["elders.category."+k] = int64(n)
		}
	}
	for k, n := range c.Volunteers {
		out["volunteers.kind."+k] = int64(n)
		out["volunteers.active"] += int64(n)
	}
	return out
}

// key names a field of a community (or of TotalID) as the reports name
// the same number: "elders.status.paused@c12".
func (o *Overview) key(field string, id int64) string {
	unit := o.total
	if id != TotalID {
		unit = "c" + strconv.FormatInt(id, 10)
	}
	name := "overview." + field // the page's own: pairing now, 高龄 today
	switch {
	case field == "elders":
		name = field
	case field == "volunteers":
		name = "volunteers.active"
	case strings.HasPrefix(field, "status."), strings.HasPrefix(field, "self_care."):
		name = "elders." + field
	case strings.HasPrefix(field, "category.") && field != "category.advanced_age":
		name = "elders." + field
	case strings.HasPrefix(field, "volunteers."):
		name = "volunteers.kind." + strings.TrimPrefix(field, "volunteers.")
	}
	return name + "@" + unit
}

// add puts a community's (or the total's) numbers in the set. unpaired
// and the active volunteers are not shown, but a reader can work them out
// from the report, so they take part in the sums.
func (o *Overview) add(id int64, c store.CommunityStats) {
	o.set.Count(o.key("elders", id), int64(c.Elders))
	o.set.Count(o.key("paired", id), int64(c.Paired))
	o.set.Count(o.key("unpaired", id), int64(max(c.ByStatus["active"]-c.Paired, 0)))
	var vols int
	for _, n := range c.Volunteers {
		vols += n
	}
	o.set.Count(o.key("volunteers", id), int64(vols))
	for _, m := range []struct {
		prefix string
		counts map[string]int
		all    []care.Choice
	}{{"status.", c.ByStatus, care.ElderStatuses}, {"self_care.", c.BySelfCare, care.SelfCareLevels},
		{"category.", c.ByCategory, care.Categories}, {"volunteers.", c.Volunteers, care.VolunteerKinds}} {
		for _, ch := range m.all {
			o.set.Count(o.key(m.prefix+ch.Code, id), int64(m.counts[ch.Code]))
		}
	}
}

func (o *Overview) get(id int64) store.CommunityStats {
	if id == TotalID {
		return o.Total
	}
	for _, c := range o.Communities {
		if c.CommunityID == id {
			return c
		}
	}
	return store.CommunityStats{}
}

// value is a field's number, unmasked.
func (o *Overview) value(id int64, field string) int {
	c := o.get(id)
	switch field {
	case "elders":
		return c.Elders
	case "paired":
		return c.Paired
	}
	for prefix, m := range map[string]map[string]int{"status.": c.ByStatus, "self_care.": c.BySelfCare,
		"category.": c.ByCategory, "volunteers.": c.Volunteers} {
		if len(field) > len(prefix) && field[:len(prefix)] == prefix {
			return m[field[len(prefix):]]
		}
	}
	return 0
}

// Cell is a field of a community (or of TotalID) as its reader may see
// it: the number, "<5" or "*".
func (o *Overview) Cell(id int64, field string) string {
	if v, ok := o.Value(id, field).(int); ok {
		return strconv.Itoa(v)
	}
	return o.Value(id, field).(string)
}

// Value is Cell for JSON: an int when shown, else the string "<5" or "*".
func (o *Overview) Value(id int64, field string) any {
	if o.Masked {
		if st := o.set.State(o.key(field, id)); st != mask.Shown {
			return st.Text()
		}
	}
	return o.value(id, field)
}

// Values are the fields with prefix ("status.") of a community, keyed by
// code, for JSON.
func (o *Overview) Values(id int64, prefix string, choices []care.Choice) map[string]any {
	out := map[string]any{}
	for _, c := range choices {
		out[c.Code] = o.Value(id, prefix+c.Code)
	}
	return out
}

// TotalCell is a field of the total as its reader may see it.
func (o *Overview) TotalCell(field string) string { return o.Cell(TotalID, field) }

// PairedBar is PairedPercent as text for a bar's width and title, empty
// when it may not be shown.
func (o *Overview) PairedBar(id int64) string {
	if pct, ok := o.PairedPercent(id); ok {
		return strconv.Itoa(pct)
	}
	return ""
}

// PairedPercent is the share of active elders paired, in whole percent,
// and whether it may be shown: not when it rests on fewer than five
// elders or on a hidden count.
func (o *Overview) PairedPercent(id int64) (int, bool) {
	c := o.get(id)
	active := c.ByStatus["active"]
	if active == 0 || (o.Masked && o.set.State(o.key("paired_pct", id)) != mask.Shown) {
		return 0, false
	}
	return c.Paired * 100 / active, true
}

func sumStats(st []store.CommunityStats) store.CommunityStats {
	t := store.CommunityStats{CommunityID: TotalID, Name: "合计", ByStatus: map[string]int{}, ByCategory: map[string]int{},
		BySelfCare: map[string]int{}, Volunteers: map[string]int{}}
	for _, c := range st {
		t.Elders += c.Elders
		t.Paired += c.Paired
		for _, m := range [][2]map[string]int{{t.ByStatus, c.ByStatus}, {t.ByCategory, c.ByCategory},
			{t.BySelfCare, c.BySelfCare}, {t.Volunteers, c.Volunteers}} {
			for k, v := range m[1] {
				m[0][k] += v
			}
		}
	}
	return t
}
