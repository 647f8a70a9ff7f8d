package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestBellAndInbox: every page carries a bell with the unread count; the
// inbox lists the person's messages, newest first, in large readable
// type, and marks them read (in Chinese, and in English when chosen).
func TestBellAndInbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		for i, text := range []string{"王秀英今天还没有被问候，请上门看看", "应急求助：陈建国家中需要帮助"} {
			kind := []notify.Kind{notify.KindMissedGreeting, notify.KindEmergency}[i]
			m := notify.Message{ID: "web-" + string(rune('a'+i)), Kind: kind, Channel: notify.ChannelInbox,
				To: notify.Recipient{UserID: f.Comm1.UserID}, Text: text, ElderID: f.Elder1.ID, CreatedAt: db.Now().Add(-time.Duration(2-i) * time.Minute)}
			if err := db.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Enqueue(ctx, notify.Message{ID: "web-c2", Kind: notify.KindReminder, Channel: notify.ChannelInbox,
			To: notify.Recipient{UserID: f.Comm2.UserID}, Text: "别人的消息"}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("c1")
		for _, path := range []string{"/elders", "/account", "/duty"} {
			_, doc := b.get(path)
			if got := strings.TrimSpace(doc.Find("header #bell .count").Text()); got != "2" {
				t.Fatalf("%s: the bell shows %q, want 2", path, got)
			}
		}
		status, doc := b.get("/inbox")
		items := doc.Find("#inbox li[data-id]")
		if status != 200 || items.Length() != 2 || doc.Find("#inbox li.is-unread").Length() != 2 {
			t.Fatalf("inbox: %d, %d items", status, items.Length())
		}
		if id, _ := items.First().Attr("data-id"); id != "web-b" || !strings.Contains(items.First().Find(".kind-emergency").Text(), "应急求助") {
			t.Fatalf("newest first with its kind: %s %q", id, items.First().Text())
		}
		if strings.Contains(doc.Text(), "别人的消息") {
			t.Fatal("another person's message is shown")
		}
		resp, _ := b.post("/inbox/web-a/read", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark read: %d", resp.StatusCode)
		}
		_, doc = b.get("/inbox")
		if doc.Find("#inbox li.is-unread").Length() != 1 || doc.Find(`#m-web-a.is-unread`).Length() != 0 || strings.TrimSpace(doc.Find("#bell .count").Text()) != "1" {
			t.Fatalf("after reading one: bell %q", doc.Find("#bell .count").Text())
		}
		if resp, _ := b.post("/inbox/web-c2/read", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another's message: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/inbox/web-b/read", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("without the CSRF token: %d", resp.StatusCode)
		}
		b.post("/prefs", url.Values{"csrf": {csrf}, "lang": {"en"}})
		_, doc = b.get("/inbox")
		if !strings.Contains(doc.Find("h1").Text(), "Messages") || !strings.Contains(doc.Find("#inbox").Text(), "Mark read") {
			t.Fatalf("English: %q", doc.Find("main").Text())
		}
		resp, _ = b.post("/inbox/read-all", url.Values{"csrf": {csrf}})
		_, doc = b.get("/elders")
		if resp.StatusCode != http.StatusSeeOther || doc.Find("#bell .count").Length() != 0 {
			t.Fatalf("all read: %d, bell %q", resp.StatusCode, doc.Find("#bell .count").Text())
		}
	})
}

// TestAccountNotificationSettings: /account sets the channels and quiet
// hours; a wrong form comes back with each field's reason in Chinese and
// what was typed, and saves nothing.
func TestAccountNotificationSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("v1")
		resp, doc := b.post("/account/notifications", url.Values{"csrf": {csrf}, "phone": {"123"}, "sms": {"1"}, "mail": {"1"},
			"email": {"li@"}, "quiet_from": {"22:00"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", resp.StatusCode)
		}
		for field, want := range map[string]string{"phone": "电话号码", "email": "邮箱", "quiet_to": "同时填写"} {
			if got := doc.Find(`#notify-form [data-field="` + field + `"] .field-error`).Text(); !strings.Contains(got, want) {
				t.Errorf("%s: error %q, want %q", field, got, want)
			}
		}
		if v, _ := doc.Find(`#notify-form input[name=email]`).Attr("value"); v != "li@" {
			t.Errorf("the typed address is kept: %q", v)
		}
		if s, _ := db.NotifySettings(context.Background(), f.Volunteer.UserID); s != (notify.Settings{}) {
			t.Fatalf("a refused form saved: %+v", s)
		}
		resp, doc = b.post("/account/notifications", url.Values{"csrf": {csrf}, "phone": {"137 0000 0001"}, "sms": {"1"},
			"quiet_from": {"22:00"}, "quiet_to": {"07:00"}})
		if resp.StatusCode != http.StatusOK || doc.Find(".flash").Length() != 1 {
			t.Fatalf("good form: %d", resp.StatusCode)
		}
		_, doc = b.get("/account")
		if v, _ := doc.Find(`#notify-form input[name=phone]`).Attr("value"); v != "13700000001" {
			t.Errorf("phone shown: %q", v)
		}
		if _, ok := doc.Find(`#notify-form input[name=sms]`).Attr("checked"); !ok {
			t.Error("SMS is on")
		}
		if v, _ := doc.Find(`#notify-form input[name=quiet_to]`).Attr("value"); v != "07:00" {
			t.Errorf("quiet hours shown: %q", v)
		}
	})
}

// TestDutyPage: community staff keep their roster on /duty; an error
// shows beside its own row even after blank and deleted rows; the station
// picks a community; other roles may not.
func TestDutyPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("c1")
		status, doc := b.get("/duty")
		if status != 200 || doc.Find(`#duty-form select[name="shifts[0].user_id"] option`).Length() != 2 {
			t.Fatalf("duty page: %d", status)
		}
		if !strings.Contains(doc.Find("#on-duty").Text(), "c1") {
			t.Fatalf("nobody rostered: everyone (c1) is told: %q", doc.Find("#on-duty").Text())
		}
		uid := itoa(f.Comm1.UserID)
		form := url.Values{"csrf": {csrf}, "community_id": {itoa(f.C1.ID)},
			"shifts[0].weekday": {"7"}, "shifts[0].from": {"08:00"}, "shifts[0].to": {"20:00"}, "shifts[0].user_id": {uid},
			"shifts[1].weekday": {"1"}, "shifts[1].from": {""}, "shifts[1].to": {""}, "shifts[1].user_id": {""},
			"exceptions[0].from": {"2026-12-24"}, "exceptions[0].to": {"2026-12-26"}, "exceptions[0].replaces_user_id": {uid}, "exceptions[0].user_id": {"0"}, "exceptions[0].note": {"休假"}}
		resp, _ := b.post("/duty", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, doc = b.get(resp.Header.Get("Location"))
		if doc.Find(".flash").Length() != 1 || doc.Find(`input[name="shifts[0].from"]`).AttrOr("value", "") != "08:00" ||
			doc.Find(`input[name="exceptions[0].note"]`).AttrOr("value", "") != "休假" {
			t.Fatal("the saved roster is shown")
		}
		// Row 0 deleted, row 1 blank, row 2 wrong: the error is on row 2.
		form.Set("shifts[0].delete", "1")
		form.Set("shifts[2].weekday", "3")
		form.Set("shifts[2].from", "9点")
		form.Set("shifts[2].to", "12:00")
		form.Set("shifts[2].user_id", uid)
		resp, doc = b.post("/duty", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-field="shifts[2].from"] .field-error`).Text(), "时间格式") {
			t.Fatalf("error beside its row: %d %q", resp.StatusCode, doc.Find(".field-error").Text())
		}
		if doc.Find(`input[name="shifts[2].from"]`).AttrOr("value", "") != "9点" {
			t.Error("the typed value is kept")
		}
		if _, doc := b.get("/duty"); doc.Find(`input[name="shifts[0].from"]`).AttrOr("value", "") != "08:00" {
			t.Error("a refused form changed the roster")
		}
		// The station picks community 2; a volunteer may not see the page.
		st := newBrowser(t, srv)
		st.login("station")
		if status, doc := st.get("/duty?community_id=" + itoa(f.C2.ID)); status != 200 || !strings.Contains(doc.Find("h1").Text(), f.C2.Name) {
			t.Fatalf("station: %d %q", status, doc.Find("h1").Text())
		}
		v := newBrowser(t, srv)
		v.login("v1")
		if status, _ := v.get("/duty"); status != http.StatusForbidden {
			t.Fatalf("volunteer: %d", status)
		}
		c2 := newBrowser(t, srv)
		c2.login("c2")
		if status, _ := c2.get("/duty?community_id=" + itoa(f.C1.ID)); status != http.StatusNotFound {
			t.Fatalf("community 2 on community 1's roster: %d", status)
		}
	})
}
