package web_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"carecircle/internal/care"
	"carecircle/internal/store/storetest"
)

// newChrome starts headless Chromium for a browser test. Without a
// browser the test is skipped, unless CARECIRCLE_BROWSER=required (as in CI).
func newChrome(t *testing.T, width, height int) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CARECIRCLE_BROWSER") == "required" {
			t.Fatal("chromium is required for browser tests but was not found")
		}
		t.Skip("chromium not installed")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserRegisterElder drives the real pages: a community worker logs
// in, enters an ID number with a wrong check digit, sees the error beside the
// field, corrects it, saves, and finds the elder by name in the list.
func TestBrowserRegisterElder(t *testing.T) {
	ctx := newChrome(t, 1280, 900)
	db := storetest.Open(t, t.TempDir()+"/b.db")
	storetest.Seed(t, db)
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

	id := care.MakeIDNumber("320102", storetest.Day("1939-12-01"), 77, care.Female)
	wrong := id[:17] + map[bool]string{true: "1", false: "0"}[id[17] == '0']
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/elders/new"),
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "郑玉兰"),
		chromedp.SetValue(chromedp.CSS("select[name=gender]"), "female"),
		chromedp.SetValue(chromedp.CSS("input[name=birth_date]"), "1939-12-01"),
		chromedp.SendKeys(chromedp.CSS("input[name=id_number]"), wrong),
		chromedp.SendKeys(chromedp.CSS("input[name=building]"), "1栋"),
		chromedp.SetValue(chromedp.CSS("select[name=living_situation]"), "alone"),
		chromedp.SetValue(chromedp.CSS("select[name=self_care]"), "partial")))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form.record button[type=submit]")))
	must(err)
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("[data-field=id_number] .field-error")))
	must(err)
	if !strings.Contains(msg, "校验码") {
		t.Fatalf("the ID field must say the check digit is wrong, got %q", msg)
	}

	must(chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("input[name=id_number]"), id)))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form.record button[type=submit]")))
	must(err)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !regexp.MustCompile(`/elders/\d+\?saved=1$`).MatchString(loc) {
		t.Fatalf("after saving, the elder's page opens; at %s", loc)
	}

	// Live search: typing filters the list through htmx without a reload.
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/elders"),
		chromedp.SendKeys(chromedp.CSS("input[name=q]"), "玉兰")))
	found, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`[...document.querySelectorAll('#elder-results tbody a')].map(a => a.textContent).join() === '郑玉兰'`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !found {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#elder-results")))
		t.Fatalf("the new elder must be the one result of the search: %v; list: %s", err, text)
	}
}

// TestBrowserPhoneGreeting drives the volunteer's phone page: log in on a
// phone-sized screen, greet an elder with one tap, and find the greeting on
// the elder's service card.
func TestBrowserPhoneGreeting(t *testing.T) {
	ctx := newChrome(t, 390, 844)
	db := storetest.Open(t, t.TempDir()+"/p.db")
	f := storetest.Seed(t, db)
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
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !strings.HasSuffix(loc, "/today") {
		t.Fatalf("a volunteer lands on today's page, at %s", loc)
	}
	sel := "#elder-" + itoa(f.Elder1.ID)
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('`+sel+` .greet-button').getBoundingClientRect().width`))
	must(err)
	if width < 300 {
		t.Fatalf("the greeting button must span the phone's width for old hands, got %.0f px", width)
	}
	// One tap.
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel+" .greet-button"))))
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('`+sel+` .greeted')`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !ok {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		t.Fatalf("the elder must show as greeted after one tap: %v; %s", err, text)
	}
	_, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/elders/"+itoa(f.Elder1.ID)+"/card"))
	must(err)
	rows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".card-records tbody")))
	must(err)
	if !strings.Contains(rows, "敲门问候") || !strings.Contains(rows, f.Vol1.Name) {
		t.Fatalf("the greeting is on the card: %q", rows)
	}
}
