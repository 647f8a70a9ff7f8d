package store_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/training"
	"carecircle/internal/upward"
)

// TestExperienceReportFlow: community staff write a report (a draft the
// station cannot see), submit it; the station's first reading marks it
// read; returning needs a reason and lets the community edit and submit
// again; once received it cannot change, and the street's report of the
// month includes it. Other roles and communities are refused.
func TestExperienceReportFlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		bad := &upward.Experience{Title: "", Body: "x", Month: "2026-12"}
		if err := db.SaveExperience(ctx, f.Comm1, bad); !hasField(err, "title") || !hasField(err, "month") {
			t.Fatalf("no title and a month to come: %v", err)
		}
		for _, a := range []care.Actor{f.Station, f.Volunteer, f.Viewer, f.ClinicA} {
			if err := db.SaveExperience(ctx, a, &upward.Experience{Title: "t", Body: "b", Month: "2026-11"}); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s writes an experience report: %v", a.Role, err)
			}
		}
		if err := db.SaveExperience(ctx, f.Comm1, &upward.Experience{Title: "t", Body: "b", Month: "2026-11", PhotoIDs: []int64{1}}); !hasField(err, "photo_ids") {
			t.Fatalf("a photo no attachment store can vouch for: %v", err)
		}
		e := &upward.Experience{Title: "“一对一”结对让独居老人不再孤单", Body: "幸福社区组织低龄老人与独居老人结对，每日问候。", Month: "2026-11"}
		if err := db.SaveExperience(ctx, f.Comm1, e); err != nil || e.ID == 0 || e.Status != upward.Draft || e.CommunityID != f.C1.ID {
			t.Fatalf("save: %+v %v", e, err)
		}
		if list, err := db.Experiences(ctx, f.Station, store.ExperienceFilter{}); err != nil || len(list) != 0 {
			t.Fatalf("the station sees a draft: %v %v", list, err)
		}
		if _, err := db.MoveExperience(ctx, f.Station, e.ID, upward.Received, ""); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("the station receives a draft: %v", err)
		}
		if _, err := db.MoveExperience(ctx, f.Comm2, e.ID, upward.Submitted, ""); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community submits it: %v", err)
		}
		got, err := db.MoveExperience(ctx, f.Comm1, e.ID, upward.Submitted, "")
		if err != nil || got.Status != upward.Submitted || got.SubmittedBy != "c1" || got.SubmittedAt.IsZero() {
			t.Fatalf("submit: %+v %v", got, err)
		}
		if _, err := db.MoveExperience(ctx, f.Comm1, e.ID, upward.Submitted, ""); !hasField(err, "status") {
			t.Fatalf("submitted twice: %v", err)
		}
		if err := db.SaveExperience(ctx, f.Comm1, &upward.Experience{ID: e.ID, Title: "改", Body: "改", Month: "2026-11"}); !hasField(err, "status") {
			t.Fatalf("a submitted report edited: %v", err)
		}
		list, err := db.Experiences(ctx, f.Station, store.ExperienceFilter{Status: upward.Submitted})
		if err != nil || len(list) != 1 || !list[0].ReadAt.IsZero() || list[0].Community != f.C1.Name {
			t.Fatalf("station's list: %+v %v", list, err)
		}
		read, err := db.Experience(ctx, f.Station, e.ID)
		if err != nil || read.ReadBy != "station" || read.ReadAt.IsZero() {
			t.Fatalf("read mark: %+v %v", read, err)
		}
		if _, err := db.MoveExperience(ctx, f.Comm1, e.ID, upward.Received, ""); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("the community receives its own: %v", err)
		}
		if _, err := db.MoveExperience(ctx, f.Station, e.ID, upward.Returned, " "); !hasField(err, "reason") {
			t.Fatalf("returned without a reason: %v", err)
		}
		got, err = db.MoveExperience(ctx, f.Station, e.ID, upward.Returned, "请补充具体做法和成效")
		if err != nil || got.Status != upward.Returned || got.Reason != "请补充具体做法和成效" || got.DecidedBy != "station" {
			t.Fatalf("return: %+v %v", got, err)
		}
		e.Body += "三个月来，独居老人每日问候率达到百分之百。"
		if err := db.SaveExperience(ctx, f.Comm1, e); err != nil || e.Status != upward.Returned {
			t.Fatalf("edit a returned report: %+v %v", e, err)
		}
		if got, err = db.MoveExperience(ctx, f.Comm1, e.ID, upward.Submitted, ""); err != nil || got.Reason != "" || !got.ReadAt.IsZero() {
			t.Fatalf("submitted again: %+v %v", got, err)
		}
		if got, err = db.MoveExperience(ctx, f.Station, e.ID, upward.Received, ""); err != nil || got.Status != upward.Received || got.ReadAt.IsZero() {
			t.Fatalf("receive: %+v %v", got, err)
		}
		// The street's November report (and a viewer's) carries it; October's does not.
		for _, a := range []care.Actor{f.Station, f.Viewer} {
			u, err := db.ResolveReportUnit(ctx, a, "和平街道")
			if err != nil {
				t.Fatal(err)
			}
			nov, _ := store.ParsePeriod("2026-11", db.Loc)
			oct, _ := store.ParsePeriod("2026-10", db.Loc)
			in, err := db.ReportExperiences(ctx, a, u, nov)
			if err != nil || len(in) != 1 || in[0].Title != e.Title {
				t.Fatalf("%s: November's report: %+v %v", a.Role, in, err)
			}
			if out, err := db.ReportExperiences(ctx, a, u, oct); err != nil || len(out) != 0 {
				t.Fatalf("%s: October's report: %+v %v", a.Role, out, err)
			}
		}
		// Community 2 sees none of it; a volunteer and a viewer list nothing.
		if list, err := db.Experiences(ctx, f.Comm2, store.ExperienceFilter{}); err != nil || len(list) != 0 {
			t.Fatalf("community 2: %v %v", list, err)
		}
		if _, err := db.Experiences(ctx, f.Comm2, store.ExperienceFilter{CommunityID: f.C1.ID}); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 filters community 1: %v", err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.Viewer} {
			if _, err := db.Experiences(ctx, a, store.ExperienceFilter{}); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s lists experience reports: %v", a.Role, err)
			}
		}
	})
}

// TestReportSubmission: a community submits a month's report once the
// month has ended; the station receives it or returns it with a reason,
// and a returned report is submitted again; each side sees its scope.
func TestReportSubmission(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if _, err := db.MoveSubmission(ctx, f.Comm1, 0, "2026-11", upward.Submitted, ""); !hasField(err, "period") {
			t.Fatalf("November submitted before it ended: %v", err)
		}
		if _, err := db.MoveSubmission(ctx, f.Station, f.C1.ID, "2026-10", upward.Received, ""); !hasField(err, "status") {
			t.Fatalf("received before it was submitted: %v", err)
		}
		s, err := db.MoveSubmission(ctx, f.Comm1, 0, "2026-10", upward.Submitted, "")
		if err != nil || s.Status != upward.Submitted || s.SubmittedBy != "c1" || s.SubmittedAt.IsZero() {
			t.Fatalf("submit: %+v %v", s, err)
		}
		list, err := db.Submissions(ctx, f.Station, "2026-10")
		if err != nil || len(list) != 2 || list[0].Status != upward.Submitted || list[1].Status != "" {
			t.Fatalf("the station's list: %+v %v", list, err)
		}
		if list, err := db.Submissions(ctx, f.Comm2, "2026-10"); err != nil || len(list) != 1 || list[0].CommunityID != f.C2.ID {
			t.Fatalf("community 2's list: %+v %v", list, err)
		}
		if _, err := db.MoveSubmission(ctx, f.Station, f.C1.ID, "2026-10", upward.Returned, ""); !hasField(err, "reason") {
			t.Fatalf("returned without a reason: %v", err)
		}
		if s, err = db.MoveSubmission(ctx, f.Station, f.C1.ID, "2026-10", upward.Returned, "服务次数与服务卡不符"); err != nil || s.Status != upward.Returned || s.Reason == "" {
			t.Fatalf("return: %+v %v", s, err)
		}
		// Each step is in the other side's inbox: the submission the station's, the return the community's.
		inboxHas := func(a care.Actor, text string) bool {
			items, _, err := db.Inbox(ctx, a, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range items {
				if strings.Contains(m.Text, text) {
					return true
				}
			}
			return false
		}
		if !inboxHas(f.Station, "幸福社区上报了2026年10月的月报") || !inboxHas(f.Comm1, "服务次数与服务卡不符") || inboxHas(f.Comm2, "月报") {
			t.Fatal("the steps are not in the right inboxes")
		}
		if s, err = db.MoveSubmission(ctx, f.Comm1, 0, "2026-10", upward.Submitted, ""); err != nil || s.Status != upward.Submitted || s.Reason != "" {
			t.Fatalf("submit again: %+v %v", s, err)
		}
		if s, err = db.MoveSubmission(ctx, f.Station, f.C1.ID, "2026-10", upward.Received, ""); err != nil || s.Status != upward.Received || s.DecidedBy != "station" {
			t.Fatalf("receive: %+v %v", s, err)
		}
		if _, err := db.MoveSubmission(ctx, f.Comm1, 0, "2026-10", upward.Submitted, ""); !hasField(err, "status") {
			t.Fatalf("submitted after it was received: %v", err)
		}
		// Another street's station: 404; a volunteer or viewer: 403.
		other := care.Actor{Role: care.RoleStation, StreetID: f.Street.ID + 100, Username: "x"}
		if _, err := db.MoveSubmission(ctx, other, f.C2.ID, "2026-10", upward.Received, ""); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another street: %v", err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.Viewer} {
			if _, err := db.Submissions(ctx, a, "2026-10"); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s reads submissions: %v", a.Role, err)
			}
		}
	})
}

// TestTrainingAndCommendation: sessions with attendees in scope, the
// volunteer sees theirs, commendations per volunteer, and the report
// counts them per community.
func TestTrainingAndCommendation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		s := &training.Session{Topic: "", HeldOn: storetest.Day("2026-12-05"), Trainer: "张医生"}
		if err := db.SaveTraining(ctx, f.Comm1, s); !hasField(err, "topic") || !hasField(err, "held_on") {
			t.Fatalf("no topic, a day to come: %v", err)
		}
		s = &training.Session{Topic: "健康养生与急救常识", HeldOn: storetest.Day("2026-11-10"), Trainer: "和平社区卫生服务中心 张医生",
			Attendees: []training.Attendee{{VolunteerID: f.Vol1.ID}, {VolunteerID: f.Vol2.ID}}}
		if err := db.SaveTraining(ctx, f.Comm1, s); !hasField(err, "attendee_ids") {
			t.Fatalf("community 1 lists community 2's volunteer: %v", err)
		}
		s.CommunityID = 0
		if err := db.SaveTraining(ctx, f.Station, s); !hasField(err, "community_id") {
			t.Fatalf("the station without a community: %v", err)
		}
		s.CommunityID = f.C1.ID
		if err := db.SaveTraining(ctx, f.Station, s); err != nil || s.ID == 0 || len(s.Attendees) != 2 || s.Attendees[1].Name != f.Vol2.Name {
			t.Fatalf("station's session: %+v %v", s, err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.Viewer, f.ClinicA} {
			if err := db.SaveTraining(ctx, a, &training.Session{Topic: "x", Trainer: "y", HeldOn: storetest.Day("2026-11-01"), CommunityID: f.C1.ID}); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s records a session: %v", a.Role, err)
			}
		}
		// The volunteer sees the session with only themself among the attendees.
		mine, err := db.Trainings(ctx, f.Volunteer, store.TrainingFilter{})
		if err != nil || len(mine) != 1 || len(mine[0].Attendees) != 1 || mine[0].Attendees[0].VolunteerID != f.Vol1.ID {
			t.Fatalf("volunteer's sessions: %+v %v", mine, err)
		}
		if list, err := db.Trainings(ctx, f.Comm2, store.TrainingFilter{}); err != nil || len(list) != 0 {
			t.Fatalf("community 2 sees community 1's session: %v %v", list, err)
		}
		if _, err := db.Training(ctx, f.Comm2, s.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads it: %v", err)
		}
		if list, err := db.Trainings(ctx, f.Comm1, store.TrainingFilter{VolunteerID: f.Vol1.ID}); err != nil || len(list) != 1 {
			t.Fatalf("community 1's volunteer's sessions: %v %v", list, err)
		}
		// Corrected by community 1: Vol2 is outside its scope, so it lists only Vol1.
		s.Attendees = []training.Attendee{{VolunteerID: f.Vol1.ID}}
		s.Place = "幸福社区活动室"
		if err := db.SaveTraining(ctx, f.Comm1, s); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Training(ctx, f.Station, s.ID); err != nil || len(got.Attendees) != 1 || got.Place != "幸福社区活动室" {
			t.Fatalf("corrected: %+v %v", got, err)
		}

		c := &training.Commendation{VolunteerID: f.Vol1.ID, Title: "优秀志愿者", AwardedOn: storetest.Day("2026-11-20"), Reason: "结对服务满一年，每日问候从不间断", AwardedBy: "和平街道办事处"}
		if err := db.AddCommendation(ctx, f.Comm2, c); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 commends community 1's volunteer: %v", err)
		}
		if err := db.AddCommendation(ctx, f.Comm1, &training.Commendation{VolunteerID: f.Vol1.ID}); !hasField(err, "title") || !hasField(err, "reason") || !hasField(err, "awarded_on") {
			t.Fatalf("empty commendation: %v", err)
		}
		if err := db.AddCommendation(ctx, f.Comm1, c); err != nil || c.ID == 0 || c.CommunityID != f.C1.ID {
			t.Fatalf("commend: %+v %v", c, err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.Station, f.Comm1} {
			if list, err := db.Commendations(ctx, a, f.Vol1.ID); err != nil || len(list) != 1 || list[0].Title != "优秀志愿者" {
				t.Fatalf("%s reads the commendations: %v %v", a.Role, list, err)
			}
		}
		if _, err := db.Commendations(ctx, f.Volunteer, f.Vol2.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("a volunteer reads another's: %v", err)
		}

		u, err := db.ResolveReportUnit(ctx, f.Station, "和平街道")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := store.ParsePeriod("2026-11", db.Loc)
		d, err := db.Report(ctx, f.Station, u, p)
		if err != nil {
			t.Fatal(err)
		}
		c1 := d.Parts[0]
		if c1["trainings.held"] != 1 || c1["trainings.trained"] != 1 || c1["commendations"] != 1 || d.Parts[1]["trainings.held"] != 0 {
			t.Fatalf("report counts: %v / %v", c1, d.Parts[1])
		}
	})
}
