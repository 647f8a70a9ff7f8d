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

// TestCommitteeLeadAndOrganisedVisit (issue 15 point 4): community staff
// name who answers for the committee's part on /duty — only one of their
// own active staff —, every elder's page and card then show the committee
// with that person, and a visit recorded as 居委会组织 is marked on the card;
// a health record cannot be marked so, with the reason at the tick box.
func TestCommitteeLeadAndOrganisedVisit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		lead := &care.User{Username: "wangfang", DisplayName: "王芳", Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID}
		other := &care.User{Username: "zhaoli", DisplayName: "赵丽", Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C2.ID}
		for _, u := range []*care.User{lead, other} {
			if err := db.CreateUser(ctx, f.Admin, u, storetest.Password); err != nil {
				t.Fatal(err)
			}
		}
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		resp, doc := c1.post("/duty/committee-lead", url.Values{"csrf": {csrf}, "community_id": {itoa(f.C1.ID)}, "committee_lead_id": {itoa(other.ID)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=committee_lead_id] .field-error`).Length() != 1 {
			t.Fatalf("another community's staff as the lead: %d %q", resp.StatusCode, doc.Find("#committee-lead").Text())
		}
		resp, _ = c1.post("/duty/committee-lead", url.Values{"csrf": {csrf}, "community_id": {itoa(f.C1.ID)}, "committee_lead_id": {itoa(lead.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("naming the lead: %d", resp.StatusCode)
		}
		_, doc = c1.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Text(), "居委会负责人已保存") ||
			doc.Find(`select[name=committee_lead_id] option[selected]`).AttrOr("value", "") != itoa(lead.ID) {
			t.Fatalf("the lead named: %q", doc.Find("#committee-lead").Text())
		}
		elder := "/elders/" + itoa(f.Elder1.ID)
		if _, page := c1.get(elder); !strings.Contains(page.Find("dd.committee").Text(), "居委会（负责人：王芳）") {
			t.Fatalf("the elder's page: %q", page.Find("dd.committee").Text())
		}
		duty := `#committee-duties li[data-elder="` + itoa(f.Elder1.ID) + `"][data-standard=committee_monthly_visit]`
		if _, home := c1.get("/"); home.Find(duty).Length() != 1 {
			t.Fatalf("the committee's month is due for elder 1 on the community's home: %q", home.Find("#committee-duties").Text())
		}
		resp, _ = c1.post(elder+"/services", url.Values{"csrf": {csrf}, "what": {"spirit/chat"}, "at": {"2026-11-29T08:00"},
			"note": {"居委会组织探访"}, "volunteer_id": {itoa(f.Vol1.ID)}, "source": {"paper"}, "by_committee": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the organised visit: %d", resp.StatusCode)
		}
		if _, home := c1.get("/"); home.Find(duty).Length() != 0 {
			t.Fatalf("the organised visit met the committee's month: %q", home.Find("#committee-duties").Text())
		}
		_, card := c1.get(elder + "/card?month=2026-11")
		if !strings.Contains(card.Text(), "居委会（王芳）") || card.Find(".card-records .by-committee").Length() != 1 {
			t.Fatalf("the card shows the committee and the organised visit: %q", card.Find(".card-records").Text())
		}
		resp, doc = c1.post(elder+"/services", url.Values{"csrf": {csrf}, "what": {"health/health_inquiry"}, "at": {"2026-11-28T16:00"},
			"source": {"paper"}, "by_committee": {"1"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=by_committee] .field-error`).Length() != 1 {
			t.Fatalf("a health record marked as the committee's: %d %q", resp.StatusCode, doc.Find("form").Text())
		}
	})
}

// TestStationRequiresTheCommitteesGift: the committee's festival visit
// needs no gift by default; the station can require goods or money on
// the standard's form (a new version shows 另需), and the tick is refused,
// with its reason, on a standard that is not a festival's.
func TestStationRequiresTheCommitteesGift(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		st := newBrowser(t, newServer(t, db))
		csrf := st.login("station")
		_, doc := st.get("/standards")
		group := doc.Find(`.standard-group[data-code=committee_festival_visit]`)
		if strings.Contains(group.Find(".std-version.current").Text(), "另需") || group.Find(`input[name=donation][checked]`).Length() != 0 {
			t.Fatalf("by default no gift is required: %q", group.Find(".std-version.current").Text())
		}
		form := url.Values{"csrf": {csrf}, "code": {"committee_festival_visit"}, "role": {"committee"}, "period": {"festival"},
			"required": {"1"}, "counts": {"festival/festival_visit"}, "festivals": {"spring_festival", "mid_autumn"},
			"window_before": {"7"}, "window_after": {"3"}, "effective_from": {"2026-12-01"}, "donation": {"1"}}
		if resp, _ := st.post("/standards", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, doc = st.get("/standards")
		v := doc.Find(`.standard-group[data-code=committee_festival_visit] .std-version[data-from="2026-12-01"]`)
		if !strings.Contains(v.Text(), "另需") {
			t.Fatalf("the new version requires the gift: %q", v.Text())
		}
		monthly := url.Values{"csrf": {csrf}, "code": {"committee_monthly_visit"}, "role": {"committee"}, "period": {"month"},
			"required": {"1"}, "counts": {"spirit/"}, "effective_from": {"2026-12-01"}, "donation": {"1"}}
		resp, doc := st.post("/standards", monthly)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-field=also]`).Parent().Text(), "只适用于节日探望") {
			t.Fatalf("a gift on a monthly standard: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
	})
}
