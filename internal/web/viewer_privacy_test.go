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

// TestAViewerCannotWorkOutAMaskedCount gathers everything a street's viewer
// can read — the home page (tiles, the table with its bars' titles, the
// services chart's bars, tooltips and table), GET /api/v1/stats/elders and
// the month's report of the street and of each community — and works out
// every number it can. No count shown as "<5" anywhere may come out.
func TestAViewerCannotWorkOutAMaskedCount(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		seedServices(t, db, f)
		// A mix of large and small counts: 15 elders in 幸福社区 (12 active,
		// 3 paused, 2 partly dependent, 2 三无), 7 in 安康社区.
		for i := range 19 {
			c, e := f.C1.ID, storetest.NewElder(fmt.Sprint("老人", i), f.C1.ID, "1950-03-04", care.Female, 40+i)
			switch {
			case i < 3:
				e.Status = "paused"
			case i < 5:
				e.SelfCare, e.Categories = "partial", []string{"three_no"}
			case i >= 13:
				c = f.C2.ID
			}
			e.CommunityID = c
			if err := db.CreateElder(ctx, f.Station, &e); err != nil {
				t.Fatal(err)
			}
		}
		k := newKnowledge(t)
		street := f.Street.Name
		names := map[string]string{itoa(f.C1.ID): f.C1.Name, itoa(f.C2.ID): f.C2.Name}
		parts := []string{f.C1.Name, f.C2.Name}
		at := func(field string, units ...string) []string {
			out := make([]string, len(units))
			for i, u := range units {
				out[i] = field + "@" + u
			}
			return out
		}
		// The register's sums: communities add up to the street, statuses
		// and self-care to the register, paired + unpaired to the active,
		// volunteers by kind to the active volunteers.
		statuses, selfCare, kinds := codes("status.", care.ElderStatuses), codes("self_care.", care.SelfCareLevels), codes("volunteers.", care.VolunteerKinds)
		for _, field := range append(append(append([]string{"elders", "paired", "pairing.unpaired", "volunteers.active"}, statuses...), selfCare...), append(kinds, codes("category.", care.Categories)...)...) {
			k.sum(field+"@"+street, at(field, parts...)...)
		}
		for _, u := range append(parts, street) {
			k.sum("elders@"+u, at(u, statuses...)...)
			k.sum("elders@"+u, at(u, selfCare...)...)
			k.sum("status.active@"+u, "paired@"+u, "pairing.unpaired@"+u)
			k.sum("volunteers.active@"+u, at(u, kinds...)...)
		}

		srv := newServer(t, db)
		b := newBrowser(t, srv)
		b.login("viewer")

		// The home page.
		_, doc := b.get("/")
		tiles := doc.Find(".tiles").First().Find(".tile .num")
		for i, field := range append([]string{"elders", "status.active", "paired"}, codes("category.", care.Categories)...) {
			k.see(field+"@"+street, tiles.Eq(i).Text(), "home tile")
		}
		month := "2026-11"
		k.see("services."+month+"@"+street, tile(doc, "services"), "home tile")
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
		doc.Find(".dash-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
			name := names[tr.AttrOr("data-series", "")]
			if tr.HasClass("total") {
				name = street
			}
			tr.Find(".num").Each(func(i int, td *goquery.Selection) {
				k.see("services."+months[i]+"@"+name, td.Text(), "chart table")
			})
		})
		for _, m := range months {
			k.sum("services."+m+"@"+street, at("services."+m, parts...)...)
		}

		// GET /api/v1/stats/elders.
		for _, item := range viewerStats(t, db, f) {
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

		// The month's reports of the street and of each community.
		for _, unit := range append([]string{street}, parts...) {
			resp, body := b.download("/reports/download?" + reportQuery(unit, month) + "&format=json")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("report of %s: %d", unit, resp.StatusCode)
			}
			readReport(k, unit, month, body)
		}

		k.derive()
		if len(k.small) == 0 {
			t.Fatal("the fixture has no small counts to protect")
		}
		for key, source := range k.small {
			if n, ok := k.known[key]; ok {
				t.Errorf("%s is shown <5 (%s) but works out as %d: %s", key, source, n, k.where[key])
			}
		}
	})
}

func codes(prefix string, cs []care.Choice) []string {
	var out []string
	for _, c := range cs {
		out = append(out, prefix+c.Code)
	}
	return out
}

// viewerStats is GET /api/v1/stats/elders as the street's viewer.
func viewerStats(t *testing.T, db *store.DB, f *storetest.Fixture) []map[string]any {
	h := api.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), ratelimit.New(5, time.Minute))
	u, err := db.Authenticate(context.Background(), f.Viewer.Username, storetest.Password)
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
// named by column and line (合计 is the unit), its sums and percentages.
func readReport(k *knowledge, unit, month string, body []byte) {
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
	lineName := func(s any) string {
		if s == "合计" {
			return unit
		}
		return fmt.Sprint(s)
	}
	register := map[string]string{"在册老人": "elders", "服务中老人": "status.active", "已结对": "pairing.paired", "未结对": "pairing.unpaired"}
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
	register["在岗"] = "volunteers.active"
	for _, tb := range r.Tables {
		fieldOf := func(col string) string {
			if f, ok := register[col]; ok && tb.Key != "cards" {
				return f
			}
			return tb.Key + "." + col
		}
		var lines []string
		for _, row := range tb.Rows {
			switch tb.Key {
			case "services":
				// A line per service type, a column per community and the
				// total: the 合计 line is the chart's services of the month.
				what := fmt.Sprint(row[0], row[1])
				if row[0] == "合计" {
					what = "services." + month
				} else if row[0] == "服务到的老人" {
					what = "services.elders." + month
				}
				var cols []string
				for j := 2; j < len(row)-1; j++ {
					name := lineName(tb.Columns[j])
					if name == "合计" {
						name = unit
					}
					cols = append(cols, name)
					k.see(what+"@"+name, fmt.Sprint(row[j]), "report "+unit)
				}
				if len(cols) > 1 {
					k.sum(what+"@"+cols[len(cols)-1], at2(what, cols[:len(cols)-1])...)
				}
				lines = append(lines, what)
			case "compliance":
				line := lineName(row[0])
				for j := 3; j < 7; j++ {
					k.see(fmt.Sprint("compliance.", row[1], row[2], ".", tb.Columns[j], "@", line), fmt.Sprint(row[j]), "report "+unit)
				}
			default:
				line := lineName(row[0])
				for j := 1; j < len(row); j++ {
					if strings.Contains(tb.Columns[j], "%") || strings.Contains(tb.Columns[j], "小时") || tb.Columns[j] == "本期服务次数" {
						continue
					}
					k.see(fieldOf(tb.Columns[j])+"@"+line, fmt.Sprint(row[j]), "report "+unit)
				}
				switch tb.Key {
				case "pairing":
					k.sum("pairing.unpaired@"+line, "pairing.未结对：本人不愿结对@"+line, "pairing.未结对：待接力@"+line, "pairing.未结对：尚未结对@"+line)
					k.sum("status.active@"+line, "pairing.paired@"+line, "pairing.unpaired@"+line)
					k.pcts = append(k.pcts, pct{"pairing.paired@" + line, "status.active@" + line, fmt.Sprint(row[4]), rate1})
				case "cards":
					k.sum("cards.有服务记录的服务卡@"+line, "cards.已检查签字@"+line, "cards.未签字@"+line)
					k.sum("cards.已检查签字@"+line, "cards.合格@"+line, "cards.需改进@"+line)
					k.pcts = append(k.pcts, pct{"cards.已检查签字@" + line, "cards.有服务记录的服务卡@" + line, fmt.Sprint(row[6]), rate1})
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
				k.sum("services."+month+"@"+name, types...)
			}
		}
		if tb.Key != "services" && tb.Key != "compliance" && len(tb.Rows) > 1 {
			for j := 1; j < len(tb.Columns); j++ {
				field := fieldOf(tb.Columns[j])
				var ps []string
				for _, row := range tb.Rows[:len(tb.Rows)-1] {
					ps = append(ps, field+"@"+lineName(row[0]))
				}
				k.sum(field+"@"+unit, ps...)
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
