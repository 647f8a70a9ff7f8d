package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// pdfPageTexts returns the text of each page of a PDF (pdftotext from
// poppler-utils, installed by .ci/run), or nil when the tool is missing
// outside CI.
func pdfPageTexts(t *testing.T, pdf []byte, pages int) []string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CARECIRCLE_BROWSER") == "required" {
			t.Fatal("pdftotext (poppler-utils) is required to read the printed card's pages")
		}
		t.Log("pdftotext not installed: page texts not checked")
		return nil
	}
	file := filepath.Join(t.TempDir(), "card.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var out []string
	for n := 1; n <= pages; n++ {
		text, err := exec.Command(tool, "-layout", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(text))
	}
	return out
}

// TestBrowserPrintedCardFitsTheSheets renders the printed service card of
// a month of 40 records to PDF in Chromium: one A4 sheet, or two A5 sheets;
// every page carries the elder's name, the month and 第 N 页 / 共 M 页; the
// signature box with blanks to sign by hand is on the last page, and once
// signed online it names the signer by display name, not login name.
func TestBrowserPrintedCardFitsTheSheets(t *testing.T) {
	ctx := newChrome(t, 1280, 900)
	db := storetest.Open(t, t.TempDir()+"/p.db")
	f := storetest.Seed(t, db)
	bg := context.Background()
	if err := db.CreatePairing(bg, f.Comm1, &store.Pairing{ElderID: f.Elder2.ID, VolunteerID: f.Vol1.ID}); err != nil {
		t.Fatal(err)
	}
	notes := []string{"老人精神很好，聊了家常", "帮忙倒垃圾", "提醒按时吃降压药，血压正常", ""}
	for i := range 40 {
		day := 1 + i*28/40
		at := time.Date(2026, 11, day, 7+i%10, 5*(i%12), 0, 0, db.Loc)
		r := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "life", Type: "greeting", At: at, Note: notes[i%4], Source: "paper", VolunteerID: &f.Vol1.ID}
		if i%5 == 0 {
			r.Kind, r.Type = "spirit", "chat"
		}
		storetest.AddMade(t, db, f.Comm1, r, store.Proof{})
	}
	storetest.MonthEnded(db) // November can be signed (the session's clock moves no more)
	srv := newServer(t, db)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "station"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	print := func(paper string) (pages int, texts []string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/elders/%d/card/print?month=2026-11&paper=%s", srv.URL, f.Elder2.ID, paper)),
			chromedp.WaitVisible(chromedp.CSS(".sheet"))); err != nil {
			t.Fatal(err)
		}
		yes := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes})
		if err != nil {
			t.Fatal(err)
		}
		pdf := res.Data
		pages = len(pdfPage.FindAll(pdf, -1))
		return pages, pdfPageTexts(t, pdf, pages)
	}
	check := func(paper string, want int, signed string) {
		t.Helper()
		pages, texts := print(paper)
		if pages != want {
			t.Fatalf("%s: 40 records print on %d pages, want %d", paper, pages, want)
		}
		for i, text := range texts {
			flat := strings.Join(strings.Fields(text), "")
			for _, s := range []string{f.Elder2.Name, "2026年11月", fmt.Sprintf("第%d页/共%d页", i+1, want)} {
				if !strings.Contains(flat, s) {
					t.Errorf("%s page %d lacks %q:\n%s", paper, i+1, s, text)
				}
			}
			if strings.Contains(flat, "检查人") != (i == want-1) {
				t.Errorf("%s page %d: the signature box belongs on the last page only:\n%s", paper, i+1, text)
			}
			if i == want-1 && !strings.Contains(flat, signed) {
				t.Errorf("%s last page lacks %q:\n%s", paper, signed, text)
			}
			if strings.Contains(flat, "station") {
				t.Errorf("%s page %d names a login:\n%s", paper, i+1, text)
			}
		}
	}
	check("a4", 1, "□合格□需改进")
	check("a5", 2, "□合格□需改进")

	if _, err := db.SignCard(bg, f.Station, f.Elder2.ID, "2026-11", "pass", "记录完整"); err != nil {
		t.Fatal(err)
	}
	check("a4", 1, "街道志愿站") // the fixture's station account has no display name: its role, never "station"
}

// TestBrowserReportPrintWastesNoPage prints the station's report to PDF:
// no page holds only a line or two (a table's note used to take a page of
// its own).
func TestBrowserReportPrintWastesNoPage(t *testing.T) {
	ctx := newChrome(t, 1280, 900)
	db := storetest.Open(t, t.TempDir()+"/r.db")
	storetest.Seed(t, db)
	srv := newServer(t, db)
	browserLogin(t, ctx, srv.URL, "station")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS("#report-form")),
		chromedp.Click(chromedp.CSS("#report-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#report section[data-table=elders] table"))); err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#report-print').href`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(strings.Replace(href, "print=1", "print=0", 1)), chromedp.WaitVisible(chromedp.CSS("#report"))); err != nil {
		t.Fatal(err)
	}
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes})
	if err != nil {
		t.Fatal(err)
	}
	pages := len(pdfPage.FindAll(res.Data, -1))
	for i, text := range pdfPageTexts(t, res.Data, pages) {
		lines := 0
		for _, l := range strings.Split(text, "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		t.Logf("page %d of %d: %d lines", i+1, pages, lines)
		if lines < 4 {
			t.Errorf("page %d of %d holds only %d lines:\n%s", i+1, pages, lines, text)
		}
	}
}
