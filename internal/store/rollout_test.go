package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/rollout"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/survey"
)

func fieldOf(t *testing.T, err error, field string) {
	t.Helper()
	var ce *care.Error
	if !errors.As(err, &ce) || ce.Code != care.EInvalid {
		t.Fatalf("want invalid %s, got %v", field, err)
	}
	if ce.Fields[field] == (care.Msg{}) {
		t.Fatalf("want a reason at %s, got %v", field, err)
	}
}

// TestSurveyProposalReview: a named volunteer surveys an elder of their
// community; the answers that differ are a proposal that changes nothing
// until community staff accept fields; accepted fields change the record,
// the need details and the history of needs, rejected ones do not.
func TestSurveyProposalReview(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		answers := survey.Answers{LivingSituation: "alone", SelfCare: "partial", Categories: []string{"empty_nest", "sick_disabled"},
			Needs: []survey.Need{{Kind: "life", Detail: "每周买菜两次"}, {Kind: "health", Detail: "陪同复查血压"}}, Health: "高血压，服药中",
			Wishes: "希望邻居志愿者上门"}
		s := &store.Survey{ElderID: f.Elder1.ID, Answers: answers}
		// Not named yet: refused.
		if err := db.SubmitSurvey(ctx, f.Volunteer, s); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("unnamed volunteer: %v", err)
		}
		if err := db.NameSurveyor(ctx, f.Comm2, f.Vol1.ID, true); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("another community names vol1: %v", err)
		}
		if err := db.NameSurveyor(ctx, f.Comm1, f.Vol1.ID, true); err != nil {
			t.Fatal(err)
		}
		// A named volunteer surveys any elder in service of the community, not another's.
		if err := db.SubmitSurvey(ctx, f.Volunteer, &store.Survey{ElderID: f.Elder3.ID, Answers: answers}); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("elder of community 2: %v", err)
		}
		bad := &store.Survey{ElderID: f.Elder2.ID, Answers: survey.Answers{SelfCare: "flying", Needs: []survey.Need{{Kind: "x"}}}}
		err := db.SubmitSurvey(ctx, f.Volunteer, bad)
		fieldOf(t, err, "living_situation")
		fieldOf(t, err, "self_care")
		fieldOf(t, err, "needs")
		if err := db.SubmitSurvey(ctx, f.Volunteer, s); err != nil {
			t.Fatal(err)
		}
		if s.Status != survey.StatusPending || !slices.Equal(s.Fields, []string{"self_care", "categories", "needs", "health", "wishes"}) {
			t.Fatalf("proposal: %s %v", s.Status, s.Fields)
		}
		// Nothing changed yet.
		e, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		if e.SelfCare != "independent" || !slices.Equal(e.Needs, []string{"life"}) {
			t.Fatalf("the record changed before review: %+v", e)
		}
		// Scoping: community 2 and the clinic see nothing; the volunteer sees their own without health.
		if _, err := db.GetSurvey(ctx, f.Comm2, s.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads: %v", err)
		}
		if _, err := db.Surveys(ctx, f.ClinicA, store.SurveyFilter{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("clinic lists: %v", err)
		}
		mine, err := db.GetSurvey(ctx, f.Volunteer, s.ID)
		if err != nil || mine.Answers.Health != "" {
			t.Fatalf("volunteer reads own: %v %q", err, mine.Answers.Health)
		}
		if _, err := db.ReviewSurvey(ctx, f.Volunteer, s.ID, nil, ""); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer reviews: %v", err)
		}
		if _, err := db.ReviewSurvey(ctx, f.Comm2, s.ID, map[string]string{"self_care": "accept"}, ""); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reviews: %v", err)
		}
		// Every field must be decided; a rejection needs a reason.
		_, err = db.ReviewSurvey(ctx, f.Comm1, s.ID, map[string]string{"self_care": "accept", "categories": "reject"}, "")
		fieldOf(t, err, "decisions.needs")
		fieldOf(t, err, "note")
		dec := map[string]string{"self_care": "accept", "categories": "reject", "needs": "accept", "health": "accept", "wishes": "accept"}
		got, err := db.ReviewSurvey(ctx, f.Comm1, s.ID, dec, "病残待医院证明")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != survey.StatusReviewed || got.ReviewedBy != "c1" {
			t.Fatalf("reviewed: %+v", got)
		}
		if _, err := db.ReviewSurvey(ctx, f.Comm1, s.ID, dec, "再次"); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("second review: %v", err)
		}
		e, _ = db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		if e.SelfCare != "partial" || !slices.Equal(e.Needs, []string{"life", "health"}) || !slices.Equal(e.Categories, []string{"empty_nest"}) {
			t.Fatalf("after review: %s %v %v", e.SelfCare, e.Needs, e.Categories)
		}
		// The paired volunteer's card shows the details.
		det, err := db.ElderNeedDetails(ctx, f.Volunteer, f.Elder1.ID)
		if err != nil || det["health"] != "陪同复查血压" || det["life"] != "每周买菜两次" {
			t.Fatalf("details: %v %v", det, err)
		}
		hist, err := db.NeedHistory(ctx, f.Comm1, f.Elder1.ID)
		if err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, h := range hist {
			fields = append(fields, h.Field)
		}
		if !slices.Equal(fields, []string{"self_care", "needs", "wishes"}) || hist[0].Before != "independent" || hist[0].After != "partial" {
			t.Fatalf("history: %+v", hist)
		}
		if _, err := db.NeedHistory(ctx, f.Volunteer, f.Elder1.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer reads history: %v", err)
		}
		// A later survey that agrees with the record is kept, with nothing to review.
		again := &store.Survey{ElderID: f.Elder1.ID, Answers: survey.Answers{LivingSituation: "alone", SelfCare: "partial",
			Categories: []string{"empty_nest"}, Needs: answers.Needs}}
		if err := db.SubmitSurvey(ctx, f.Comm1, again); err != nil {
			t.Fatal(err)
		}
		if again.Status != survey.StatusUnchanged {
			t.Fatalf("agreeing survey: %s %v", again.Status, again.Fields)
		}
		// A change proposal touches only what it answers.
		ch := &store.Survey{ElderID: f.Elder1.ID, Kind: survey.KindChange, Answers: survey.Answers{SelfCare: "dependent"}}
		if err := db.SubmitSurvey(ctx, f.Comm1, ch); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ch.Fields, []string{"self_care"}) {
			t.Fatalf("change: %v", ch.Fields)
		}
	})
}

// TestListApprovalAndRollout: the station approves a community's list
// once no proposal awaits review; community staff cannot; the rollout
// places each community in its phase with what is outstanding.
func TestListApprovalAndRollout(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		phase := func(a care.Actor, id int64) store.RolloutCommunity {
			t.Helper()
			r, err := db.GetRollout(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range r.Communities {
				if c.CommunityID == id {
					return c
				}
			}
			t.Fatalf("community %d not in the rollout", id)
			return store.RolloutCommunity{}
		}
		if c := phase(f.Station, f.C1.ID); c.Progress.Phase != rollout.PhaseNotJoined {
			t.Fatalf("before joining: %+v", c.Progress)
		}
		if err := db.JoinRollout(ctx, f.Comm1, f.C1.ID, storetest.Day("2026-11-01")); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community joins: %v", err)
		}
		if err := db.SaveRolloutPlan(ctx, f.Comm1, 0, "本社区实施方案", 0); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("plan before joining: %v", err)
		}
		for _, c := range []int64{f.C1.ID, f.C2.ID} {
			if err := db.JoinRollout(ctx, f.Station, c, storetest.Day("2026-11-01")); err != nil {
				t.Fatal(err)
			}
		}
		if c := phase(f.Comm1, f.C1.ID); c.Progress.Phase != rollout.PhaseLaunch {
			t.Fatalf("joined: %+v", c.Progress)
		}
		if err := db.SaveRolloutPlan(ctx, f.Comm1, f.C2.ID, "别人的", 0); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 1 writes community 2's plan: %v", err)
		}
		err := db.SaveRolloutPlan(ctx, f.Comm1, 0, "", 42)
		fieldOf(t, err, "attachment_id")
		if err := db.SaveRolloutPlan(ctx, f.Comm1, 0, "一、成立领导小组……", 0); err != nil {
			t.Fatal(err)
		}
		c := phase(f.Comm1, f.C1.ID)
		if c.Progress.Phase != rollout.PhasePilot || c.Facts.InService != 2 || c.Facts.Surveyed != 0 {
			t.Fatalf("pilot: %+v %+v", c.Progress, c.Facts)
		}
		// Community staff see only their community.
		r, _ := db.GetRollout(ctx, f.Comm1)
		if len(r.Communities) != 1 {
			t.Fatalf("community sees %d communities", len(r.Communities))
		}
		if _, err := db.GetRollout(ctx, f.Volunteer); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer reads the rollout: %v", err)
		}
		// A pending proposal blocks the approval.
		s := &store.Survey{ElderID: f.Elder2.ID, Answers: survey.Answers{LivingSituation: "with_family", SelfCare: "dependent", Categories: []string{"empty_nest"},
			Needs: []survey.Need{{Kind: "life"}}}}
		if err := db.SubmitSurvey(ctx, f.Comm1, s); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetApproval(ctx, f.Comm1, f.C1.ID, true, ""); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community approves: %v", err)
		}
		_, err = db.SetApproval(ctx, f.Station, f.C1.ID, true, "")
		fieldOf(t, err, "community_id")
		if _, err := db.ReviewSurvey(ctx, f.Comm1, s.ID, map[string]string{"living_situation": "accept"}, ""); err != nil {
			t.Fatal(err)
		}
		st, err := db.SetApproval(ctx, f.Station, f.C1.ID, true, "名单核实无误")
		if err != nil {
			t.Fatal(err)
		}
		if !st.Approved() || st.Current.Elders != 2 || st.Current.By != "station" {
			t.Fatalf("approved: %+v", st.Current)
		}
		// Once approved, category, self-care and needs change only through review.
		e, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		e.Needs = append(e.Needs, "legal")
		err = db.UpdateElder(ctx, f.Comm1, e, "")
		fieldOf(t, err, "needs")
		e, _ = db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		e.Phone = "13912341234"
		if err := db.UpdateElder(ctx, f.Comm1, e, ""); err != nil {
			t.Fatalf("another field of an approved list's elder: %v", err)
		}
		ch := &store.Survey{ElderID: f.Elder1.ID, Kind: survey.KindChange, Answers: survey.Answers{Needs: []survey.Need{{Kind: "life"}, {Kind: "legal", Detail: "咨询遗嘱"}}}}
		if err := db.SubmitSurvey(ctx, f.Comm1, ch); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReviewSurvey(ctx, f.Comm1, ch.ID, map[string]string{"needs": "accept"}, ""); err != nil {
			t.Fatal(err)
		}
		if e, _ = db.GetElder(ctx, f.Comm1, f.Elder1.ID); !slices.Equal(e.Needs, []string{"life", "legal"}) {
			t.Fatalf("needs after the reviewed change: %v", e.Needs)
		}
		lists, err := db.ApprovedLists(ctx, f.Street.ID)
		if err != nil || !lists[f.C1.ID] || lists[f.C2.ID] {
			t.Fatalf("approved lists: %v %v", lists, err)
		}
		if _, err := db.GetApproval(ctx, f.Comm2, f.C1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads community 1's approval: %v", err)
		}
		if _, err := db.GetApproval(ctx, f.Viewer, f.C1.ID); err != nil {
			t.Fatalf("viewer reads the approval: %v", err)
		}
		// Supervision and the exchange move the community on.
		sv := &rollout.Supervision{CommunityID: f.C1.ID, VisitedOn: storetest.Day("2026-11-20"), Inspectors: "街道志愿站 周站长",
			Checklist: []rollout.CheckItem{{Item: "制定了社区实施方案", OK: true}}, Findings: "服务卡记录及时"}
		if err := db.AddSupervision(ctx, f.Comm1, sv); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community supervises: %v", err)
		}
		if err := db.AddSupervision(ctx, f.Station, &rollout.Supervision{CommunityID: f.C1.ID}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("empty supervision: %v", err)
		}
		if err := db.AddSupervision(ctx, f.Station, sv); err != nil {
			t.Fatal(err)
		}
		if c := phase(f.Station, f.C1.ID); c.Progress.Phase != rollout.PhaseExchange || c.LastSupervision == nil {
			t.Fatalf("after supervision: %+v", c.Progress)
		}
		m := &rollout.Meeting{HeldOn: storetest.Day("2026-11-25"), Participants: "各社区主任、志愿者代表", CommunityIDs: []int64{f.C1.ID},
			Minutes: "交流结对经验", Lessons: "就近结对效果好"}
		if err := db.AddMeeting(ctx, f.Station, m); err != nil {
			t.Fatal(err)
		}
		if c := phase(f.Station, f.C1.ID); c.Progress.Phase != rollout.PhaseRegular {
			t.Fatalf("after the exchange: %+v", c.Progress)
		}
		// Community 2 did not take part: it does not see the meeting.
		r, _ = db.GetRollout(ctx, f.Comm2)
		if len(r.Meetings) != 0 {
			t.Fatalf("community 2 sees %d meetings", len(r.Meetings))
		}
		// Withdrawing needs a reason.
		_, err = db.SetApproval(ctx, f.Station, f.C1.ID, false, "")
		fieldOf(t, err, "note")
	})
}
