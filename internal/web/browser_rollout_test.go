package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/survey"
)

// TestBrowserStationApprovesList (issue 15): the station opens /rollout,
// tries to approve a community's list while a survey proposal waits and
// reads why not in the page; once the community has reviewed it, the
// station approves with a remark and the row says 已审核.
func TestBrowserStationApprovesList(t *testing.T) {
	ctx := newChrome(t, 1280, 900)
	db := storetest.Open(t, t.TempDir()+"/b.db")
	f := storetest.Seed(t, db)
	srv := newServer(t, db)
	bg := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s := &store.Survey{ElderID: f.Elder2.ID, Answers: survey.Answers{LivingSituation: "with_spouse", SelfCare: "dependent",
		Categories: []string{"empty_nest"}, Needs: []survey.Need{{Kind: "life", Detail: "代买米面油"}}}}
	must(db.SubmitSurvey(bg, f.Comm1, s))

	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "station"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), storetest.Password)))
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")))
	must(err)
	row := `tr[data-community="` + itoa(f.C1.ID) + `"]`
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/rollout")))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(row+" form.approve button")))
	must(err)
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#rollout-communities .error")))
	must(err)
	if !strings.Contains(msg, "待社区审核") {
		t.Fatalf("the refusal must say a proposal awaits review, got %q", msg)
	}

	dec := map[string]string{}
	for _, field := range s.Fields {
		dec[field] = survey.Accept
	}
	_, err = db.ReviewSurvey(bg, f.Comm1, s.ID, dec, "")
	must(err)
	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/rollout"),
		chromedp.SendKeys(chromedp.CSS(row+" form.approve input[name=note]"), "入户核实无误")))
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(row+" form.approve button")))
	must(err)
	cell, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row+" td.approval")))
	must(err)
	if !strings.Contains(cell, "已审核") {
		t.Fatalf("the row must say the list is approved, got %q", cell)
	}
	st, err := db.GetApproval(bg, f.Station, f.C1.ID)
	must(err)
	if !st.Approved() || st.Current.Note != "入户核实无误" || st.Current.By != "station" {
		t.Fatalf("stored approval: %+v", st.Current)
	}
}
