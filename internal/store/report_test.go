package store_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// reportFixture adds to the fixture street a month of services, an
// amendment of each kind, a signed card and a resolved case, the same on
// both databases, and returns what the November report must count.
func reportFixture(t *testing.T, db *store.DB, f *storetest.Fixture) (c1, c2 store.ReportCounts) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	at := func(day string, hour int) time.Time {
		d := storetest.Day(day)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, db.Loc)
	}
	elder4 := storetest.NewElder("周玉兰", f.C2.ID, "1956-05-06", care.Female, 4)
	elder4.Wishes = care.Wishes{DeclinePairing: true, DeclineReason: "女儿每天来照顾"}
	elder4.Categories = []string{"three_no"}
	elder4.SelfCare = "partial"
	must(db.CreateElder(ctx, f.Comm2, &elder4))
	var greetings []int64
	for _, day := range []string{"2026-11-02", "2026-11-03", "2026-11-04"} {
		r := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: at(day, 8)}
		storetest.AddMade(t, db, f.Volunteer, r, store.Proof{})
		greetings = append(greetings, r.ID)
	}
	end := at("2026-11-05", 10).Add(30 * time.Minute)
	storetest.AddMade(t, db, f.Volunteer, &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: at("2026-11-05", 10), EndAt: &end}, store.Proof{})
	october := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: at("2026-10-30", 8)}
	storetest.AddMade(t, db, f.Volunteer, october, store.Proof{})
	end = at("2026-11-06", 9).Add(90 * time.Minute)
	shopping := &care.ServiceRecord{ElderID: f.Elder3.ID, Kind: "life", Type: "shopping", At: at("2026-11-06", 9), EndAt: &end, ServedBy: "社区"}
	must(db.AddService(ctx, f.Station, shopping, store.Proof{}))
	// A complaint heard in October opens a case, resolved in November:
	// October's report counts it open at the month's end.
	now := db.Now
	db.Now = func() time.Time { return at("2026-10-20", 10) }
	must(db.AddService(ctx, f.Comm1, &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "legal", Type: "complaint", At: at("2026-10-20", 9),
		Note: "楼道灯坏了三个月", ServedBy: "社区"}, store.Proof{}))
	db.Now = now
	end = at("2026-11-08", 9).Add(45 * time.Minute)
	walk := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "walk", At: at("2026-11-08", 9), EndAt: &end}
	storetest.AddMade(t, db, f.Volunteer, walk, store.Proof{})
	// A greeting and the walk struck out, the shopping corrected twice:
	// the newest correction counts.
	_, err := db.AddAmendment(ctx, f.Comm1, greetings[2], "重复录入", map[string]any{"void": true})
	must(err)
	_, err = db.AddAmendment(ctx, f.Comm1, walk.ID, "没有去", map[string]any{"void": true})
	must(err)
	_, err = db.AddAmendment(ctx, f.Station, shopping.ID, "实为打扫卫生", map[string]any{"type": "cooking"})
	must(err)
	_, err = db.AddAmendment(ctx, f.Station, shopping.ID, "再次更正：实为打扫卫生", map[string]any{"type": "cleaning"})
	must(err)
	_, err = db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-10", "pass", "")
	must(err)
	cases, err := db.Cases(ctx, f.Comm1, true)
	must(err)
	if len(cases) != 1 {
		t.Fatalf("cases: %+v", cases)
	}
	must(db.UpdateCase(ctx, f.Comm1, cases[0].ID, "resolved", "", "已报修，灯已换好"))

	c1 = store.ReportCounts{
		"elders": 2, "elders.new": 2, "elders.status.active": 2, "elders.self_care.independent": 1, "elders.self_care.dependent": 1,
		"elders.category.empty_nest": 2, "elders.category.advanced_age": 1,
		"pairing.active": 2, "pairing.paired": 1, "pairing.unpaired": 1, "pairing.reason.not_yet": 1,
		"services": 3, "services.life.greeting": 2, "services.spirit.chat": 1, "services.spirit.chat.minutes": 30,
		"services.elders": 1, "cards": 1,
		"volunteers": 1, "volunteers.active": 1, "volunteers.kind.neighbour": 1, "volunteers.serving": 1,
		"volunteers.records": 3, "volunteers.minutes": 30,
		"cases.resolved.legal": 1,
		// The hours ledger: November's records are the volunteer's own and
		// not verified (nothing earned yet); October's greeting earned its
		// 10 minutes when the station signed the card.
		"hours.balance": 10,
	}
	c2 = store.ReportCounts{
		"elders": 2, "elders.new": 2, "elders.status.active": 2, "elders.self_care.independent": 1, "elders.self_care.partial": 1,
		"elders.category.empty_nest": 1, "elders.category.three_no": 1, "elders.category.advanced_age": 1,
		"pairing.active": 2, "pairing.unpaired": 2, "pairing.reason.not_yet": 1, "pairing.reason.declined": 1,
		"services": 1, "services.life.cleaning": 1, "services.life.cleaning.minutes": 90, "services.elders": 1, "cards": 1,
		"volunteers": 1, "volunteers.active": 1, "volunteers.kind.social": 1,
	}
	return c1, c2
}

func nonZero(c store.ReportCounts) store.ReportCounts {
	out := store.ReportCounts{}
	for k, v := range c {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func diffCounts(t *testing.T, what string, got, want store.ReportCounts) {
	t.Helper()
	got = nonZero(got)
	keys := slices.Sorted(maps.Keys(got))
	for k := range want {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("%s %s = %d, want %d", what, k, got[k], want[k])
		}
	}
}

// TestReportCounts checks every number of a street's monthly report on
// both databases against what the fixture holds.
func TestReportCounts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		c1, c2 := reportFixture(t, db, f)
		p, err := store.ParsePeriod("2026-11", db.Loc)
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.ResolveReportUnit(ctx, f.Station, "和平街道")
		if err != nil {
			t.Fatal(err)
		}
		if u.Kind != store.UnitStreet || len(u.Parts) != 2 || u.Parts[0].Name != "幸福社区" {
			t.Fatalf("unit %+v", u)
		}
		d, err := db.Report(ctx, f.Station, u, p)
		if err != nil {
			t.Fatal(err)
		}
		diffCounts(t, "幸福社区", d.Parts[0], c1)
		diffCounts(t, "安康社区", d.Parts[1], c2)

		// October: a greeting with its signed card and the complaint; the
		// register is the same, the services, cards and cases are October's.
		p, _ = store.ParsePeriod("2026-10", db.Loc)
		d, err = db.Report(ctx, f.Station, u, p)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]int64{"services": 2, "services.life.greeting": 1, "services.legal.complaint": 1, "cards": 2,
			"cards.signed": 1, "cards.pass": 1, "volunteers.records": 1, "cases.opened.legal": 1, "cases.open.legal": 1,
			"hours.credited": 10, "hours.credited.neighbour": 10} {
			if d.Parts[0][k] != want {
				t.Errorf("October %s = %d, want %d", k, d.Parts[0][k], want)
			}
		}
		if d.Parts[0]["elders.new"] != 0 || d.Parts[0]["cases.resolved.legal"] != 0 || d.Parts[0]["pairing.paired"] != 0 {
			t.Errorf("October counts what came later: %v", nonZero(d.Parts[0]))
		}

		// A quarter sums its months.
		p, _ = store.ParsePeriod("2026-Q4", db.Loc)
		d, err = db.Report(ctx, f.Station, u, p)
		if err != nil {
			t.Fatal(err)
		}
		if d.Parts[0]["services"] != 5 || d.Parts[0]["cards"] != 3 || d.Parts[0]["services.elders"] != 2 || d.Parts[0]["cases.open.legal"] != 0 {
			t.Errorf("Q4: %v", nonZero(d.Parts[0]))
		}
	})
}

// TestReportScope checks who may report on what.
func TestReportScope(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		if u, err := db.ResolveReportUnit(ctx, f.Comm1, "幸福社区"); err != nil || u.Kind != store.UnitCommunity || u.ID != f.C1.ID {
			t.Errorf("community staff, own community: %+v %v", u, err)
		}
		for _, name := range []string{"安康社区", "和平街道"} {
			if _, err := db.ResolveReportUnit(ctx, f.Comm1, name); care.ErrorCode(err) != care.EInvalid {
				t.Errorf("community staff reporting on %s: %v", name, err)
			}
		}
		if u, err := db.ResolveReportUnit(ctx, f.Station, "和平街道/安康社区"); err != nil || u.ID != f.C2.ID {
			t.Errorf("street/community: %+v %v", u, err)
		}
		for _, a := range []care.Actor{f.Volunteer, f.ClinicA, f.Admin} {
			if _, err := db.ResolveReportUnit(ctx, a, "和平街道"); !errors.Is(err, care.ErrForbidden()) && care.ErrorCode(err) != care.EForbidden {
				t.Errorf("%s: %v", a.Role, err)
			}
			if _, err := db.Report(ctx, a, store.ReportUnit{}, store.Period{}); care.ErrorCode(err) != care.EForbidden {
				t.Errorf("%s report: %v", a.Role, err)
			}
		}
		// A street viewer has no district; a district viewer has.
		if _, err := db.ResolveReportUnit(ctx, f.Viewer, "鼓楼区"); care.ErrorCode(err) != care.EInvalid {
			t.Errorf("street viewer, district: %v", err)
		}
		district := care.Actor{Role: care.RoleViewer, Username: "district"}
		u, err := db.ResolveReportUnit(ctx, district, "鼓楼区")
		if err != nil || u.Kind != store.UnitDistrict || len(u.Parts) != 1 || len(u.Parts[0].Communities) != 2 {
			t.Fatalf("district: %+v %v", u, err)
		}
		p, _ := store.ParsePeriod("2026-11", db.Loc)
		d, err := db.Report(ctx, district, u, p)
		if err != nil || d.Parts[0]["elders"] != 3 {
			t.Errorf("district elders: %v %v", d, err)
		}
		units, err := db.ReportUnits(ctx, district)
		if err != nil || !slices.Equal(units, []string{"鼓楼区", "和平街道", "幸福社区", "安康社区"}) {
			t.Errorf("district units: %v %v", units, err)
		}
	})
}

func TestParsePeriod(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	for in, want := range map[string][]string{"2026-11": {"2026-11"}, "2026-Q4": {"2026-10", "2026-11", "2026-12"}, "2027-Q1": {"2027-01", "2027-02", "2027-03"}} {
		p, err := store.ParsePeriod(in, loc)
		if err != nil || !slices.Equal(p.Months, want) {
			t.Errorf("%s: %v %v", in, p.Months, err)
		}
	}
	p, _ := store.ParsePeriod("2026-Q4", loc)
	if p.LastDay() != "2026-12-31" || !p.From.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("Q4 days: %v %s", p.From, p.LastDay())
	}
	for _, bad := range []string{"", "2026-13", "2026-00", "2026-Q5", "2026/11", "26-11", "2026-11-01"} {
		if _, err := store.ParsePeriod(bad, loc); care.ErrorCode(err) != care.EInvalid {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
