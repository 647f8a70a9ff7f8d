package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/reminder"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestRemindersPage: the station sees every kind with when, to whom and
// its placeholders, previews typed wording without saving it, saves it
// (the card says so), and a bad text comes back in its card with the
// reason; community staff read the wording; a volunteer may not see it.
func TestRemindersPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("station")
		status, doc := b.get("/")
		if status != 200 || doc.Find(`header a[href="/reminders"]`).Length() != 1 {
			t.Fatalf("the station's nav links /reminders: %d", status)
		}
		status, doc = b.get("/reminders")
		if status != 200 || doc.Find("section.reminder").Length() != len(reminder.Kinds) {
			t.Fatalf("reminders page: %d, %d cards", status, doc.Find("section.reminder").Length())
		}
		chat := doc.Find("#tpl-weekly_chat")
		if !strings.Contains(chat.Find(".when").Text(), "每周五") || !strings.Contains(chat.Find(".placeholders").Text(), "{count}") ||
			!strings.Contains(chat.Find(".preview-text").Text(), "本周还差2次聊天：王秀兰、李建国") {
			t.Fatalf("weekly chat card: %q", chat.Text())
		}
		// Preview: shown, not saved.
		form := url.Values{"csrf": {csrf}, "text": {"{elder}还差{count}次聊天"}, "action": {"preview"}}
		resp, doc := b.post("/reminders/weekly_chat", form)
		if resp.StatusCode != 200 || doc.Find("#tpl-weekly_chat .preview-text").Text() != "王秀兰、李建国还差2次聊天" ||
			!strings.Contains(doc.Find("#tpl-weekly_chat .preview").Text(), "尚未保存") {
			t.Fatalf("preview: %d %q", resp.StatusCode, doc.Find("#tpl-weekly_chat").Text())
		}
		if _, doc := b.get("/reminders"); !strings.Contains(doc.Find("#tpl-weekly_chat textarea").Text(), "本周还差") {
			t.Fatal("a preview saved the text")
		}
		// A bad text: the reason beside it, as typed, nothing saved.
		form.Set("text", "请看望{festival}")
		form.Set("action", "save")
		resp, doc = b.post("/reminders/weekly_chat", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#tpl-weekly_chat .field-error").Text(), "未知的占位符 {festival}") ||
			doc.Find("#tpl-weekly_chat textarea").Text() != "请看望{festival}" {
			t.Fatalf("refused: %d %q", resp.StatusCode, doc.Find("#tpl-weekly_chat").Text())
		}
		// Saved.
		form.Set("text", "{elder}还差{count}次聊天")
		resp, _ = b.post("/reminders/weekly_chat", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, doc = b.get(resp.Header.Get("Location"))
		card := doc.Find("#tpl-weekly_chat")
		if card.Find(".flash").Length() != 1 || card.Find("textarea").Text() != "{elder}还差{count}次聊天" || !strings.Contains(card.Find(".updated").Text(), "station") {
			t.Fatalf("after saving: %q", card.Text())
		}
		// Community staff read; they have no form.
		c := newBrowser(t, srv)
		ccsrf := c.login("c1")
		status, doc = c.get("/reminders")
		if status != 200 || doc.Find("form.reminder-form").Length() != 0 || !strings.Contains(doc.Find("#tpl-weekly_chat .text").Text(), "{elder}还差{count}次聊天") {
			t.Fatalf("community reads: %d", status)
		}
		if resp, _ := c.post("/reminders/weekly_chat", url.Values{"csrf": {ccsrf}, "text": {"x"}, "action": {"save"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("community saves: %d", resp.StatusCode)
		}
		// In English when chosen.
		c.post("/prefs", url.Values{"lang": {"en"}, "csrf": {ccsrf}})
		if _, doc := c.get("/reminders"); doc.Find("h1").Text() != "Reminders" || doc.Find("#tpl-weekly_chat h2").Text() != "Weekly chats" ||
			!strings.Contains(doc.Find("#tpl-weekly_chat .when").Text(), "Fridays") {
			t.Errorf("English: %q %q", doc.Find("h1").Text(), doc.Find("#tpl-weekly_chat h2").Text())
		}
		v := newBrowser(t, srv)
		v.login("v1")
		if status, _ := v.get("/reminders"); status != http.StatusForbidden {
			t.Fatalf("volunteer: %d", status)
		}
	})
}
