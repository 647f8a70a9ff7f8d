package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store/storetest"
)

// TestBrowserVolunteerSignsUpAndChecksIn: on a 390 px phone a volunteer
// opens 活动 from 今日服务, signs up with one tap (the cap counts them), and
// checks in with another; each answer replaces the activity's card.
func TestBrowserVolunteerSignsUpAndChecksIn(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/a.db")
	f := storetest.Seed(t, db)
	x := todayActivity(t, db, f, 5)
	srv := newServer(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "v1"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)))
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")))
	must(err)
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.today-links a[href="/activities"]`)))
	must(err)
	card := "#activity-" + itoa(x.ID)
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('`+card+` .signup-button').getBoundingClientRect().width`))
	must(err)
	if width < 300 {
		t.Fatalf("the sign-up button must span the phone's width, got %.0f px", width)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= 390`))
	must(err)
	if !fits {
		t.Fatal("the activities page scrolls sideways at 390 px")
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(card+" .signup-button"))))
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('`+card+` .checkin-button')`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !ok {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(card)))
		t.Fatalf("after signing up the card offers 签到: %v; %s", err, text)
	}
	capText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(card+" .cap")))
	must(err)
	if !strings.Contains(capText, "1 / 5") {
		t.Fatalf("the cap line counts the sign-up: %q", capText)
	}
	time.Sleep(300 * time.Millisecond) // htmx wires the swapped-in form as it settles
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(card+" .checkin-button"))))
	ok, err = chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('`+card+` .checked-in')`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !ok {
		t.Fatalf("the card must say 已签到: %v", err)
	}
	det, err := db.ActivityDetail(context.Background(), f.Comm1, x.ID)
	must(err)
	if len(det.Signups) != 1 || !det.Signups[0].Present {
		t.Fatalf("stored sign-ups: %+v", det.Signups)
	}
}

// TestBrowserStaffTicksChecklist: community staff tick a preparation item
// on the activity's page; the item turns done in place.
func TestBrowserStaffTicksChecklist(t *testing.T) {
	ctx := newChrome(t, 1280, 900)
	db := storetest.Open(t, t.TempDir()+"/s.db")
	f := storetest.Seed(t, db)
	x := todayActivity(t, db, f, 0)
	srv := newServer(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "c1"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)))
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")))
	must(err)
	_, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/activities/"+itoa(x.ID)))
	must(err)
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#checklist li.activity-item:first-child button.tick"))))
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#checklist li.activity-item.done .notice')`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !ok {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#checklist")))
		t.Fatalf("the item must turn done in place: %v; %s", err, text)
	}
	det, err := db.ActivityDetail(context.Background(), f.Comm1, x.ID)
	must(err)
	done := 0
	for _, it := range det.Checklist {
		if it.Done {
			done++
		}
	}
	if done != 1 {
		t.Fatalf("stored: %d items done", done)
	}
}
