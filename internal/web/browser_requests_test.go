package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestBrowserPhoneRequest: on a 390 px phone the volunteer finds the
// request dispatched to them under 按需服务, accepts it with one big button,
// records the service with 已完成 and sees the request done; nothing
// scrolls sideways and every control is at least 44 px tall.
func TestBrowserPhoneRequest(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/req.db")
	f := storetest.Seed(t, db)
	bg := context.Background()
	r := &store.Request{ElderID: f.Elder1.ID, Kind: "life", Type: "shopping", Urgency: "urgent", Channel: "phone",
		WantedBy: db.Now().Add(3 * time.Hour), Note: "想请人买米和油"}
	if err := db.CreateRequest(bg, f.Comm1, r); err != nil {
		t.Fatal(err)
	}
	if err := db.Dispatch(bg, f.Comm1, r.ID, f.Vol1.ID); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	browserLogin(t, ctx, srv.URL, "v1")
	axe := os.Getenv("CARECIRCLE_AXE") != ""
	var src string
	if axe {
		src = axeSource(t)
	}
	check := func(what string) {
		t.Helper()
		if axe {
			bad, err := axeRun(ctx, src)
			must(err)
			for _, v := range bad {
				t.Errorf("%s: %s (%s) %s", what, v.ID, v.Impact, v.Help)
			}
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](noSideScrollJS))
		must(err)
		small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](tapTargetsJS))
		must(err)
		if !wide || len(small) > 0 {
			t.Fatalf("%s at 390 px: no sideways scroll %v, controls under 44 px: %v", what, wide, small)
		}
	}
	_, err := chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+"/requests"))
	must(err)
	check("my requests")
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('ul.mine form[action$="/accept"] button').getBoundingClientRect().width`))
	must(err)
	if width < 300 {
		t.Fatalf("the accept button spans the phone: %.0f px", width)
	}
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`ul.mine form[action$="/accept"] button`)))
	must(err)
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
	must(err)
	if !strings.Contains(flash, "已接单") {
		t.Fatalf("after accepting: %q", flash)
	}
	check("the accepted request")
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#done form button[type=submit]`)))
	must(err)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	must(err)
	if !strings.Contains(text, "已完成，已关联服务记录") || !strings.Contains(text, "查看完成本求助的服务记录") {
		t.Fatalf("after 已完成: %q", text)
	}
	check("the done request")
	// Staff on the phone: the list, the form and a request's dispatch
	// picker with why each volunteer is suggested.
	r2 := &store.Request{ElderID: f.Elder2.ID, Kind: "health", Urgency: "normal", Channel: "family", WantedBy: db.Now().Add(5 * time.Hour)}
	if err := db.CreateRequest(bg, f.Comm1, r2); err != nil {
		t.Fatal(err)
	}
	staff := newChrome(t, 390, 844)
	ctx = staff
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	browserLogin(t, ctx, srv.URL, "c1")
	for _, path := range []string{"/requests", "/requests?status=done", "/requests/new", fmt.Sprintf("/requests/%d", r2.ID), fmt.Sprintf("/requests/%d", r.ID)} {
		_, err := chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+path))
		must(err)
		check("staff " + path)
	}
	_, err = chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/requests/%d", r2.ID)))
	must(err)
	why, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#dispatch")))
	must(err)
	if !strings.Contains(why, f.Vol1.Name) || !strings.Contains(why, "当前负担") {
		t.Fatalf("the dispatch picker: %q", why)
	}
}
