package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestScanAtTheEdges (issue 14 point 9): logged out, a scanned card leads
// to the login and back to the card; a forged or re-issued card's code and
// another volunteer's elder are said before the tap, with no greeting
// button; the login never sends anyone to another site.
func TestScanAtTheEdges(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		nov, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		other, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder2.ID, "2026-11") // not Vol1's elder

		v := newBrowser(t, srv)
		resp, err := v.client.Get(srv.URL + "/scan/" + nov)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/scan/"+nov) {
			t.Fatalf("logged out, the scan leads to the login with the way back: %d %q", resp.StatusCode, loc)
		}
		_, doc := v.get(loc)
		if got := doc.Find(`form[action="/login"] input[name=next]`).AttrOr("value", ""); got != "/scan/"+nov {
			t.Fatalf("the login form keeps the scanned card: %q", got)
		}
		resp, _ = v.post("/login", url.Values{"csrf": {csrfOf(doc)}, "username": {"v1"}, "password": {"wrong"}, "next": {"/scan/" + nov}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %d", resp.StatusCode)
		}
		_, doc = v.get(loc)
		resp, _ = v.post("/login", url.Values{"csrf": {csrfOf(doc)}, "username": {"v1"}, "password": {storetest.Password}, "next": {"/scan/" + nov}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/scan/"+nov {
			t.Fatalf("after the login, back to the card: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if status, doc := v.get("/scan/" + nov); status != http.StatusOK || doc.Find(".greet-button").Length() != 1 {
			t.Fatalf("the card's greeting: %d", status)
		}

		// Before the tap: another volunteer's elder, a forged code, a re-issued card.
		status, doc := v.get("/scan/" + other)
		if status != http.StatusForbidden || !strings.Contains(doc.Find("main").Text(), "这位老人不在你的服务名单上，请联系社区") ||
			doc.Find(".greet-button").Length() != 0 || strings.Contains(doc.Text(), f.Elder2.Name) {
			t.Fatalf("another volunteer's elder: %d %q", status, doc.Find("main").Text())
		}
		forged := nov[:len(nov)-4] + "0000"
		if forged == nov {
			forged = nov[:len(nov)-4] + "1111"
		}
		for _, code := range []string{forged, "cc2.999999.2026-11.0123456789abcdef0123", "cc2." + itoa(f.Elder1.ID) + ".2026-11.x"} {
			status, doc := v.get("/scan/" + code)
			if status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("main").Text(), "二维码无效") || doc.Find(".greet-button").Length() != 0 {
				t.Fatalf("a forged code %q: %d %q", code, status, doc.Find("main").Text())
			}
		}
		if _, err := db.ReissueCard(ctx, f.Comm1, f.Elder1.ID); err != nil {
			t.Fatal(err)
		}
		if status, doc := v.get("/scan/" + nov); status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("main").Text(), "已补办作废") {
			t.Fatalf("a re-issued card's code: %d %q", status, doc.Find("main").Text())
		}

		// The way back is a path on this site only.
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/login?next=/x", "scan/x"} {
			w := newBrowser(t, srv)
			_, doc := w.get("/login?next=" + url.QueryEscape(next))
			if doc.Find(`input[name=next]`).Length() != 0 {
				t.Fatalf("the login page keeps an unsafe next %q", next)
			}
			resp, _ := w.post("/login", url.Values{"csrf": {csrfOf(doc)}, "username": {"v1"}, "password": {storetest.Password}, "next": {next}})
			if resp.Header.Get("Location") != "/" {
				t.Fatalf("next %q leads to %q", next, resp.Header.Get("Location"))
			}
		}
	})
}

// TestBrowserScanOnPhone drives a 390 px phone: a scanned card while logged
// out goes through the login back to the card's greeting; a void code says
// so at once with no greeting button.
func TestBrowserScanOnPhone(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/s.db")
	f := storetest.Seed(t, db)
	srv := newServer(t, db)
	code, err := db.ElderCardCode(context.Background(), f.Comm1, f.Elder1.ID, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/scan/"+code), chromedp.WaitVisible(chromedp.CSS("input[name=username]"))))
	must(chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("input[name=username]"), "v1"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]"))))
	must(chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".greet-button"))))
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || path != "/scan/"+code {
		t.Fatalf("after the login the phone is on %q, not the scanned card: %v", path, err)
	}
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerWidth`)); err != nil || w > 400 {
		t.Fatalf("not a phone's width: %v %v", w, err)
	}
	void := code[:len(code)-4] + "zzzz"
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/scan/"+void), chromedp.WaitVisible(chromedp.CSS("main"))))
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	must(err)
	buttons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.greet-button').length`))
	must(err)
	scroll, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	must(err)
	if !strings.Contains(text, "二维码无效") || buttons != 0 || scroll {
		t.Fatalf("a void code on the phone: %q, %d greeting buttons, sideways scroll %v", text, buttons, scroll)
	}
	_ = time.Second
}
