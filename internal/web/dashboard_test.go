package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// record stores a paper record of a past service, as community staff do.
func record(t *testing.T, db *store.DB, a care.Actor, elder int64, kind, typ string, at time.Time) {
	t.Helper()
	r := &care.ServiceRecord{ElderID: elder, Kind: kind, Type: typ, At: at, Source: "paper"}
	if err := db.AddService(context.Background(), a, r, store.Proof{}); err != nil {
		t.Fatal(err)
	}
}

// seedServices gives the fixture street six months of history: the first
// community 3 services in October and 7 this month (one a greeting today),
// the second 2 this month, small enough to be masked for viewers.
func seedServices(t *testing.T, db *store.DB, f *storetest.Fixture) {
	t.Helper()
	on := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, db.Loc)
	}
	for day := 1; day <= 3; day++ {
		record(t, db, f.Comm1, f.Elder1.ID, "life", "greeting", on(time.October, day, 9))
	}
	for day := 1; day <= 5; day++ {
		record(t, db, f.Comm1, f.Elder2.ID, "spirit", "chat", on(time.November, day, 15))
	}
	record(t, db, f.Comm1, f.Elder1.ID, "health", "checkup", on(time.November, 20, 9))
	greet(t, db, f.Volunteer, f.Elder1.ID, db.Now().Add(-time.Hour))
	record(t, db, f.Comm2, f.Elder3.ID, "life", "greeting", on(time.November, 27, 9))
	record(t, db, f.Comm2, f.Elder3.ID, "life", "shopping", on(time.November, 28, 9))
}

// bar finds the services chart's bar of a series in a month.
func bar(doc *goquery.Document, series, month string) *goquery.Selection {
	return doc.Find(`svg.services-chart rect[data-series="` + series + `"][data-month="` + month + `"]`)
}

func tile(doc *goquery.Document, name string) string {
	return doc.Find(`[data-tile="` + name + `"] .num`).Text()
}

func TestDashboardStationSeesTheStreetByCommunity(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		seedServices(t, db, f)
		b := newBrowser(t, newServer(t, db))
		b.login("station")
		status, doc := b.get("/")
		if status != http.StatusOK {
			t.Fatalf("home: %d", status)
		}
		if tile(doc, "services") != "9" || tile(doc, "greeted") != "1" || tile(doc, "alerts") != "0" || tile(doc, "cases") != "0" {
			t.Fatalf("tiles: services %q greeted %q alerts %q cases %q", tile(doc, "services"), tile(doc, "greeted"), tile(doc, "alerts"), tile(doc, "cases"))
		}
		if tile(doc, "rate") != "100.0%" {
			t.Fatalf("this month's rate: %q", tile(doc, "rate"))
		}
		services := doc.Find(`svg.services-chart[role=img]`)
		if services.Length() != 1 || services.AttrOr("aria-label", "") == "" || services.Find("title").Length() == 0 {
			t.Fatal("the services chart is an accessible SVG")
		}
		c1, c2 := itoa(f.C1.ID), itoa(f.C2.ID)
		for _, tc := range []struct{ series, month, count string }{{c1, "2026-10", "3"}, {c1, "2026-11", "7"}, {c2, "2026-11", "2"}} {
			if got := bar(doc, tc.series, tc.month); got.AttrOr("data-count", "") != tc.count || !strings.Contains(got.Find("title").Text(), tc.count+" 次") {
				t.Errorf("bar %s %s: %q %q", tc.series, tc.month, got.AttrOr("data-count", ""), got.Find("title").Text())
			}
		}
		if bar(doc, c2, "2026-10").Length() != 0 {
			t.Error("a month without services has no bar")
		}
		for _, chart := range []string{"svg.services-chart", "svg.rates-chart"} {
			legend := doc.Find(chart + " .legend-item").Text()
			if !strings.Contains(legend, f.C1.Name) || !strings.Contains(legend, f.C2.Name) {
				t.Errorf("%s names each community: %q", chart, legend)
			}
		}
		if months := doc.Find("svg.services-chart text").Text(); !strings.Contains(months, "2026-06") || !strings.Contains(months, "2026-11") {
			t.Errorf("six months on the axis: %q", months)
		}
		point := doc.Find(`svg.rates-chart a[href="/compliance/communities/` + c1 + `?month=2026-11"] circle[data-rate="100.0"]`)
		if point.Length() != 1 || !strings.Contains(point.Find("title").Text(), "(1/1)") {
			t.Fatalf("the rate point leads to the community's drill-down: %d", point.Length())
		}
		if doc.Find(`svg.rates-chart circle[data-month="2026-10"]`).Length() != 0 {
			t.Error("a month with nothing judged leaves a gap")
		}
		if row := doc.Find(`.dash-table tr[data-series="` + c1 + `"] td`).Map(func(_ int, s *goquery.Selection) string { return s.Text() }); strings.Join(row, ",") != f.C1.Name+",0,0,0,0,3,7" {
			t.Errorf("the table beside the chart: %v", row)
		}

		// Closed months are cached, this month is counted live.
		record(t, db, f.Comm2, f.Elder3.ID, "life", "greeting", time.Date(2026, 10, 5, 9, 0, 0, 0, db.Loc))
		record(t, db, f.Comm2, f.Elder3.ID, "life", "greeting", time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc))
		_, doc = b.get("/")
		if bar(doc, c2, "2026-10").Length() != 0 || bar(doc, c2, "2026-11").AttrOr("data-count", "") != "3" || tile(doc, "greeted") != "2" {
			t.Fatalf("after two more records: October %d bars, November %q, greeted %q",
				bar(doc, c2, "2026-10").Length(), bar(doc, c2, "2026-11").AttrOr("data-count", ""), tile(doc, "greeted"))
		}

		b.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrfOf(doc)}})
		_, doc = b.get("/")
		if title := doc.Find("#services-chart h2").Text(); title != "Services in the last six months, by community" {
			t.Errorf("English title: %q", title)
		}
		if got := bar(doc, c1, "2026-11").Find("title").Text(); got != f.C1.Name+", 2026-11: 7 services" {
			t.Errorf("English tooltip: %q", got)
		}
	})
}

func TestDashboardCommunitySeesItsOwnByKind(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		seedServices(t, db, f)
		b := newBrowser(t, newServer(t, db))
		b.login("c2")
		_, doc := b.get("/")
		if tile(doc, "services") != "2" || tile(doc, "greeted") != "0" {
			t.Fatalf("own tiles: %q %q", tile(doc, "services"), tile(doc, "greeted"))
		}
		if got := bar(doc, "life", "2026-11").AttrOr("data-count", ""); got != "2" {
			t.Fatalf("the community's life services this month: %q", got)
		}
		if n := doc.Find("svg.services-chart rect[data-series]").Length(); n != 1 {
			t.Fatalf("only the community's own services: %d bars", n)
		}
		legend := doc.Find("svg.services-chart .legend-item")
		if legend.Length() != len(care.ServiceKinds) || !strings.Contains(legend.Text(), "健康服务") {
			t.Fatalf("the six kinds: %q", legend.Text())
		}
		if text := doc.Find("main").Text(); strings.Contains(text, f.C1.Name) || strings.Contains(text, f.Elder1.Name) {
			t.Fatal("nothing of the other community")
		}
		if doc.Find("svg.rate-chart").Length() != 1 {
			t.Fatal("the rate by role")
		}
	})
}

func TestDashboardViewerSeesMaskedAggregates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		seedServices(t, db, f)
		district := &care.User{Username: "district", Role: care.RoleViewer}
		if err := db.CreateUser(context.Background(), f.Admin, district, storetest.Password); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		b.login("viewer")
		_, doc := b.get("/")
		c1, c2 := itoa(f.C1.ID), itoa(f.C2.ID)
		// 7 + 2 = 9 services this month, the tile: 7 would give the 2 back.
		if got := bar(doc, c1, "2026-11").AttrOr("data-count", ""); got != "*" {
			t.Fatalf("a count of 7 beside a masked 2 and the total is hidden: %q", got)
		}
		small := bar(doc, c2, "2026-11")
		if small.AttrOr("data-count", "") != "<5" || small.Find("title").Text() != f.C2.Name+" 2026-11：<5 次" {
			t.Fatalf("a count of 2 is masked: %q %q", small.AttrOr("data-count", ""), small.Find("title").Text())
		}
		if got := bar(doc, c1, "2026-10").AttrOr("data-count", ""); got != "<5" {
			t.Fatalf("a count of 3 is masked: %q", got)
		}
		if !strings.Contains(doc.Find(`.dash-table tr[data-series="`+c2+`"]`).Text(), "<5") || !strings.Contains(doc.Find(".dash-table tr.total").Text(), "9") {
			t.Fatal("the table masks small counts and those a total would give back")
		}
		if tile(doc, "services") != "9" || tile(doc, "greeted") != "<5" {
			t.Fatalf("tiles: %q %q", tile(doc, "services"), tile(doc, "greeted"))
		}
		page, _ := doc.Html()
		for _, name := range []string{f.Elder1.Name, f.Elder2.Name, f.Elder3.Name, f.Elder1.IDNumber, f.Elder1.Building + " " + f.Elder1.Unit} {
			if strings.Contains(page, name) {
				t.Errorf("the viewer's home shows %q", name)
			}
		}
		if doc.Find(`a[href^="/compliance"]`).Length() != 0 || doc.Find("svg.rates-chart, svg.rate-chart").Length() != 0 || doc.Find(`[data-tile=alerts]`).Length() != 0 {
			t.Fatal("no compliance drill-down and no alerts for a viewer")
		}

		d := newBrowser(t, srv)
		d.login("district")
		_, doc = d.get("/")
		street := itoa(f.Street.ID)
		if got := bar(doc, street, "2026-11").AttrOr("data-count", ""); got != "9" || !strings.Contains(doc.Find("svg.services-chart .legend-item").Text(), f.Street.Name) {
			t.Fatalf("a district viewer sees the services by street: %q", got)
		}
	})
}
