package tracker_test

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

// start runs a tracker on db until the test ends. Its background loop is
// slowed down so that the test sees what the answers themselves catch up.
func start(t *testing.T, db *store.DB) *tracker.Tracker {
	t.Helper()
	return startWith(t, db, nil)
}

// startWith starts a tracker with a hook in its builds (nil: none).
func startWith(t *testing.T, db *store.DB, hook func(ctx context.Context, stage string) error) *tracker.Tracker {
	t.Helper()
	cfg := tracker.DefaultConfig()
	cfg.SyncEvery, cfg.FullSyncEvery, cfg.TableTTL = time.Hour, time.Hour, 0
	cfg.RebuildRetry, cfg.RefreshWait = 10*time.Millisecond, 20*time.Millisecond
	tr, err := tracker.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if hook != nil {
		tracker.SetHook(tr, hook)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); tr.Wait() }) // before the store closes and its files go
	if err := tr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return tr
}

// scene adds to the fixture (where volunteer 1 joined elder 1 today) a
// neighbour and a committee member paired with elder 1 and volunteer 1
// paired with elder 2, all since the start of November.
type scene struct {
	*storetest.Fixture
	committee care.Volunteer
	nb        care.Actor    // the neighbour, logging as a volunteer
	p1        store.Pairing // the neighbour with elder 1
	p2        store.Pairing // volunteer 1 with elder 2
}

func setScene(t *testing.T, db *store.DB) *scene {
	ctx := context.Background()
	s := &scene{Fixture: storetest.Seed(t, db)}
	s.committee = care.Volunteer{Name: "何主任", Phone: "13700000009", Kind: "committee", CommunityID: s.C1.ID, Capacity: 20}
	must(t, db.CreateVolunteer(ctx, s.Comm1, &s.committee))
	neighbour := care.Volunteer{Name: "钱阿姨", Phone: "13700000008", Kind: "neighbour", CommunityID: s.C1.ID, Capacity: 2}
	must(t, db.CreateVolunteer(ctx, s.Comm1, &neighbour))
	s.nb = care.Actor{Role: care.RoleVolunteer, StreetID: s.Street.ID, CommunityID: s.C1.ID, VolunteerID: neighbour.ID, Username: "nb"}
	nov1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s.p1 = store.Pairing{ElderID: s.Elder1.ID, VolunteerID: neighbour.ID, StartedOn: nov1}
	must(t, db.CreatePairing(ctx, s.Comm1, &s.p1))
	must(t, db.CreatePairing(ctx, s.Comm1, &store.Pairing{ElderID: s.Elder1.ID, VolunteerID: s.committee.ID, StartedOn: nov1}))
	s.p2 = store.Pairing{ElderID: s.Elder2.ID, VolunteerID: s.Vol1.ID, StartedOn: nov1}
	must(t, db.CreatePairing(ctx, s.Comm1, &s.p2))
	return s
}

// clock makes the store's clock settable while the tracker's goroutines
// read it.
func clock(db *store.DB) func(time.Time) {
	var now atomic.Pointer[time.Time]
	t0 := db.Now()
	now.Store(&t0)
	db.Now = func() time.Time { return *now.Load() }
	return func(t time.Time) { now.Store(&t) }
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func day(db *store.DB, d, hour int) time.Time { return time.Date(2026, 11, d, hour, 0, 0, 0, db.Loc) }

// record logs a service as actor a.
func record(t *testing.T, db *store.DB, a care.Actor, r care.ServiceRecord) *care.ServiceRecord {
	t.Helper()
	if a.Role == care.RoleVolunteer { // the history as made, day by day
		storetest.AddMade(t, db, a, &r, store.Proof{})
		return &r
	}
	if err := db.AddService(context.Background(), a, &r, store.Proof{}); err != nil {
		t.Fatalf("%s %s/%s: %v", a.Username, r.Kind, r.Type, err)
	}
	return &r
}

// history writes a month of varied records, amendments and a pairing that
// ends, the cases the incremental path must get right.
func (s *scene) history(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var greetings []*care.ServiceRecord
	for d := 1; d <= 28; d++ {
		if d%5 != 0 {
			greetings = append(greetings, record(t, db, s.nb, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "life", Type: "greeting", At: day(db, d, 8)}))
		}
		if d%3 == 0 {
			record(t, db, s.nb, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "spirit", Type: "chat", At: day(db, d, 15)})
		}
		if d < 20 && d%2 == 0 {
			record(t, db, s.Volunteer, care.ServiceRecord{ElderID: s.Elder2.ID, Kind: "life", Type: "greeting", At: day(db, d, 9)})
		}
	}
	record(t, db, s.ClinicA, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "health", Type: "health_inquiry", At: day(db, 3, 10)})
	record(t, db, s.ClinicA, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "health", Type: "checkup", At: day(db, 18, 10)})
	record(t, db, s.Comm1, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "life", Type: "shopping", At: day(db, 12, 10), Note: "居委会组织"})
	vid := s.committee.ID
	record(t, db, s.Comm1, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "festival", Type: "festival_visit", At: day(db, 20, 10),
		VolunteerID: &vid, AmountCents: 20000, Source: "paper"})
	for i, ch := range []map[string]any{{"void": true}, {"type": "cleaning"}, {"at": "2026-11-05T09:00:00+08:00"}, {"note": "补记"}} {
		if _, err := db.AddAmendment(ctx, s.Comm1, greetings[i*3].ID, "更正", ch); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.EndPairing(ctx, s.Comm1, s.p2.ID, store.Ending{On: time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), Reason: "搬家", NoSuccessor: true}); err != nil {
		t.Fatal(err)
	}
	// A committee member joins later, backdated: the organisation's visit
	// already recorded counts for them too.
	late := care.Volunteer{Name: "孔委员", Phone: "13700000007", Kind: "committee", CommunityID: s.C1.ID, Capacity: 20}
	must(t, db.CreateVolunteer(ctx, s.Comm1, &late))
	must(t, db.CreatePairing(ctx, s.Comm1, &store.Pairing{ElderID: s.Elder1.ID, VolunteerID: late.ID, StartedOn: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)}))
}

func TestIncrementalEqualsRebuild(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		tr := start(t, db)
		s.history(t, db)
		incremental, err := tr.Cells(ctx, s.Street.ID)
		if err != nil || len(incremental) == 0 {
			t.Fatalf("cells: %d %v", len(incremental), err)
		}
		restarted := start(t, db) // restores the saved state and catches up
		restored, err := restarted.Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tr.RebuildStreet(ctx, s.Street.ID); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := tr.Cells(ctx, s.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRows(incremental, rebuilt); diff != "" {
			t.Fatalf("incremental and rebuilt states differ: %s", diff)
		}
		if diff := diffRows(restored, rebuilt); diff != "" {
			t.Fatalf("the saved state differs from a rebuild: %s", diff)
		}
	})
}

func diffRows(a, b []compliance.Row) string {
	for i := 0; i < max(len(a), len(b)); i++ {
		switch {
		case i >= len(a):
			return fmt.Sprintf("missing %+v", b[i])
		case i >= len(b):
			return fmt.Sprintf("extra %+v", a[i])
		case !reflect.DeepEqual(a[i], b[i]):
			return fmt.Sprintf("%+v != %+v", a[i], b[i])
		}
	}
	return ""
}

// status finds one period's status in a report.
func status(t *testing.T, r *tracker.PairingReport, standard, period string) compliance.Status {
	t.Helper()
	for _, s := range r.Statuses {
		if s.Standard == standard && s.Period.Label == period {
			return s
		}
	}
	t.Fatalf("no %s %s in %s", standard, period, r.Key)
	return compliance.Status{}
}

func TestStatusesFollowRecordsAmendmentsAndPairings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		tr := start(t, db)
		s.history(t, db)
		p1 := fmt.Sprintf("p%d", s.p1.ID)
		r, err := tr.PairingReport(ctx, s.Comm1, p1, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if st := status(t, r, "neighbour_daily_greeting", "2026-11-02"); st.Outcome != compliance.Met {
			t.Fatalf("a greeting meets the day: %+v", st)
		}
		for _, d := range []string{"2026-11-01", "2026-11-04", "2026-11-10"} { // struck out, retyped, moved to the 5th
			if st := status(t, r, "neighbour_daily_greeting", d); st.Outcome != compliance.Missed {
				t.Fatalf("%s after its amendment: %+v", d, st)
			}
		}
		if st := status(t, r, "neighbour_daily_greeting", "2026-11-29"); st.Outcome != compliance.Due {
			t.Fatalf("today is due: %+v", st)
		}
		committee := findPairing(t, tr, s, s.Elder1.ID, "committee")
		if st := status(t, committee, "committee_monthly_visit", "2026-11"); st.Outcome != compliance.Met || st.Count != 2 {
			t.Fatalf("the committee's own visit and the organisation's count: %+v", st)
		}
		reports, _ := tr.ElderReport(ctx, s.Comm1, s.Elder1.ID, "2026-11")
		late := reports[len(reports)-1] // the clinic first, then pairings as made: the latest last
		if late.Role != "committee" || status(t, &late, "committee_monthly_visit", "2026-11").Count != 1 {
			t.Fatalf("a pairing added later counts the organisation's visit made before: %+v", late.PairingInfo)
		}
		clinic := findPairing(t, tr, s, s.Elder1.ID, "clinic")
		if st := status(t, clinic, "clinic_halfmonth_inquiry", "2026-11-H2"); st.Outcome != compliance.Met {
			t.Fatalf("the clinic's check-up counts as an inquiry: %+v", st)
		}
		ended, err := tr.PairingReport(ctx, s.Comm1, fmt.Sprintf("p%d", s.p2.ID), "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if ended.To == nil || *ended.To != calendar.NewDate(2026, 11, 15) || len(ended.Statuses) == 0 {
			t.Fatalf("the ended pairing keeps its days: %+v", ended.PairingInfo)
		}
		for _, st := range ended.Statuses {
			if st.Period.From > calendar.NewDate(2026, 11, 15) {
				t.Fatalf("no period after the pairing ended: %+v", st)
			}
		}
		if _, err := tr.PairingReport(ctx, s.Comm2, p1, "2026-11"); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community: %v", err)
		}
	})
}

func findPairing(t *testing.T, tr *tracker.Tracker, s *scene, elder int64, role string) *tracker.PairingReport {
	t.Helper()
	reports, err := tr.ElderReport(context.Background(), s.Comm1, elder, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	for i := range reports {
		if reports[i].Role == role {
			return &reports[i]
		}
	}
	t.Fatalf("elder %d has no %s pairing", elder, role)
	return nil
}

func TestVolunteerWorklist(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		tr := start(t, db)
		record(t, db, s.Volunteer, care.ServiceRecord{ElderID: s.Elder2.ID, Kind: "spirit", Type: "chat", At: day(db, 23, 15)})
		duties, err := tr.Today(ctx, s.Volunteer)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{} // elder/standard → chats or greetings left
		for _, d := range duties {
			want[fmt.Sprint(d.ElderID, d.Standard)] = d.Left
		}
		// Volunteer 1 joined elder 1 today, a Sunday: one chat this week,
		// not two; with elder 2 one of two chats is done.
		if len(duties) != 4 || want[fmt.Sprint(s.Elder1.ID, "neighbour_weekly_chat")] != 1 || want[fmt.Sprint(s.Elder2.ID, "neighbour_weekly_chat")] != 1 {
			t.Fatalf("greet both today, one chat left with each: %+v", duties)
		}
		if duties[0].Standard != "neighbour_daily_greeting" || duties[3].Standard != "neighbour_weekly_chat" {
			t.Fatalf("today's greetings before this week's chats: %+v", duties)
		}
		record(t, db, s.Volunteer, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now()})
		duties, _ = tr.Today(ctx, s.Volunteer)
		if len(duties) != 3 {
			t.Fatalf("a greeting logged leaves the list at once: %+v", duties)
		}
		if _, err := tr.Today(ctx, s.Station); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("the station has the compliance table instead: %v", err)
		}
		// Community staff's worklist is the committee's part in their
		// community: no volunteer's greeting or chat, no other community.
		staff, err := tr.Today(ctx, s.Comm1)
		if err != nil || len(staff) == 0 {
			t.Fatalf("the committee's worklist: %+v %v", staff, err)
		}
		for _, d := range staff {
			if d.Role != "committee" || d.PairingKey != fmt.Sprintf("c%d", d.ElderID) || d.CommunityID != s.C1.ID {
				t.Fatalf("community staff's duty: %+v", d)
			}
		}
	})
}

func TestStandardsChangeRebuildsAndKeepsThePast(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		setNow := clock(db)
		tr := start(t, db)
		// Periods are judged from the first record kept on.
		record(t, db, s.nb, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "life", Type: "greeting", At: day(db, 2, 8)})
		chats := compliance.DefaultStandards()[1]
		chats.Required, chats.EffectiveFrom = 3, calendar.NewDate(2026, 11, 30)
		must(t, db.SaveStandard(ctx, s.Station, chats))
		must(t, tr.WaitRebuilt(ctx, s.Street.ID)) // rebuilt in the background
		setNow(time.Date(2026, 12, 8, 10, 0, 0, 0, db.Loc))
		p1 := fmt.Sprintf("p%d", s.p1.ID)
		nov, err := tr.PairingReport(ctx, s.Comm1, p1, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		dec, err := tr.PairingReport(ctx, s.Comm1, p1, "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range nov.Statuses {
			if st.Period.Label == "2026-11-01" {
				t.Fatal("the day before the first record kept is not judged")
			}
		}
		if st := status(t, nov, "neighbour_weekly_chat", "2026-W48"); st.Required != 2 {
			t.Fatalf("last week keeps two chats: %+v", st)
		}
		if st := status(t, dec, "neighbour_weekly_chat", "2026-W49"); st.Required != 3 || st.Outcome != compliance.Missed {
			t.Fatalf("from the change three chats: %+v", st)
		}
		rows, err := tr.Table(ctx, s.Station, "2026-12", 0)
		if err != nil || len(rows) == 0 {
			t.Fatalf("table: %+v %v", rows, err)
		}
	})
}

func TestAlertsWaitForTheHour(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		setNow := clock(db)
		tr := start(t, db) // 10:00: nothing yet
		if n, err := tr.RaiseDueAlerts(ctx); err != nil || n != 0 {
			t.Fatalf("before the hour: %d %v", n, err)
		}
		setNow(time.Date(2026, 11, 29, 20, 30, 0, 0, db.Loc))
		start(t, db).RaiseOnStart(context.Background()) // a start after the hour raises the day's alerts, in the background
		var list []store.Alert
		var err error
		for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(10 * time.Millisecond) {
			if list, err = db.Alerts(ctx, s.Station, store.AlertFilter{}); err != nil || len(list) == 3 {
				break
			}
		}
		if err != nil || len(list) != 3 {
			t.Fatalf("every elder of the fixture lives alone and nobody was greeted: %d %v", len(list), err)
		}
		if n, _ := tr.RaiseDueAlerts(ctx); n != 0 {
			t.Fatalf("raised once: %d", n)
		}
	})
}

// The clinic's worklist (issue 14 point 7): the half-month inquiry and the
// quarterly check-up of the clinic's elders in service, never another
// clinic's, never an elder moved away or deceased; a call logged leaves it.
func TestClinicWorklist(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setScene(t, db)
		// Clinic B serves community 2, where elder 3 lives.
		clinicB := care.Clinic{Name: "安康卫生站", CommunityIDs: []int64{s.C2.ID}}
		must(t, db.SaveClinic(ctx, s.Station, &clinicB))
		e3 := s.Elder3
		e3.ClinicID = &clinicB.ID
		must(t, db.UpdateElder(ctx, s.Comm2, &e3, ""))
		// Two more elders of clinic A: one moves away, one dies.
		var gone []int64
		for i, status := range []string{"moved", "deceased"} {
			e := storetest.NewElder(fmt.Sprint("周", i), s.C1.ID, "1940-01-01", care.Female, 10+i)
			e.ClinicID = &s.Clinic.ID
			must(t, db.CreateElder(ctx, s.Comm1, &e))
			e.Status = status
			must(t, db.UpdateElder(ctx, s.Comm1, &e, "测试"))
			gone = append(gone, e.ID)
		}
		tr := start(t, db)
		byElder := func(a care.Actor) map[int64][]string {
			t.Helper()
			duties, err := tr.Today(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64][]string{}
			for _, d := range duties {
				if d.Role != "clinic" || (d.Outcome != compliance.Due && d.Outcome != compliance.Overdue) {
					t.Fatalf("only the clinic's standards, due or overdue: %+v", d)
				}
				out[d.ElderID] = append(out[d.ElderID], d.Standard+"@"+d.Period.Label)
				if d.CommunityID == 0 {
					t.Fatalf("a duty names its community: %+v", d)
				}
			}
			return out
		}
		a := byElder(s.ClinicA)
		want := []string{"clinic_halfmonth_inquiry@2026-11-H2", "clinic_quarterly_checkup@2026-Q4"}
		if len(a) != 1 || !reflect.DeepEqual(a[s.Elder1.ID], want) {
			t.Fatalf("clinic A owes elder 1 the call and the check-up, nobody else (elders %d, %d gone; %d is B's): %v", gone[0], gone[1], s.Elder3.ID, a)
		}
		b := byElder(care.Actor{Role: care.RoleClinic, StreetID: s.Street.ID, ClinicID: clinicB.ID, Username: "clinicb"})
		if len(b) != 1 || len(b[s.Elder3.ID]) != 2 {
			t.Fatalf("clinic B owes elder 3 only: %v", b)
		}
		// A call logged by the clinic leaves the list; the check-up stays.
		record(t, db, s.ClinicA, care.ServiceRecord{ElderID: s.Elder1.ID, Kind: "health", Type: "health_inquiry", At: day(db, 29, 9)})
		if a := byElder(s.ClinicA); !reflect.DeepEqual(a[s.Elder1.ID], want[1:]) {
			t.Fatalf("the call is done, the check-up left: %v", a)
		}
		// An account of no clinic has no worklist.
		if _, err := tr.Today(ctx, care.Actor{Role: care.RoleClinic, StreetID: s.Street.ID, Username: "x"}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("a clinic account without a clinic: %v", err)
		}
	})
}
