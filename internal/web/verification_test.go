package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestScanPageTakesOnlyTheMonthsCard: the card prints this month's code;
// scanned, it opens the greeting verified by the card; last month's card
// and a first-generation code are refused with the reason.
func TestScanPageTakesOnlyTheMonthsCard(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		staff := newBrowser(t, srv)
		staff.login("c1")
		_, card := staff.get("/elders/" + itoa(f.Elder1.ID) + "/card?month=2026-11")
		if cap := card.Find("figure.qr figcaption").Text(); !strings.Contains(cap, "2026-11") {
			t.Fatalf("the printed code says its month: %q", cap)
		}
		nov, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		oct, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-10")
		v := newBrowser(t, srv)
		csrf := v.login("v1")
		status, doc := v.get("/scan/" + nov)
		if status != http.StatusOK || doc.Find(`input[name="code"][value="`+nov+`"]`).Length() == 0 {
			t.Fatalf("this month's card opens the greeting: %d", status)
		}
		resp, _ := v.post("/today/"+itoa(f.Elder1.ID)+"/greeting", url.Values{"csrf": {csrf}, "code": {nov}, "idempotency_key": {"scan-test-1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("greeting by this month's card: %d", resp.StatusCode)
		}
		if c, err := db.GetCard(ctx, f.Comm1, f.Elder1.ID, "2026-11"); err != nil || len(c.Entries) != 1 || c.Entries[0].Method != "qr" || !c.Entries[0].Verified {
			t.Fatalf("the greeting is verified by the card: %v", err)
		}
		resp, doc = v.post("/today/"+itoa(f.Elder1.ID)+"/greeting", url.Values{"csrf": {csrf}, "code": {oct}, "idempotency_key": {"scan-test-2"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("main").Text(), "2026-10") {
			t.Fatalf("a greeting with last month's code is refused: %d %q", resp.StatusCode, doc.Find("main").Text())
		}
		if status, doc := v.get("/scan/" + oct); status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("main").Text(), "2026-10") {
			t.Fatalf("last month's card is refused and says why: %d %q", status, doc.Find("main").Text())
		}
		if status, doc := v.get("/scan/cc1." + itoa(f.Elder1.ID) + ".1.0123456789abcdef0123"); status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("main").Text(), "旧版") {
			t.Fatalf("an old code is refused and says why: %d %q", status, doc.Find("main").Text())
		}
	})
}
