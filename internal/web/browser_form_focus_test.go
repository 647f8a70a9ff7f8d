package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store/storetest"
)

// TestBrowserFocusMovesToTheFirstError submits /standards with a change
// dated in the past in Chromium: the page that comes back has the refused
// form open, the typed date kept, the field marked and focused, and its
// message read with it (aria-describedby).
func TestBrowserFocusMovesToTheFirstError(t *testing.T) {
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
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "station"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)))
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")))
	must(err)
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/standards")))
	// Open the first standard's change form, type a past date and save.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const d = document.querySelector('.standard-group details.edit');
		d.open = true;
		const f = d.querySelector('form');
		f.querySelector('input[name=effective_from]').value = '2020-01-01';
		f.querySelector('input[name=required]').value = '7';
		return true })()`))
	must(err)
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(".standard-group details.edit[open] form button[type=submit]")))
	must(err)
	type focus struct {
		Name, Value, Invalid, Message, Required string
		Open                                    bool
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[focus](`(() => {
		const a = document.activeElement;
		const ids = (a.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
		const msg = ids.length ? document.getElementById(ids[ids.length - 1]) : null;
		const form = a.closest('form');
		return {Name: a.name || a.tagName, Value: a.value || '', Invalid: a.getAttribute('aria-invalid') || '',
			Message: msg ? msg.textContent : '', Required: form ? form.querySelector('input[name=required]').value : '',
			Open: !!a.closest('details[open]')} })()`))
	must(err)
	if got.Name != "effective_from" || got.Invalid != "true" || got.Value != "2020-01-01" || !got.Open {
		t.Fatalf("focus after the refused submit: %+v", got)
	}
	if got.Message == "" || got.Required != "7" {
		t.Fatalf("the message read with the field, and the form keeps what was typed: %+v", got)
	}
}
