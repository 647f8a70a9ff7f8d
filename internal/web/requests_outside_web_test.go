package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestNearbyVolunteerCompletesOnThePhone: a request of an elder outside the
// volunteer's circle, dispatched to them from nearby, is recorded and
// completed from their phone in one step, like one of their circle's.
func TestNearbyVolunteerCompletesOnThePhone(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := t.Context()
		r := &store.Request{ElderID: f.Elder2.ID, Kind: "life", Type: "shopping", Urgency: "soon", Channel: "phone",
			WantedBy: db.Now().Add(3 * time.Hour), Note: "帮忙买药"}
		if err := db.CreateRequest(ctx, f.Comm1, r); err != nil {
			t.Fatal(err)
		}
		if err := db.Dispatch(ctx, f.Comm1, r.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		vol := newBrowser(t, srv)
		vcsrf := vol.login("v1")
		id := fmt.Sprint(r.ID)
		resp, _ := vol.post("/requests/"+id+"/accept", url.Values{"csrf": {vcsrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept: %d", resp.StatusCode)
		}
		_, doc := vol.get(resp.Header.Get("Location"))
		if doc.Find(`#done form select[name=type]`).Length() != 1 {
			t.Fatalf("the record form for an elder outside the circle: %q", doc.Find("main").Text())
		}
		resp, _ = vol.post("/requests/"+id+"/done", url.Values{"csrf": {vcsrf}, "type": {"shopping"}, "note": {"买了降压药"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("done: %d", resp.StatusCode)
		}
		_, doc = vol.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Find(".flash").Text(), "已完成") {
			t.Fatalf("after done: %q", doc.Find("main").Text())
		}
		got, err := db.GetRequest(ctx, f.Comm1, r.ID)
		if err != nil || got.Status != "done" || got.ServiceID == 0 {
			t.Fatalf("request: %+v %v", got, err)
		}
		rec, err := db.GetRecord(ctx, f.Comm1, got.ServiceID)
		if err != nil || rec.ElderID != f.Elder2.ID || rec.VolunteerID == nil || *rec.VolunteerID != f.Vol1.ID || rec.Note != "买了降压药" {
			t.Fatalf("the fulfilling record: %+v %v", rec, err)
		}
	})
}
