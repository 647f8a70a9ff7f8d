package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// formCase is one form submitted with invalid input: the page that comes
// back must keep what was typed, mark each invalid field and move focus to
// the first one.
type formCase struct {
	name    string
	user    string
	post    func(f *storetest.Fixture) string
	form    func(f *storetest.Fixture) url.Values
	invalid []string          // fields that must be marked
	kept    map[string]string // a typed value the page must show again
}

func formCases() []formCase {
	return []formCase{
		{name: "standards: a past effective date", user: "station", post: func(*storetest.Fixture) string { return "/standards" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"code": {"neighbour_weekly_chat"}, "role": {"neighbour"}, "period": {"iso_week"},
					"required": {"4"}, "counts": {"spirit/chat"}, "effective_from": {"2026-11-01"}}
			},
			invalid: []string{"effective_from"}, kept: map[string]string{"effective_from": "2026-11-01", "required": "4"}},
		{name: "standards: a date that is no date", user: "station", post: func(*storetest.Fixture) string { return "/standards" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"new": {"1"}, "code": {"walk_club"}, "role": {"neighbour"}, "period": {"month"},
					"required": {"2"}, "counts": {"spirit/walk"}, "effective_from": {"2026-13-40"}}
			},
			invalid: []string{"effective_from"}, kept: map[string]string{"code": "walk_club", "effective_from": "2026-13-40"}},
		{name: "standards: the engine refuses (no service counted, no times)", user: "station", post: func(*storetest.Fixture) string { return "/standards" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"new": {"1"}, "code": {"walk_two"}, "role": {"neighbour"}, "period": {"month"},
					"required": {"0"}, "effective_from": {"2030-01-01"}}
			},
			invalid: []string{"required", "counts"}, kept: map[string]string{"code": "walk_two", "required": "0", "effective_from": "2030-01-01"}},
		{name: "festivals: a past effective date", user: "station", post: func(*storetest.Fixture) string { return "/standards/festivals" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"code": {"laba"}, "name": {"腊八节"}, "calendar": {"lunar"}, "month": {"12"}, "day": {"8"}, "effective_from": {"2026-01-01"}}
			},
			invalid: []string{"effective_from"}, kept: map[string]string{"name": "腊八节", "month": "12"}},
		{name: "festivals: a day that does not exist", user: "station", post: func(*storetest.Fixture) string { return "/standards/festivals" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"code": {"odd_day"}, "name": {"怪日子"}, "calendar": {"solar"}, "month": {"2"}, "day": {"31"}, "effective_from": {"2030-01-01"}}
			},
			invalid: []string{"day"}, kept: map[string]string{"name": "怪日子", "day": "31", "code": "odd_day"}},
		{name: "elders: a bad phone and no building", user: "c1", post: func(*storetest.Fixture) string { return "/elders" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"name": {"钱德明"}, "gender": {"male"}, "birth_date": {"1942-08-15"}, "community_id": {itoa(f.C1.ID)},
					"living_situation": {"alone"}, "self_care": {"independent"}, "status": {"active"}, "phone": {"12"}}
			},
			invalid: []string{"building", "phone"}, kept: map[string]string{"name": "钱德明", "phone": "12"}},
		{name: "elders: edit with a bad birth date", user: "c1", post: func(f *storetest.Fixture) string { return "/elders/" + itoa(f.Elder1.ID) },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"name": {"改名"}, "gender": {"male"}, "birth_date": {"1942-02-31"}, "community_id": {itoa(f.C1.ID)},
					"building": {"1栋"}, "living_situation": {"alone"}, "self_care": {"independent"}, "status": {"active"}}
			},
			invalid: []string{"birth_date"}, kept: map[string]string{"name": "改名"}},
		{name: "volunteers: no phone, a bad capacity", user: "c1", post: func(*storetest.Fixture) string { return "/volunteers" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"name": {"孙志远"}, "gender": {"male"}, "birth_date": {"1980-01-01"}, "kind": {"neighbour"},
					"community_id": {itoa(f.C1.ID)}, "capacity": {"99"}, "status": {"active"}}
			},
			invalid: []string{"capacity"}, kept: map[string]string{"name": "孙志远", "capacity": "99"}},
		{name: "communities: no name", user: "station", post: func(*storetest.Fixture) string { return "/org/communities" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"street_id": {itoa(f.Street.ID)}, "name": {""}, "code": {"c9"}, "buildings": {"1栋"}}
			},
			invalid: []string{"name"}, kept: map[string]string{"code": "c9"}},
		{name: "clinics: a bad phone", user: "station", post: func(*storetest.Fixture) string { return "/org/clinics" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"street_id": {itoa(f.Street.ID)}, "name": {"第二卫生站"}, "phone": {"123"}, "address": {"和平路1号"}}
			},
			invalid: []string{"phone"}, kept: map[string]string{"name": "第二卫生站", "phone": "123"}},
		{name: "accounts: no user name", user: "admin", post: func(*storetest.Fixture) string { return "/users" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"username": {""}, "display_name": {"王站长"}, "role": {"station"}, "street_id": {itoa(f.Street.ID)}}
			},
			invalid: []string{"username"}, kept: map[string]string{"display_name": "王站长"}},
		{name: "reminders: an unknown placeholder", user: "station", post: func(*storetest.Fixture) string { return "/reminders/weekly_chat" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"action": {"save"}, "text": {"请和{elder}聊聊{nothing}"}}
			},
			invalid: []string{"text"}, kept: map[string]string{"text": "请和{elder}聊聊{nothing}"}},
		{name: "services: a time that is no time", user: "c1", post: func(f *storetest.Fixture) string { return "/elders/" + itoa(f.Elder1.ID) + "/services" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"what": {"spirit/chat"}, "at": {"昨天下午"}, "note": {"聊了家常"}, "source": {"paper"}, "key": {"k-form-errors-1"}}
			},
			invalid: []string{"at"}, kept: map[string]string{"note": "聊了家常", "at": "昨天下午"}},
		{name: "pairing: a start date that is no date", user: "c1", post: func(f *storetest.Fixture) string { return "/elders/" + itoa(f.Elder2.ID) + "/pairings" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"volunteer_id": {itoa(f.Vol2.ID)}, "started_on": {"2026-02-30"}, "responsible": {"1"}}
			},
			invalid: []string{"started_on"}, kept: map[string]string{"started_on": "2026-02-30"}},
		{name: "leaving: no reason, a bad date", user: "c1", post: func(f *storetest.Fixture) string { return "/volunteers/" + itoa(f.Vol1.ID) + "/leave" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"left_on": {"2026-13-01"}, "reason": {""}}
			},
			invalid: []string{"left_on"}, kept: map[string]string{"left_on": "2026-13-01"}},
		{name: "volunteers: edit with a bad phone", user: "c1", post: func(f *storetest.Fixture) string { return "/volunteers/" + itoa(f.Vol1.ID) },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"name": {"改过的名字"}, "gender": {"male"}, "birth_date": {"1960-01-01"}, "kind": {"neighbour"},
					"community_id": {itoa(f.C1.ID)}, "capacity": {"3"}, "status": {"active"}, "phone": {"999"}, "address": {"幸福里9栋"}}
			},
			invalid: []string{"phone"}, kept: map[string]string{"name": "改过的名字", "phone": "999", "address": "幸福里9栋"}},
		{name: "duty roster: a time that is no time", user: "c1", post: func(*storetest.Fixture) string { return "/duty" },
			form: func(f *storetest.Fixture) url.Values {
				return url.Values{"community_id": {itoa(f.C1.ID)}, "shifts[0].weekday": {"1"}, "shifts[0].from": {"8点"},
					"shifts[0].to": {"18:00"}, "shifts[0].user_id": {itoa(f.Comm1.UserID)}}
			},
			invalid: []string{"shifts[0].from"}, kept: map[string]string{"shifts[0].from": "8点", "shifts[0].to": "18:00"}},
		{name: "escalation policy: a time that is no time", user: "station", post: func(*storetest.Fixture) string { return "/escalation-policy" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"reminder_at": {"25:99"}, "family_after_minutes": {"30"}, "station_after_minutes": {"60"}, "emergency_after_minutes": {"15"}}
			},
			invalid: []string{"reminder_at"}, kept: map[string]string{"reminder_at": "25:99", "family_after_minutes": "30"}},
		{name: "account: the two passwords differ", user: "c1", post: func(*storetest.Fixture) string { return "/account/password" },
			form: func(*storetest.Fixture) url.Values {
				return url.Values{"current": {storetest.Password}, "new": {"a-long-new-passphrase-1"}, "confirm": {"another-passphrase-2"}}
			},
			invalid: []string{"confirm"}},
	}
}

func TestEveryFormMarksItsErrorsAndKeepsTheInput(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		if err := db.CreateUser(context.Background(), f.Admin, &care.User{Username: "admin", Role: care.RoleAdmin}, storetest.Password); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		browsers := map[string]*browser{}
		csrfs := map[string]string{}
		for _, c := range formCases() {
			t.Run(c.name, func(t *testing.T) {
				b, ok := browsers[c.user]
				if !ok {
					b = newBrowser(t, srv)
					browsers[c.user], csrfs[c.user] = b, b.login(c.user)
				}
				form := c.form(f)
				form.Set("csrf", csrfs[c.user])
				resp, doc := b.post(c.post(f), form)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %s", resp.StatusCode, doc.Find(".error-line").Text())
				}
				checkMarked(t, doc, c.invalid)
				for _, name := range c.invalid {
					want, ok := c.kept[name]
					if !ok {
						continue
					}
					ctl := doc.Find(`[aria-invalid=true]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
						return s.AttrOr("name", "") == name
					})
					if ctl.AttrOr("value", ctl.Text()) != want {
						t.Errorf("the field marked %s is not the one of the refused form (value %q, typed %q)", name, ctl.AttrOr("value", ctl.Text()), want)
					}
				}
				for name, want := range c.kept {
					ctl := doc.Find(`[name="` + name + `"][aria-invalid], [name="` + name + `"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
						return s.AttrOr("value", "") == want || s.Text() == want
					})
					if ctl.Length() == 0 {
						t.Errorf("the typed %s %q is lost", name, want)
					}
				}
			})
		}
	})
}

// checkMarked checks that each field is marked invalid with its message
// linked, that exactly one control has autofocus and it is the first
// invalid one, and that it is not hidden in a closed <details>.
func checkMarked(t *testing.T, doc *goquery.Document, fields []string) {
	t.Helper()
	invalid := doc.Find(`[aria-invalid=true]`)
	for _, name := range fields {
		ctl := invalid.FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.AttrOr("name", "") == name || s.Closest(`[data-field="`+name+`"]`).Length() > 0
		})
		if ctl.Length() != 1 {
			t.Errorf("field %s: %d controls marked invalid (page error %q)", name, ctl.Length(), doc.Find(".error-line").Text())
			continue
		}
		id := strings.Fields(ctl.AttrOr("aria-describedby", ""))
		if len(id) == 0 || strings.TrimSpace(doc.Find("#"+id[len(id)-1]).Text()) == "" {
			t.Errorf("field %s: aria-describedby %q names no message", name, id)
		}
	}
	focus := doc.Find(`[autofocus]`)
	if focus.Length() != 1 || focus.AttrOr("aria-invalid", "") != "true" || !focus.IsSelection(invalid.First()) {
		t.Errorf("autofocus on %d elements, want the first invalid field (%s)", focus.Length(), invalid.First().AttrOr("name", ""))
	}
	focus.ParentsFiltered("details").Each(func(_ int, d *goquery.Selection) {
		if _, open := d.Attr("open"); !open {
			t.Error("the first invalid field is in a closed <details>")
		}
	})
}

// TestAmendmentRefusedKeepsItsInput refuses a correction without a reason
// on the card: the correction form of that record comes back open, its
// note kept, its reason field marked and focused, described by the reason
// in the page's error line.
func TestAmendmentRefusedKeepsItsInput(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: db.Now().Add(-time.Hour), Note: "聊天"}
		if err := db.AddService(context.Background(), f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		b.login("v1")
		_, card := b.get("/elders/" + itoa(f.Elder1.ID) + "/card?month=" + rec.Month)
		forms := card.Find(`form[action*="/card/amend/"]`)
		if forms.Length() < 1 {
			t.Fatal("the volunteer may correct their own records on the card")
		}
		second := forms.Last()
		action := second.AttrOr("action", "")
		form := url.Values{"csrf": {csrfOf(card)}, "month": {rec.Month}, "idempotency_key": {second.Find(`[name=idempotency_key]`).AttrOr("value", "")},
			"reason": {""}, "note": {"更正后的备注"}}
		resp, doc := b.post(action, form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		refused := doc.Find(`form[action="` + action + `"]`)
		if v := refused.Find(`[name=note]`).AttrOr("value", ""); v != "更正后的备注" {
			t.Errorf("the note typed is lost: %q", v)
		}
		reason := refused.Find(`[name=reason]`)
		if reason.AttrOr("aria-invalid", "") != "true" || reason.AttrOr("autofocus", "x") != "" || reason.AttrOr("aria-describedby", "") != "page-error" {
			t.Errorf("the reason field is not marked and focused: %v", reason.Nodes[0].Attr)
		}
		if _, open := refused.Closest("details").Attr("open"); !open {
			t.Error("the refused correction form stays closed")
		}
		if doc.Find(`#page-error`).Text() == "" || doc.Find(`[aria-invalid=true]`).Length() != 1 {
			t.Errorf("the reason in the error line, one field marked: %q", doc.Find(".error-line").Text())
		}
	})
}
