package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// knowledge is what a reader has gathered: numbers by what they count
// ("status.paused@幸福社区"), the ones shown as "<5", the sums among them and
// the percentages, from which it works out what it can.
type knowledge struct {
	t     *testing.T
	known map[string]int
	where map[string]string // how a number became known
	small map[string]string // where it was shown "<5"
	sums  [][]string        // total, then parts
	pcts  []pct
}

type pct struct {
	part, whole string
	shown       string // the percentage as shown
	format      func(part, whole int) string
}

func newKnowledge(t *testing.T) *knowledge {
	return &knowledge{t: t, known: map[string]int{}, where: map[string]string{}, small: map[string]string{}}
}

// see takes in a number as a page shows it.
func (k *knowledge) see(key, text, source string) {
	text = strings.TrimSpace(text)
	switch text {
	case "<5":
		k.small[key] = source
		return
	case "*", "—", "":
		return
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		k.t.Fatalf("%s: %s is %q, not a number", source, key, text)
	}
	k.learn(key, n, source)
}

func (k *knowledge) learn(key string, n int, how string) bool {
	if old, ok := k.known[key]; ok {
		if old != n {
			k.t.Fatalf("%s is %d (%s) and %d (%s): the test maps two numbers to one key", key, old, k.where[key], n, how)
		}
		return false
	}
	k.known[key], k.where[key] = n, how
	return true
}

func (k *knowledge) sum(total string, parts ...string) {
	k.sums = append(k.sums, append([]string{total}, parts...))
}

// derive works out every number it can: a total from its parts, a part
// from its total and the other parts, a part from a percentage of a
// known whole when only one count gives that percentage.
func (k *knowledge) derive() {
	for changed := true; changed; {
		changed = false
		for _, s := range k.sums {
			total, parts := s[0], s[1:]
			var unknown []string
			sum := 0
			for _, p := range parts {
				if n, ok := k.known[p]; ok {
					sum += n
				} else {
					unknown = append(unknown, p)
				}
			}
			t, ok := k.known[total]
			switch {
			case len(unknown) == 0 && !ok:
				changed = k.learn(total, sum, "the sum of "+strings.Join(parts, " + ")) || changed
			case len(unknown) == 1 && ok:
				changed = k.learn(unknown[0], t-sum, total+" minus the other parts") || changed
			}
		}
		for _, p := range k.pcts {
			whole, ok := k.known[p.whole]
			if _, done := k.known[p.part]; !ok || done {
				continue
			}
			var found []int
			for n := 0; n <= whole; n++ {
				if p.format(n, whole) == p.shown {
					found = append(found, n)
				}
			}
			if len(found) == 1 {
				changed = k.learn(p.part, found[0], fmt.Sprintf("%s%% of %s", p.shown, p.whole)) || changed
			}
		}
	}
}

// quarterAndMonths are the periods a viewer reads: the fourth quarter and
// its months (the fixture's history is in October and November).
var quarterAndMonths = []string{"2026-10", "2026-11", "2026-12", "2026-Q4"}

// currentMonth is the month of the tests' clock: the home page's.
const currentMonth = "2026-11"

// TestAViewerCannotWorkOutAMaskedCount gathers everything a street's viewer
// can read — the home page (tiles, the table with its bars' titles, the
// services chart's bars, tooltips and table), GET /api/v1/stats/elders and
// the reports of the street and of each community for the fourth quarter
// and each of its months — and works out every number it can, across
// pages: a quarter minus its months, the street minus its communities. No
// count shown as "<5" anywhere may come out.
func TestAViewerCannotWorkOutAMaskedCount(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		seedServices(t, db, f)
		// A mix of large and small counts: 15 elders in 幸福社区 (12 active,
		// 3 paused, 2 partly dependent, 2 三无), 7 in 安康社区.
		addElders(t, db, f.Station, f.C1.ID, f.C2.ID, 19, 13)
		k := newKnowledge(t)
		street := f.Street.Name
		parts := []string{f.C1.Name, f.C2.Name}
		k.overviewSums(street, parts)

		srv := newServer(t, db)
		b := newBrowser(t, srv)
		b.login("viewer")
		k.readHome(b, street, map[string]string{itoa(f.C1.ID): f.C1.Name, itoa(f.C2.ID): f.C2.Name})
		k.readStats(viewerStats(t, db, f.Viewer.Username))
		for _, period := range quarterAndMonths {
			for _, unit := range append([]string{street}, parts...) {
				k.readReport(b, unit, period)
			}
		}
		k.check()
	})
}

// TestADistrictViewerCannotWorkOutAMaskedCount: the same for a district's
// viewer, who reads the district's reports (street by street), each
// street's and each community's, and a home page by street.
func TestADistrictViewerCannotWorkOutAMaskedCount(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		seedServices(t, db, f)
		addElders(t, db, f.Station, f.C1.ID, f.C2.ID, 19, 13)
		// A second street of the district: 6 elders in 长青社区, 9 in 和睦社区,
		// and a few services of each in October and November.
		s2 := care.Street{Name: "安乐街道", District: f.Street.District, City: f.Street.City}
		if err := db.CreateStreet(ctx, f.Admin, &s2); err != nil {
			t.Fatal(err)
		}
		station2 := care.Actor{Role: care.RoleStation, StreetID: s2.ID, Username: "station2"}
		c3, c4 := care.Community{Name: "长青社区"}, care.Community{Name: "和睦社区"}
		for _, c := range []*care.Community{&c3, &c4} {
			if err := db.SaveCommunity(ctx, station2, c); err != nil {
				t.Fatal(err)
			}
		}
		elders := addElders(t, db, station2, c3.ID, c4.ID, 15, 6)
		on := func(month time.Month, day int) time.Time { return time.Date(2026, month, day, 10, 0, 0, 0, db.Loc) }
		for i := range 6 {
			record(t, db, station2, elders[7+i], "life", "greeting", on(time.October, 2+i))
			record(t, db, station2, elders[7+i], "spirit", "chat", on(time.November, 2+i))
		}
		record(t, db, station2, elders[5], "life", "greeting", on(time.October, 9))
		record(t, db, station2, elders[5], "life", "greeting", on(time.November, 9))
		record(t, db, station2, elders[5], "spirit", "chat", on(time.November, 10))
		viewer := &care.User{Username: "district", Role: care.RoleViewer}
		if err := db.CreateUser(ctx, f.Admin, viewer, storetest.Password); err != nil {
			t.Fatal(err)
		}

		k := newKnowledge(t)
		district := f.Street.District
		streets := []string{f.Street.Name, s2.Name}
		comms := map[string][]string{f.Street.Name: {f.C1.Name, f.C2.Name}, s2.Name: {c3.Name, c4.Name}}
		k.overviewSums(district, append(append([]string(nil), comms[streets[0]]...), comms[streets[1]]...))
		for _, st := range streets {
			k.overviewSums(st, comms[st])
		}
		k.overviewSums(district, streets)

		b := newBrowser(t, newServer(t, db))
		b.login("district")
		k.readHome(b, district, map[string]string{itoa(f.Street.ID): f.Street.Name, itoa(s2.ID): s2.Name})
		k.readStats(viewerStats(t, db, "district"))
		for _, period := range quarterAndMonths {
			units := []string{district}
			for _, st := range streets {
				units = append(append(units, st), comms[st]...)
			}
			for _, unit := range units {
				k.readReport(b, unit, period)
			}
		}
		k.check()
	})
}

// addElders adds n elders to community c1, those from the split on to c2:
// the first three paused, the next two partly dependent and 三无.
func addElders(t *testing.T, db *store.DB, a care.Actor, c1, c2 int64, n, split int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		e := storetest.NewElder(fmt.Sprint("老人", c1, "-", i), c1, "1950-03-04", care.Female, int(c1)*100+40+i)
		switch {
		case i < 3:
			e.Status = "paused"
		case i < 5:
			e.SelfCare, e.Categories = "partial", []string{"three_no"}
		}
		if i >= split {
			e.CommunityID = c2
		}
		if err := db.CreateElder(context.Background(), a, &e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

// overviewSums declares the register's sums of the home page and the API:
// the parts add up to the whole, statuses and self-care to the register,
// paired + unpaired to the active elders, volunteers by kind to the active
// volunteers.
func (k *knowledge) overviewSums(whole string, parts []string) {
	statuses, selfCare, kinds := codes("status.", care.ElderStatuses), codes("self_care.", care.SelfCareLevels), codes("volunteers.", care.VolunteerKinds)
	for _, field := range append(append(append([]string{"elders", "paired", "pairing.unpaired", "volunteers.active"}, statuses...), selfCare...), append(kinds, codes("category.", care.Categories)...)...) {
		k.sum(field+"@"+whole, at2(field, parts)...)
	}
	for _, u := range append(parts, whole) {
		k.sum("elders@"+u, at2(u, statuses)...)
		k.sum("elders@"+u, at2(u, selfCare)...)
		k.sum("status.active@"+u, "paired@"+u, "pairing.unpaired@"+u)
		k.sum("volunteers.active@"+u, at2(u, kinds)...)
	}
}

// readHome reads the home page: its tiles (the whole's), the table by
// community, the services chart by series (names: the series' ids) with
// its tooltips and its table.
func (k *knowledge) readHome(b *browser, whole string, names map[string]string) {
	_, doc := b.get("/")
	tiles := doc.Find(".tiles").First().Find(".tile .num")
	for i, field := range append([]string{"elders", "status.active", "paired"}, codes("category.", care.Categories)...) {
		k.see(field+"@"+whole, tiles.Eq(i).Text(), "home tile")
	}
	k.see("services."+currentMonth+"@"+whole, tile(doc, "services"), "home tile")
	kinds := codes("volunteers.", care.VolunteerKinds)
	doc.Find("h2").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "按社区统计" }).
		NextAll().Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		td := tr.Find("td")
		name := strings.TrimSpace(td.Eq(0).Text())
		fields := append(append([]string{"elders", "status.active", "paired"}, codes("category.", care.Categories)...), kinds...)
		for i, field := range fields {
			k.see(field+"@"+name, td.Eq(i+1).Contents().First().Text(), "home table")
		}
		if title, ok := tr.Find(".bar").Attr("title"); ok {
			k.pcts = append(k.pcts, pct{"paired@" + name, "status.active@" + name, strings.TrimSuffix(title, "%"),
				func(p, w int) string { return strconv.Itoa(p * 100 / max(w, 1)) }})
		}
	})
	tip := regexp.MustCompile(`：(\S+) 次$`)
	doc.Find("svg.services-chart rect[data-series]").Each(func(_ int, r *goquery.Selection) {
		key := "services." + r.AttrOr("data-month", "") + "@" + names[r.AttrOr("data-series", "")]
		k.see(key, r.AttrOr("data-count", ""), "chart bar")
		if m := tip.FindStringSubmatch(r.Find("title").Text()); m != nil {
			k.see(key, m[1], "chart tooltip")
		}
	})
	var months []string
	doc.Find(".dash-table thead th.num").Each(func(_ int, th *goquery.Selection) { months = append(months, th.Text()) })
	if len(months) == 0 {
		k.t.Fatal("the home page has no services chart table")
	}
	series := make([]string, 0, len(names))
	doc.Find(".dash-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		name := names[tr.AttrOr("data-series", "")]
		if tr.HasClass("total") {
			name = whole
		} else {
			series = append(series, name)
		}
		tr.Find(".num").Each(func(i int, td *goquery.Selection) {
			k.see("services."+months[i]+"@"+name, td.Text(), "chart table")
		})
	})
	for _, m := range months {
		k.sum("services."+m+"@"+whole, at2("services."+m, series)...)
	}
}

// readStats reads GET /api/v1/stats/elders.
func (k *knowledge) readStats(items []map[string]any) {
	for _, item := range items {
		name := item["name"].(string)
		for _, field := range []string{"elders", "paired"} {
			k.see(field+"@"+name, fmt.Sprint(item[field]), "API")
		}
		for obj, prefix := range map[string]string{"by_status": "status.", "by_self_care": "self_care.", "by_category": "category.", "volunteers_by_kind": "volunteers."} {
			for code, v := range item[obj].(map[string]any) {
				k.see(prefix+code+"@"+name, fmt.Sprint(v), "API")
			}
		}
	}
}

// readReport reads a report's JSON download.
func (k *knowledge) readReport(b *browser, unit, period string) {
	resp, body := b.download("/reports/download?" + reportQuery(unit, period) + "&format=json")
	if resp.StatusCode != http.StatusOK {
		k.t.Fatalf("report of %s for %s: %d", unit, period, resp.StatusCode)
	}
	readReport(k, unit, period, body)
}

// check works out what it can and fails on every "<5" it finds.
func (k *knowledge) check() {
	k.derive()
	if len(k.small) == 0 {
		k.t.Fatal("the fixture has no small counts to protect")
	}
	for key, source := range k.small {
		if n, ok := k.known[key]; ok {
			k.t.Errorf("%s is shown <5 (%s) but works out as %d: %s", key, source, n, k.where[key])
		}
	}
}

func codes(prefix string, cs []care.Choice) []string {
	var out []string
	for _, c := range cs {
		out = append(out, prefix+c.Code)
	}
	return out
}

// viewerStats is GET /api/v1/stats/elders as a viewer.
func viewerStats(t *testing.T, db *store.DB, username string) []map[string]any {
	h := api.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), ratelimit.New(5, time.Minute))
	u, err := db.Authenticate(context.Background(), username, storetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.NewSession(context.Background(), u, "api")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/stats/elders", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct{ Items []map[string]any }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != 200 {
		t.Fatalf("stats: %d %v", rec.Code, err)
	}
	return out.Items
}

// readReport takes in a report's JSON: each table's cells under keys
// named by column, period and line (合计 is the unit), its sums and
// percentages. The register is the same number in every period; pairing,
// 高龄 and the cases still open are as of the period's last day (a
// quarter's are its last month's); a quarter's services, cards and cases
// opened or resolved are its months' added up.
func readReport(k *knowledge, unit, period string, body []byte) {
	var r struct {
		Tables []struct {
			Key     string
			Columns []string
			Rows    [][]any
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		k.t.Fatal(err)
	}
	months := []string{period}
	if y, q, ok := strings.Cut(period, "-Q"); ok {
		n, _ := strconv.Atoi(q)
		months = nil
		for m := 3*n - 2; m <= 3*n; m++ {
			months = append(months, fmt.Sprintf("%s-%02d", y, m))
		}
	}
	last := months[len(months)-1]
	lineName := func(s any) string {
		if s == "合计" {
			return unit
		}
		return fmt.Sprint(s)
	}
	register := map[string]string{"在册老人": "elders", "服务中老人": "status.active", "在岗": "volunteers.active", "在册志愿者": "volunteers"}
	for _, c := range care.ElderStatuses {
		register[c.Label.ZH] = "status." + c.Code
	}
	for _, c := range care.SelfCareLevels {
		register[c.Label.ZH] = "self_care." + c.Code
	}
	for _, c := range care.Categories {
		if c.Code != "advanced_age" { // the report's is the age at the period's end
			register[c.Label.ZH] = "category." + c.Code
		}
	}
	for _, c := range care.VolunteerKinds {
		register["在岗："+c.Label.ZH] = "volunteers." + c.Code
	}
	// in is a field's key in a period: none for the register's.
	in := func(field, p string) string {
		if p == "" {
			return field
		}
		return field + "#" + p
	}
	// addsUp declares a quarter's field the sum of its months'.
	addsUp := func(field, line string) {
		if len(months) > 1 {
			parts := make([]string, len(months))
			for i, m := range months {
				parts[i] = in(field, m) + "@" + line
			}
			k.sum(in(field, period)+"@"+line, parts...)
		}
	}
	for _, tb := range r.Tables {
		// fieldOf is a column's field and the period its number is of.
		fieldOf := func(col string) (string, string) {
			if f, ok := register[col]; ok && tb.Key != "cards" {
				return f, ""
			}
			f := tb.Key + "." + col
			if tb.Key == "pairing" || col == "高龄" || strings.HasSuffix(col, "未办结") {
				return f, last
			}
			return f, period
		}
		summed := func(col string) bool {
			return tb.Key == "cards" || col == "本期新登记" || strings.HasSuffix(col, "本期新开") || strings.HasSuffix(col, "本期办结")
		}
		var lines []string
		for _, row := range tb.Rows {
			switch tb.Key {
			case "services":
				// A line per service type, a column per part and the
				// total: the 合计 line is the chart's services of the month.
				what := in(fmt.Sprint(row[0], row[1]), period)
				switch row[0] {
				case "合计":
					what = "services." + period
				case "服务到的老人":
					what = in("services.elders", period)
				}
				var cols []string
				for j := 2; j < len(row)-1; j++ {
					name := lineName(tb.Columns[j])
					cols = append(cols, name)
					k.see(what+"@"+name, fmt.Sprint(row[j]), "report "+unit+" "+period)
					if row[0] == "合计" && len(months) > 1 {
						parts := make([]string, len(months))
						for i, m := range months {
							parts[i] = "services." + m + "@" + name
						}
						k.sum(what+"@"+name, parts...)
					} else if row[0] != "服务到的老人" {
						addsUp(fmt.Sprint(row[0], row[1]), name)
					}
				}
				if len(cols) > 1 {
					k.sum(what+"@"+cols[len(cols)-1], at2(what, cols[:len(cols)-1])...)
				}
				lines = append(lines, what)
			case "compliance":
				line := lineName(row[0])
				for j := 3; j < 7; j++ {
					k.see(in(fmt.Sprint("compliance.", row[1], row[2], ".", tb.Columns[j]), period)+"@"+line, fmt.Sprint(row[j]), "report "+unit+" "+period)
				}
			default:
				line := lineName(row[0])
				key := func(col string) string {
					f, p := fieldOf(col)
					return in(f, p) + "@" + line
				}
				for j := 1; j < len(row); j++ {
					col := tb.Columns[j]
					if strings.Contains(col, "%") || strings.Contains(col, "小时") || col == "本期服务次数" {
						continue
					}
					k.see(key(col), fmt.Sprint(row[j]), "report "+unit+" "+period)
					if summed(col) {
						addsUp(tb.Key+"."+col, line)
					}
				}
				switch tb.Key {
				case "pairing":
					if period == currentMonth {
						// This month's pairing is the home page's pairing now.
						k.sum("pairing.unpaired@"+line, key("未结对"))
						k.sum("paired@"+line, key("已结对"))
					}
					k.sum(key("未结对"), key("未结对：本人不愿结对"), key("未结对：待接力"), key("未结对：尚未结对"))
					k.sum(key("服务中老人"), key("已结对"), key("未结对"))
					k.pcts = append(k.pcts, pct{key("已结对"), key("服务中老人"), fmt.Sprint(row[4]), rate1})
				case "cards":
					k.sum(key("有服务记录的服务卡"), key("已检查签字"), key("未签字"))
					k.sum(key("已检查签字"), key("合格"), key("需改进"))
					k.pcts = append(k.pcts, pct{key("已检查签字"), key("有服务记录的服务卡"), fmt.Sprint(row[6]), rate1})
				}
			}
		}
		if tb.Key == "services" {
			// Each column's service types add up to its 合计.
			cols := tb.Columns[2 : len(tb.Columns)-1]
			for _, c := range cols {
				name := lineName(c)
				var types []string
				for _, l := range lines {
					if !strings.HasPrefix(l, "services.") {
						types = append(types, l+"@"+name)
					}
				}
				k.sum("services."+period+"@"+name, types...)
			}
		}
		if tb.Key != "services" && tb.Key != "compliance" && len(tb.Rows) > 1 {
			for j := 1; j < len(tb.Columns); j++ {
				f, p := fieldOf(tb.Columns[j])
				var ps []string
				for _, row := range tb.Rows[:len(tb.Rows)-1] {
					ps = append(ps, in(f, p)+"@"+lineName(row[0]))
				}
				k.sum(in(f, p)+"@"+unit, ps...)
			}
		}
	}
}

func at2(field string, units []string) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = field + "@" + u
	}
	return out
}

// rate1 is a percentage as the reports write it: one decimal.
func rate1(part, whole int) string {
	if whole == 0 {
		return "—"
	}
	return strconv.FormatFloat(math.Round(float64(part)*1000/float64(whole))/10, 'f', -1, 64)
}
