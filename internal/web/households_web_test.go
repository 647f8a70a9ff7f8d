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

	"github.com/PuerkitoBio/goquery"
)

// An elder's page shows their household (包户) with the other members.
func TestElderPageShowsHousehold(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		h := &store.Household{Name: "王陈家"}
		if err := db.CreateHousehold(context.Background(), f.Comm1, h, []int64{f.Elder1.ID, f.Elder2.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		c1.login("c1")
		code, doc := c1.get("/elders/" + itoa(f.Elder1.ID))
		got := doc.Find("dd.household").Text()
		if code != http.StatusOK || !strings.Contains(got, "王陈家") || !strings.Contains(got, f.Elder2.Name) || strings.Contains(got, f.Elder1.Name) {
			t.Fatalf("household on the elder page: %d %q", code, got)
		}
	})
}

// Community staff form a household by name, pair it as a unit and end a
// member with a reason; a bad form changes nothing and says why at the field.
func TestHouseholdPagesFormPairAndEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		if code, doc := c1.get("/households"); code != http.StatusOK || doc.Find("form.household-form").Length() != 1 {
			t.Fatalf("households page: %d", code)
		}
		// One elder only, and an elder of another community: refused.
		resp, doc := c1.post("/households", url.Values{"csrf": {csrf}, "elder.0": {f.Elder1.Name}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field="elder_ids"] .field-error`).Length() != 1 {
			t.Fatalf("one elder: %d %q", resp.StatusCode, doc.Find(".field-error").Text())
		}
		resp, doc = c1.post("/households", url.Values{"csrf": {csrf}, "elder.0": {f.Elder1.Name}, "elder.2": {"无此人"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-field="elder_ids.2"] .field-error`).Text(), "无此人") {
			t.Fatalf("unknown name: %d %q", resp.StatusCode, doc.Find(".field-error").Text())
		}
		if hs, _ := db.Households(ctx, f.Comm1, 0, true); len(hs) != 0 {
			t.Fatalf("a refused form stored a household: %v", hs)
		}
		// By name, and by "name #id".
		resp, _ = c1.post("/households", url.Values{"csrf": {csrf}, "name": {"王陈家"}, "elder.0": {f.Elder1.Name},
			"elder.1": {f.Elder2.Name + " #" + itoa(f.Elder2.ID)}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/households/") {
			t.Fatalf("create: %d %s", resp.StatusCode, loc)
		}
		hs, err := db.Households(ctx, f.Comm1, 0, false)
		if err != nil || len(hs) != 1 || len(hs[0].CurrentMembers()) != 2 {
			t.Fatalf("household: %v %v", hs, err)
		}
		path := "/households/" + itoa(hs[0].ID)
		code, doc := c1.get(loc)
		if code != http.StatusOK || !strings.Contains(doc.Find(".notice").Text(), "已建立包户") || doc.Find("tr.current").Length() != 2 {
			t.Fatalf("household page: %d %q", code, doc.Find(".notice").Text())
		}
		// Pair the whole household with the volunteer typed by name.
		resp, _ = c1.post(path+"/pair", url.Values{"csrf": {csrf}, "volunteer": {f.Vol1.Name}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("pair: %d", resp.StatusCode)
		}
		team, err := db.ElderTeam(ctx, f.Comm1, f.Elder2.ID)
		if err != nil || len(team) != 1 || team[0].VolunteerID != f.Vol1.ID {
			t.Fatalf("elder 2's team: %v %v", team, err)
		}
		resp, doc = c1.post(path+"/pair", url.Values{"csrf": {csrf}, "volunteer_id": {itoa(f.Vol1.ID)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(".field-error").Length() == 0 {
			t.Fatalf("pair again: %d", resp.StatusCode)
		}
		// Ending a member needs a reason; then the history shows it.
		resp, doc = c1.post(path+"/members/"+itoa(f.Elder2.ID)+"/end", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field="reason"] .field-error`).Length() == 0 {
			t.Fatalf("end without reason: %d", resp.StatusCode)
		}
		resp, _ = c1.post(path+"/members/"+itoa(f.Elder2.ID)+"/end", url.Values{"csrf": {csrf}, "reason": {"搬去子女家"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("end: %d", resp.StatusCode)
		}
		code, doc = c1.get(path)
		if code != http.StatusOK || doc.Find("tr.past").Length() != 2 || !strings.Contains(doc.Find("tr.past").Text(), "搬去子女家") {
			t.Fatalf("history: %d %q", code, doc.Find("table.household-members").Text())
		}
		// Another community's staff cannot open it.
		c2 := newBrowser(t, srv)
		c2.login("c2")
		if code, _ := c2.get(path); code != http.StatusNotFound {
			t.Fatalf("c2 sees the household: %d", code)
		}
	})
}

// The station sets whether a household counts once against a volunteer's
// capacity; the answer replaces the section; community staff cannot.
func TestHouseholdPolicyInPlace(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		st := newBrowser(t, srv)
		csrf := st.login("station")
		code, doc := st.get("/households")
		if code != http.StatusOK || doc.Find(`#household-policy [data-counts-once="1"]`).Length() != 1 {
			t.Fatalf("policy shown: %d", code)
		}
		hx := func(b *browser, csrf, v string) (int, string) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/households/policy", strings.NewReader(url.Values{"csrf": {csrf}, "counts_once": {v}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			d, _ := goquery.NewDocumentFromReader(resp.Body)
			h, _ := d.Html()
			return resp.StatusCode, h
		}
		if code, body := hx(st, csrf, "0"); code != http.StatusOK || !strings.Contains(body, `data-counts-once="0"`) || !strings.Contains(body, "已保存") {
			t.Fatalf("set per member: %d %s", code, body)
		}
		if on, err := db.HouseholdCountsOnce(context.Background(), f.Station); err != nil || on {
			t.Fatalf("rule: %v %v", on, err)
		}
		if code, body := hx(st, csrf, "x"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "field-error") {
			t.Fatalf("bad value: %d %s", code, body)
		}
		c1 := newBrowser(t, srv)
		c1csrf := c1.login("c1")
		if code, _ := hx(c1, c1csrf, "1"); code != http.StatusForbidden {
			t.Fatalf("community staff set the rule: %d", code)
		}
		if on, _ := db.HouseholdCountsOnce(context.Background(), f.Station); on {
			t.Fatal("the rule changed")
		}
	})
}

// The volunteer paired with a whole household records one visit for all
// of it (为全户记录): each member's card gets a record, today's page says
// so on each card, and the same form sent again stores nothing more.
func TestRecordForWholeHousehold(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		h := &store.Household{Name: "王陈家"}
		if err := db.CreateHousehold(ctx, f.Comm1, h, []int64{f.Elder1.ID, f.Elder2.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		v1 := newBrowser(t, srv)
		csrf := v1.login("v1")
		// Paired with one member only: no choice offered.
		if _, doc := v1.get("/elders/" + itoa(f.Elder1.ID) + "/services/new"); doc.Find("fieldset.household-choice").Length() != 0 {
			t.Fatal("choice offered before the household is paired")
		}
		if _, err := db.PairHousehold(ctx, f.Comm1, h.ID, f.Vol1.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, doc := v1.get("/elders/" + itoa(f.Elder1.ID) + "/services/new")
		choice := doc.Find("fieldset.household-choice")
		if choice.Length() != 1 || !strings.Contains(choice.Text(), "为全户记录") || !strings.Contains(choice.Text(), f.Elder2.Name) {
			t.Fatalf("choice: %q", choice.Text())
		}
		form := url.Values{"csrf": {csrf}, "idempotency_key": {"hh-visit-1"}, "what": {"spirit/chat"}, "for": {"household"},
			"household_id": {itoa(h.ID)}, "note": {"一起聊天"}}
		resp, _ := v1.post("/elders/"+itoa(f.Elder1.ID)+"/services", form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || strings.Count(loc, "done=") != 2 {
			t.Fatalf("record: %d %s", resp.StatusCode, loc)
		}
		code, today := v1.get(loc)
		for _, e := range []int64{f.Elder1.ID, f.Elder2.ID} {
			if n := today.Find("#elder-" + itoa(e) + " .notice").Text(); code != http.StatusOK || !strings.Contains(n, "已记录") {
				t.Fatalf("elder %d's card: %d %q", e, code, n)
			}
		}
		// Sent again (a double tap): the same records.
		resp, _ = v1.post("/elders/"+itoa(f.Elder1.ID)+"/services", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
			t.Fatalf("retry: %d %s (first %s)", resp.StatusCode, resp.Header.Get("Location"), loc)
		}
		month := db.Now().In(db.Loc).Format("2006-01")
		for _, e := range []int64{f.Elder1.ID, f.Elder2.ID} {
			c, err := db.GetCard(ctx, f.Comm1, e, month)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range c.Entries {
				if x.Type == "chat" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("elder %d has %d chats", e, n)
			}
		}
	})
}
