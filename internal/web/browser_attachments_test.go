package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/attach/attachtest"
	"carecircle/internal/store/storetest"
	"carecircle/internal/upward"
)

// TestBrowserUploadPhotoOnAPhone: community staff on a 390 px phone pick
// a photo for their draft report with the page's own file input; the page
// comes back with 已上传 in place and the thumbnail, nothing scrolls
// sideways, the upload control is a full-size target, and axe finds no
// serious problem on the page.
func TestBrowserUploadPhotoOnAPhone(t *testing.T) {
	src := axeSource(t)
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/att.db")
	f := storetest.Seed(t, db)
	e := &upward.Experience{Title: "结对关爱", Body: "每日问候独居老人。", Month: "2026-11"}
	if err := db.SaveExperience(context.Background(), f.Comm1, e); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "合影.jpg")
	if err := os.WriteFile(photo, attachtest.JPEGWithGPS(t, 1200, 900), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "c1"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)))
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")))
	must(err)
	block := "#att-experience-" + itoa(e.ID)
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/experiences/"+itoa(e.ID)),
		chromedp.SetUploadFiles(chromedp.CSS(block+" input[type=file]"), []string{photo})))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(block+" form.attach-form button[type=submit]")))
	must(err)
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('`+block+` li[data-attachment] img')`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !ok {
		t.Fatalf("the thumbnail is not shown: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(block+" .attach-result")))
	must(err)
	if !strings.Contains(msg, "已上传：合影.jpg") {
		t.Fatalf("the result in place: %q", msg)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector('#experience-photos img'); return !!i && i.complete && i.naturalWidth === 320 })()`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("the report's photo thumbnail (320 px wide) did not load: %v", err)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= 390`))
	must(err)
	if !fits {
		t.Fatal("the report page scrolls sideways at 390 px")
	}
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('`+block+` form.attach-form button').getBoundingClientRect().height`))
	must(err)
	if h < 44 {
		t.Fatalf("the upload button is %.0f px high, want 44 at least", h)
	}
	bad, err := axeRun(ctx, src)
	must(err)
	for _, v := range bad {
		for _, n := range v.Nodes {
			t.Errorf("axe: %s (%s): %s", v.ID, v.Help, n.HTML)
		}
	}
}
