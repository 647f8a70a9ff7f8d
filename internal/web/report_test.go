package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// download fetches a file and returns the response with its body read.
func (b *browser) download(path string) (*http.Response, []byte) {
	b.t.Helper()
	resp, err := b.client.Get(b.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, body
}

// htmxGet fetches a page as htmx does when the form targets target.
func (b *browser) htmxGet(path, target string) (int, *goquery.Document) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", target)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, doc
}

// reportRow is the text of the cells of the line of a report table whose
// first cell is first.
func reportRow(doc *goquery.Document, table, first string) []string {
	var out []string
	doc.Find(`section[data-table="` + table + `"] tbody tr`).EachWithBreak(func(_ int, tr *goquery.Selection) bool {
		if strings.TrimSpace(tr.Find("td").First().Text()) != first {
			return true
		}
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { out = append(out, strings.TrimSpace(td.Text())) })
		return false
	})
	return out
}

func reportQuery(unit, period string) string {
	return url.Values{"unit": {unit}, "period": {period}}.Encode()
}

func TestReportStationSeesTablesAndDownloads(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		greet(t, db, f.Volunteer, f.Elder1.ID, time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc))
		b := newBrowser(t, newServer(t, db))
		b.login("station")

		status, doc := b.get("/reports")
		if status != 200 || doc.Find(`nav a[href="/reports"]`).Length() != 1 {
			t.Fatalf("the report page and its nav link: %d", status)
		}
		if v, _ := doc.Find(`select[name=unit] option[selected]`).Attr("value"); v != f.Street.Name {
			t.Fatalf("the station's default unit is its street, got %q", v)
		}
		if v, _ := doc.Find(`input[type=month][name=month]`).Attr("value"); v != "2026-11" {
			t.Fatalf("the default period is the current month, got %q", v)
		}
		if doc.Find(`select[name=quarter] option[value="2026-Q4"]`).Length() != 1 || doc.Find(`select[name=quarter] option[value="2025-Q1"]`).Length() != 1 {
			t.Fatal("the quarter choice lists this year's and last year's quarters")
		}
		if doc.Find(`#report-form[hx-get="/reports"][hx-indicator="#report-loading"]`).Length() != 1 || !strings.Contains(doc.Find("#report-loading").Text(), "正在生成报表…") {
			t.Fatal("the form is htmx-enhanced with a loading line")
		}
		if doc.Find("#report").Length() != 0 {
			t.Fatal("no report before the form is submitted")
		}

		// The form as submitted: unit, month and an empty quarter.
		status, doc = b.get("/reports?" + url.Values{"unit": {f.Street.Name}, "month": {"2026-11"}, "quarter": {""}}.Encode())
		if status != 200 || doc.Find("#report[data-period=\"2026-11\"]").Length() != 1 {
			t.Fatalf("report: %d %q", status, doc.Find(".error-line").Text())
		}
		if title := doc.Find("#report h2").Text(); !strings.Contains(title, f.Street.Name) || !strings.Contains(title, "2026年11月") {
			t.Fatalf("title %q", title)
		}
		if n := doc.Find("#report section.report-table").Length(); n != 11 {
			t.Fatalf("%d tables on screen, want 11 (the seven, training, activities, requests and typical experience)", n)
		}
		if row := reportRow(doc, "elders", f.C1.Name); len(row) < 2 || row[1] != "2" {
			t.Fatalf("community 1 has two elders: %q", row)
		}
		if row := reportRow(doc, "elders", f.C2.Name); len(row) < 2 || row[1] != "1" {
			t.Fatalf("community 2 has one elder: %q", row)
		}
		total := doc.Find(`section[data-table=elders] tbody tr.total`)
		if total.Length() != 1 || strings.TrimSpace(total.Find("td").Eq(1).Text()) != "3" || !total.Find("td").Eq(1).HasClass("num") {
			t.Fatalf("the 合计 line is marked and counts three elders: %q", total.Text())
		}
		// Services: a line per service type, a column per community, then
		// the total; the one greeting is in community 1.
		if row := reportRow(doc, "services", "合计"); len(row) < 5 || row[2] != "1" || row[3] != "0" || row[4] != "1" {
			t.Fatalf("services total line: %q", row)
		}
		if row := reportRow(doc, "compliance", f.C1.Name); len(row) < 8 || row[3] != "1" || row[7] != "100.0" {
			t.Fatalf("the greeting met the daily standard: %q", row)
		}
		if doc.Find(`section[data-table=elders] .report-note`).Length() != 1 || doc.Find("#report-masked").Length() != 0 {
			t.Fatal("notes are shown; the station's numbers are not masked")
		}
		if doc.Find(`#report-print[href*="print=1"]`).Length() != 1 {
			t.Fatal("a print button")
		}
		if status, frag := b.htmxGet("/reports?"+reportQuery(f.Street.Name, "2026-11"), "report-page"); status != 200 ||
			frag.Find("header.top").Length() != 0 || frag.Find("#report-page #report").Length() != 1 {
			t.Fatalf("an htmx submit gets the form and the report only: %d", status)
		}

		links := map[string]string{}
		doc.Find("#report-downloads a[data-format]").Each(func(_ int, a *goquery.Selection) {
			links[a.AttrOr("data-format", "")] = a.AttrOr("href", "")
		})
		if len(links) != 3 {
			t.Fatalf("download links: %v", links)
		}

		resp, body := b.download(links["xlsx"])
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="report-street-2026-11.xlsx"; filename*=UTF-8''`+url.PathEscape("和平街道_2026年11月_统计表.xlsx") {
			t.Fatalf("xlsx: %d %v", resp.StatusCode, resp.Header)
		}
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) != 11 {
			t.Fatalf("one sheet per table: %v", sheets)
		}
		if a1, _ := x.GetCellValue(sheets[0], "A1"); !strings.Contains(a1, f.Street.Name) || !strings.Contains(a1, "2026年11月") {
			t.Fatalf("the title row names the unit and the period: %q", a1)
		}
		if a4, _ := x.GetCellValue(sheets[0], "A4"); a4 != f.C1.Name {
			t.Fatalf("the first line is community 1: %q", a4)
		}
		typ, _ := x.GetCellType(sheets[0], "B4")
		if v, _ := x.GetCellValue(sheets[0], "B4"); v != "2" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Fatalf("the count of elders is a number cell: %q (type %v)", v, typ)
		}

		resp, body = b.download(links["csv"])
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.HasPrefix(body, []byte("\ufeff")) ||
			!strings.Contains(string(body), "老年人基本情况") || !strings.Contains(string(body), "服务卡检查签字") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "report-street-2026-11.csv") {
			t.Fatalf("csv: %d %v %.200q", resp.StatusCode, resp.Header, body)
		}

		resp, body = b.download(links["json"])
		var rep struct {
			Unit, Period string
			Masked       bool
			Tables       []struct {
				Key  string
				Rows [][]any
			}
		}
		if err := json.Unmarshal(body, &rep); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("json: %d %v %s", resp.StatusCode, err, body)
		}
		if rep.Unit != f.Street.Name || rep.Period != "2026-11" || rep.Masked || len(rep.Tables) < 7 || rep.Tables[0].Key != "elders" {
			t.Fatalf("json report: %+v", rep)
		}
		if last := rep.Tables[0].Rows[len(rep.Tables[0].Rows)-1]; last[0] != "合计" || last[1] != 3.0 {
			t.Fatalf("json total line: %v", last)
		}

		// A quarter chosen beside the month wins.
		_, doc = b.get("/reports?" + url.Values{"unit": {f.C1.Name}, "month": {"2026-11"}, "quarter": {"2026-Q4"}}.Encode())
		if doc.Find(`#report[data-period="2026-Q4"]`).Length() != 1 || !strings.Contains(doc.Find("#report h2").Text(), "2026年第4季度") ||
			doc.Find(`select[name=quarter] option[value="2026-Q4"][selected]`).Length() != 1 {
			t.Fatalf("quarter report: %q", doc.Find("#report h2").Text())
		}
		if row := reportRow(doc, "elders", f.C1.Name); len(row) < 2 || row[1] != "2" || doc.Find(`section[data-table=elders] tr.total`).Length() != 0 {
			t.Fatalf("a community's report has its own line and no total: %q", row)
		}
	})
}

func TestReportScopeErrorsAndRoles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		admin := &care.User{Username: "admin", Role: care.RoleAdmin}
		if err := db.CreateUser(context.Background(), f.Admin, admin, storetest.Password); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)

		c1 := newBrowser(t, srv)
		c1.login("c1")
		_, doc := c1.get("/reports")
		if units := doc.Find(`select[name=unit] option`); units.Length() != 1 || units.AttrOr("value", "") != f.C1.Name {
			t.Fatalf("community staff choose their own community only: %q", units.Text())
		}
		status, doc := c1.get("/reports?" + reportQuery(f.C2.Name, "2026-11"))
		if status != http.StatusUnprocessableEntity || doc.Find("#report").Length() != 0 ||
			!strings.Contains(doc.Find(`[data-field=unit] .field-error`).Text(), "没有可统计的单位") {
			t.Fatalf("another community: %d %q", status, doc.Find(`[data-field=unit]`).Text())
		}
		resp, body := c1.download("/reports/download?" + reportQuery(f.C2.Name, "2026-11") + "&format=csv")
		if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Content-Disposition") != "" || strings.Contains(string(body), "老年人基本情况") {
			t.Fatalf("another community's download: %d %v", resp.StatusCode, resp.Header)
		}
		status, doc = c1.get("/reports?" + reportQuery(f.C2.Name, "2026-13"))
		if status != http.StatusUnprocessableEntity || doc.Find(`[data-field=unit] .field-error`).Length() != 1 || doc.Find(`[data-field=period] .field-error`).Length() != 1 {
			t.Fatal("a bad unit and a bad period are shown together")
		}

		st := newBrowser(t, srv)
		st.login("station")
		status, doc = st.get("/reports?" + url.Values{"unit": {f.Street.Name}, "month": {"2026-13"}}.Encode())
		if status != http.StatusUnprocessableEntity || doc.Find("#report").Length() != 0 ||
			!strings.Contains(doc.Find(`[data-field=period] .field-error`).Text(), "统计期应写成 2026-11（月）或 2026-Q4（季度）") {
			t.Fatalf("bad period: %d %q", status, doc.Find(`[data-field=period]`).Text())
		}
		if status, frag := st.htmxGet("/reports?"+reportQuery(f.Street.Name, "11/2026"), "report-page"); status != 200 ||
			frag.Find(`[data-field=period] .field-error`).Length() != 1 || frag.Find("#report").Length() != 0 {
			t.Fatalf("an htmx submit with a bad period gets the form with the error: %d", status)
		}
		if resp, _ := st.download("/reports/download?" + reportQuery(f.Street.Name, "2026-11") + "&format=pdf"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("unknown format: %d", resp.StatusCode)
		}
		st.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrfOf(doc)}})
		_, doc = st.get("/reports?" + reportQuery(f.Street.Name, "2026-13"))
		if msg := doc.Find(`[data-field=period] .field-error`).Text(); !strings.Contains(msg, "the period is a month like 2026-11") {
			t.Fatalf("the error in English: %q", msg)
		}
		_, doc = st.get("/reports?" + reportQuery(f.Street.Name, "2026-11"))
		if title := doc.Find("#report h2").Text(); !strings.Contains(title, "November 2026") || doc.Find(`section[data-table=elders] h3`).Text() != "Elders" {
			t.Fatalf("the report follows the UI language: %q", title)
		}

		for _, who := range []string{"v1", "clinic", "admin"} {
			b := newBrowser(t, srv)
			b.login(who)
			if status, _ := b.get("/reports"); status != http.StatusForbidden {
				t.Errorf("%s: /reports %d, want 403", who, status)
			}
			if resp, _ := b.download("/reports/download?" + reportQuery(f.Street.Name, "2026-11") + "&format=json"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: download %d, want 403", who, resp.StatusCode)
			}
			if _, doc := b.get("/org"); doc.Find(`nav a[href="/reports"]`).Length() != 0 {
				t.Errorf("%s sees the reports link", who)
			}
		}
	})
}

func TestReportViewerSeesMaskedCounts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("viewer")
		_, doc := b.get("/reports")
		if v, _ := doc.Find(`select[name=unit] option[selected]`).Attr("value"); v != f.Street.Name {
			t.Fatalf("a street viewer's default unit is the street, got %q", v)
		}
		status, doc := b.get("/reports?" + reportQuery(f.Street.Name, "2026-11"))
		if status != 200 || doc.Find("#report-masked").Length() != 1 {
			t.Fatalf("viewer report: %d", status)
		}
		if row := reportRow(doc, "elders", "合计"); len(row) < 2 || row[1] != "<5" {
			t.Fatalf("three elders show as <5: %q", row)
		}
		names := []string{f.Elder1.Name, f.Elder2.Name, f.Elder3.Name}
		for _, n := range names {
			if strings.Contains(doc.Text(), n) {
				t.Fatalf("the viewer sees the name %s", n)
			}
		}
		resp, body := b.download("/reports/download?" + reportQuery(f.Street.Name, "2026-11") + "&format=csv")
		if resp.StatusCode != 200 || !strings.Contains(string(body), "<5") {
			t.Fatalf("viewer csv: %d", resp.StatusCode)
		}
		for _, n := range names {
			if strings.Contains(string(body), n) {
				t.Fatalf("the viewer's csv has the name %s", n)
			}
		}
		if _, doc := b.get("/reports?" + reportQuery("鼓楼区", "2026-11")); doc.Find(`[data-field=unit] .field-error`).Length() != 1 {
			t.Fatal("a street viewer may not report on the district")
		}
	})
}

// TestReportDistrictViewerDefaultsToTheDistrict checks the default unit of
// a viewer without a street: the first district, reported by street.
func TestReportDistrictViewerDefaultsToTheDistrict(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		u := &care.User{Username: "district", Role: care.RoleViewer}
		if err := db.CreateUser(context.Background(), f.Admin, u, storetest.Password); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, newServer(t, db))
		b.login("district")
		_, doc := b.get("/reports")
		unit := doc.Find(`select[name=unit] option[selected]`).AttrOr("value", "")
		if unit != f.Street.District {
			t.Fatalf("default unit %q, want the district %q", unit, f.Street.District)
		}
		_, doc = b.get("/reports?" + reportQuery(unit, "2026-Q4"))
		if row := reportRow(doc, "elders", f.Street.Name); len(row) < 2 || row[1] != "<5" || doc.Find("#report-masked").Length() != 1 {
			t.Fatalf("the district report has a line per street, masked: %q", row)
		}
	})
}
