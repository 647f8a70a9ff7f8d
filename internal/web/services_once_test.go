package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// hxPost posts a form as htmx does and parses the fragment.
func (b *browser) hxPost(path string, form url.Values) (*http.Response, *goquery.Document) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	return resp, doc
}

// formValues reads the hidden fields of the form matched by sel.
func formValues(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	doc.Find(sel + " input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		v.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	return v
}

func greetingsToday(t *testing.T, db *store.DB, a care.Actor, elder int64) []care.ServiceRecord {
	t.Helper()
	got, err := db.DayServices(context.Background(), a, db.Now().In(db.Loc), "life", "greeting")
	if err != nil {
		t.Fatal(err)
	}
	return got[elder]
}

// TestGreetingFormSentTwiceStoresOne: the same rendered form sent twice
// without JavaScript, and once more through htmx (a double tap, a reload,
// a retry), stores one greeting; each answer confirms it, naming the elder.
// Once greeted the big button gives way to 已问候 ✓ with a link to correct,
// and striking the greeting out on the card brings the button back.
func TestGreetingFormSentTwiceStoresOne(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("v1")
		elder := itoa(f.Elder1.ID)
		_, page := b.get("/today")
		sel := `#elder-` + elder + ` form.greet-form`
		form := formValues(page, sel)
		if len(form.Get("idempotency_key")) < 16 {
			t.Fatalf("the greeting form carries a key: %v", form)
		}
		if other := formValues(page, `#elder-`+elder+` form.greet-form`); other.Get("idempotency_key") != form.Get("idempotency_key") {
			t.Fatal("one form, one key")
		}
		var first string
		for i := 0; i < 2; i++ {
			resp, _ := b.post("/today/"+elder+"/greeting", form)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/today?done=") || !strings.HasSuffix(loc, "#elder-"+elder) {
				t.Fatalf("submit %d: %d %q", i, resp.StatusCode, loc)
			}
			if i == 0 {
				first = loc
			} else if loc != first {
				t.Fatalf("the second submit answers the first record: %q, %q", first, loc)
			}
		}
		resp, frag := b.hxPost("/today/"+elder+"/greeting", form)
		if resp.StatusCode != http.StatusOK || frag.Find(`#elder-`+elder+` .notice[role=status]`).Length() != 1 {
			t.Fatalf("htmx retry: %d", resp.StatusCode)
		}
		if n := len(greetingsToday(t, db, f.Volunteer, f.Elder1.ID)); n != 1 {
			t.Fatalf("three sends of one form store %d greetings", n)
		}
		_, page = b.get(first)
		card := page.Find(`#elder-` + elder)
		if got := strings.TrimSpace(card.Find(".notice").Text()); got != "✓ 已记录：敲门问候 · 王秀英 · 10:00" {
			t.Fatalf("the confirmation names the service, the elder and the time: %q", got)
		}
		greeted := card.Find(".greeted")
		if !strings.Contains(greeted.Text(), "已问候 10:00 ✓") || card.Find("form.greet-form").Length() != 0 {
			t.Fatalf("the button gives way to the greeted state: %q", card.Text())
		}
		link := greeted.Find("a.correct-link").AttrOr("href", "")
		if !strings.HasPrefix(link, "/elders/"+elder+"/card#record-") {
			t.Fatalf("a link to correct the greeting: %q", link)
		}
		// The volunteer strikes the greeting out on the card (a mistake):
		// the button comes back.
		_, cardPage := b.get("/elders/" + elder + "/card")
		amend := cardPage.Find(`form[action*="/card/amend/"]`)
		if amend.Length() != 1 {
			t.Fatal("a volunteer may correct their own record on the card")
		}
		av := formValues(cardPage, `form[action*="/card/amend/"]`)
		av.Set("reason", "点错了老人")
		av.Set("void", "1")
		for i := 0; i < 2; i++ {
			if resp, _ := b.post(amend.AttrOr("action", ""), av); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("amend %d: %d", i, resp.StatusCode)
			}
		}
		card2, err := db.GetCard(context.Background(), f.Volunteer, f.Elder1.ID, "2026-11")
		if err != nil || len(card2.Entries) != 1 || len(card2.Entries[0].Amendments) != 1 || !card2.Entries[0].Voided {
			t.Fatalf("one amendment for a double submit: %+v %v", card2, err)
		}
		_, page = b.get("/today")
		if page.Find(`#elder-`+elder+` form.greet-form`).Length() != 1 || page.Find(`#elder-`+elder+` .greeted`).Length() != 0 {
			t.Fatal("a struck-out greeting is not shown as done")
		}
		_ = csrf
	})
}

// TestRefusedGreetingShowsItsReason: a refusal is shown on the elder's
// card, through htmx (only the card's message line, the button stays) and
// without JavaScript (the page, at the card, with the button).
func TestRefusedGreetingShowsItsReason(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("v1")
		elder := itoa(f.Elder1.ID)
		_, page := b.get("/today")
		form := formValues(page, `#elder-`+elder+` form.greet-form`)
		// A tap kept on the phone for three days is past the volunteer's
		// 48 hours.
		form.Set("at", db.Now().Add(-72*time.Hour).Format(time.RFC3339))
		resp, frag := b.hxPost("/today/"+elder+"/greeting", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("HX-Retarget") != "#elder-"+elder+" .greet-status" {
			t.Fatalf("htmx refusal: %d %q", resp.StatusCode, resp.Header.Get("HX-Retarget"))
		}
		if msg := frag.Find(".refused[role=alert]").Text(); !strings.Contains(msg, "没有记录") || !strings.Contains(msg, "48小时") || !strings.Contains(msg, "社区工作人员") {
			t.Fatalf("the reason, in Chinese: %q", msg)
		}
		resp, page = b.post("/today/"+elder+"/greeting", form)
		card := page.Find(`#elder-` + elder)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(card.Find(".refused[role=alert]").Text(), "48小时") {
			t.Fatalf("without JavaScript the card says why: %d %q", resp.StatusCode, card.Text())
		}
		if card.Find("form.greet-form button").Length() != 1 {
			t.Fatal("the button stays ready")
		}
		if n := len(greetingsToday(t, db, f.Volunteer, f.Elder1.ID)); n != 0 {
			t.Fatalf("refused, yet %d stored", n)
		}
		// An elder the volunteer does not serve.
		other := itoa(f.Elder2.ID)
		resp, frag = b.hxPost("/today/"+other+"/greeting", form)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(frag.Find(".refused").Text(), "找不到这位老人") {
			t.Fatalf("not paired: %d %q", resp.StatusCode, frag.Text())
		}
		resp, page = b.post("/today/"+other+"/greeting", form)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(page.Find(".error-line").Text(), "找不到这位老人") {
			t.Fatalf("not paired, without JavaScript: %d %q", resp.StatusCode, page.Find(".error-line").Text())
		}
	})
}

// TestKeptTapKeepsItsTime: a tap the phone kept while offline is stored
// with the tap's time, marked 补录 on the card when it arrives late; a
// phone whose clock is off has its time measured from when it sent.
func TestKeptTapKeepsItsTime(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("v1")
		elder := itoa(f.Elder1.ID)
		_, page := b.get("/today")
		form := formValues(page, `#elder-`+elder+` form.greet-form`)
		// The phone's clock is an hour slow; it was tapped three hours
		// before it could send.
		phoneNow := db.Now().Add(-time.Hour)
		form.Set("at", phoneNow.Add(-3*time.Hour).Format(time.RFC3339))
		form.Set("sent", phoneNow.Format(time.RFC3339))
		if resp, _ := b.hxPost("/today/"+elder+"/greeting", form); resp.StatusCode != http.StatusOK {
			t.Fatalf("kept tap: %d", resp.StatusCode)
		}
		got := greetingsToday(t, db, f.Volunteer, f.Elder1.ID)
		if len(got) != 1 || !got[0].At.Equal(db.Now().Add(-3*time.Hour)) || !got[0].Late() {
			t.Fatalf("stored at the tap's time: %+v", got)
		}
		_, card := b.get("/elders/" + elder + "/card")
		row := card.Find(".card-records tbody tr").First()
		if row.Find(".late-mark").Text() != "补录" || !strings.Contains(row.Text(), "现场记录") {
			t.Fatalf("the card marks it 补录, with its source: %q", row.Text())
		}
	})
}

// TestEmergencyConfirmationNamesTheCase: after 应急求助 the volunteer is
// back on the day's page, told on the elder's card what was stored, the
// case number and who can see it; staff are told on the card.
func TestEmergencyConfirmationNamesTheCase(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		b.login("v1")
		elder := itoa(f.Elder1.ID)
		_, page := b.get("/elders/" + elder + "/services/new")
		form := formValues(page, "form.service-form")
		if form.Get("idempotency_key") == "" {
			t.Fatal("the service form carries a key")
		}
		form.Set("what", "emergency/emergency_help")
		form.Set("note", "老人在家摔倒，起不来")
		var back string
		for i := 0; i < 2; i++ {
			resp, _ := b.post("/elders/"+elder+"/services", form)
			if resp.StatusCode != http.StatusSeeOther || (back != "" && resp.Header.Get("Location") != back) {
				t.Fatalf("submit %d: %d %q", i, resp.StatusCode, resp.Header.Get("Location"))
			}
			back = resp.Header.Get("Location")
		}
		cases, err := db.Cases(context.Background(), f.Comm1, true)
		if err != nil || len(cases) != 1 || !cases[0].Urgent {
			t.Fatalf("one urgent case for a double submit: %+v %v", cases, err)
		}
		if !strings.HasPrefix(back, "/today?done=") || !strings.HasSuffix(back, "#elder-"+elder) {
			t.Fatalf("the volunteer goes back to the day's page at the elder: %q", back)
		}
		_, page = b.get(back)
		msg := page.Find(`#elder-` + elder + ` .notice[role=status]`).Text()
		for _, want := range []string{"应急求助", "王秀英", "案件 #" + itoa(cases[0].ID), "幸福社区居委会", "120", "张伟 13900000000"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("the confirmation says %q: %q", want, msg)
			}
		}
		// The same form with another note is another request: refused, and
		// the form comes back with a new key to send it as a new record.
		form.Set("note", "老人头晕")
		resp, doc := b.post("/elders/"+elder+"/services", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-line").Text(), "已经提交过") {
			t.Fatalf("a reused form with other values: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		if k := formValues(doc, "form.service-form").Get("idempotency_key"); k == "" || k == form.Get("idempotency_key") {
			t.Fatalf("a new key: %q", k)
		}
		// Staff copy a paper record and are told on the card.
		c1 := newBrowser(t, srv)
		c1.login("c1")
		_, page = c1.get("/elders/" + elder + "/services/new")
		form = formValues(page, "form.service-form")
		form.Set("what", "spirit/chat")
		form.Set("at", "2026-11-28T15:00")
		form.Set("volunteer_id", itoa(f.Vol1.ID))
		resp, _ = c1.post("/elders/"+elder+"/services", form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "/card?month=2026-11&done=") {
			t.Fatalf("staff go back to the card: %d %q", resp.StatusCode, loc)
		}
		_, card := c1.get(loc)
		if got := card.Find(".flash").Text(); !strings.Contains(got, "已记录：聊天交流 · 王秀英 · 11-28 15:00") {
			t.Fatalf("the card confirms it: %q", got)
		}
	})
}

// TestInspectionOpensOnTheLastEndedMonth: the station's inspection opens
// on the last month that has ended; the month still running shows no sign
// buttons and says why, and signing it anyway is refused in place.
func TestInspectionOpensOnTheLastEndedMonth(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		// The clock moves while the server (and its tracker) runs.
		var now atomic.Int64
		now.Store(db.Now().UnixNano())
		db.Now = func() time.Time { return time.Unix(0, now.Load()).In(db.Loc) }
		code, err := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now().Add(-time.Hour)}
		if err := db.AddService(ctx, f.Volunteer, rec, store.Proof{Method: "qr", Code: code}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		st := newBrowser(t, srv)
		csrf := st.login("station")
		_, insp := st.get("/inspection")
		if h := insp.Find("h1").Text(); !strings.Contains(h, "2026-10") {
			t.Fatalf("inspection opens on October: %q", h)
		}
		_, insp = st.get("/inspection?month=2026-11")
		if insp.Find(`form[action="/inspection/sign-clean"]`).Length() != 0 || !strings.Contains(insp.Find(".month-open").Text(), "月底之后才能签字") {
			t.Fatalf("November is running: no sign button, and why: %q", insp.Find("main").Text())
		}
		resp, doc := st.post("/inspection/sign-clean", url.Values{"csrf": {csrf}, "month": {"2026-11"}, "community_id": {itoa(f.C1.ID)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-line").Text(), "还没有结束") || doc.Find("h1").Length() != 1 {
			t.Fatalf("signing a running month is refused in place: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		elder := "/elders/" + itoa(f.Elder1.ID)
		_, card := st.get(elder + "/card?month=2026-11")
		if card.Find(`form[action$="/card/sign"]`).Length() != 0 || !strings.Contains(card.Find(".signature").Text(), "月底之后才能签字") {
			t.Fatalf("no sign form on a running month's card: %q", card.Find(".signature").Text())
		}
		resp, doc = st.post(elder+"/card/sign", url.Values{"csrf": {csrf}, "month": {"2026-11"}, "result": {"pass"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-line").Text(), "还没有结束") ||
			!strings.Contains(doc.Find(".signature .field-error").Text(), "已经结束的月份") {
			t.Fatalf("signing a running month's card is refused in place: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		// November ends (as storetest.MonthEnded): inspection opens on it,
		// with the button.
		now.Store(time.Date(2026, 12, 1, 8, 0, 0, 0, db.Loc).UnixNano())
		st = newBrowser(t, srv)
		st.login("station")
		_, insp = st.get("/inspection")
		if !strings.Contains(insp.Find("h1").Text(), "2026-11") || insp.Find(`form[action="/inspection/sign-clean"]`).Length() != 1 || insp.Find(".month-open").Length() != 0 {
			t.Fatalf("inspection opens on November, ready to sign: %q", insp.Find("main").Text())
		}
	})
}

// TestInspectionListsCorrectionsAfterSigning: an amendment made to a month
// after its card was signed shows on the station's inspection page, with a
// link to the card, for review.
func TestInspectionListsCorrectionsAfterSigning(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now().Add(-time.Hour)}
		if err := db.AddService(ctx, f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		storetest.MonthEnded(db)
		if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "pass", ""); err != nil {
			t.Fatal(err)
		}
		// The clock moves while the server (and its tracker) runs.
		var now atomic.Int64
		now.Store(db.Now().UnixNano())
		db.Now = func() time.Time { return time.Unix(0, now.Load()).In(db.Loc) }
		srv := newServer(t, db)
		st := newBrowser(t, srv)
		st.login("station")
		if _, insp := st.get("/inspection"); insp.Find("#corrections").Length() != 0 {
			t.Fatal("no correction yet, no review list")
		}
		now.Store(time.Date(2026, 12, 2, 9, 0, 0, 0, db.Loc).UnixNano())
		if _, err := db.AddAmendment(ctx, f.Comm1, rec.ID, "重复录入", map[string]any{"void": true}); err != nil {
			t.Fatal(err)
		}
		st = newBrowser(t, srv) // a new day's session
		st.login("station")
		code, insp := st.get("/inspection")
		rows := insp.Find("#corrections tbody tr")
		if code != 200 {
			h, _ := insp.Html()
			t.Fatalf("inspection: %d %s", code, h)
		}
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "重复录入") || !strings.Contains(rows.Text(), "2026-11") {
			t.Fatalf("corrections after signing: %q", insp.Find("main").Text())
		}
		if href, _ := rows.Find("a").Attr("href"); !strings.HasPrefix(href, "/elders/"+itoa(f.Elder1.ID)+"/card?month=2026-11") {
			t.Fatalf("link to the card: %q", href)
		}
	})
}
