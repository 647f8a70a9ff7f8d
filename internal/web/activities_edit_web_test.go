package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/activity"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestActivityEditAndCancel: staff change a planned activity from its page
// (a bad change is refused at its field and changes nothing) and call it
// off with a confirmation; it is kept, cancelled, and no longer editable;
// a volunteer may do neither.
func TestActivityEditAndCancel(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		x := todayActivity(t, db, f, 5)
		id := itoa(x.ID)
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		_, doc := c1.get("/activities/" + id)
		if doc.Find(`#edit-activity[href="/activities/`+id+`/edit"]`).Length() != 1 || doc.Find("#cancel-activity form").Length() != 1 {
			t.Fatalf("staff see 修改活动 and 取消活动: %q", doc.Find("main").Text())
		}
		code, doc := c1.get("/activities/" + id + "/edit")
		if code != http.StatusOK || doc.Find(`input[name=theme]`).AttrOr("value", "") != "重阳节包饺子" ||
			doc.Find(`form.activity-form`).AttrOr("action", "") != "/activities/"+id+"/edit" {
			t.Fatalf("the edit form: %d %q", code, doc.Find("main").Text())
		}
		form := url.Values{"csrf": {csrf}, "theme": {""}, "date": {x.Date.Format("2006-01-02")}, "start_time": {"14:00"}, "end_time": {"16:30"},
			"place": {"社区大礼堂"}, "cap": {"8"}}
		resp, doc := c1.post("/activities/"+id+"/edit", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=theme] .field-error`).Length() == 0 {
			t.Fatalf("no theme: %d %q", resp.StatusCode, doc.Find("main").Text())
		}
		if det, _ := db.ActivityDetail(t.Context(), f.Comm1, x.ID); det.Activity.Place != "社区活动室" {
			t.Fatalf("a refused change was stored: %+v", det.Activity)
		}
		form.Set("theme", "重阳节包饺子和写寿字")
		resp, _ = c1.post("/activities/"+id+"/edit", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", resp.StatusCode)
		}
		_, doc = c1.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Find(".notice").Text(), "已保存修改") || !strings.Contains(doc.Find("h1").Text(), "写寿字") ||
			!strings.Contains(doc.Find(".facts").Text(), "社区大礼堂") || !strings.Contains(doc.Find(".facts").Text(), "16:30") {
			t.Fatalf("after the change: %q", doc.Find("main").Text())
		}

		vol := newBrowser(t, srv)
		vcsrf := vol.login("v1")
		if code, _ := vol.get("/activities/" + id + "/edit"); code != http.StatusForbidden {
			t.Fatalf("a volunteer edits: %d", code)
		}
		if resp, _ := vol.post("/activities/"+id+"/cancel", url.Values{"csrf": {vcsrf}, "confirm": {"1"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a volunteer cancels: %d", resp.StatusCode)
		}

		resp, doc = c1.post("/activities/"+id+"/cancel", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`#cancel-activity [data-field=confirm] .field-error`).Length() == 0 {
			t.Fatalf("cancel unconfirmed: %d", resp.StatusCode)
		}
		resp, _ = c1.post("/activities/"+id+"/cancel", url.Values{"csrf": {csrf}, "confirm": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", resp.StatusCode)
		}
		_, doc = c1.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Find(".notice").Text(), "活动已取消") || doc.Find("#edit-activity, #cancel-activity").Length() != 0 {
			t.Fatalf("after cancelling: %q", doc.Find("main").Text())
		}
		det, err := db.ActivityDetail(t.Context(), f.Comm1, x.ID)
		if err != nil || det.Activity.Status != activity.StatusCancelled || len(det.Checklist) != 2 {
			t.Fatalf("kept, cancelled: %+v %v", det, err)
		}
		if resp, _ := c1.post("/activities/"+id+"/edit", form); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a cancelled activity changed: %d", resp.StatusCode)
		}
	})
}
