package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestSurveyOnThePhoneReviewAndApproval (issue 15 points 2 and 3): the
// community names a volunteer as surveyor, who fills in the form on the
// phone; the proposal changes the record only when community staff
// accept it, field by field; the detail then shows on the volunteer's
// card of the elder; the station brings the community in and approves its
// list on /rollout, refused while a proposal waits.
func TestSurveyOnThePhoneReviewAndApproval(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		resp, _ := c1.post("/surveys/surveyors", url.Values{"csrf": {csrf}, "volunteer_id": {itoa(f.Vol1.ID)}, "named": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("naming the surveyor: %d", resp.StatusCode)
		}
		v1 := newBrowser(t, srv)
		vcsrf := v1.login("v1")
		_, doc := v1.get("/surveys")
		link := doc.Find(`#targets li[data-elder="`+itoa(f.Elder1.ID)+`"] a`).AttrOr("href", "")
		if link == "" {
			t.Fatalf("the surveyor's list: %q", doc.Find("#targets").Text())
		}
		if st, form := v1.get(link); st != 200 || form.Find(`input[name=detail_health]`).Length() != 1 {
			t.Fatalf("the form: %d", st)
		}
		// Refused: self-care missing, named at the field; nothing stored.
		form := url.Values{"csrf": {vcsrf}, "elder_id": {itoa(f.Elder1.ID)}, "living_situation": {"alone"},
			"categories": {"empty_nest"}, "needs": {"life", "health"}, "detail_life": {"每周买菜两次"}, "detail_health": {"陪同复查"}}
		resp, doc = v1.post("/surveys", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=self_care] .field-error`).Length() != 1 {
			t.Fatalf("missing self-care: %d", resp.StatusCode)
		}
		form.Set("self_care", "partial")
		resp, _ = v1.post("/surveys", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the survey: %d", resp.StatusCode)
		}
		// The station cannot approve community 1's list while the proposal waits.
		st := newBrowser(t, srv)
		scsrf := st.login("station")
		resp, _ = st.post("/rollout/join", url.Values{"csrf": {scsrf}, "community_id": {itoa(f.C1.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bringing community 1 in: %d", resp.StatusCode)
		}
		resp, doc = st.post("/rollout/approval", url.Values{"csrf": {scsrf}, "community_id": {itoa(f.C1.ID)}, "approved": {"1"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#rollout-communities").Text(), "待社区审核") {
			t.Fatalf("approval with a pending proposal: %d", resp.StatusCode)
		}
		// Community staff review: accept self-care and needs.
		_, doc = c1.get("/surveys")
		art := doc.Find("#pending article.proposal")
		if art.Length() != 1 || art.Find(`tr[data-field="decisions.self_care"]`).Length() != 1 {
			t.Fatalf("pending: %q", doc.Find("#pending").Text())
		}
		action := art.Find("form").AttrOr("action", "")
		resp, _ = c1.post(action, url.Values{"csrf": {csrf}, "decision_self_care": {"accept"}, "decision_needs": {"accept"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("review: %d", resp.StatusCode)
		}
		_, card := v1.get("/elders/" + itoa(f.Elder1.ID))
		if !strings.Contains(card.Find("dd.needs").Text(), "（陪同复查）") {
			t.Fatalf("the volunteer's view of the needs: %q", card.Find("dd.needs").Text())
		}
		report := "/reports?" + url.Values{"unit": {f.Street.Name}, "month": {"2026-11"}, "quarter": {""}}.Encode()
		if _, doc := st.get(report); !strings.Contains(doc.Find("#report-unapproved").Text(), f.C1.Name) {
			t.Fatalf("the report must mark community 1's list unapproved: %q", doc.Find("#report-unapproved").Text())
		}
		resp, _ = st.post("/rollout/approval", url.Values{"csrf": {scsrf}, "community_id": {itoa(f.C1.ID)}, "approved": {"1"}, "note": {"核实无误"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approval: %d", resp.StatusCode)
		}
		if _, doc := st.get(report); strings.Contains(doc.Find("#report-unapproved").Text(), f.C1.Name) ||
			!strings.Contains(doc.Find("#report-unapproved").Text(), f.C2.Name) {
			t.Fatalf("after the approval only community 2 is marked: %q", doc.Find("#report-unapproved").Text())
		}
		_, doc = st.get("/rollout")
		row := doc.Find(`tr[data-community="` + itoa(f.C1.ID) + `"]`)
		if !strings.Contains(row.Find("td.approval").Text(), "已审核") || row.AttrOr("data-phase", "") != "launch" {
			t.Fatalf("the rollout row: %q %s", row.Text(), row.AttrOr("data-phase", ""))
		}
		// Community staff write their plan; community 2 sees only its own row.
		resp, _ = c1.post("/rollout/plan", url.Values{"csrf": {csrf}, "plan_text": {"一、活动主旨……"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the plan: %d", resp.StatusCode)
		}
		c2 := newBrowser(t, srv)
		c2.login("c2")
		if _, doc := c2.get("/rollout"); doc.Find("tr[data-community]").Length() != 1 {
			t.Fatalf("community 2 sees %d rows", doc.Find("tr[data-community]").Length())
		}
		if st, _ := v1.get("/rollout"); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Fatalf("the volunteer's rollout: %d", st)
		}
	})
}
