package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func TestPaperRecordSignAndLockOnTheWeb(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		// November has ended: its cards can be signed.
		storetest.MonthEnded(db)
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		elder := "/elders/" + itoa(f.Elder1.ID)
		form := url.Values{"csrf": {csrf}, "what": {"spirit/chat"}, "at": {"2026-11-28T15:00"}, "note": {"聊家常"},
			"volunteer_id": {itoa(f.Vol1.ID)}, "source": {"paper"}}
		resp, _ := c1.post(elder+"/services", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("paper record: %d", resp.StatusCode)
		}
		_, card := c1.get(elder + "/card?month=2026-11")
		if row := card.Find(".card-records tbody tr").First().Text(); !strings.Contains(row, "聊天交流") || !strings.Contains(row, "据纸质服务卡录入") {
			t.Fatalf("card row: %q", row)
		}
		if card.Find(`form[action$="/card/sign"]`).Length() != 0 {
			t.Fatal("community staff do not sign cards")
		}
		st := newBrowser(t, srv)
		csrfS := st.login("station")
		_, insp := st.get("/inspection?month=2026-11")
		if got := insp.Find("#community-" + itoa(f.C1.ID) + " .progress-count").Text(); got != "0 / 2" {
			t.Fatalf("inspection progress: %q", got)
		}
		resp, _ = st.post(elder+"/card/sign", url.Values{"csrf": {csrfS}, "month": {"2026-11"}, "result": {"pass"}, "comment": {"好"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign: %d", resp.StatusCode)
		}
		form.Set("at", "2026-11-28T16:00")
		resp, doc := c1.post(elder+"/services", form)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(".error-line").Text(), "签字") {
			t.Fatalf("a record into a signed month is refused with a reason: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		_, card = st.get(elder + "/card?month=2026-11")
		if !strings.Contains(card.Find(".signature").Text(), "合格") {
			t.Fatalf("signature on the card: %q", card.Find(".signature").Text())
		}
	})
}

func TestEmergencyShowsAtTheTopOfTheCommunityPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "emergency", Type: "emergency_help", At: db.Now(), Note: "老人在家摔倒"}
		if err := db.AddService(context.Background(), f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, newServer(t, db))
		b.login("c1")
		_, home := b.get("/")
		first := home.Find("main > section").First()
		if !first.HasClass("urgent-box") || !strings.Contains(first.Text(), "老人在家摔倒") {
			t.Fatalf("the urgent case leads the page: %q", first.Text())
		}
		other := newBrowser(t, newServer(t, db))
		other.login("c2")
		if _, h := other.get("/"); h.Find(".urgent-box").Length() != 0 {
			t.Fatal("another community does not see it")
		}
	})
}
