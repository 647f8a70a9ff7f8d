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

// The clinic's home is its 本期待办 (issue 14 point 7): the half-month call
// and the quarterly check-up of its elders in service, searchable; the
// service form offers the clinic's services only, and 取消 goes back.
func TestClinicHomeIsItsWorklist(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		// Another elder of the clinic, moved away: not on the list.
		moved := storetest.NewElder("周迁出", f.C1.ID, "1940-01-01", care.Female, 9)
		moved.ClinicID = &f.Clinic.ID
		if err := db.CreateElder(ctx, f.Comm1, &moved); err != nil {
			t.Fatal(err)
		}
		moved.Status = "moved"
		if err := db.UpdateElder(ctx, f.Comm1, &moved, "搬走"); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, newServer(t, db))
		b.login("clinic")
		status, doc := b.get("/")
		if status != 200 {
			t.Fatalf("home: %d", status)
		}
		rows := doc.Find("table.clinic-due tbody tr[data-elder]")
		if rows.Length() != 1 || rows.AttrOr("data-elder", "") != itoa(f.Elder1.ID) {
			t.Fatalf("elder 1 only (elder %d moved away): %q", moved.ID, doc.Find("#clinic-results").Text())
		}
		for _, std := range []string{"clinic_halfmonth_inquiry", "clinic_quarterly_checkup"} {
			if rows.Find(`li[data-standard=`+std+`]`).Length() != 1 {
				t.Fatalf("%s due: %q", std, rows.Text())
			}
		}
		if !strings.Contains(rows.Text(), f.C1.Name) || rows.Find(`td[data-label]`).Length() != 6 {
			t.Fatalf("the row names the community, every cell its label: %q", rows.Text())
		}
		if _, doc := b.get("/?q=陈"); doc.Find("table.clinic-due tbody tr[data-elder]").Length() != 0 {
			t.Fatalf("a search for another name: %q", doc.Find("#clinic-results").Text())
		}
		if _, doc := b.get("/?q=王秀&community_id=" + itoa(f.C1.ID)); doc.Find("table.clinic-due tbody tr[data-elder]").Length() != 1 {
			t.Fatalf("a search by name in the community: %q", doc.Find("#clinic-results").Text())
		}
		// The service form from the home: the clinic's services only, no
		// amount, and 取消 back home.
		req, _ := http.NewRequest("GET", b.srv.URL+"/elders/"+itoa(f.Elder1.ID)+"/services/new", nil)
		req.Header.Set("Referer", b.srv.URL+"/?q=王")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		form, _ := goquery.NewDocumentFromReader(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("service form: %d", resp.StatusCode)
		}
		if g := form.Find("select[name=what] optgroup"); g.Length() != 1 || form.Find("select[name=what] option:checked").AttrOr("value", "") != "health/health_inquiry" {
			t.Fatalf("one group, the call chosen: %d %q", g.Length(), form.Find("select[name=what]").Text())
		}
		if form.Find("input[name=amount]").Length() != 0 {
			t.Fatal("no amount for the clinic")
		}
		if href := form.Find(`.actions a.button`).AttrOr("href", ""); !strings.EqualFold(href, "/?q=%E7%8E%8B") {
			t.Fatalf("取消 goes back where the user came from: %q", href)
		}
		// Without a Referer, the clinic's 取消 goes home, never to /today.
		_, form = b.get("/elders/" + itoa(f.Elder1.ID) + "/services/new")
		if href := form.Find(`.actions a.button`).AttrOr("href", ""); href != "/" {
			t.Fatalf("取消 without a Referer: %q", href)
		}
	})
}

// The card's month navigation stays within the elder's service: from the
// month of registration (the fixture's elders were registered on
// 2026-11-29) to this month (issue 14 point 10).
func TestCardMonthsBoundedByService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		db.Now = func() time.Time { return time.Date(2027, 1, 10, 9, 0, 0, 0, db.Loc) }
		b := newBrowser(t, newServer(t, db))
		b.login("c1")
		card := "/elders/" + itoa(f.Elder1.ID) + "/card?month="
		for month, want := range map[string][2]string{
			"2026-11": {"", "2026-12"},
			"2026-12": {"2026-11", "2027-01"},
			"2027-01": {"2026-12", ""},
		} {
			status, doc := b.get(card + month)
			if status != 200 {
				t.Fatalf("%s: %d", month, status)
			}
			prev, _ := doc.Find(`a[rel=prev]`).Attr("href")
			next, _ := doc.Find(`a[rel=next]`).Attr("href")
			if strings.TrimPrefix(prev, "?month=") != want[0] || strings.TrimPrefix(next, "?month=") != want[1] {
				t.Errorf("%s: prev %q next %q, want %v", month, prev, next, want)
			}
		}
	})
}

// 取消 on the elder and volunteer forms returns to the page the user came
// from, carried through a refused post; without a Referer, the list or the
// record.
func TestCancelReturnsWhereTheUserCameFrom(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		get := func(path, referer string) *goquery.Document {
			t.Helper()
			req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
			if referer != "" {
				req.Header.Set("Referer", b.srv.URL+referer)
			}
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			doc, _ := goquery.NewDocumentFromReader(resp.Body)
			return doc
		}
		cancel := func(doc *goquery.Document) string { return doc.Find(`.actions a.button`).Last().AttrOr("href", "") }
		elder := "/elders/" + itoa(f.Elder1.ID)
		for _, c := range []struct{ path, referer, want string }{
			{"/elders/new", "/elders?category=three_no", "/elders?category=three_no"},
			{"/elders/new", "", "/elders"},
			{elder + "/edit", "/", "/"},
			{elder + "/edit", "", elder},
			{"/volunteers/new", "/pairing", "/pairing"},
			{"/volunteers/" + itoa(f.Vol1.ID) + "/edit", "", "/volunteers/" + itoa(f.Vol1.ID)},
			{elder + "/services/new", "", elder + "/card"},
			{elder + "/services/new", "//evil.example/", elder + "/card"},
		} {
			if got := cancel(get(c.path, c.referer)); got != c.want {
				t.Errorf("%s from %q: 取消 leads to %q, want %q", c.path, c.referer, got, c.want)
			}
		}
		// A refused post keeps where 取消 leads.
		_, doc := b.post("/elders", url.Values{"csrf": {csrf}, "back": {"/elders?category=three_no"}, "name": {""}})
		if got := cancel(doc); got != "/elders?category=three_no" {
			t.Errorf("after a refused post 取消 leads to %q", got)
		}
	})
}
