package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/duty"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestDutyRoster: community staff keep their own roster, the station any
// of its street; OnDuty answers with the person rostered, an exception's
// cover, or — nobody rostered — every staff account of the community.
func TestDutyRoster(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		// Two more staff accounts of community 1, one of them disabled later.
		staff := map[string]int64{"c1": f.Comm1.UserID}
		for _, name := range []string{"c1b", "c1c"} {
			u := &care.User{Username: name, Role: care.RoleCommunity, CommunityID: f.C1.ID}
			if err := db.CreateUser(ctx, f.Admin, u, storetest.Password); err != nil {
				t.Fatal(err)
			}
			staff[name] = u.ID
		}
		a, b, c := staff["c1"], staff["c1b"], staff["c1c"]
		at := func(s string) time.Time {
			tm, err := time.ParseInLocation("2006-01-02 15:04", s, db.Loc)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		onDuty := func(when string) ([]int64, bool) {
			t.Helper()
			users, rostered, err := db.OnDuty(ctx, f.C1.ID, at(when))
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, u := range users {
				ids = append(ids, u.ID)
			}
			return ids, rostered
		}
		// No roster: everyone of the community is told.
		if ids, rostered := onDuty("2026-11-30 10:00"); rostered || !slices.Equal(ids, []int64{a, b, c}) {
			t.Fatalf("no roster: %v %v", ids, rostered)
		}
		r := &duty.Roster{ // community staff: CommunityID 0 is their own
			Shifts: []duty.Shift{
				{Weekday: 1, From: "08:00", To: "18:00", UserID: a},
				{Weekday: 1, From: "18:00", To: "08:00", UserID: b},
				{Weekday: 2, From: "08:00", To: "18:00", UserID: a},
			},
			Exceptions: []duty.Exception{
				{FromDay: storetest.Day("2026-12-01"), ToDay: storetest.Day("2026-12-01"), Replaces: a, UserID: c, Note: "病假"},
				{FromDay: storetest.Day("2026-12-07"), ToDay: storetest.Day("2026-12-07"), Note: "全员培训"},
			},
		}
		if err := db.SaveDutyRoster(ctx, f.Comm1, r); err != nil {
			t.Fatal(err)
		}
		if r.CommunityID != f.C1.ID || r.Shifts[0].ID == 0 || r.Exceptions[1].ID <= r.Exceptions[0].ID {
			t.Fatalf("ids and community set: %+v", r)
		}
		for _, tc := range []struct {
			at       string
			want     []int64
			rostered bool
		}{
			{"2026-11-30 10:00", []int64{a}, true},
			{"2026-12-01 02:00", []int64{b}, true},        // Monday's night shift
			{"2026-12-01 10:00", []int64{c}, true},        // a on sick leave, c covers
			{"2026-12-02 10:00", []int64{a, b, c}, false}, // Wednesday: nobody rostered
			{"2026-12-07 10:00", []int64{a, b, c}, false}, // training day: nobody, so everyone
			{"2026-12-08 10:00", []int64{a}, true},
		} {
			if ids, rostered := onDuty(tc.at); rostered != tc.rostered || !slices.Equal(ids, tc.want) {
				t.Errorf("%s: on duty %v (rostered %v), want %v (%v)", tc.at, ids, rostered, tc.want, tc.rostered)
			}
		}
		// The station reads and keeps community 1's roster too.
		got, err := db.DutyRoster(ctx, f.Station, f.C1.ID)
		if err != nil || len(got.Shifts) != 3 || len(got.Exceptions) != 2 || got.Exceptions[0].Note != "病假" || got.Shifts[1].From != "18:00" {
			t.Fatalf("station reads: %+v %v", got, err)
		}
		// A disabled account on the roster is passed over: the fallback.
		if err := db.SetUserDisabled(ctx, f.Admin, a, true); err != nil {
			t.Fatal(err)
		}
		if ids, rostered := onDuty("2026-11-30 10:00"); rostered || !slices.Equal(ids, []int64{b, c}) {
			t.Errorf("the rostered account disabled: %v %v", ids, rostered)
		}
		// Scope and validation.
		for _, tc := range []struct {
			name string
			a    care.Actor
			r    duty.Roster
			code string
		}{
			{"community 2 on community 1", f.Comm2, duty.Roster{CommunityID: f.C1.ID}, care.ENotFound},
			{"a volunteer", f.Volunteer, duty.Roster{}, care.EForbidden},
			{"a clinic", f.ClinicA, duty.Roster{CommunityID: f.C1.ID}, care.EForbidden},
			{"the station must name the community", f.Station, duty.Roster{}, care.EInvalid},
			{"another community's account", f.Comm2, duty.Roster{Shifts: []duty.Shift{{Weekday: 1, From: "08:00", To: "12:00", UserID: b}}}, care.EInvalid},
			{"a disabled account", f.Comm1, duty.Roster{Shifts: []duty.Shift{{Weekday: 1, From: "08:00", To: "12:00", UserID: a}}}, care.EInvalid},
		} {
			r := tc.r
			if err := db.SaveDutyRoster(ctx, tc.a, &r); care.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		bad := duty.Roster{Shifts: []duty.Shift{{Weekday: 9, From: "8点", To: "12:00", UserID: f.Station.UserID}}}
		err = db.SaveDutyRoster(ctx, f.Comm1, &bad)
		var ce *care.Error
		if !errors.As(err, &ce) || ce.Fields["shifts[0].weekday"].ZH == "" || ce.Fields["shifts[0].from"].ZH == "" || ce.Fields["shifts[0].user_id"].ZH == "" {
			t.Fatalf("every field at once: %v", err)
		}
		if got, _ := db.DutyRoster(ctx, f.Comm1, 0); len(got.Shifts) != 3 {
			t.Fatal("a refused roster changed the saved one")
		}
		if _, err := db.DutyRoster(ctx, f.Comm2, f.C1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads community 1's roster: %v", err)
		}
		// A community without staff accounts falls back to the station.
		users, rostered, err := db.OnDuty(ctx, f.C2.ID, at("2026-11-30 10:00"))
		if err != nil || rostered || len(users) != 1 || users[0].ID != f.Comm2.UserID {
			t.Fatalf("community 2: %+v %v %v", users, rostered, err)
		}
		if err := db.SetUserDisabled(ctx, f.Admin, f.Comm2.UserID, true); err != nil {
			t.Fatal(err)
		}
		users, _, err = db.OnDuty(ctx, f.C2.ID, at("2026-11-30 10:00"))
		if err != nil || len(users) != 1 || users[0].ID != f.Station.UserID {
			t.Fatalf("no staff left: the station: %+v %v", users, err)
		}
	})
}
