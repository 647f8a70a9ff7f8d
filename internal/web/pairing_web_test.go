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

// placeFixture puts community 1 on the map and adds a second neighbour,
// so the matcher has a choice: Vol1 (one place left) at the elders' door,
// Vol3 200 m north with one place.
func placeFixture(t *testing.T, db *store.DB, f *storetest.Fixture) care.Volunteer {
	t.Helper()
	ctx := context.Background()
	at := func(north float64) (*float64, *float64) {
		lat, lon := 32.064+north/111195, 118.772
		return &lat, &lon
	}
	v1 := f.Vol1
	v1.Lat, v1.Lon = at(0)
	if err := db.UpdateVolunteer(ctx, f.Station, &v1); err != nil {
		t.Fatal(err)
	}
	v3 := care.Volunteer{Name: "周红", Phone: "13700000003", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 1, Address: "幸福社区2栋"}
	v3.Lat, v3.Lon = at(200)
	if err := db.CreateVolunteer(ctx, f.Station, &v3); err != nil {
		t.Fatal(err)
	}
	e2, err := db.GetElder(ctx, f.Station, f.Elder2.ID)
	if err != nil {
		t.Fatal(err)
	}
	e2.Lat, e2.Lon = at(10)
	e2.Wishes.Refuse = []int64{f.Vol1.ID}
	if err := db.UpdateElder(ctx, f.Station, e2, ""); err != nil {
		t.Fatal(err)
	}
	return v3
}

func TestMatchingPageAcceptsSuggestions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		v3 := placeFixture(t, db, f)
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		status, doc := c1.get("/pairing")
		if status != http.StatusOK || doc.Find(`nav a[href="/pairing"].on`).Length() != 1 {
			t.Fatalf("pairing page: %d", status)
		}
		row := doc.Find(`#suggestions tr.suggestion[data-elder="` + itoa(f.Elder2.ID) + `"]`)
		if row.Length() != 1 || row.AttrOr("data-volunteer", "") != itoa(v3.ID) {
			t.Fatalf("Elder2 (who refuses Vol1) is offered Vol3: %q", row.Text())
		}
		if !strings.Contains(row.Find(".distance").Text(), "米") || !strings.Contains(row.Find(".reason").Text(), "邻里") {
			t.Fatalf("a suggestion says how far and why: %q / %q", row.Find(".distance").Text(), row.Find(".reason").Text())
		}
		if row.Find(`select option[value="`+itoa(f.Vol1.ID)+`"]`).Length() != 0 {
			t.Fatal("a refused volunteer is never offered")
		}
		if doc.Find(`input[name=pick][checked]`).Length() != 0 || !strings.Contains(row.Find(".need").Text(), "尚无结对志愿者") {
			t.Fatalf("nothing is pre-ticked, and each row says what the elder lacks: %q", row.Find(".need").Text())
		}
		if doc.Find(`#free-volunteers tr.free-volunteer`).Length() != 2 {
			t.Fatalf("free volunteers: %q", doc.Find("#free-volunteers").Text())
		}
		form := url.Values{"csrf": {csrf}, "elder": {itoa(f.Elder2.ID)}, "pick": {itoa(f.Elder2.ID)}, "volunteer_" + itoa(f.Elder2.ID): {itoa(f.Vol1.ID)}}
		resp, doc := c1.post("/pairing/accept", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`tr.suggestion .field-error`).Text(), "不愿") {
			t.Fatalf("editing a suggestion to a refused volunteer is refused on its row: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		form.Set("volunteer_"+itoa(f.Elder2.ID), itoa(v3.ID))
		if resp, _ := c1.post("/pairing/accept", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept: %d", resp.StatusCode)
		}
		_, doc = c1.get("/elders/" + itoa(f.Elder2.ID))
		if got := doc.Find(`#care-circle .timeline-item.current`).Text(); !strings.Contains(got, v3.Name) || !strings.Contains(got, "责任人") {
			t.Fatalf("the elder's page shows the new team: %q", got)
		}
		_, doc = c1.get("/pairing")
		if doc.Find(`#suggestions tr.suggestion`).Length() != 0 {
			t.Fatal("nobody is left to suggest")
		}
		c1.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrf}})
		if _, doc = c1.get("/pairing"); !strings.Contains(doc.Find("#suggestions h2").Text(), "Suggested pairings") ||
			!strings.Contains(doc.Find(`nav a[href="/pairing"]`).Text(), "Pairing") {
			t.Fatalf("the page in English: %q", doc.Find("#suggestions h2").Text())
		}

		c2 := newBrowser(t, srv)
		c2.login("c2")
		if _, doc := c2.get("/pairing?community_id=" + itoa(f.C1.ID)); strings.Contains(doc.Text(), f.Elder2.Name) {
			t.Fatal("another community never sees community 1's elders")
		}
		vol := newBrowser(t, srv)
		vol.login("v1")
		if status, _ := vol.get("/pairing"); status != http.StatusForbidden {
			t.Fatalf("a volunteer's matching page: %d", status)
		}
	})
}

func TestResponsibilityCardAndAgreementPrint(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		team, _ := db.ElderTeam(context.Background(), f.Comm1, f.Elder1.ID)
		pid := itoa(team[0].ID)
		status, doc := b.get("/pairings/" + pid + "/agreement")
		if status != http.StatusOK || doc.Find(`#agreement-form input[name=services][value=life][checked]`).Length() != 1 {
			t.Fatalf("without an agreement staff get the form, prefilled from the elder's needs: %d", status)
		}
		form := url.Values{"csrf": {csrf}, "services": {"life", "spirit"}, "start_on": {"2026-11-29"}, "signed_on": {"2026-11-29"},
			"sig_party": {"elder", "volunteer", "community"}, "sig_name": {f.Elder1.Name, "", "幸福社区居委会"}}
		resp, doc := b.post("/pairings/"+pid+"/agreement", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=signatories] .field-error`).Length() != 1 {
			t.Fatalf("an agreement the volunteer did not sign: %d", resp.StatusCode)
		}
		form["sig_name"] = []string{f.Elder1.Name, f.Vol1.Name, "幸福社区居委会"}
		if resp, _ := b.post("/pairings/"+pid+"/agreement", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record agreement: %d", resp.StatusCode)
		}
		_, doc = b.get("/pairings/" + pid + "/agreement")
		ag := doc.Find(`article.print-doc#agreement`)
		if ag.Length() != 1 || !strings.Contains(ag.Find(".sign-row").Text(), f.Vol1.Name) || !strings.Contains(ag.Text(), "敲门问候") {
			t.Fatalf("printed agreement: %q", ag.Text())
		}

		status, doc = b.get("/elders/" + itoa(f.Elder1.ID) + "/responsibility-card")
		card := doc.Find(`article.print-doc#responsibility-card`)
		if status != http.StatusOK || card.Length() != 1 {
			t.Fatalf("responsibility card: %d", status)
		}
		resp1 := card.Find(`.card-team tr.member.responsible`)
		if !strings.Contains(resp1.Text(), f.Vol1.Name) || !strings.Contains(resp1.Text(), f.Vol1.Phone) || !strings.Contains(resp1.Text(), "已签订") {
			t.Fatalf("the responsible person with phone and agreement: %q", resp1.Text())
		}
		if !strings.Contains(card.Find(`.card-team tr.clinic`).Text(), f.Clinic.Name) || !strings.Contains(card.Find(".card-basic").Text(), f.Elder1.Name) {
			t.Fatal("the card names the clinic and the elder")
		}
		if doc.Find(`script[src="/static/print.js"]`).Length() != 1 || !strings.Contains(doc.Find("style").Text(), "@media print") || doc.Find(".no-print").Length() == 0 {
			t.Fatal("the card is print-ready")
		}
		vol := newBrowser(t, newServer(t, db))
		vol.login("v1")
		if status, _ := vol.get("/elders/" + itoa(f.Elder1.ID) + "/responsibility-card"); status != http.StatusForbidden {
			t.Fatalf("a volunteer's card: %d", status)
		}
		if status, _ := vol.get("/pairings/" + pid + "/agreement"); status != http.StatusOK {
			t.Fatalf("a volunteer reads their own agreement: %d", status)
		}
	})
}

func TestRelayAndLeavingOnTheWeb(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		v3 := placeFixture(t, db, f)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		_, doc := b.get("/volunteers/" + itoa(f.Vol1.ID))
		if doc.Find(`#volunteer-elders tr.current`).Length() != 1 || !strings.Contains(doc.Find(`#volunteer-elders`).Text(), f.Elder1.Name) {
			t.Fatalf("the volunteer's page lists their elders: %q", doc.Find(`#volunteer-elders`).Text())
		}
		team, _ := db.ElderTeam(context.Background(), f.Comm1, f.Elder1.ID)
		resp, doc := b.post("/volunteers/"+itoa(f.Vol1.ID)+"/leave", url.Values{"csrf": {csrf}, "reason": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=reason] .field-error`).Length() != 1 {
			t.Fatalf("leaving needs a reason: %d", resp.StatusCode)
		}
		resp, _ = b.post("/volunteers/"+itoa(f.Vol1.ID)+"/leave", url.Values{"csrf": {csrf}, "reason": {"搬家"}, "successor_" + itoa(team[0].ID): {itoa(v3.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("leave: %d", resp.StatusCode)
		}
		_, doc = b.get("/elders/" + itoa(f.Elder1.ID))
		items := doc.Find(`#care-circle .timeline-item`)
		if items.Length() != 2 || !strings.Contains(items.Eq(0).Find(".relay").Text(), v3.Name) || !strings.Contains(items.Eq(1).Text(), f.Vol1.Name) {
			t.Fatalf("the elder's history shows the hand-over: %q", items.Text())
		}
		_, doc = b.get("/elders/" + itoa(f.Elder1.ID) + "/team")
		end := doc.Find(`#current-team .member form.end-form`)
		if end.Length() != 1 {
			t.Fatal("the team page offers to end or relay the current pairing")
		}
		action, _ := end.Attr("action")
		resp, doc = b.post(action, url.Values{"csrf": {csrf}, "reason": {"志愿者身体原因"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("end without successor: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		_, doc = b.get("/pairing")
		if row := doc.Find(`#handovers tr.handover[data-elder="` + itoa(f.Elder1.ID) + `"]`); row.Length() != 1 {
			t.Fatalf("the elder waits for a successor on the pairing page: %q", doc.Find("#handovers").Text())
		}
	})
}

// A rejected suggestion leaves the suggestions: the elder comes back only
// in 否决后的其他人选, unticked, saying which volunteer was rejected.
func TestMatchingPageRejection(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		v3 := placeFixture(t, db, f)
		cm := care.Volunteer{Name: "郑居委", Phone: "13700000009", Kind: "committee", CommunityID: f.C1.ID, Capacity: 3}
		if err := db.CreateVolunteer(context.Background(), f.Station, &cm); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		e := itoa(f.Elder2.ID)
		form := url.Values{"csrf": {csrf}, "elder": {e}, "pick": {e}, "volunteer_" + e: {itoa(v3.ID)}, "reject_reason": {"住得远"}}
		if resp, _ := b.post("/pairing/reject", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject: %d", resp.StatusCode)
		}
		_, doc := b.get("/pairing")
		if doc.Find(`#suggestions tr.suggestion[data-elder="`+e+`"]`).Length() != 0 {
			t.Fatal("a rejected elder leaves the suggestions")
		}
		again := doc.Find(`#suggestions-again tr.suggestion[data-elder="` + e + `"]`)
		if again.Length() != 1 {
			t.Fatalf("the elder is offered the next candidate: %q", doc.Find("main").Text())
		}
		{
			if again.AttrOr("data-volunteer", "") == itoa(v3.ID) || again.Find(`input[name=pick][checked]`).Length() != 0 {
				t.Fatal("the rejected volunteer comes back, or the next one comes pre-ticked")
			}
			if got := again.Find(".rejected").Text(); !strings.Contains(got, v3.Name) || !strings.Contains(got, "住得远") {
				t.Fatalf("the elder says why it is shown again: %q", got)
			}
		}
	})
}
