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
	"carecircle/internal/tracker"
)

// startTracker runs the compliance tracker for a test server; its
// background loop is slowed so pages show what they catch up themselves.
func startTracker(t testing.TB, db *store.DB) *tracker.Tracker {
	t.Helper()
	cfg := tracker.DefaultConfig()
	cfg.SyncEvery, cfg.FullSyncEvery, cfg.TableTTL = time.Hour, time.Hour, 0
	tr, err := tracker.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := tr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return tr
}

func greet(t *testing.T, db *store.DB, a care.Actor, elder int64, at time.Time) {
	t.Helper()
	if err := db.AddService(context.Background(), a, &care.ServiceRecord{ElderID: elder, Kind: "life", Type: "greeting", At: at}, store.Proof{}); err != nil {
		t.Fatal(err)
	}
}

func TestTodayShowsTheWorklist(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("v1")
		_, doc := b.get("/today")
		elder := itoa(f.Elder1.ID)
		if doc.Find(`#worklist li[data-elder="`+elder+`"][data-standard=neighbour_daily_greeting]`).Length() != 1 {
			t.Fatalf("the worklist says whom to greet: %q", doc.Find("#worklist").Text())
		}
		chat := doc.Find(`#elder-` + elder + ` .duties li[data-standard=neighbour_weekly_chat]`)
		if chat.Length() != 1 || strings.TrimSpace(chat.Find(".what").Text()) != "本周还需聊天 1 次" {
			t.Fatalf("the elder's card says how many chats are left: %q", chat.Text())
		}
		req, _ := http.NewRequest("POST", b.srv.URL+"/today/"+elder+"/greeting", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		frag, _ := goquery.NewDocumentFromReader(resp.Body)
		if frag.Find(`#elder-`+elder+` .greeted`).Length() != 1 || frag.Find(`#worklist[hx-swap-oob]`).Length() != 1 {
			t.Fatalf("the tap answers the elder's card and the worklist: %d", resp.StatusCode)
		}
		if frag.Find(`#worklist li[data-standard=neighbour_daily_greeting]`).Length() != 0 {
			t.Fatal("the greeting leaves the worklist at once")
		}
	})
}

func TestCommunityPageLeadsWithAlerts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		greet(t, db, f.Volunteer, f.Elder1.ID, db.Now().Add(-time.Hour))
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("c1")
		_, home := b.get("/")
		live := home.Find(`#greetings-live[hx-get][hx-trigger="every 60s"]`)
		if live.Length() != 1 || live.Find(`li[data-elder="`+itoa(f.Elder2.ID)+`"] .no-neighbour`).Length() != 1 {
			t.Fatalf("the live list shows the elder with no neighbour volunteer: %q", live.Text())
		}
		if live.Find(`li[data-elder="`+itoa(f.Elder1.ID)+`"]`).Length() != 0 {
			t.Fatal("a greeted elder is not listed")
		}
		if n, err := db.RaiseNotGreetedAlerts(ctx, db.Now().In(db.Loc), "alert_job"); err != nil || n != 2 {
			t.Fatalf("raise: %d %v", n, err)
		}
		_, home = b.get("/")
		first := home.Find("main > section").First()
		if first.AttrOr("id", "") != "alerts" || !strings.Contains(first.Text(), f.Elder2.Name) || !strings.Contains(first.Text(), "张伟") {
			t.Fatalf("the alert leads the page with the emergency contact: %q", first.Text())
		}
		if strings.Contains(first.Text(), f.Elder3.Name) {
			t.Fatal("another community's alert")
		}
		item := first.Find(".alert-item").First()
		id := strings.TrimPrefix(item.AttrOr("id", ""), "alert-")
		if resp, _ := b.post("/alerts/"+id+"/ack", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", resp.StatusCode)
		}
		resp, doc := b.post("/alerts/"+id+"/resolve", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(".error-line").Length() != 1 {
			t.Fatalf("resolving needs a note: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/alerts/"+id+"/resolve", url.Values{"csrf": {csrf}, "note": {"已电话联系，老人外出买菜"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("resolve: %d", resp.StatusCode)
		}
		_, page := b.get("/alerts/" + id)
		if page.Find(".alert-events tr").Length() != 3 || page.Find(`.alert-item[data-status=resolved]`).Length() != 1 {
			t.Fatalf("the alert's history: %q", page.Find(".alert-events").Text())
		}
		if _, home = b.get("/"); home.Find("#alerts").Length() != 0 {
			t.Fatal("a resolved alert leaves the home page")
		}
	})
}

func TestComplianceTableDrillsDown(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		greet(t, db, f.Volunteer, f.Elder1.ID, db.Now().Add(-time.Hour))
		srv := newServer(t, db)
		st := newBrowser(t, srv)
		st.login("station")
		_, doc := st.get("/compliance?month=2026-11")
		table := doc.Find(`.community-table[data-community="` + itoa(f.C1.ID) + `"]`)
		row := table.Find(`tr[data-role=neighbour][data-standard=neighbour_daily_greeting]`)
		if row.Find("td.met").Text() != "1" || row.Find(".rate").Text() != "100.0%" {
			t.Fatalf("today's greeting met: %q", row.Text())
		}
		if doc.Find(`svg.rate-chart circle[data-role=neighbour][data-month="2026-11"]`).Length() != 1 {
			t.Fatal("the chart shows the neighbours' rate this month")
		}
		_, comm := st.get("/compliance/communities/" + itoa(f.C1.ID) + "?month=2026-11")
		link := comm.Find(`tr[data-pairing^=p] a[href^="/compliance/pairings/"]`)
		if link.Length() != 1 {
			t.Fatalf("the community's pairings: %q", comm.Find("table").Text())
		}
		_, pairing := st.get(link.AttrOr("href", ""))
		day := pairing.Find(`section[data-standard=neighbour_daily_greeting] .period[data-period="2026-11-29"]`)
		if day.AttrOr("data-outcome", "") != "met" || day.Find(`a.counted[href*="/card?month=2026-11"]`).Length() != 1 {
			t.Fatalf("the period with the record that met it, linked to the card: %q", day.Text())
		}
		c2 := newBrowser(t, srv)
		c2.login("c2")
		if status, _ := c2.get("/compliance/communities/" + itoa(f.C1.ID)); status != http.StatusNotFound {
			t.Fatalf("another community's drill-down: %d", status)
		}
		if _, own := c2.get("/compliance"); own.Find(".community-table").Length() > 1 {
			t.Fatal("community staff see their own community only")
		}
	})
}

func TestStationEditsStandards(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		srv := newServer(t, db)
		st := newBrowser(t, srv)
		csrf := st.login("station")
		_, doc := st.get("/standards?year=2026")
		if d := doc.Find(`.festival-table tr[data-code=spring_festival] .date`).Text(); d != "2026-02-17" {
			t.Fatalf("the year's festivals with dates: %q", d)
		}
		form := url.Values{"csrf": {csrf}, "code": {"neighbour_weekly_chat"}, "role": {"neighbour"}, "period": {"iso_week"},
			"required": {"3"}, "counts": {"spirit/chat", "spirit/walk"}, "effective_from": {"2026-11-30"}}
		resp, _ := st.post("/standards", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, doc = st.get("/standards?saved=1")
		group := doc.Find(`.standard-group[data-code=neighbour_weekly_chat]`)
		if group.Find(`.std-version.future[data-from="2026-11-30"] .required`).Text() != "3" || group.Find(".std-version.current .required").Text() != "2" {
			t.Fatalf("the new version waits for its day, the current one stays: %q", group.Text())
		}
		form.Set("effective_from", "2026-11-01")
		if resp, doc := st.post("/standards", form); resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(".error-line").Length() != 1 {
			t.Fatalf("a change in the past is refused: %d", resp.StatusCode)
		}
		fest := url.Values{"csrf": {csrf}, "code": {"laba"}, "name": {"腊八节"}, "calendar": {"lunar"}, "month": {"12"}, "day": {"8"}, "effective_from": {"2026-12-01"}}
		if resp, _ := st.post("/standards/festivals", fest); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add festival: %d", resp.StatusCode)
		}
		if _, doc = st.get("/standards?year=2027"); doc.Find(`.festival-table tr[data-code=laba]`).Length() != 1 {
			t.Fatal("the station's festival is in the calendar")
		}
		c1 := newBrowser(t, srv)
		csrf1 := c1.login("c1")
		if _, doc := c1.get("/standards"); doc.Find("form.standard-form").Length() != 0 || doc.Find(".standard-group").Length() != 8 {
			t.Fatal("community staff read the standards without forms")
		}
		if resp, _ := c1.post("/standards", url.Values{"csrf": {csrf1}, "code": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("community staff cannot edit: %d", resp.StatusCode)
		}
	})
}
