package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store/storetest"
)

// browserLogin signs a fixture account in.
func browserLogin(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), user),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDashboardAndReport: the station's home page draws its charts,
// and the 统计报表 form, submitted through htmx, puts the tables on the page.
func TestBrowserDashboardAndReport(t *testing.T) {
	ctx := newChrome(t, 1280, 900)
	db := storetest.Open(t, t.TempDir()+"/b.db")
	storetest.Seed(t, db)
	srv := newServer(t, db)
	browserLogin(t, ctx, srv.URL, "station")

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#services-chart svg.dash-chart"))); err != nil {
		t.Fatal(err)
	}
	label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#services-chart svg').getAttribute('aria-label')`))
	if err != nil || label == "" {
		t.Fatalf("chart without a label: %q %v", label, err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS("#report-form"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#report-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#report section[data-table=elders] table"))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#report section[data-table=elders]")))
	if err != nil || !strings.Contains(text, "幸福社区") || !strings.Contains(text, "合计") {
		t.Fatalf("elders table: %q %v", text, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/reports?") {
		t.Errorf("the report's address is not kept for bookmarking: %q %v", loc, err)
	}
}

// TestBrowserViewerReportOnPhone: a viewer's report on a phone-sized
// screen shows "<5" and the page itself does not scroll sideways (wide
// tables scroll in their own box).
func TestBrowserViewerReportOnPhone(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/b.db")
	storetest.Seed(t, db)
	srv := newServer(t, db)
	browserLogin(t, ctx, srv.URL, "viewer")
	// A headless window is at least 500 px wide; the phone's own width
	// comes from emulating its screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/reports?unit=和平街道&period=2026-11"),
		chromedp.WaitVisible(chromedp.CSS("#report-masked"))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#report")))
	if err != nil || !strings.Contains(text, "<5") || strings.Contains(text, "王秀英") {
		t.Fatalf("viewer report: %v", err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerWidth`))
	if err != nil || width > 400 {
		t.Fatalf("not a phone's width: %v %v", width, err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || overflow {
		t.Errorf("the phone page scrolls sideways: %v %v", overflow, err)
	}
}
