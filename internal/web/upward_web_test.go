package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestExperienceAndReportSubmissionPages: community staff write a report
// (a refused form keeps the text and names the field), submit it; the
// station opens it (已阅), returns it without a reason (refused in place),
// receives it; the month report is submitted and received on the report
// page, each step shown in place.
func TestExperienceAndReportSubmissionPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		storetest.MonthEnded(db)
		srv := newServer(t, db)
		c := newBrowser(t, srv)
		csrf := c.login("c1")
		resp, doc := c.post("/experiences", url.Values{"csrf": {csrf}, "title": {""}, "month": {"2026-11"}, "body": {"独居老人每日问候"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=title].has-error`).Length() != 1 ||
			!strings.Contains(doc.Find(`textarea[name=body]`).Text(), "独居老人每日问候") {
			t.Fatalf("refused form: %d", resp.StatusCode)
		}
		resp, _ = c.post("/experiences", url.Values{"csrf": {csrf}, "title": {"邻里守望"}, "month": {"2026-11"}, "body": {"独居老人每日问候\n三个月无一漏问"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/experiences/") {
			t.Fatalf("create: %d %s", resp.StatusCode, loc)
		}
		path := strings.SplitN(loc, "?", 2)[0]
		_, doc = c.get(loc)
		if doc.Find(".flash").Length() != 1 || doc.Find(".experience-body p").Length() != 2 {
			t.Fatalf("the saved draft: %s", doc.Find("main").Text())
		}
		resp, _ = c.post(path+"/status", url.Values{"csrf": {csrf}, "status": {"submitted"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d", resp.StatusCode)
		}

		s := newBrowser(t, srv)
		scsrf := s.login("station")
		_, doc = s.get("/experiences")
		if st, _ := doc.Find(`table.experiences tbody tr`).Attr("data-status"); st != "submitted" || strings.TrimSpace(doc.Find(`td.read`).Text()) != "未阅" {
			t.Fatalf("the station's list: %s", doc.Find("table.experiences").Text())
		}
		_, doc = s.get(path)
		if doc.Find(`dd.read`).Length() != 1 || doc.Find(`form.experience-receive`).Length() != 1 {
			t.Fatalf("the station's reading: %s", doc.Find("main").Text())
		}
		resp, doc = s.post(path+"/status", url.Values{"csrf": {scsrf}, "status": {"returned"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`form.experience-return [data-field=reason].has-error`).Length() != 1 {
			t.Fatalf("returned without a reason: %d", resp.StatusCode)
		}
		resp, _ = s.post(path+"/status", url.Values{"csrf": {scsrf}, "status": {"received"}})
		_, doc = s.get(resp.Header.Get("Location"))
		if strings.TrimSpace(doc.Find(`#experience dd.state`).Text()) != "街道已接收" || doc.Find(".flash").Length() != 1 {
			t.Fatalf("received: %s", doc.Find("main").Text())
		}

		// The month's report: the community submits from the report page, the station receives it.
		q := "?" + url.Values{"unit": {f.C1.Name}, "period": {"2026-11"}}.Encode()
		_, doc = c.get("/reports" + q)
		if doc.Find(`form.submission-submit`).Length() != 1 {
			t.Fatalf("no submit form on the community's report page")
		}
		_, doc = c.post("/reports/submission"+q, url.Values{"csrf": {csrf}, "status": {"submitted"}})
		if st, _ := doc.Find(`#report-submissions tr[data-status]`).Attr("data-status"); st != "submitted" || doc.Find(".flash").Length() != 1 {
			t.Fatalf("submitted: %s", doc.Find("main").Text())
		}
		sq := "?" + url.Values{"unit": {f.Street.Name}, "period": {"2026-11"}}.Encode()
		_, doc = s.post("/reports/submission"+sq, url.Values{"csrf": {scsrf}, "status": {"returned"}, "community_id": {itoa(f.C1.ID)}})
		if doc.Find(".error-line").Length() != 1 {
			t.Fatalf("a return without a reason is not refused in place: %s", doc.Find("main").Text())
		}
		_, doc = s.post("/reports/submission"+sq, url.Values{"csrf": {scsrf}, "status": {"received"}, "community_id": {itoa(f.C1.ID)}})
		if st, _ := doc.Find(`#report-submissions tr[data-community="` + itoa(f.C1.ID) + `"]`).Attr("data-status"); st != "received" {
			t.Fatalf("received: %s", doc.Find("#report-submissions").Text())
		}
		if !strings.Contains(doc.Find(`section[data-table="experiences"]`).Text(), "邻里守望") {
			t.Fatalf("the street's report lacks the received experience")
		}
	})
}

// TestTrainingAndCommendationPages: a session recorded with attendees
// shows on the list and the volunteer's page; a commendation refused in
// place, then recorded and shown; the register's training text is
// read-only on the form.
func TestTrainingAndCommendationPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		c := newBrowser(t, newServer(t, db))
		csrf := c.login("c1")
		resp, doc := c.post("/trainings", url.Values{"csrf": {csrf}, "topic": {""}, "held_on": {"2026-11-20"}, "trainer": {"王老师"}, "attendee_ids": {itoa(f.Vol1.ID)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=topic].has-error`).Length() != 1 {
			t.Fatalf("refused session: %d", resp.StatusCode)
		}
		if _, ok := doc.Find(`input[name=attendee_ids][value="` + itoa(f.Vol1.ID) + `"]`).Attr("checked"); !ok {
			t.Fatalf("the refused form lost the attendee")
		}
		resp, _ = c.post("/trainings", url.Values{"csrf": {csrf}, "topic": {"助老服务礼仪"}, "held_on": {"2026-11-20"}, "trainer": {"王老师"}, "attendee_ids": {itoa(f.Vol1.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, doc = c.get("/trainings")
		if !strings.Contains(doc.Find("table.trainings").Text(), "助老服务礼仪") {
			t.Fatalf("the list: %s", doc.Find("table.trainings").Text())
		}
		vp := "/volunteers/" + itoa(f.Vol1.ID)
		resp, doc = c.post(vp+"/commendations", url.Values{"csrf": {csrf}, "title": {"优秀志愿者"}, "awarded_on": {"2026-11-20"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`form.commendation-form [data-field=reason].has-error`).Length() != 1 {
			t.Fatalf("a commendation without a reason: %d", resp.StatusCode)
		}
		resp, _ = c.post(vp+"/commendations", url.Values{"csrf": {csrf}, "title": {"优秀志愿者"}, "awarded_on": {"2026-11-20"}, "reason": {"结对服务满一年"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("commend: %d", resp.StatusCode)
		}
		_, doc = c.get(vp)
		if !strings.Contains(doc.Find("#trainings").Text(), "助老服务礼仪") || !strings.Contains(doc.Find("#commendations").Text(), "优秀志愿者") {
			t.Fatalf("the volunteer's page: %s", doc.Find("main").Text())
		}
		_, doc = c.get(vp + "/edit")
		if doc.Find(`textarea[name=training]`).Length() != 0 {
			t.Fatalf("the register's training text is editable")
		}
	})
}

// TestUpwardPagesInEnglish: the new pages and forms speak English when
// chosen (only the users' own text stays Chinese).
func TestUpwardPagesInEnglish(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		storetest.MonthEnded(db)
		for _, who := range []string{"c1", "station"} {
			b := newBrowser(t, newServer(t, db))
			csrf := b.login(who)
			b.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrf}})
			for _, path := range []string{"/experiences", "/trainings", "/volunteers/" + itoa(f.Vol1.ID),
				"/reports?" + url.Values{"unit": {f.C1.Name}, "period": {"2026-11"}}.Encode()} {
				status, doc := b.get(path)
				if status != 200 {
					t.Fatalf("%s %s: %d", who, path, status)
				}
				doc.Find("td, dd, h1, label.check, h2.report-title, h3, option, .report-table, select, .experience-body, table.trainings, .commendations").Remove()
				text := strings.NewReplacer(f.C1.Name, "", f.C2.Name, "", f.Street.Name, "").Replace(doc.Find("main").Text()) // names are data
				if han := regexp.MustCompile(`\p{Han}+`).FindAllString(text, -1); len(han) > 0 {
					t.Errorf("%s %s in English shows %q", who, path, han)
				}
			}
		}
	})
}

// TestHomeShowsWhatWaitsUpward: community staff's home says last month's
// report is not submitted; once it and an experience report are, the
// station's home lists both to receive.
func TestHomeShowsWhatWaitsUpward(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		storetest.MonthEnded(db)
		srv := newServer(t, db)
		c := newBrowser(t, srv)
		csrf := c.login("c1")
		_, doc := c.get("/")
		if !strings.Contains(doc.Find("#home-upward").Text(), "2026-11 月报：未上报") {
			t.Fatalf("community home: %q", doc.Find("#home-upward").Text())
		}
		c.post("/reports/submission?"+url.Values{"unit": {"幸福社区"}, "period": {"2026-11"}}.Encode(), url.Values{"csrf": {csrf}, "status": {"submitted"}})
		resp, _ := c.post("/experiences", url.Values{"csrf": {csrf}, "title": {"邻里守望"}, "month": {"2026-11"}, "body": {"每日问候"}})
		c.post(strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]+"/status", url.Values{"csrf": {csrf}, "status": {"submitted"}})
		if _, doc = c.get("/"); doc.Find("#home-upward").Length() != 0 {
			t.Fatalf("nothing waits on the community any more: %q", doc.Find("#home-upward").Text())
		}
		s := newBrowser(t, srv)
		s.login("station")
		_, doc = s.get("/")
		if doc.Find(`#home-upward a[href="/experiences?status=submitted"]`).Length() != 1 || !strings.Contains(doc.Find("#home-upward").Text(), "月报待接收的社区") {
			t.Fatalf("station home: %q", doc.Find("#home-upward").Text())
		}
	})
}
