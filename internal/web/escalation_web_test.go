package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestAlertPageShowsTheEscalation: the alert's page lists each step of its
// chain (步骤、通知对象、方式、时间、状态) and why it stopped; the station
// sets the chain on /reminders, a bad field comes back named, community
// staff read it.
func TestAlertPageShowsTheEscalation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		at := func(hh, mm int) time.Time {
			tm := time.Date(2026, 11, 29, hh, mm, 0, 0, db.Loc)
			db.Now = func() time.Time { return tm }
			return tm
		}
		if _, err := db.RaiseNotGreetedAlerts(ctx, at(20, 0), "alert_job"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AdvanceEscalations(ctx, at(21, 0)); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("c1")
		list, err := db.Alerts(ctx, f.Comm1, store.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, a := range list {
			if a.ElderID == f.Elder1.ID {
				id = itoa(a.ID)
			}
		}
		_, page := b.get("/alerts/" + id)
		table := page.Find("#escalation table.escalation-steps")
		if head := table.Find("thead").Text(); !strings.Contains(head, "步骤") || !strings.Contains(head, "通知对象") || !strings.Contains(head, "状态") {
			t.Fatalf("the table's head: %q", head)
		}
		rows := table.Find("tbody tr")
		if rows.Length() != 3 {
			t.Fatalf("three messages: %q", table.Text())
		}
		family := rows.Filter(`[data-step=family]`)
		if txt := family.Text(); !strings.Contains(txt, "张伟") || !strings.Contains(txt, "短信") || !strings.Contains(txt, "待发送") ||
			!strings.Contains(txt, "2026-11-29 21:00") || !strings.Contains(txt, "通知家属") {
			t.Fatalf("the family's SMS: %q", txt)
		}
		if rows.Filter(`[data-step=alert][data-status=delivered]`).Length() != 2 {
			t.Fatalf("the alert to c1 and the responsible volunteer, delivered: %q", table.Text())
		}
		at(21, 5)
		if resp, _ := b.post("/alerts/"+id+"/ack", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", resp.StatusCode)
		}
		_, page = b.get("/alerts/" + id)
		if page.Find("#escalation .escalation-stopped").Length() != 1 || page.Find(`#escalation tr[data-step=stopped]`).Length() != 3 {
			t.Fatalf("stopped, those told told: %q", page.Find("#escalation").Text())
		}

		// Community staff read the chain; only the station has the form.
		_, rem := b.get("/reminders")
		if rem.Find("#escalation form").Length() != 0 || !strings.Contains(rem.Find("#escalation .reminder-at").Text(), "18:00") {
			t.Fatalf("community staff read it: %q", rem.Find("#escalation").Text())
		}
		st := newBrowser(t, srv)
		csrf = st.login("station")
		resp, doc := st.post("/escalation-policy", url.Values{"csrf": {csrf}, "reminder_at": {"25:00"}, "family_after_minutes": {"abc"},
			"station_after_minutes": {"60"}, "emergency_after_minutes": {"15"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`#escalation label[data-field=reminder_at].has-error .field-error`).Length() != 1 ||
			doc.Find(`#escalation label[data-field=family_after_minutes].has-error`).Length() != 1 ||
			doc.Find(`#escalation input[name=family_after_minutes]`).AttrOr("value", "") != "abc" {
			t.Fatalf("each bad field named, as typed: %d %q", resp.StatusCode, doc.Find("#escalation").Text())
		}
		if resp, _ := st.post("/escalation-policy", url.Values{"csrf": {csrf}, "reminder_at": {"17:30"}, "family_after_minutes": {"45"},
			"station_after_minutes": {"30"}, "emergency_after_minutes": {"10"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, rem = st.get("/reminders?saved=escalation")
		if rem.Find("#escalation .flash").Length() != 1 || rem.Find(`#escalation input[name=reminder_at]`).AttrOr("value", "") != "17:30" {
			t.Fatalf("saved: %q", rem.Find("#escalation").Text())
		}
		if resp, _ := b.post("/escalation-policy", url.Values{"csrf": {csrf}, "reminder_at": {"17:00"}}); resp.StatusCode < 400 {
			t.Fatalf("community staff cannot set it: %d", resp.StatusCode)
		}
	})
}
