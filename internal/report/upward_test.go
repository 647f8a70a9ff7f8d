package report_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/report"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/training"
	"carecircle/internal/upward"
)

// TestTrainingAndExperienceInReports: the station's report counts the
// period's sessions, trained volunteers and commendations per community;
// a viewer's shows them as <5 like every small count; both carry the
// received typical experience, and a community's report carries its own
// month's submission step.
func TestTrainingAndExperienceInReports(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f, ctx := e.f, context.Background()
		s := &training.Session{CommunityID: f.C1.ID, Topic: "急救常识", Trainer: "张医生", HeldOn: storetest.Day("2026-11-10"),
			Attendees: []training.Attendee{{VolunteerID: f.Vol1.ID}, {VolunteerID: f.Vol2.ID}}}
		if err := db.SaveTraining(ctx, f.Station, s); err != nil {
			t.Fatal(err)
		}
		if err := db.AddCommendation(ctx, f.Comm1, &training.Commendation{VolunteerID: f.Vol1.ID, Title: "优秀志愿者", Reason: "每日问候", AwardedOn: storetest.Day("2026-11-20")}); err != nil {
			t.Fatal(err)
		}
		x := &upward.Experience{Title: "邻里守望", Body: "每日问候", Month: "2026-11"}
		if err := db.SaveExperience(ctx, f.Comm1, x); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveExperience(ctx, f.Comm1, x.ID, upward.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveExperience(ctx, f.Station, x.ID, upward.Received, ""); err != nil {
			t.Fatal(err)
		}
		r := build(t, e, f.Station, f.Street.Name, "2026-11")
		tb := table(t, r, "training")
		if got := strings.Join(row(t, tb, f.C1.Name), ","); got != f.C1.Name+",1,1,1" {
			t.Errorf("community 1: %s", got)
		}
		if got := strings.Join(row(t, tb, f.C2.Name), ","); got != f.C2.Name+",0,1,0" {
			t.Errorf("community 2 (its volunteer trained at community 1's session): %s", got)
		}
		if got := strings.Join(row(t, tb, "合计"), ","); got != "合计,1,2,1" {
			t.Errorf("total: %s", got)
		}
		if len(r.Submissions) != 2 || r.Submissions[0].Status != "" {
			t.Errorf("the month's submissions: %+v", r.Submissions)
		}
		v := build(t, e, f.Viewer, f.Street.Name, "2026-11")
		if got := row(t, table(t, v, "training"), f.C1.Name); got[1] == "1" || got[2] == "1" {
			t.Errorf("a viewer sees a count under 5: %v", got)
		}
		if len(v.Submissions) != 0 {
			t.Errorf("a viewer sees the submissions")
		}
		for _, rep := range []*report.Report{r, v} {
			if ex := table(t, rep, "experiences"); len(ex.Rows) != 1 || ex.Rows[0][2].String() != "邻里守望" {
				t.Errorf("experiences: %+v", ex.Rows)
			}
		}
		if oct := build(t, e, f.Station, f.Street.Name, "2026-10"); len(table(t, oct, "experiences").Rows) != 0 {
			t.Errorf("October carries November's experience")
		}
	})
}
