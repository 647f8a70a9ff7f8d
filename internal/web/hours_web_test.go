package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
		resp, _ = vol.post(action, url.Values{"csrf": {csrfOf(doc)}, "hours": {"0.5"}, "to_elder_id": {itoa(f.Elder3.ID)}})
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
		if _, doc = staff.get("/volunteers/" + itoa(f.Vol1.ID) + "/edit"); doc.Find(`input[name=hours]`).Length() != 0 {
			t.Fatal("the register's edit form still takes hours as a number")
		}
	})
}
