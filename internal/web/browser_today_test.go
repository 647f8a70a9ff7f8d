package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/web"
)

// flakyServer is a test server whose network can be cut: while offline,
// every connection is closed without an answer, as a phone sees it when
// the signal drops.
func flakyServer(t *testing.T, db *store.DB) (*httptest.Server, *atomic.Bool) {
	t.Helper()
	ui, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), ratelimit.New(10, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ui.SetTracker(startTracker(t, db))
	var offline atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if offline.Load() {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		ui.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &offline
}

// TestBrowserTodayOneTapNeverSilent drives the volunteer's phone page at a
// phone's width: a quick double tap stores one greeting and the button
// becomes 已问候 ✓; a refused tap says why on the card and the button stays;
// a tap without network shows 待发送 (never ✓) and, once the network is
// back, is stored once with the time of the tap.
func TestBrowserTodayOneTapNeverSilent(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/t.db")
	f := storetest.Seed(t, db)
	// The phone's clock and the server's agree: real time, so the kept
	// tap's own time can be told from the time it was sent.
	db.Now = time.Now
	bg := context.Background()
	f.Vol1.Capacity = 3
	if err := db.UpdateVolunteer(bg, f.Comm1, &f.Vol1); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePairing(bg, f.Comm1, &store.Pairing{ElderID: f.Elder2.ID, VolunteerID: f.Vol1.ID}); err != nil {
		t.Fatal(err)
	}
	elder3 := storetest.NewElder("周桂芳", f.C1.ID, "1941-05-06", care.Female, 4)
	if err := db.CreateElder(bg, f.Comm1, &elder3); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePairing(bg, f.Comm1, &store.Pairing{ElderID: elder3.ID, VolunteerID: f.Vol1.ID}); err != nil {
		t.Fatal(err)
	}
	srv, offline := flakyServer(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A headless window is at least 500 px wide; the phone's own width
	// comes from emulating its screen.
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	browserLogin(t, ctx, srv.URL, "v1")
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/today"), chromedp.WaitVisible(chromedp.CSS("ul.today"))))
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerWidth`)); err != nil || w > 400 {
		t.Fatalf("not a phone's width: %v %v", w, err)
	}
	waitFor := func(what, js string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil || !ok {
			text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ul.today")))
			t.Fatalf("%s: %v; page: %s", what, err, text)
		}
	}
	count := func(elder int64) int {
		t.Helper()
		got, err := db.DayServices(bg, f.Volunteer, time.Now().In(db.Loc), "life", "greeting")
		must(err)
		return len(got[elder])
	}

	cardOrder := func() string {
		t.Helper()
		order, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('ul.today > li')].map(li => li.id).join()`))
		must(err)
		return order
	}
	before := cardOrder()

	// (a) A quick double tap: one greeting, and the button becomes ✓.
	e1 := "#elder-" + itoa(f.Elder1.ID)
	must(chromedp.Do(ctx, chromedp.DoubleClick(chromedp.CSS(e1+" .greet-button"))))
	waitFor("greeted after a double tap", `!!document.querySelector('`+e1+` .greeted')`)
	time.Sleep(500 * time.Millisecond) // let a second submission arrive, if any went
	if n := count(f.Elder1.ID); n != 1 {
		t.Fatalf("a double tap stored %d greetings", n)
	}
	state, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(e1)))
	must(err)
	if !strings.Contains(state, "已问候") || !strings.Contains(state, "✓") || !strings.Contains(state, "已记录：敲门问候 · 王秀英") {
		t.Fatalf("the card confirms the greeting: %q", state)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+e1+` .greet-button').length`)); n != 0 {
		t.Fatal("the big button gives way to 已问候 ✓")
	}
	// The card keeps its place, on the page and when the page is loaded again.
	if after := cardOrder(); after != before {
		t.Fatalf("the cards moved: %q, then %q", before, after)
	}
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/today"), chromedp.WaitVisible(chromedp.CSS("ul.today"))))
	if after := cardOrder(); after != before {
		t.Fatalf("the cards moved on reload: %q, then %q", before, after)
	}

	// (b) The elder is handed to someone else while the page is open: the
	// tap is refused, the card says why, the button stays.
	e3 := "#elder-" + itoa(elder3.ID)
	pairings, err := db.VolunteerPairings(bg, f.Comm1, f.Vol1.ID)
	must(err)
	for _, p := range pairings {
		if p.ElderID == elder3.ID {
			_, err := db.EndPairing(bg, f.Comm1, p.ID, store.Ending{Reason: "老人搬去女儿家", NoSuccessor: true})
			must(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(e3+" .greet-button"))))
	waitFor("the refusal on the card", `!!document.querySelector('`+e3+` .greet-status .refused')`)
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(e3+" .greet-status")))
	must(err)
	if !strings.Contains(msg, "没有记录") || !strings.Contains(msg, "找不到这位老人") {
		t.Fatalf("the reason, on the card: %q", msg)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+e3+` .greet-button').length`)); n != 1 {
		t.Fatal("the button stays ready after a refusal")
	}

	// (c) No network: the tap is kept as 待发送, never ✓.
	e2 := "#elder-" + itoa(f.Elder2.ID)
	offline.Store(true)
	tapped := time.Now()
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(e2+" .greet-button"))))
	waitFor("pending", `!!document.querySelector('`+e2+` .greet-status .pending')`)
	pending, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(e2)))
	must(err)
	if !strings.Contains(pending, "待发送 "+tapped.In(db.Loc).Format("15:04")) && !strings.Contains(pending, "待发送 "+tapped.Add(time.Minute).In(db.Loc).Format("15:04")) {
		t.Fatalf("the card shows the kept tap with its time: %q", pending)
	}
	if strings.Contains(pending, "✓") || strings.Contains(pending, "已问候") {
		t.Fatalf("a kept tap is never shown as done: %q", pending)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[int](`JSON.parse(localStorage.getItem('carecircle.pendingGreetings') || '[]').length`))
	if err != nil || kept != 1 || count(f.Elder2.ID) != 0 {
		t.Fatalf("kept on the phone, not stored: %d %v", kept, err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || overflow {
		t.Errorf("the phone page scrolls sideways: %v %v", overflow, err)
	}
	// The network comes back a while later: the phone sends the tap.
	time.Sleep(4 * time.Second)
	offline.Store(false)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.dispatchEvent(new Event('online'))`))
	must(err)
	waitFor("greeted once the network is back", `!!document.querySelector('`+e2+` .greeted')`)
	got, err := db.DayServices(bg, f.Volunteer, time.Now().In(db.Loc), "life", "greeting")
	must(err)
	if len(got[f.Elder2.ID]) != 1 {
		t.Fatalf("one greeting for the kept tap, got %d", len(got[f.Elder2.ID]))
	}
	rec := got[f.Elder2.ID][0]
	if d := rec.At.Sub(tapped); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("stored with the tap's time %v, got %v", tapped, rec.At)
	}
	if rec.EnteredAt.Sub(rec.At) < 3*time.Second {
		t.Fatalf("sent after the network came back: at %v, entered %v", rec.At, rec.EnteredAt)
	}
	kept, err = chromedp.Run(ctx, chromedp.Evaluate[int](`JSON.parse(localStorage.getItem('carecircle.pendingGreetings') || '[]').length`))
	if err != nil || kept != 0 {
		t.Fatalf("the phone lets go of the sent tap: %d %v", kept, err)
	}
	// Another page load sends nothing more.
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/today"), chromedp.WaitVisible(chromedp.CSS("ul.today"))))
	time.Sleep(300 * time.Millisecond)
	if n := count(f.Elder2.ID); n != 1 {
		t.Fatalf("after a reload: %d greetings", n)
	}
}
