package store_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// serviceCounts flattens the aggregate to "community/month/kind" → count.
func serviceCounts(rows []store.MonthlyServices) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[fmt.Sprintf("%d/%s/%s", r.CommunityID, r.Month, r.Kind)] += r.Count
	}
	return out
}

func TestMonthlyServicesCountsOriginalsInScope(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		day := func(d string, hour int) time.Time {
			t0 := storetest.Day(d)
			return time.Date(t0.Year(), t0.Month(), t0.Day(), hour, 0, 0, 0, db.Loc)
		}
		add := func(a care.Actor, elder int64, kind, typ string, at time.Time) *care.ServiceRecord {
			t.Helper()
			r := &care.ServiceRecord{ElderID: elder, Kind: kind, Type: typ, At: at, Source: "paper"}
			if a.Role == care.RoleVolunteer { // on the spot, at the time
				r.Source = "spot"
				storetest.AddMade(t, db, a, r, store.Proof{})
				return r
			}
			if err := db.AddService(ctx, a, r, store.Proof{}); err != nil {
				t.Fatalf("%s %s at %v: %v", kind, typ, at, err)
			}
			return r
		}
		add(f.Comm2, f.Elder3.ID, "life", "greeting", day("2026-09-30", 9)) // before the months asked
		add(f.Comm1, f.Elder1.ID, "life", "greeting", day("2026-10-01", 0)) // the first minute of October, local time
		late := add(f.Comm1, f.Elder1.ID, "life", "greeting", day("2026-10-31", 23))
		add(f.Comm1, f.Elder1.ID, "spirit", "chat", day("2026-10-15", 15))
		add(f.Comm2, f.Elder3.ID, "festival", "festival_visit", day("2026-10-01", 10))
		add(f.Volunteer, f.Elder1.ID, "life", "greeting", day("2026-11-29", 8))
		health := add(f.ClinicA, f.Elder1.ID, "health", "health_inquiry", day("2026-11-20", 9))
		add(f.Comm1, f.Elder2.ID, "life", "shopping", day("2026-11-02", 14))
		for _, d := range []string{"2026-11-27", "2026-11-28", "2026-11-29"} {
			add(f.Comm2, f.Elder3.ID, "life", "greeting", day(d, 9))
		}
		wrong := add(f.Comm2, f.Elder3.ID, "life", "housework", day("2026-11-26", 9))
		// An amendment is stored as a record of its own; it adds no service.
		// A correction keeps the kind; a record struck out counts nowhere.
		for _, am := range []struct {
			by      care.Actor
			id      int64
			changes map[string]any
		}{
			{f.Comm1, health.ID, map[string]any{"note": "血压平稳"}},
			{f.Comm1, late.ID, map[string]any{"type": "shopping"}},
			{f.Comm2, wrong.ID, map[string]any{"void": true}},
		} {
			if _, err := db.AddAmendment(ctx, am.by, am.id, "更正", am.changes); err != nil {
				t.Fatal(err)
			}
		}
		// Another street's services are not the station's.
		admin := care.Actor{Role: care.RoleAdmin, Username: "admin"}
		other := care.Street{Name: "长乐街道", District: "鼓楼区", City: "南京市"}
		if err := db.CreateStreet(ctx, admin, &other); err != nil {
			t.Fatal(err)
		}
		otherStation := care.Actor{Role: care.RoleStation, StreetID: other.ID, Username: "station2"}
		oc := care.Community{Name: "长乐社区"}
		if err := db.SaveCommunity(ctx, otherStation, &oc); err != nil {
			t.Fatal(err)
		}
		oe := storetest.NewElder("周桂芳", oc.ID, "1940-03-03", care.Female, 9)
		if err := db.CreateElder(ctx, otherStation, &oe); err != nil {
			t.Fatal(err)
		}
		add(otherStation, oe.ID, "life", "greeting", day("2026-11-29", 7))

		months := []string{"2026-10", "2026-11"}
		c1, c2, c3 := f.C1.ID, f.C2.ID, oc.ID
		key := func(c int64, m, kind string) string { return fmt.Sprintf("%d/%s/%s", c, m, kind) }
		street := map[string]int{
			key(c1, "2026-10", "life"): 2, key(c1, "2026-10", "spirit"): 1,
			key(c1, "2026-11", "health"): 1, key(c1, "2026-11", "life"): 2,
			key(c2, "2026-10", "festival"): 1, key(c2, "2026-11", "life"): 3,
		}
		district := maps.Clone(street)
		district[key(c3, "2026-11", "life")] = 1
		own := map[string]int{key(c2, "2026-10", "festival"): 1, key(c2, "2026-11", "life"): 3}
		for _, tc := range []struct {
			name  string
			actor care.Actor
			want  map[string]int
		}{
			{"station", f.Station, street},
			{"street viewer", f.Viewer, street},
			{"district viewer", care.Actor{Role: care.RoleViewer, Username: "district"}, district},
			{"community", f.Comm2, own},
		} {
			rows, err := db.MonthlyServices(ctx, tc.actor, months)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := serviceCounts(rows); !maps.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
			if !slices.IsSortedFunc(rows, func(a, b store.MonthlyServices) int {
				return cmp.Or(cmp.Compare(a.CommunityID, b.CommunityID), cmp.Compare(a.Month, b.Month))
			}) {
				t.Errorf("%s: rows not by community and month: %v", tc.name, rows)
			}
		}
		for _, a := range []care.Actor{f.Volunteer, f.ClinicA, admin} {
			if _, err := db.MonthlyServices(ctx, a, months); code(err) != care.EForbidden {
				t.Errorf("%s: want forbidden, got %v", a.Role, err)
			}
			if _, err := db.GreetedOn(ctx, a, db.Now()); code(err) != care.EForbidden {
				t.Errorf("%s greeted: want forbidden, got %v", a.Role, err)
			}
		}
		if _, err := db.MonthlyServices(ctx, f.Station, []string{"2026-13"}); code(err) != care.EInvalid {
			t.Errorf("a bad month: %v", err)
		}
		if rows, err := db.MonthlyServices(ctx, f.Station, nil); err != nil || len(rows) != 0 {
			t.Errorf("no months: %v %v", rows, err)
		}

		for _, tc := range []struct {
			name  string
			actor care.Actor
			want  int
		}{
			{"station", f.Station, 2}, {"c1", f.Comm1, 1}, {"c2", f.Comm2, 1},
			{"district viewer", care.Actor{Role: care.RoleViewer, Username: "district"}, 3},
		} {
			if n, err := db.GreetedOn(ctx, tc.actor, db.Now()); err != nil || n != tc.want {
				t.Errorf("%s greeted today: %d %v, want %d", tc.name, n, err, tc.want)
			}
		}
		if n, err := db.GreetedOn(ctx, f.Station, day("2026-11-28", 12)); err != nil || n != 1 {
			t.Errorf("greeted yesterday: %d %v", n, err)
		}
	})
}
