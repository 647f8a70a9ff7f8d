package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/notify"
	"carecircle/internal/store/storetest"
)

// TestBrowserInboxOnAPhone: on a 390 px phone in large type, the bell
// shows the count, the inbox, the account's notification form and the
// duty roster fit the screen (nothing to scroll sideways), and one tap
// marks a message read and lowers the count.
func TestBrowserInboxOnAPhone(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/n.db")
	f := storetest.Seed(t, db)
	for i, text := range []string{"王秀英（1栋2单元301）今天还没有被问候，请尽快上门或电话联系", "提醒：明天是重阳节，请安排节日走访"} {
		if err := db.Enqueue(context.Background(), notify.Message{ID: "b-" + string(rune('a'+i)), Kind: notify.KindMissedGreeting,
			Channel: notify.ChannelInbox, To: notify.Recipient{UserID: f.Comm1.UserID}, Text: text, CreatedAt: db.Now().Add(-time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
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
	// Large type, as older volunteers use it.
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.prefs button[name=big][value="1"]`)))
	must(err)
	for _, path := range []string{"/inbox", "/account", "/duty"} {
		_, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+path))
		must(err)
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		must(err)
		if wide > 390 {
			t.Errorf("%s is %.0f px wide on a 390 px phone", path, wide)
		}
		count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#bell .count")))
		must(err)
		if strings.TrimSpace(count) != "2" {
			t.Errorf("%s: the bell shows %q", path, count)
		}
	}
	_, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/inbox"))
	must(err)
	size, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`parseFloat(getComputedStyle(document.querySelector('#m-b-a .msg-text')).fontSize)`))
	must(err)
	if size < 20 {
		t.Errorf("a message reads at %.0f px in large type", size)
	}
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#m-b-a form button`)))
	must(err)
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#bell .count")))
	must(err)
	unread, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelectorAll('#inbox li.is-unread').length`))
	must(err)
	if strings.TrimSpace(count) != "1" || unread != 1 {
		t.Fatalf("after one tap: bell %q, %v unread", count, unread)
	}
}
