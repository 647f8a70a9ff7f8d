package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestInspectionQueue walks the station through a month as a queue: 25
// cards of one community filtered to the unsigned ones, 20 to a page;
// opening a card shows 第 1/25 张 and the way back with the filters;
// signing opens the next unsigned card with 已签署 X 的2026年11月服务卡; the
// greetings-only cards are signed in bulk after a summary per community.
func TestInspectionQueue(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		var vols []care.Volunteer
		for i := range 2 {
			v := care.Volunteer{Name: fmt.Sprintf("周大姐%d", i), Phone: fmt.Sprintf("1370000009%d", i), Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 12}
			if err := db.CreateVolunteer(ctx, f.Comm1, &v); err != nil {
				t.Fatal(err)
			}
			vols = append(vols, v)
		}
		greetingsOnly := 0
		for i := range 23 {
			e := storetest.NewElder(fmt.Sprintf("队列老人%02d", i), f.C1.ID, "1940-01-01", care.Female, 200+i)
			if err := db.CreateElder(ctx, f.Comm1, &e); err != nil {
				t.Fatal(err)
			}
			vol := vols[i%2]
			va := care.Actor{Role: care.RoleVolunteer, StreetID: f.Street.ID, CommunityID: f.C1.ID, VolunteerID: vol.ID, Username: "zhou"}
			if err := db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: e.ID, VolunteerID: vol.ID}); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 10, 8, 0, 0, 0, db.Loc)
			code, _ := db.ElderCardCode(ctx, f.Comm1, e.ID, "2026-11")
			storetest.AddMade(t, db, va, &care.ServiceRecord{ElderID: e.ID, Kind: "life", Type: "greeting", At: at}, store.Proof{Method: "qr", Code: code})
			if i%2 == 0 { // a greeting without proof: the card's only flag
				storetest.AddMade(t, db, va, &care.ServiceRecord{ElderID: e.ID, Kind: "life", Type: "greeting", At: at.AddDate(0, 0, 1)}, store.Proof{})
				greetingsOnly++
			}
		}
		storetest.MonthEnded(db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("station")
		c1 := itoa(f.C1.ID)
		list := "/inspection?month=2026-11&community_id=" + c1 + "&signed=no&sort=name"
		_, doc := b.get(list)
		if n := doc.Find(".inspection-queue tbody tr[data-elder]").Length(); n != 20 {
			t.Fatalf("first page of the queue: %d rows, want 20", n)
		}
		if got := doc.Find(".queue-total").Text(); !strings.Contains(got, "25") {
			t.Fatalf("queue total: %q", got)
		}
		_, page2 := b.get(list + "&page=2")
		if n := page2.Find(".inspection-queue tbody tr[data-elder]").Length(); n != 5 {
			t.Fatalf("second page: %d rows, want 5", n)
		}
		href, _ := doc.Find(".inspection-queue a.open-card").First().Attr("href")
		status, card := b.get(href)
		if status != http.StatusOK || !strings.Contains(card.Find(".queue-pos").Text(), "第 1/25 张") {
			t.Fatalf("card from the queue: %d %q", status, card.Find(".queue-pos").Text())
		}
		back, _ := card.Find(".card-queue a").First().Attr("href")
		if bq, _ := url.Parse(back); bq.Query().Get("signed") != "no" || bq.Query().Get("sort") != "name" || bq.Query().Get("community_id") != c1 {
			t.Fatalf("the way back keeps the filters: %s", back)
		}
		firstName := doc.Find(".inspection-queue tbody tr[data-elder] td").First().Text()
		action, _ := card.Find(`form[action$="/card/sign"]`).Attr("action")
		queue, _ := card.Find(`form[action$="/card/sign"] input[name=queue]`).Attr("value")
		resp, _ := b.post(action, url.Values{"csrf": {csrf}, "month": {"2026-11"}, "result": {"pass"}, "queue": {queue}})
		next := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(next, "/card?") || strings.Contains(next, action[:strings.Index(action, "/card")]+"/card?") {
			t.Fatalf("signing goes on to the next card: %d %s", resp.StatusCode, next)
		}
		_, card = b.get(next)
		if flash := card.Find(".flash").Text(); !strings.Contains(flash, "已签署 "+firstName+" 的2026年11月服务卡") {
			t.Fatalf("the signature is confirmed on the next card: %q", flash)
		}
		if got := card.Find(".queue-pos").Text(); !strings.Contains(got, "第 2/25 张") {
			t.Fatalf("progress on the next card: %q", got)
		}

		// The greetings-only cards: a summary first, then signed on confirmation.
		_, sum := b.get("/inspection/sign-greetings?month=2026-11")
		if got := sum.Find(`.greetings-summary tr[data-community="` + c1 + `"] td.cards`).Text(); got != itoa(int64(greetingsOnly-1)) && got != itoa(int64(greetingsOnly)) {
			t.Fatalf("summary of greetings-only cards: %q (made %d)", got, greetingsOnly)
		}
		if !strings.Contains(sum.Find(".greetings-meaning").Text(), "敲门问候") {
			t.Fatal("the summary says what the flag means")
		}
		resp, _ = b.post("/inspection/sign-greetings", url.Values{"csrf": {csrf}, "month": {"2026-11"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "bulk=") {
			t.Fatalf("bulk greetings signing: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		rows, _ := db.Inspection(ctx, f.Station, "2026-11", f.C1.ID)
		for _, r := range rows {
			if r.Flags().GreetingsOnly() && !r.Signed {
				t.Errorf("%s is greetings-only and still unsigned", r.Name)
			}
			if r.Flags().Unverified > 0 && r.Signed {
				t.Errorf("%s has a service without proof and was signed", r.Name)
			}
		}
		if status, _ := b.get("/inspection?month=2026-11&flag=bogus"); status != http.StatusUnprocessableEntity {
			t.Fatalf("an unknown flag: %d", status)
		}
	})
}
