package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// The elder's health page (issue 16 point 2): the clinic keeps the record,
// records check-ups (an implausible value refused at its field, the input
// kept) and sees them as trend charts; a call-out it logs shows on its
// home; community staff see only the summary; a volunteer is refused.
func TestHealthPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		path := "/elders/" + itoa(f.Elder1.ID) + "/health"
		b := newBrowser(t, srv)
		csrf := b.login("clinic")
		// The clinic's compliance is its worklist: /compliance leads home.
		if resp, err := b.client.Get(srv.URL + "/compliance"); err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("clinic staff's /compliance: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		if _, doc := b.get("/elders/" + itoa(f.Elder1.ID)); doc.Find(`a[href="`+path+`"]`).Length() != 1 {
			t.Fatal("the elder's page links to the health record")
		}
		resp, _ := b.post(path, url.Values{"csrf": {csrf}, "conditions": {"hypertension", "diabetes"}, "conditions_other": {"腰椎间盘突出"},
			"medicines": {"硝苯地平 10mg 每日两次\r\n二甲双胍 0.5g"}, "allergies": {"青霉素"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the record: %d", resp.StatusCode)
		}
		for i, m := range []url.Values{
			{"taken_on": {"2026-03-10"}, "systolic": {"158"}, "diastolic": {"95"}, "glucose": {"7.8"}, "weight": {"61"}, "heart_rate": {"80"}},
			{"taken_on": {"2026-06-12"}, "systolic": {"146"}, "diastolic": {"90"}, "glucose": {"7.1"}, "weight": {"60.2"}, "heart_rate": {"76"}},
			{"taken_on": {"2026-09-15"}, "systolic": {"138"}, "diastolic": {"86"}, "weight": {"59.5"}, "note": {"血压控制好转"}},
		} {
			m.Set("csrf", csrf)
			if resp, _ := b.post(path+"/measurements", m); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("measurement %d: %d", i, resp.StatusCode)
			}
		}
		// A weight of 650 kg: refused at the field, the page shown again
		// with what was typed.
		resp, doc := b.post(path+"/measurements", url.Values{"csrf": {csrf}, "taken_on": {"2026-11-20"}, "weight": {"650"}, "heart_rate": {"72"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find(`[data-field=weight] .field-error`).Text(), "20 到 200") ||
			doc.Find(`form.measurement-form input[name=heart_rate]`).AttrOr("value", "") != "72" {
			t.Fatalf("implausible weight: %d %q", resp.StatusCode, doc.Find(".measurement-form").Text())
		}
		status, doc := b.get(path)
		if status != 200 {
			t.Fatalf("health page: %d", status)
		}
		if doc.Find(`input[name=conditions][value=hypertension]:checked`).Length() != 1 || !strings.Contains(doc.Find(`textarea[name=medicines]`).Text(), "二甲双胍") {
			t.Fatalf("the record in its form: %q", doc.Find("#health-record").Text())
		}
		for chart, n := range map[string]int{"bp": 6, "glucose": 2, "weight": 3, "heart_rate": 2} {
			if got := doc.Find(`svg.health-chart[data-chart=` + chart + `] circle`).Length(); got != n {
				t.Errorf("chart %s: %d points, want %d", chart, got, n)
			}
		}
		if doc.Find(`svg.health-chart[data-chart=bp] circle[data-day="2026-09-15"][data-value="138"]`).Length() != 1 {
			t.Fatal("the last systolic point carries its date and value")
		}
		if rows := doc.Find("table.measurements tbody tr"); rows.Length() != 3 || !strings.Contains(rows.First().Text(), "138/86") {
			t.Fatalf("measurements newest first: %q", rows.Text())
		}
		// A call-out: arrival before the call refused; then logged, and on
		// the clinic's home.
		resp, doc = b.post("/elders/"+itoa(f.Elder1.ID)+"/callouts", url.Values{"csrf": {csrf}, "called_at": {"2026-11-28T21:05"}, "caller": {"老伴"},
			"arrived_at": {"2026-11-28T20:05"}, "outcome": {"treated"}})
		if resp.StatusCode != http.StatusOK || doc.Find(`[data-field=arrived_at] .field-error`).Length() != 1 {
			t.Fatalf("arrival before the call: %d", resp.StatusCode)
		}
		resp, _ = b.post("/elders/"+itoa(f.Elder1.ID)+"/callouts", url.Values{"csrf": {csrf}, "called_at": {"2026-11-28T21:05"}, "caller": {"老伴"},
			"arrived_at": {"2026-11-28T21:27"}, "outcome": {"treated"}, "note": {"胸闷，含服硝酸甘油"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("log a call-out: %d", resp.StatusCode)
		}
		_, home := b.get("/")
		if row := home.Find("#recent-callouts table.callouts tbody tr"); row.Length() != 1 || !strings.Contains(row.Text(), "22 分钟") || !strings.Contains(row.Text(), f.Elder1.Name) {
			t.Fatalf("the call-out on the clinic's home: %q", home.Find("#recent-callouts").Text())
		}
		// In English: every label translated (only the data stays Chinese).
		b.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrf}})
		_, doc = b.get(path)
		doc.Find("h1, input, textarea, td.muted, .conditions, table.callouts td, table.measurements td, dd, p.muted, header, nav, footer").Remove()
		if han := regexp.MustCompile(`\p{Han}+`).FindAllString(doc.Find("main").Text(), -1); len(han) > 0 {
			t.Fatalf("Chinese left on the English page: %q", han)
		}
		// Community staff: the summary only, audited.
		c1 := newBrowser(t, srv)
		c1.login("c1")
		status, doc = c1.get(path)
		if status != 200 || !strings.Contains(doc.Find(".conditions").Text(), "高血压") || doc.Find(".last-checkup").Text() != "2026-09-15" {
			t.Fatalf("the community's summary: %d %q", status, doc.Find("#health-summary").Text())
		}
		if page := doc.Text(); strings.Contains(page, "青霉素") || strings.Contains(page, "二甲双胍") || strings.Contains(page, "138") ||
			strings.Contains(page, "硝酸甘油") || doc.Find("svg.health-chart").Length() != 0 || doc.Find(`form[action$="/measurements"]`).Length() != 0 {
			t.Fatal("community staff see the clinic's values")
		}
		log, err := db.AuditLog(context.Background(), f.Station, "elder", f.Elder1.ID, 5)
		if err != nil || !strings.HasPrefix(log[0].Action, "read_") || log[0].Username != "c1" {
			t.Fatalf("the community's read is not audited: %+v %v", log, err)
		}
		// A volunteer is refused.
		v := newBrowser(t, srv)
		v.login("v1")
		if status, _ := v.get(path); status != http.StatusForbidden {
			t.Fatalf("a volunteer reads the health page: %d", status)
		}
	})
}
