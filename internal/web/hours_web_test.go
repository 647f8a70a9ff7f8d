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

// TestHoursPages: a volunteer sees their balance and history in large
// type on /hours and donates within the balance (beyond it the form says
// why beside the field); staff print the certificate; the register no
// longer takes hours as a number once the volunteer exists.
func TestHoursPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		vid := f.Vol1.ID
		start := time.Date(2026, 11, 28, 9, 0, 0, 0, db.Loc)
		end := start.Add(2 * time.Hour)
		r := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "escort_doctor", At: start, EndAt: &end, Source: "paper", VolunteerID: &vid}
		if err := db.AddService(ctx, f.Comm1, r, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		vol := newBrowser(t, srv)
		vol.login("v1")
		status, doc := vol.get("/hours")
		if status != 200 || doc.Find("[data-balance]").AttrOr("data-balance", "") != "120" ||
			!strings.Contains(doc.Find(".hours-history").Text(), "陪同看病") {
			t.Fatalf("/hours: %d %q", status, doc.Find("main").Text())
		}
		if doc.Find(`a[href="/hours"]`).Length() == 0 {
			t.Fatal("the volunteer's menu links to their hours")
		}
		action := "/volunteers/" + itoa(f.Vol1.ID) + "/hours/donations"
		resp, doc := vol.post(action, url.Values{"csrf": {csrfOf(doc)}, "hours": {"3"}, "to_volunteer_id": {itoa(f.Vol2.ID)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-field=hours]`).Text(), "余额") {
			t.Fatalf("beyond the balance: %d %q", resp.StatusCode, doc.Find(`[data-field=hours]`).Text())
		}
		// The volunteer's paired elders are named in the form.
		if doc.Find(`select[name=to_elder_id] option[value="`+itoa(f.Elder1.ID)+`"]`).Text() != f.Elder1.Name {
			t.Fatal("the donation form does not name the volunteer's elder")
		}
		resp, _ = vol.post(action, url.Values{"csrf": {csrfOf(doc)}, "hours": {"0.5"}, "to_elder_id": {itoa(f.Elder1.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("donation: %d", resp.StatusCode)
		}
		if _, doc = vol.get("/hours"); doc.Find("[data-balance]").AttrOr("data-balance", "") != "90" {
			t.Fatalf("after donating half an hour: %q", doc.Find("[data-balance]").Text())
		}
		if status, _ := vol.get("/volunteers/" + itoa(f.Vol2.ID) + "/hours"); status != http.StatusNotFound {
			t.Fatalf("another volunteer's hours: %d", status)
		}
		staff := newBrowser(t, srv)
		staff.login("c1")
		status, doc = staff.get("/volunteers/" + itoa(f.Vol1.ID) + "/hours/certificate?period=2026")
		if status != 200 || !strings.Contains(doc.Text(), "志愿服务时长证明") || !strings.Contains(doc.Find(".total").Text(), "2.0") {
			t.Fatalf("certificate: %d %q", status, doc.Text())
		}
		// Staff's form names the volunteers they see besides the giver: the
		// station its street's, community staff their community's (none
		// here: a number is asked instead).
		if _, doc = staff.get("/volunteers/" + itoa(f.Vol1.ID) + "/hours"); doc.Find(`select[name=to_volunteer_id]`).Length() != 0 ||
			doc.Find(`input[name=to_volunteer_id]`).Length() != 1 {
			t.Fatal("community staff's donation form names volunteers of another community")
		}
		st := newBrowser(t, srv)
		st.login("station")
		if _, doc = st.get("/volunteers/" + itoa(f.Vol1.ID) + "/hours"); doc.Find(`select[name=to_volunteer_id] option[value="`+itoa(f.Vol2.ID)+`"]`).Text() != f.Vol2.Name {
			t.Fatal("the station's donation form does not name the street's volunteers")
		}
		if _, doc = staff.get("/volunteers/" + itoa(f.Vol1.ID) + "/edit"); doc.Find(`input[name=hours]`).Length() != 0 {
			t.Fatal("the register's edit form still takes hours as a number")
		}
	})
}

// TestHoursPolicyPage: the station chooses that every record earns and
// sets the greeting's standard; a bad duration is refused beside its
// field; community staff may not open the page.
func TestHoursPolicyPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		st := newBrowser(t, srv)
		st.login("station")
		status, doc := st.get("/hours/policy")
		if status != 200 || doc.Find(`input[name="standard.life/greeting"]`).AttrOr("value", "") != "10" {
			t.Fatalf("policy page: %d", status)
		}
		form := url.Values{"csrf": {csrfOf(doc)}, "earn": {"recorded"}}
		doc.Find(`input[name^="standard."]`).Each(func(_ int, s *goquery.Selection) {
			form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
		})
		form.Set("standard.life/greeting", "-3")
		resp, bad := st.post("/hours/policy", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || bad.Find(`[data-field="standard.life/greeting"] .field-error`).Length() == 0 {
			t.Fatalf("a negative duration: %d", resp.StatusCode)
		}
		form.Set("standard.life/greeting", "5")
		if resp, _ := st.post("/hours/policy", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		if err := db.AddService(context.Background(), f.Volunteer, &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting",
			At: time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc)}, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if acc, err := db.VolunteerHours(context.Background(), f.Volunteer, f.Vol1.ID, 0); err != nil || acc.Balance != 5 {
			t.Fatalf("an unverified greeting under the new rule: %+v %v", acc, err)
		}
		c1 := newBrowser(t, srv)
		c1.login("c1")
		if status, _ := c1.get("/hours/policy"); status != http.StatusForbidden {
			t.Fatalf("community staff: %d", status)
		}
	})
}

// TestVolunteerPageShowsBalance: the volunteer's page loads the ledger's
// balance where the typed hours were.
func TestVolunteerPageShowsBalance(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		v := care.Volunteer{Name: "周敏", Phone: "13700000009", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 1, HoursTenths: 15}
		if err := db.CreateVolunteer(context.Background(), f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, newServer(t, db))
		b.login("c1")
		_, doc := b.get("/volunteers/" + itoa(v.ID))
		src := doc.Find(`[hx-get$="/hours/balance"]`).AttrOr("hx-get", "")
		if src == "" {
			t.Fatal("the volunteer's page does not load the balance")
		}
		status, frag := b.get(src)
		if status != 200 || frag.Find("[data-balance]").AttrOr("data-balance", "") != "90" || !strings.Contains(frag.Text(), "1.5") {
			t.Fatalf("balance fragment: %d %q", status, frag.Text())
		}
	})
}

// TestHoursPagesInEnglish: the ledger, the rule and the certificate speak
// English when the user chose it.
func TestHoursPagesInEnglish(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		for _, c := range []struct{ who, path, want string }{
			{"v1", "/hours", "Time bank balance"},
			{"station", "/hours/policy", "Which records earn hours"},
			{"c1", "/volunteers/" + itoa(f.Vol1.ID) + "/hours/certificate?period=2026-Q4", "Certificate of volunteer service hours"},
		} {
			b := newBrowser(t, srv)
			b.login(c.who)
			start := "/volunteers"
			if c.who == "v1" {
				start = "/hours"
			}
			_, doc := b.get(start)
			b.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrfOf(doc)}})
			status, doc := b.get(c.path)
			if status != 200 || !strings.Contains(doc.Text(), c.want) || strings.Contains(doc.Find("h1").Text(), "时长") {
				t.Errorf("%s %s in English: %d %q", c.who, c.path, status, doc.Find("h1").Text())
			}
		}
	})
}
