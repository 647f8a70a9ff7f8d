// Package report lays out the statistics report (统计上报) a community or
// the station hands upward for a month or a quarter: tables of aggregate
// numbers (from the store's aggregate SQL and the compliance tracker) that
// render the same on screen, in .xlsx, .csv and JSON.
//
// A viewer (the district or city office) sees the same tables with every
// count of fewer than five shown as "<5", so no one can be singled out.
package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
	"carecircle/internal/upward"
)

// Cell is one value of a table: a number (a count, hours or a percentage)
// or a text. Base is the number of people a number rests on, so a masked
// report can hide what rests on fewer than five.
type Cell struct {
	Text     string
	Num      float64
	IsNum    bool
	Decimals int
	Base     int64
	// Masked is a count of 1–4 people in a viewer's report, shown "<5";
	// Suppressed is hidden ("*") so that no sum gives a masked one back.
	Masked, Suppressed bool
	count              bool
	key                string // the count's name and part, for the mask
}

// String is the cell as shown.
func (c Cell) String() string {
	switch {
	case c.Masked:
		return "<5"
	case c.Suppressed:
		return "*"
	case !c.IsNum:
		return c.Text
	}
	return strconv.FormatFloat(c.Num, 'f', c.Decimals, 64)
}

func text(s string) Cell { return Cell{Text: s} }

func count(n int64) Cell { return Cell{Num: float64(n), IsNum: true, Base: n, count: true} }

// countOf is the count named k, keyed so that the same count in another
// table is masked alike (perPart adds the part and the period to the key).
func countOf(c store.ReportCounts, k string) Cell {
	cell := count(c[k])
	cell.key = k
	return cell
}

// rate is a percentage of part in whole; empty when whole is 0.
func rate(part, whole int64) Cell {
	if whole == 0 {
		return text("—")
	}
	return Cell{Num: math.Round(float64(part)*1000/float64(whole)) / 10, IsNum: true, Decimals: 1, Base: whole}
}

// hours of minutes, to one decimal, resting on base people.
func hours(minutes, base int64) Cell {
	return Cell{Num: float64((minutes*10+30)/60) / 10, IsNum: true, Decimals: 1, Base: base}
}

// Table is one table of a report: one sheet of the workbook.
type Table struct {
	Key     string
	Title   string
	Columns []string
	Rows    [][]Cell
	Note    string
	rels    []relation // the sums the table holds, for suppression
	derived []derived
}

// Report is a whole report.
type Report struct {
	Title     string
	Unit      string
	UnitKind  string
	Period    string
	From, To  string
	Generated string
	Masked    bool
	Tables    []Table
	// Submissions are the month's report submissions of the unit's
	// communities (station and community staff; upward.go).
	Submissions []upward.Submission
	lang        string
	loc         *time.Location
}

// Options choose a report.
type Options struct {
	Unit   string // a street, community or (viewers) district name
	Period string // 2026-11 or 2026-Q4
	Lang   string // zh (default) or en
}

// Compliance gives the compliance table of a street's months: the tracker.
type Compliance interface {
	PeriodTable(ctx context.Context, a care.Actor, first, last string, community int64) ([]tracker.TableRow, error)
}

// Build makes the report the actor asked for, in the actor's scope.
// comp may be nil: the report then says compliance is not available.
func Build(ctx context.Context, db *store.DB, comp Compliance, a care.Actor, o Options) (*Report, error) {
	lang := o.Lang
	if lang != "en" {
		lang = "zh"
	}
	p, err := store.ParsePeriod(o.Period, db.Loc)
	if err != nil {
		return nil, err
	}
	u, err := db.ResolveReportUnit(ctx, a, o.Unit)
	if err != nil {
		return nil, err
	}
	l := labeler(lang)
	r := &Report{Unit: u.Name, UnitKind: u.Kind, Period: p.Label, From: p.From.Format("2006-01-02"),
		To: p.Until.AddDate(0, 0, -1).Format("2006-01-02"), Generated: db.Now().In(db.Loc).Format("2006-01-02 15:04"),
		Masked: a.Role == care.RoleViewer, lang: lang, loc: db.Loc}
	r.Title = fmt.Sprintf(l("%s %s 居家养老服务统计表", "%s %s home-care statistics"), u.Name, periodName(p, lang))
	if r.Masked {
		// A viewer's numbers are decided with everything else the viewer
		// may read (layers.go): the street of a community, the months of a
		// quarter, the streets of a district.
		if err := maskReport(ctx, db, comp, a, r, u, p); err != nil {
			return nil, err
		}
		return r, addUpward(ctx, db, a, r, u, p, l)
	}
	if r.Tables, err = tables(ctx, db, comp, a, u, p, lang); err != nil {
		return nil, err
	}
	return r, addUpward(ctx, db, a, r, u, p, l)
}

// tables are the tables of unit u for period p: the programme's seven,
// then training, activities and requests.
func tables(ctx context.Context, db *store.DB, comp Compliance, a care.Actor, u store.ReportUnit, p store.Period, lang string) ([]Table, error) {
	d, err := db.Report(ctx, a, u, p)
	if err != nil {
		return nil, err
	}
	return tablesOf(ctx, comp, d, lang)
}

// tablesOf lays out the tables of a report's numbers.
func tablesOf(ctx context.Context, comp Compliance, d *store.ReportData, lang string) ([]Table, error) {
	l := labeler(lang)
	out := []Table{eldersTable(d, l), pairingTable(d, l), servicesTable(d, l, lang)}
	ct, err := complianceTable(ctx, comp, d, l, lang)
	if err != nil {
		return nil, err
	}
	return append(out, ct, volunteersTable(d, l), cardsTable(d, l), casesTable(d, l), trainingTable(d, l), activitiesTable(d, l), requestsTable(d, l)), nil
}

// span is n consecutive column or row indices from first.
func span(first, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = first + i
	}
	return out
}

// Lang is the language the report was made in.
func (r *Report) Lang() string { return r.lang }

func labeler(lang string) func(zh, en string) string {
	return func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
}

func periodName(p store.Period, lang string) string {
	if len(p.Months) == 1 {
		if lang == "en" {
			return p.From.Format("January 2006")
		}
		return fmt.Sprintf("%d年%d月", p.From.Year(), int(p.From.Month()))
	}
	q := (int(p.From.Month())-1)/3 + 1
	if lang == "en" {
		return fmt.Sprintf("Q%d %d", q, p.From.Year())
	}
	return fmt.Sprintf("%d年第%d季度", p.From.Year(), q)
}

// partRows returns, for each part and then the total (when there are
// several parts), the part's name and a sum of its counts.
func partRows(d *store.ReportData, l func(string, string) string) (names []string, counts []store.ReportCounts) {
	total := store.ReportCounts{}
	for i, p := range d.Unit.Parts {
		names = append(names, p.Name)
		counts = append(counts, d.Parts[i])
		for k, v := range d.Parts[i] {
			total[k] += v
		}
	}
	if len(d.Parts) != 1 {
		names = append(names, l("合计", "Total"))
		counts = append(counts, total)
	}
	return names, counts
}

// perPart is a table with a line per part: the first column names it,
// the others come from cols.
func perPart(d *store.ReportData, l func(string, string) string, key, title string, headers []string, cols func(c store.ReportCounts) []Cell) Table {
	t := Table{Key: key, Title: title, Columns: append([]string{unitColumn(d, l)}, headers...)}
	names, counts := partRows(d, l)
	for i, n := range names {
		row := append([]Cell{text(n)}, cols(counts[i])...)
		for j := range row {
			switch {
			case row[j].key != "":
				row[j].key = numKey(row[j].key, d, i)
			case row[j].count: // a count of this table alone, named by its column
				row[j].key = numKey(key+"."+t.Columns[j], d, i)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	t.perPartSums(len(d.Unit.Parts))
	return t
}

// keyed is c under key k of part i.
func keyed(c Cell, d *store.ReportData, i int, k string) Cell {
	c.key = numKey(k, d, i)
	return c
}

func unitColumn(d *store.ReportData, l func(string, string) string) string {
	if d.Unit.Kind == store.UnitDistrict {
		return l("街道", "Street")
	}
	return l("社区", "Community")
}

func eldersTable(d *store.ReportData, l func(string, string) string) Table {
	lang := l("zh", "en")
	headers := []string{l("在册老人", "Elders registered"), l("本期新登记", "New this period")}
	var keys []string
	for _, c := range care.Categories {
		headers, keys = append(headers, c.Label.In(lang)), append(keys, "elders.category."+c.Code)
	}
	for _, c := range care.ElderStatuses {
		headers, keys = append(headers, c.Label.In(lang)), append(keys, "elders.status."+c.Code)
	}
	for _, c := range care.SelfCareLevels {
		headers, keys = append(headers, c.Label.In(lang)), append(keys, "elders.self_care."+c.Code)
	}
	t := perPart(d, l, "elders", l("老年人基本情况", "Elders"), headers, func(c store.ReportCounts) []Cell {
		out := []Cell{countOf(c, "elders"), countOf(c, "elders.new")}
		for _, k := range keys {
			out = append(out, countOf(c, k))
		}
		return out
	})
	status := 3 + len(care.Categories)
	selfCare := status + len(care.ElderStatuses)
	t.rowSums(1, span(status, len(care.ElderStatuses))...)
	t.rowSums(1, span(selfCare, len(care.SelfCareLevels))...)
	t.Note = l("按类别计数时，一位老人可属多个类别；高龄按统计期末年满80周岁计。", "An elder may be in several categories; advanced age is 80 or over at the end of the period.")
	return t
}

func pairingTable(d *store.ReportData, l func(string, string) string) Table {
	headers := []string{l("服务中老人", "Active elders"), l("已结对", "Paired"), l("未结对", "Unpaired"), l("结对率(%)", "Paired (%)"),
		l("未结对：本人不愿结对", "Unpaired: declined"), l("未结对：待接力", "Unpaired: awaiting a successor"), l("未结对：尚未结对", "Unpaired: not yet paired")}
	t := perPart(d, l, "pairing", l("结对情况", "Pairing"), headers, func(c store.ReportCounts) []Cell {
		// The active elders are those of 老年人基本情况, under the same key.
		out := []Cell{countOf(c, "elders.status.active"), countOf(c, "pairing.paired"), countOf(c, "pairing.unpaired"), rate(c["pairing.paired"], c["pairing.active"])}
		for _, r := range store.UnpairedReasons {
			out = append(out, countOf(c, "pairing.reason."+r))
		}
		return out
	})
	t.rowSums(1, 2, 3)
	t.rowSums(3, 5, 6, 7)
	t.rowRates(4, 1, 2)
	t.Note = l("结对按统计期最后一天计。", "Pairing as it stood on the last day of the period.")
	return t
}

// servicesTable has a line per service type and a column per part: the
// form the street's monthly statistics take.
func servicesTable(d *store.ReportData, l func(string, string) string, lang string) Table {
	names, counts := partRows(d, l)
	t := Table{Key: "services", Title: l("服务情况（次数）", "Services (times)"),
		Columns: append(append([]string{l("服务类别", "Kind"), l("服务项目", "Service")}, names...), l("服务时长(小时)", "Hours"))}
	last := counts[len(counts)-1]
	for _, k := range care.ServiceKinds {
		for _, st := range care.ServiceTypes {
			if st.Kind != k.Code {
				continue
			}
			key := "services." + st.Kind + "." + st.Code
			row := []Cell{text(k.Label.In(lang)), text(st.Label.In(lang))}
			for i, c := range counts {
				row = append(row, keyed(count(c[key]), d, i, key))
			}
			t.Rows = append(t.Rows, append(row, hours(last[key+".minutes"], last[key])))
		}
	}
	row := []Cell{text(l("合计", "Total")), text("")}
	var minutes int64
	for k, v := range last {
		if strings.HasPrefix(k, "services.") && strings.HasSuffix(k, ".minutes") {
			minutes += v
		}
	}
	for i, c := range counts {
		row = append(row, keyed(count(c["services"]), d, i, "services"))
	}
	t.Rows = append(t.Rows, append(row, hours(minutes, last["services"])))
	row = []Cell{text(l("服务到的老人", "Elders served")), text("")}
	for i, c := range counts {
		row = append(row, keyed(count(c["services.elders"]), d, i, "services.elders"))
	}
	t.Rows = append(t.Rows, append(row, text("")))
	partCols := span(2, len(names))
	if len(names) > 1 {
		t.rowSums(partCols[len(partCols)-1], partCols[:len(partCols)-1]...)
	}
	typeRows := span(0, len(t.Rows)-2)
	t.columnSums(typeRows, len(t.Rows)-2, partCols...)
	t.Note = l("服务时长只计记录了结束时间的服务；更正记录已计入，划去的记录不计。", "Hours count services recorded with an end time; corrections are applied, struck-out records left out.")
	return t
}

func complianceTable(ctx context.Context, comp Compliance, d *store.ReportData, l func(string, string) string, lang string) (Table, error) {
	t := Table{Key: "compliance", Title: l("服务要求达标情况", "Service standards met"),
		Columns: []string{unitColumn(d, l), l("角色", "Role"), l("服务要求", "Standard"), l("达标", "Met"), l("逾期", "Overdue"),
			l("未达标", "Missed"), l("进行中", "Due"), l("达标率(%)", "Met (%)")}}
	if comp == nil {
		t.Note = l("本报表未含达标情况（达标计算未运行）。", "Compliance is not available in this report.")
		return t, nil
	}
	type key struct {
		part           int
		role, standard string
	}
	sums := map[key]*tracker.Counts{}
	var order []key
	partOf := map[int64]int{}
	streets := map[int64]bool{}
	for i, p := range d.Unit.Parts {
		for _, c := range p.Communities {
			partOf[c] = i
		}
	}
	switch d.Unit.Kind {
	case store.UnitDistrict:
		for _, p := range d.Unit.Parts {
			streets[p.ID] = true
		}
	default:
		streets[d.Unit.StreetID] = true
	}
	for street := range streets {
		// The store has checked the actor may see this unit; the tracker
		// reads a street's state as the station does.
		station := care.Actor{Role: care.RoleStation, StreetID: street, Username: "report"}
		rows, err := comp.PeriodTable(ctx, station, d.Period.Months[0], d.Period.Months[len(d.Period.Months)-1], 0)
		if err != nil {
			return t, err
		}
		for _, r := range rows {
			i, ok := partOf[r.CommunityID]
			if !ok {
				continue
			}
			k := key{i, r.Role, r.Standard}
			s := sums[k]
			if s == nil {
				s = &tracker.Counts{}
				sums[k] = s
				order = append(order, k)
			}
			s.Met, s.Due, s.Overdue, s.Missed = s.Met+r.Met, s.Due+r.Due, s.Overdue+r.Overdue, s.Missed+r.Missed
		}
	}
	sortKeys(order, func(k key) (int, string, string) { return k.part, k.role, k.standard })
	total := map[[2]string]*tracker.Counts{}
	var totalOrder [][2]string
	for _, k := range order {
		s := sums[k]
		t.Rows = append(t.Rows, complianceRow(d.Unit.Parts[k.part].Name, d, k.part, k.role, k.standard, *s, lang))
		tk := [2]string{k.role, k.standard}
		if total[tk] == nil {
			total[tk] = &tracker.Counts{}
			totalOrder = append(totalOrder, tk)
		}
		tc := total[tk]
		tc.Met, tc.Due, tc.Overdue, tc.Missed = tc.Met+s.Met, tc.Due+s.Due, tc.Overdue+s.Overdue, tc.Missed+s.Missed
	}
	if len(d.Unit.Parts) > 1 {
		sortKeys(totalOrder, func(k [2]string) (int, string, string) { return 0, k[0], k[1] })
		partRows := map[[2]string][]int{}
		for i, k := range order {
			tk := [2]string{k.role, k.standard}
			partRows[tk] = append(partRows[tk], i)
		}
		for _, k := range totalOrder {
			t.columnSums(partRows[k], len(t.Rows), 3, 4, 5, 6)
			t.Rows = append(t.Rows, complianceRow(l("合计", "Total"), d, len(d.Unit.Parts), k[0], k[1], *total[k], lang))
		}
	}
	t.rowRates(7, 3, 4, 5)
	if len(t.Rows) == 0 {
		t.Note = l("本期没有结对可评估。", "No pairings to judge in this period.")
	} else {
		t.Note = l("按结对和考核周期计；进行中的周期不计入达标率。", "Counted per pairing and period; periods still due are not in the rate.")
	}
	return t, nil
}

// complianceRow is the line of part i of d (the total after the parts).
func complianceRow(name string, d *store.ReportData, i int, role, standard string, c tracker.Counts, lang string) []Cell {
	judged := int64(c.Judged())
	k := func(n int, col string) Cell {
		return keyed(count(int64(n)), d, i, "compliance."+role+"."+standard+"."+col)
	}
	return []Cell{text(name), text(care.Label(care.VolunteerKinds, role, lang)), text(tracker.StandardLabel(standard, lang)),
		k(c.Met, "met"), k(c.Overdue, "overdue"), k(c.Missed, "missed"), k(c.Due, "due"), rate(int64(c.Met), judged)}
}

func volunteersTable(d *store.ReportData, l func(string, string) string) Table {
	lang := l("zh", "en")
	headers := []string{l("在册志愿者", "Volunteers registered"), l("在岗", "Active")}
	for _, k := range care.VolunteerKinds {
		headers = append(headers, l("在岗：", "Active: ")+k.Label.In(lang))
	}
	headers = append(headers, l("本期提供服务人数", "Served this period"), l("本期服务次数", "Services this period"),
		l("本期服务时长(小时)", "Hours this period"), l("累计服务时长(小时)", "Hours in total"), l("本期记入时长(小时)", "Hours credited this period"))
	for _, k := range care.VolunteerKinds {
		headers = append(headers, l("本期记入时长：", "Hours credited: ")+k.Label.In(lang))
	}
	t := perPart(d, l, "volunteers", l("志愿者队伍", "Volunteers"), headers, func(c store.ReportCounts) []Cell {
		out := []Cell{countOf(c, "volunteers"), countOf(c, "volunteers.active")}
		for _, k := range care.VolunteerKinds {
			out = append(out, countOf(c, "volunteers.kind."+k.Code))
		}
		// Hours in total are the ledger's balances (the typed hours are
		// their opening entries); credited hours are the ledger's too.
		out = append(out, countOf(c, "volunteers.serving"), Cell{Num: float64(c["volunteers.records"]), IsNum: true, Base: c["volunteers.serving"]},
			hours(c["volunteers.minutes"], c["volunteers.serving"]), hours(c["hours.balance"], c["volunteers"]), hours(c["hours.credited"], c["volunteers"]))
		for _, k := range care.VolunteerKinds {
			out = append(out, hours(c["hours.credited."+k.Code], c["volunteers.kind."+k.Code]))
		}
		return out
	})
	t.rowSums(2, span(3, len(care.VolunteerKinds))...)
	return t
}

func cardsTable(d *store.ReportData, l func(string, string) string) Table {
	headers := []string{l("有服务记录的服务卡", "Cards with services"), l("已检查签字", "Inspected and signed"), l("合格", "Pass"),
		l("需改进", "Needs improvement"), l("未签字", "Not signed"), l("签字率(%)", "Signed (%)")}
	t := perPart(d, l, "cards", l("服务卡检查签字", "Card inspection and sign-off"), headers, func(c store.ReportCounts) []Cell {
		unsigned := count(max(c["cards"]-c["cards.signed"], 0))
		unsigned.key = "cards.unsigned"
		return []Cell{countOf(c, "cards"), countOf(c, "cards.signed"), countOf(c, "cards.pass"), countOf(c, "cards.needs_improvement"),
			unsigned, rate(c["cards.signed"], max(c["cards"], c["cards.signed"]))}
	})
	t.rowSums(1, 2, 5)
	t.rowSums(2, 3, 4)
	t.rowRates(6, 1, 2)
	t.Note = l("一位老人一个月一张服务卡。", "One card per elder per month.")
	return t
}

func casesTable(d *store.ReportData, l func(string, string) string) Table {
	var headers []string
	kinds := []struct{ code, zh, en string }{{"legal", "法律维权", "Legal"}, {"emergency", "应急求助", "Emergency"}}
	for _, k := range kinds {
		headers = append(headers, l(k.zh+"：本期新开", k.en+": opened"), l(k.zh+"：本期办结", k.en+": resolved"), l(k.zh+"：未办结", k.en+": still open"))
	}
	t := perPart(d, l, "cases", l("个案办理", "Cases"), headers, func(c store.ReportCounts) []Cell {
		var out []Cell
		for _, k := range kinds {
			out = append(out, countOf(c, "cases.opened."+k.code), countOf(c, "cases.resolved."+k.code), countOf(c, "cases.open."+k.code))
		}
		return out
	})
	return t
}

// Filename is an ASCII file name for the report in a format (the
// fallback of DisplayFilename for old clients).
func (r *Report) Filename(ext string) string {
	return fmt.Sprintf("report-%s-%s.%s", r.UnitKind, r.Period, ext)
}

// DisplayFilename is the file name people see, in the report's language:
// 和平街道_2026年11月_统计表.xlsx, or Heping Street_Nov 2026_report.xlsx.
func (r *Report) DisplayFilename(ext string) string {
	what := "统计表"
	if r.lang == "en" {
		what = "report"
	}
	return r.Unit + "_" + calendar.PeriodName(r.Period, r.lang) + "_" + what + "." + ext
}

// sortKeys orders keys by part, then role in the programme's order; the
// standards keep the tracker's order.
func sortKeys[K any](keys []K, by func(K) (int, string, string)) {
	slices.SortStableFunc(keys, func(a, b K) int {
		pa, ra, _ := by(a)
		pb, rb, _ := by(b)
		return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(slices.Index(tracker.Roles, ra), slices.Index(tracker.Roles, rb)))
	})
}

// Check adds to fe the reasons why the actor cannot have a report of
// o.Unit for o.Period, so a form or an API call can name every bad field
// at once, and returns them as one error.
func Check(ctx context.Context, db *store.DB, a care.Actor, o Options, fe care.FieldErrors) error {
	if _, err := store.ParsePeriod(o.Period, db.Loc); err != nil && !fe.Merge(err) {
		return err
	}
	if _, err := db.ResolveReportUnit(ctx, a, o.Unit); err != nil && !fe.Merge(err) {
		return err
	}
	return fe.Err()
}

// Tracked is a tracker as the reports' compliance source; no tracker gives
// none (a nil pointer in the interface would not be a nil interface).
func Tracked(t *tracker.Tracker) Compliance {
	if t == nil {
		return nil
	}
	return t
}
