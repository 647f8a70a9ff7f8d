package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestBrowserRecordForWholeHousehold: on a 390 px phone the volunteer of a
// household opens 记录其他服务, picks 为全户记录 with a thumb-sized choice,
// submits once, and today's page says on each member's card what was
// recorded.
func TestBrowserRecordForWholeHousehold(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/h.db")
	f := storetest.Seed(t, db)
	bg := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h := &store.Household{Name: "王陈家"}
	must(db.CreateHousehold(bg, f.Comm1, h, []int64{f.Elder1.ID, f.Elder2.ID}, time.Time{}))
	_, err := db.PairHousehold(bg, f.Comm1, h.ID, f.Vol1.ID, time.Time{})
	must(err)
	srv := newServer(t, db)
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "v1"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")))
	must(err)
	_, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/elders/"+itoa(f.Elder1.ID)+"/services/new"))
	must(err)
	choice := `.household-choice input[value=household]`
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.household-choice .big-choice:last-of-type').getBoundingClientRect().width`))
	must(err)
	if width < 300 {
		t.Fatalf("the household choice must span the phone's width, got %.0f px", width)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= 390`))
	must(err)
	if !wide {
		t.Fatal("the record page scrolls sideways at 390 px")
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(choice))))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form.service-form button[type=submit]")))
	must(err)
	for _, e := range []int64{f.Elder1.ID, f.Elder2.ID} {
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#elder-"+itoa(e)+" .greet-status")))
		must(err)
		if !strings.Contains(text, "已记录") {
			t.Fatalf("elder %d's card must say what was recorded, got %q", e, text)
		}
	}
}
