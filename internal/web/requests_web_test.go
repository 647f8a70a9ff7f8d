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

// TestRequestsPages: community staff record a request from the elder's
// page, see it in the list, dispatch it to the suggested volunteer (who
// and why shown); the volunteer accepts on the phone and records the
// service, and the request links to the record; every refusal shows its
// reason at its field.
func TestRequestsPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		staff := newBrowser(t, srv)
		csrf := staff.login("c1")
		// The elder's page offers 记录求助 and lists the elder's requests.
		_, doc := staff.get(fmt.Sprintf("/elders/%d", f.Elder1.ID))
		link := doc.Find(`#elder-requests a[href^="/requests/new?elder="]`)
		if link.Length() != 1 || !strings.Contains(link.Text(), "记录求助") {
			t.Fatalf("no 记录求助 on the elder's page: %q", doc.Find("main").Text())
		}
		code, doc := staff.get(link.AttrOr("href", ""))
		if code != http.StatusOK || doc.Find(`input[name=elder_id][type=hidden]`).AttrOr("value", "") != fmt.Sprint(f.Elder1.ID) {
			t.Fatalf("the form: %d", code)
		}
		if doc.Find(`select[name=type] optgroup`).Length() != 6 {
			t.Fatalf("the six kinds' sub-types: %d groups", doc.Find(`select[name=type] optgroup`).Length())
		}
		// A sub-type of another kind is refused at its field; nothing stored.
		wanted := db.Now().Add(3 * time.Hour).In(db.Loc).Format("2006-01-02T15:04")
		form := url.Values{"csrf": {csrf}, "elder_id": {fmt.Sprint(f.Elder1.ID)}, "kind": {"life"}, "type": {"legal_aid"},
			"urgency": {"urgent"}, "wanted_by": {wanted}, "channel": {"phone"}, "note": {"家属来电"}}
		resp, doc := staff.post("/requests", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=type] .field-error`).Length() == 0 {
			t.Fatalf("a sub-type of another kind: %d %q", resp.StatusCode, doc.Find("main").Text())
		}
		if rs, _ := db.Requests(t.Context(), f.Comm1, store.RequestFilter{}); len(rs) != 0 {
			t.Fatalf("a refused request was stored: %d", len(rs))
		}
		form.Set("type", "shopping")
		resp, _ = staff.post("/requests", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d", resp.StatusCode)
		}
		page := resp.Header.Get("Location")
		_, doc = staff.get(page)
		if !strings.Contains(doc.Find(".flash").Text(), "已登记求助") || !strings.Contains(doc.Find("#request-facts").Text(), "买菜购物") {
			t.Fatalf("the request page: %q", doc.Find("main").Text())
		}
		cand := doc.Find(`#dispatch label.cand`).First()
		if !strings.Contains(cand.Text(), f.Vol1.Name) || !strings.Contains(cand.Text(), "圈内") || !strings.Contains(cand.Text(), "当前负担") {
			t.Fatalf("the suggested volunteer and why: %q", cand.Text())
		}
		_, doc = staff.get("/requests")
		if doc.Find(`table.requests tbody tr`).Length() != 1 || !strings.Contains(doc.Find(`table.requests`).Text(), f.Elder1.Name) {
			t.Fatalf("the list: %q", doc.Find("main").Text())
		}
		id := strings.TrimPrefix(strings.Split(page, "?")[0], "/requests/")
		resp, doc = staff.post("/requests/"+id+"/dispatch", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=volunteer_id] .field-error`).Length() == 0 {
			t.Fatalf("dispatch to nobody: %d", resp.StatusCode)
		}
		resp, _ = staff.post("/requests/"+id+"/dispatch", url.Values{"csrf": {csrf}, "volunteer_id": {fmt.Sprint(f.Vol1.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("dispatch: %d", resp.StatusCode)
		}

		// The volunteer's phone: accept, decline needs a reason, done
		// records the service.
		vol := newBrowser(t, srv)
		vcsrf := vol.login("v1")
		_, doc = vol.get("/requests")
		card := doc.Find(`ul.mine li.req-item`)
		if card.Length() != 1 || card.Find(`form[action$="/accept"] button`).Length() != 1 {
			t.Fatalf("my requests: %q", doc.Find("main").Text())
		}
		resp, doc = vol.post("/requests/"+id+"/decline", url.Values{"csrf": {vcsrf}, "reason": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`#decline [data-field=reason] .field-error`).Length() == 0 {
			t.Fatalf("decline without a reason: %d", resp.StatusCode)
		}
		resp, _ = vol.post("/requests/"+id+"/accept", url.Values{"csrf": {vcsrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept: %d", resp.StatusCode)
		}
		_, doc = vol.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Find(".flash").Text(), "已接单") || doc.Find(`#done form select[name=type]`).Length() != 1 {
			t.Fatalf("after accepting: %q", doc.Find("main").Text())
		}
		resp, _ = vol.post("/requests/"+id+"/done", url.Values{"csrf": {vcsrf}, "type": {"shopping"}, "note": {"买了米和油"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("done: %d", resp.StatusCode)
		}
		_, doc = vol.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Find(".flash").Text(), "已完成") || doc.Find(`.service-link a[href*="#record-"]`).Length() != 1 {
			t.Fatalf("after done: %q", doc.Find("main").Text())
		}
		_, doc = staff.get("/requests/" + id)
		if !strings.Contains(doc.Find("#history").Text(), "已完成") || doc.Find(`.service-link a`).Length() != 1 {
			t.Fatalf("staff see the history and the record: %q", doc.Find("main").Text())
		}
		// The elder's list (the fragment the elder's page loads).
		_, doc = staff.get(fmt.Sprintf("/elders/%d/requests", f.Elder1.ID))
		if !strings.Contains(doc.Text(), "已完成") {
			t.Fatalf("the elder's requests: %q", doc.Text())
		}
		// Another community's staff do not see it.
		other := newBrowser(t, srv)
		other.login("c2")
		if code, _ := other.get("/requests/" + id); code != http.StatusNotFound {
			t.Fatalf("community 2 sees the request: %d", code)
		}
	})
}
