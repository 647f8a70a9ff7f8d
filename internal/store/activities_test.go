package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"carecircle/internal/activity"
	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// The fixture's clock is 2026-11-29 10:00 in Shanghai.

func plannedActivity(community int64, day string, cap int) *activity.Activity {
	return &activity.Activity{CommunityID: community, Theme: "重阳敬老", Place: "社区活动室", Date: storetest.Day(day),
		StartTime: "14:00", EndTime: "17:00", Cap: cap}
}

func TestActivityPlanningAndScope(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if err := db.CreateActivity(ctx, f.Volunteer, plannedActivity(f.C1.ID, "2026-12-05", 0), nil); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer planned an activity: %v", err)
		}
		bad := &activity.Activity{CommunityID: f.C1.ID, StartTime: "14:00", EndTime: "13:00", Cap: -1}
		err := db.CreateActivity(ctx, f.Comm1, bad, nil)
		for _, field := range []string{"theme", "date", "end_time", "cap"} {
			fieldErr(t, err, field)
		}
		fieldErr(t, db.CreateActivity(ctx, f.Comm1, &activity.Activity{Theme: "x", Date: storetest.Day("2026-12-05"), StartTime: "9点", EndTime: "11:00"}, nil), "start_time")
		fieldErr(t, db.CreateActivity(ctx, f.Comm2, plannedActivity(f.C1.ID, "2026-12-05", 0), nil), "community_id")
		fieldErr(t, db.CreateActivity(ctx, f.Comm1, plannedActivity(0, "2026-12-05", 0), []activity.ChecklistItem{{Item: ""}}), "item")
		// A checklist owner must be a volunteer the activity is open to.
		fieldErr(t, db.CreateActivity(ctx, f.Comm1, plannedActivity(0, "2026-12-05", 0), []activity.ChecklistItem{{Item: "买饺子皮", OwnerVolunteerID: f.Vol2.ID}}), "owner_volunteer_id")
		_, _, err = db.CreateFromTemplate(ctx, f.Comm1, "party", 0, storetest.Day("2026-12-05"))
		fieldErr(t, err, "template")

		// Community staff plan for their community (0 means their own).
		_, visit, err := db.CreateFromTemplate(ctx, f.Comm1, activity.TemplateNursingHome, 0, storetest.Day("2026-12-05"))
		if err != nil {
			t.Fatal(err)
		}
		// The station plans a street-wide series.
		series, first, err := db.CreateFromTemplate(ctx, f.Station, activity.TemplateMonthlySeries, 0, storetest.Day("2026-12-10"))
		if err != nil || series == 0 || first == 0 {
			t.Fatalf("series %d %d %v", series, first, err)
		}
		d, err := db.ActivityDetail(ctx, f.Comm1, visit)
		if err != nil || d.Activity.CommunityID != f.C1.ID || d.Activity.Template != activity.TemplateNursingHome || len(d.Checklist) == 0 || !d.CanEdit {
			t.Fatalf("visit %+v %v", d, err)
		}
		if _, err := db.ActivityDetail(ctx, f.Comm2, visit); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 read community 1's activity: %v", err)
		}
		s, err := db.ActivityDetail(ctx, f.Comm2, first)
		if err != nil || s.Series == nil || len(s.Series.Stages) != 5 || s.CanEdit || s.Activity.CommunityID != 0 {
			t.Fatalf("street-wide series from community 2: %+v %v", s, err)
		}
		if s.Series.Stages[4].Date != storetest.Day("2027-04-10") || s.Series.Stages[4].Place != "公园" {
			t.Fatalf("stage 5: %+v", s.Series.Stages[4])
		}
		// Community staff do not change a street-wide activity.
		x := s.Activity
		x.Theme = "改名"
		if err := db.UpdateActivity(ctx, f.Comm1, &x); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community changed a street-wide activity: %v", err)
		}
		// A volunteer of community 1 sees its activities and the street's;
		// one of community 2 the street's only.
		list, err := db.Activities(ctx, f.Volunteer, store.ActivityFilter{})
		if err != nil || len(list) != 6 {
			t.Fatalf("volunteer 1 sees %d activities: %v", len(list), err)
		}
		vol2 := care.Actor{Role: care.RoleVolunteer, StreetID: f.Street.ID, CommunityID: f.C2.ID, VolunteerID: f.Vol2.ID, Username: "v2"}
		if list, err := db.Activities(ctx, vol2, store.ActivityFilter{}); err != nil || len(list) != 5 {
			t.Fatalf("volunteer 2 sees %d activities: %v", len(list), err)
		}
		if list, err := db.Activities(ctx, f.Station, store.ActivityFilter{CommunityID: f.C1.ID}); err != nil || len(list) != 1 || list[0].ID != visit {
			t.Fatalf("station's filter: %+v %v", list, err)
		}
		if _, err := db.Activities(ctx, f.Station, store.ActivityFilter{Status: "done"}); err == nil {
			t.Fatal("a bad status filter was accepted")
		}
		if _, err := db.Activities(ctx, f.ClinicA, store.ActivityFilter{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("clinic listed activities: %v", err)
		}
		n, next, err := db.UpcomingActivities(ctx, f.Comm1, 3)
		if err != nil || n != 6 || len(next) != 3 || next[0].ID != visit {
			t.Fatalf("upcoming %d %+v %v", n, next, err)
		}
		// Cancelling is a status, and can be undone; held only by finishing.
		v := d.Activity
		v.Status = activity.StatusCancelled
		if err := db.UpdateActivity(ctx, f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ActivityDetail(ctx, f.Comm1, visit); got.Activity.Status != activity.StatusCancelled {
			t.Fatalf("status %s", got.Activity.Status)
		}
		v.Status = activity.StatusHeld
		fieldErr(t, db.UpdateActivity(ctx, f.Comm1, &v), "status")
		v.Status = activity.StatusPlanned
		if err := db.UpdateActivity(ctx, f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
	})
}

func TestActivitySignupsAndChecklist(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		vol3 := care.Volunteer{Name: "孙丽", Phone: "13700000003", Kind: "social", CommunityID: f.C1.ID, Capacity: 1}
		if err := db.CreateVolunteer(ctx, f.Comm1, &vol3); err != nil {
			t.Fatal(err)
		}
		x := plannedActivity(f.C1.ID, "2026-12-05", 1)
		items := []activity.ChecklistItem{{Item: "买饺子皮", OwnerVolunteerID: f.Vol1.ID, Due: storetest.Day("2026-12-03")}, {Item: "借音响"}}
		if err := db.CreateActivity(ctx, f.Comm1, x, items); err != nil {
			t.Fatal(err)
		}
		if err := db.SignUp(ctx, f.Volunteer, x.ID, vol3.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("a volunteer signed another up: %v", err)
		}
		if err := db.SignUp(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SignUp(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
			t.Fatalf("signing up again: %v", err)
		}
		fieldErr(t, db.SignUp(ctx, f.Comm1, x.ID, vol3.ID), "cap")
		fieldErr(t, db.SignUp(ctx, f.Station, x.ID, f.Vol2.ID), "volunteer_id")
		// The cap cannot go below the sign-ups.
		d, _ := db.ActivityDetail(ctx, f.Comm1, x.ID)
		if d.Activity.SignedUp != 1 || len(d.Signups) != 1 || d.Signups[0].VolunteerID != f.Vol1.ID {
			t.Fatalf("sign-ups %+v", d.Signups)
		}
		if err := db.CancelSignup(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.CancelSignup(ctx, f.Volunteer, x.ID, f.Vol1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("cancelling twice: %v", err)
		}
		if err := db.SignUp(ctx, f.Comm1, x.ID, vol3.ID); err != nil {
			t.Fatal(err)
		}
		// The volunteer's phone: the activity, not signed up, their item.
		mine, err := db.VolunteerActivities(ctx, f.Volunteer, f.Vol1.ID)
		if err != nil || len(mine) != 1 || mine[0].SignedUp || len(mine[0].Items) != 1 || mine[0].Items[0].Item != "买饺子皮" {
			t.Fatalf("volunteer's activities %+v %v", mine, err)
		}
		// They tick their own item, not another.
		if err := db.SetChecklistDone(ctx, f.Volunteer, mine[0].Items[0].ID, true); err != nil {
			t.Fatal(err)
		}
		var other int64
		for _, it := range d.Checklist {
			if it.OwnerVolunteerID == 0 {
				other = it.ID
			}
		}
		if err := db.SetChecklistDone(ctx, f.Volunteer, other, true); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer ticked staff's item: %v", err)
		}
		if err := db.SetChecklistDone(ctx, f.Comm2, other, true); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 ticked: %v", err)
		}
		if err := db.SetChecklistDone(ctx, f.Comm1, other, true); err != nil {
			t.Fatal(err)
		}
		it := &activity.ChecklistItem{ActivityID: x.ID, Item: "准备相机", OwnerVolunteerID: vol3.ID}
		if err := db.AddChecklistItem(ctx, f.Comm1, it); err != nil || it.ID == 0 || it.OwnerName != "孙丽" {
			t.Fatalf("added %+v %v", it, err)
		}
		d, _ = db.ActivityDetail(ctx, f.Comm1, x.ID)
		done := 0
		for _, it := range d.Checklist {
			if it.Done {
				done++
			}
		}
		if len(d.Checklist) != 3 || done != 2 {
			t.Fatalf("checklist %+v", d.Checklist)
		}
		// A check-in is on the day only (the activity is on 12-05).
		fieldErr(t, db.CheckIn(ctx, care.Actor{Role: care.RoleVolunteer, StreetID: f.Street.ID, VolunteerID: vol3.ID, Username: "v3"}, x.ID, vol3.ID), "date")
		if err := db.CheckIn(ctx, f.Volunteer, x.ID, f.Vol1.ID); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("check-in without sign-up: %v", err)
		}
	})
}

// TestActivityHeld: attendance on the day, the activity held with its
// summary (hours credited, the elders' visit records written by the
// committee), an attendance correction re-booking the hours.
func TestActivityHeld(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		x := plannedActivity(f.C1.ID, "2026-11-29", 0)
		if err := db.CreateActivity(ctx, f.Comm1, x, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.SignUp(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckIn(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.SetActivityElders(ctx, f.Comm1, x.ID, []int64{f.Elder1.ID, f.Elder3.ID}, 0), "elder_ids")
		if err := db.SetActivityElders(ctx, f.Comm1, x.ID, []int64{f.Elder1.ID, f.Elder2.ID}, 12); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.FinishActivity(ctx, f.Comm1, x.ID, "很好"), "date") // 10:00, it starts at 14:00
		db.Now = func() time.Time { return time.Date(2026, 11, 29, 18, 0, 0, 0, db.Loc) }
		fieldErr(t, db.FinishActivity(ctx, f.Comm1, x.ID, " "), "summary")
		if err := db.FinishActivity(ctx, f.Volunteer, x.ID, "很好"); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer finished: %v", err)
		}
		if err := db.FinishActivity(ctx, f.Comm1, x.ID, "老人们很开心"); err != nil {
			t.Fatal(err)
		}
		d, err := db.ActivityDetail(ctx, f.Comm1, x.ID)
		if err != nil || d.Activity.Status != activity.StatusHeld || d.Activity.Summary != "老人们很开心" || d.Activity.Residents != 12 {
			t.Fatalf("held %+v %v", d, err)
		}
		earned := func(want int) {
			t.Helper()
			acc, err := db.VolunteerHours(ctx, f.Comm1, f.Vol1.ID, 10)
			if err != nil || acc.Earned != want {
				t.Fatalf("earned %+v %v, want %d", acc, err, want)
			}
		}
		earned(180)
		for _, e := range d.Elders {
			if e.RecordID == 0 {
				t.Fatalf("elder %d has no record", e.ElderID)
			}
			recs, err := db.ElderComplianceRecords(ctx, e.ElderID, calendar.NewDate(2026, 11, 1), 1<<60)
			if err != nil || len(recs) != 1 || !recs[0].ByCommittee || recs[0].ID != e.RecordID || recs[0].VolunteerID != nil {
				t.Fatalf("records of elder %d: %+v %v", e.ElderID, recs, err)
			}
		}
		// The elder list keeps an elder whose record is written.
		fieldErr(t, db.SetActivityElders(ctx, f.Comm1, x.ID, []int64{f.Elder1.ID}, 12), "elder_ids")
		// Corrections re-book the hours.
		fieldErr(t, db.SetAttendance(ctx, f.Comm1, x.ID, f.Vol1.ID, true, 800), "minutes")
		if err := db.SetAttendance(ctx, f.Comm1, x.ID, f.Vol1.ID, true, 120); err != nil {
			t.Fatal(err)
		}
		earned(120)
		if err := db.SetAttendance(ctx, f.Comm1, x.ID, f.Vol1.ID, false, 0); err != nil {
			t.Fatal(err)
		}
		earned(0)
		// Finishing again changes the summary only.
		if err := db.FinishActivity(ctx, f.Comm1, x.ID, "补充：合影已上传"); err != nil {
			t.Fatal(err)
		}
		earned(0)
		if err := db.CancelSignup(ctx, f.Volunteer, x.ID, f.Vol1.ID); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("cancelled a sign-up of a held activity: %v", err)
		}
	})
}

// TestActivityCapAcrossServers: two servers on one PostgreSQL database
// sign volunteers up at once; the cap holds.
func TestActivityCapAcrossServers(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
	f := storetest.Seed(t, a)
	ctx := context.Background()
	x := plannedActivity(f.C1.ID, "2026-12-05", 3)
	if err := a.CreateActivity(ctx, f.Comm1, x, nil); err != nil {
		t.Fatal(err)
	}
	var vols []int64
	for i := range 10 {
		v := care.Volunteer{Name: "志愿者" + string(rune('A'+i)), Phone: "1370000010" + string(rune('0'+i)), Kind: "social", CommunityID: f.C1.ID, Capacity: 1}
		if err := a.CreateVolunteer(ctx, f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		vols = append(vols, v.ID)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(vols))
	for i, id := range vols {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.SignUp(ctx, f.Comm1, x.ID, id)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case care.ErrorCode(err) == care.EInvalid:
			fieldErr(t, err, "cap")
		default:
			t.Fatalf("sign-up: %v", err)
		}
	}
	d, err := b.ActivityDetail(ctx, f.Comm1, x.ID)
	if err != nil || ok != 3 || len(d.Signups) != 3 {
		t.Fatalf("%d sign-ups accepted, %d stored (cap 3): %v", ok, len(d.Signups), err)
	}
}

// TestReportActivities: the counts of activities held in the period per
// community; a street-wide activity counts its people for their own
// communities, a planned one nothing.
func TestReportActivities(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		own := plannedActivity(f.C1.ID, "2026-11-29", 0)
		wide := plannedActivity(0, "2026-11-29", 0)
		later := plannedActivity(f.C1.ID, "2026-12-05", 0)
		for _, x := range []*activity.Activity{own, wide, later} {
			if err := db.CreateActivity(ctx, f.Station, x, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, x := range []*activity.Activity{own, wide} {
			if err := db.SignUp(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SignUp(ctx, f.Station, wide.ID, f.Vol2.ID); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 11, 29, 18, 0, 0, 0, db.Loc) }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.SetAttendance(ctx, f.Station, own.ID, f.Vol1.ID, true, 180))
		must(db.SetAttendance(ctx, f.Station, wide.ID, f.Vol1.ID, true, 120))
		must(db.SetAttendance(ctx, f.Station, wide.ID, f.Vol2.ID, true, 60))
		must(db.SetActivityElders(ctx, f.Station, own.ID, []int64{f.Elder1.ID}, 15))
		must(db.SetActivityElders(ctx, f.Station, wide.ID, []int64{f.Elder2.ID, f.Elder3.ID}, 0))
		must(db.FinishActivity(ctx, f.Station, own.ID, "好"))
		must(db.FinishActivity(ctx, f.Station, wide.ID, "好"))
		p, err := store.ParsePeriod("2026-11", db.Loc)
		must(err)
		got, err := db.ReportActivitiesOf(ctx, []int64{f.C1.ID, f.C2.ID}, p)
		must(err)
		c1 := store.ReportCounts{"activities.held": 1, "activities.volunteers": 2, "activities.elders": 2, "activities.residents": 15, "activities.minutes": 300}
		c2 := store.ReportCounts{"activities.volunteers": 1, "activities.elders": 1, "activities.minutes": 60}
		for c, want := range map[int64]store.ReportCounts{f.C1.ID: c1, f.C2.ID: c2} {
			for k, n := range want {
				if got[c][k] != n {
					t.Errorf("community %d %s = %d, want %d (%v)", c, k, got[c][k], n, got[c])
				}
			}
			if got[c]["activities.held"] != want["activities.held"] {
				t.Errorf("community %d held %d", c, got[c]["activities.held"])
			}
		}
		n, _, err := db.UpcomingActivities(ctx, f.Station, 0)
		if err != nil || n != 1 {
			t.Fatalf("upcoming %d %v", n, err)
		}
	})
}

// TestActivityHistoryKept: every change is in the audit log; a cancelled
// sign-up keeps its row; the cap cannot go below the sign-ups; an elder
// added after the activity is held gets their record at once.
func TestActivityHistoryKept(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		x := plannedActivity(f.C1.ID, "2026-11-29", 0)
		if err := db.CreateActivity(ctx, f.Comm1, x, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.SignUp(ctx, f.Volunteer, x.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		y := *x
		y.Cap = 0
		if err := db.UpdateActivity(ctx, f.Comm1, &y); err != nil {
			t.Fatal(err)
		}
		vol3 := care.Volunteer{Name: "孙丽", Phone: "13700000003", Kind: "social", CommunityID: f.C1.ID, Capacity: 1}
		if err := db.CreateVolunteer(ctx, f.Comm1, &vol3); err != nil {
			t.Fatal(err)
		}
		if err := db.SignUp(ctx, f.Comm1, x.ID, vol3.ID); err != nil {
			t.Fatal(err)
		}
		y.Cap = 1
		fieldErr(t, db.UpdateActivity(ctx, f.Comm1, &y), "cap")
		if err := db.CancelSignup(ctx, f.Comm1, x.ID, vol3.ID); err != nil {
			t.Fatal(err)
		}
		var rows, live int
		if err := db.ReadRow("SELECT COUNT(*), SUM(CASE WHEN cancelled_at IS NULL THEN 1 ELSE 0 END) FROM activity_signups WHERE activity_id = ?", x.ID).Scan(&rows, &live); err != nil || rows != 2 || live != 1 {
			t.Fatalf("sign-up rows %d live %d: %v", rows, live, err)
		}
		db.Now = func() time.Time { return time.Date(2026, 11, 29, 18, 0, 0, 0, db.Loc) }
		if err := db.SetActivityElders(ctx, f.Comm1, x.ID, []int64{f.Elder1.ID}, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishActivity(ctx, f.Comm1, x.ID, "好"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetActivityElders(ctx, f.Comm1, x.ID, []int64{f.Elder1.ID, f.Elder2.ID}, 3); err != nil {
			t.Fatal(err)
		}
		d, _ := db.ActivityDetail(ctx, f.Comm1, x.ID)
		if len(d.Elders) != 2 || d.Elders[0].RecordID == 0 || d.Elders[1].RecordID == 0 || d.Activity.Residents != 3 {
			t.Fatalf("elders after held %+v", d)
		}
		for _, action := range []string{"create", "signup", "update", "cancel_signup", "elders", "finish"} {
			var n int
			if err := db.ReadRow("SELECT COUNT(*) FROM audit_log WHERE entity = 'activity' AND entity_id = ? AND action = ?", x.ID, action).Scan(&n); err != nil || n == 0 {
				t.Errorf("no audit of %s: %v", action, err)
			}
		}
	})
}
