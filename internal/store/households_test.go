package store_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// householdEnv is the fixture plus a third elder of community 1 (the
// spouse of Elder2) and a household of Elder1 and Elder2.
type householdEnv struct {
	*storetest.Fixture
	db     *store.DB
	Spouse care.Elder
}

func newHouseholdEnv(t *testing.T, db *store.DB) *householdEnv {
	t.Helper()
	f := storetest.Seed(t, db)
	env := &householdEnv{Fixture: f, db: db}
	env.Spouse = storetest.NewElder("陈老伴", f.C1.ID, "1951-03-02", care.Female, 9)
	if err := db.CreateElder(context.Background(), f.Comm1, &env.Spouse); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestHouseholdMembership(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newHouseholdEnv(t, db)
		ctx := context.Background()
		// Only staff form households; at least two elders of one community.
		h := &store.Household{Name: "陈家"}
		if err := db.CreateHousehold(ctx, env.Volunteer, h, []int64{env.Elder1.ID, env.Elder2.ID}, time.Time{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer formed a household: %v", err)
		}
		fieldErr(t, db.CreateHousehold(ctx, env.Comm1, h, []int64{env.Elder2.ID}, time.Time{}), "elder_ids")
		fieldErr(t, db.CreateHousehold(ctx, env.Station, h, []int64{env.Elder2.ID, env.Elder3.ID}, time.Time{}), "elder_ids.1")
		// Community 2's staff do not see community 1's elders.
		fieldErr(t, db.CreateHousehold(ctx, env.Comm2, h, []int64{env.Elder2.ID, env.Spouse.ID}, time.Time{}), "elder_ids.0")
		if err := db.CreateHousehold(ctx, env.Comm1, h, []int64{env.Elder2.ID, env.Spouse.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// An elder is in at most one current household.
		fieldErr(t, db.CreateHousehold(ctx, env.Comm1, &store.Household{}, []int64{env.Elder1.ID, env.Spouse.ID}, time.Time{}), "elder_ids.1")
		got, err := db.ElderHousehold(ctx, env.Comm1, env.Spouse.ID)
		if err != nil || got == nil || got.ID != h.ID || len(got.CurrentMembers()) != 2 || !got.CountsOnce {
			t.Fatalf("spouse's household = %+v, %v", got, err)
		}
		// Adding and ending members keeps the history.
		if err := db.AddHouseholdMember(ctx, env.Comm1, h.ID, env.Elder1.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.AddHouseholdMember(ctx, env.Comm1, h.ID, env.Elder1.ID, time.Time{}), "elder_id")
		fieldErr(t, db.EndHouseholdMember(ctx, env.Comm1, h.ID, env.Elder1.ID, time.Time{}, ""), "reason")
		if err := db.EndHouseholdMember(ctx, env.Comm1, h.ID, env.Elder1.ID, time.Time{}, "搬去女儿家"); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetHousehold(ctx, env.Station, h.ID)
		if len(got.Members) != 3 || len(got.CurrentMembers()) != 2 || got.Members[2].EndReason != "搬去女儿家" {
			t.Fatalf("members after a change = %+v", got.Members)
		}
		// A household left with one member ends.
		if err := db.EndHouseholdMember(ctx, env.Comm1, h.ID, env.Spouse.ID, time.Time{}, "去世"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ElderHousehold(ctx, env.Comm1, env.Elder2.ID); got != nil {
			t.Fatalf("a one-member household is still current: %+v", got)
		}
		list, err := db.Households(ctx, env.Comm1, 0, false)
		if err != nil || len(list) != 0 {
			t.Fatalf("current households = %+v, %v", list, err)
		}
		if list, _ := db.Households(ctx, env.Comm1, 0, true); len(list) != 1 || len(list[0].Members) != 3 {
			t.Fatalf("history = %+v", list)
		}
		// The elders are free again for another household.
		if err := db.CreateHousehold(ctx, env.Comm1, &store.Household{}, []int64{env.Elder1.ID, env.Spouse.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestHouseholdPairingCountsOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newHouseholdEnv(t, db)
		ctx := context.Background()
		h := &store.Household{Name: "陈家"}
		if err := db.CreateHousehold(ctx, env.Comm1, h, []int64{env.Elder2.ID, env.Spouse.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// Vol1 (capacity 2) serves Elder1: one place left, enough for the
		// household when the street counts it once.
		ps, err := db.PairHousehold(ctx, env.Comm1, h.ID, env.Vol1.ID, time.Time{})
		if err != nil || len(ps) != 2 {
			t.Fatalf("pair household: %v, %v", ps, err)
		}
		for _, id := range []int64{env.Elder2.ID, env.Spouse.ID} {
			team, _ := db.ElderTeam(ctx, env.Comm1, id)
			if len(team) != 1 || team[0].VolunteerID != env.Vol1.ID {
				t.Fatalf("elder %d team = %+v", id, team)
			}
		}
		free, err := db.FreeVolunteers(ctx, env.Comm1, env.C1.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range free {
			if v.ID == env.Vol1.ID {
				t.Fatalf("Vol1 (2 places: an elder and a household) is listed as free with load %d", v.Load)
			}
		}
		// Pairing again is refused: everyone is paired already.
		if _, err := db.PairHousehold(ctx, env.Comm1, h.ID, env.Vol1.ID, time.Time{}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("pairing twice: %v", err)
		}
		// Counting per member, Vol1 has 3 elders on 2 places: a new elder is refused.
		if err := db.SetHouseholdCountsOnce(ctx, env.Comm1, false); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community set the street's rule: %v", err)
		}
		if err := db.SetHouseholdCountsOnce(ctx, env.Station, false); err != nil {
			t.Fatal(err)
		}
		if free, _ := db.FreeVolunteers(ctx, env.Comm1, env.C1.ID); len(free) > 0 && free[0].ID == env.Vol1.ID {
			t.Fatalf("Vol1 free while counted per member: %+v", free)
		}
		h2 := &store.Household{}
		e4 := storetest.NewElder("赵大爷", env.C1.ID, "1945-01-01", care.Male, 11)
		e5 := storetest.NewElder("赵大妈", env.C1.ID, "1946-01-01", care.Female, 12)
		for _, e := range []*care.Elder{&e4, &e5} {
			if err := db.CreateElder(ctx, env.Comm1, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateHousehold(ctx, env.Comm1, h2, []int64{e4.ID, e5.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		v3 := care.Volunteer{Name: "周红", Phone: "13700000003", Kind: "neighbour", CommunityID: env.C1.ID, Capacity: 1}
		if err := db.CreateVolunteer(ctx, env.Station, &v3); err != nil {
			t.Fatal(err)
		}
		// All or none: the second member does not fit, so nobody is paired.
		if _, err := db.PairHousehold(ctx, env.Comm1, h2.ID, v3.ID, time.Time{}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("a household of two on one place, counted per member: %v", err)
		}
		if team, _ := db.ElderTeam(ctx, env.Comm1, e4.ID); len(team) != 0 {
			t.Fatalf("a refused household pairing left %+v", team)
		}
		if err := db.SetHouseholdCountsOnce(ctx, env.Station, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PairHousehold(ctx, env.Comm1, h2.ID, v3.ID, time.Time{}); err != nil {
			t.Fatalf("a household on one place, counted once: %v", err)
		}
	})
}

func TestHouseholdMatchingKeepsTogether(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newHouseholdEnv(t, db)
		ctx := context.Background()
		h := &store.Household{Name: "陈家"}
		if err := db.CreateHousehold(ctx, env.Comm1, h, []int64{env.Elder2.ID, env.Spouse.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// Vol1 has one place left: the household takes it as a unit.
		m, err := db.SuggestPairings(ctx, env.Comm1, store.MatchScope{CommunityID: env.C1.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]int64{}
		for _, s := range m.Plan.Suggestions {
			got[s.ElderID] = s.VolunteerID
		}
		if got[env.Elder2.ID] != env.Vol1.ID || got[env.Spouse.ID] != env.Vol1.ID {
			t.Fatalf("suggestions = %+v, unmatched %+v", m.Plan.Suggestions, m.Plan.Unmatched)
		}
		// Accepting them through the ordinary path fits in the one place.
		if err := db.CreatePairings(ctx, env.Comm1, []*store.Pairing{{ElderID: env.Elder2.ID, VolunteerID: env.Vol1.ID},
			{ElderID: env.Spouse.ID, VolunteerID: env.Vol1.ID}}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestHouseholdVisit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newHouseholdEnv(t, db)
		ctx := context.Background()
		h := &store.Household{Name: "王陈家"}
		if err := db.CreateHousehold(ctx, env.Comm1, h, []int64{env.Elder1.ID, env.Spouse.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		visit := func() *care.ServiceRecord {
			return &care.ServiceRecord{ElderID: env.Elder1.ID, Kind: "spirit", Type: "chat", At: at(db, 9)}
		}
		// Vol1 serves Elder1 only: a visit for the whole household is refused.
		if _, _, err := db.AddHouseholdVisit(ctx, env.Volunteer, h.ID, visit(), store.Proof{}, store.Attempt{}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("household visit without the household paired: %v", err)
		}
		if _, err := db.PairHousehold(ctx, env.Comm1, h.ID, env.Vol1.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// A proof of method household is not for ordinary records.
		if err := db.AddService(ctx, env.Volunteer, visit(), store.Proof{Method: "household"}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("household proof on an ordinary record: %v", err)
		}
		code := db.CardCode(env.Elder1.ID, 1, "2026-11")
		attempt := store.Attempt{Key: "hv-1", Fingerprint: "f"}
		recs, replay, err := db.AddHouseholdVisit(ctx, env.Volunteer, h.ID, visit(), store.Proof{Method: "qr", Code: code}, attempt)
		if err != nil || replay || len(recs) != 2 {
			t.Fatalf("household visit: %v %v %v", recs, replay, err)
		}
		if recs[0].ElderID != env.Elder1.ID || recs[1].ElderID != env.Spouse.ID || recs[0].HouseholdVisitID == "" ||
			recs[0].HouseholdVisitID != recs[1].HouseholdVisitID || !recs[0].Verified || !recs[1].Verified || recs[1].Method != "household" {
			t.Fatalf("records = %+v / %+v", recs[0], recs[1])
		}
		// A retry gets the same records.
		again, replay, err := db.AddHouseholdVisit(ctx, env.Volunteer, h.ID, visit(), store.Proof{Method: "qr", Code: code}, attempt)
		if err != nil || !replay || len(again) != 2 || again[0].ID != recs[0].ID || again[1].ID != recs[1].ID {
			t.Fatalf("replay = %v %v %v", again, replay, err)
		}
		// The visit is on each member's card and counts for each.
		for _, id := range []int64{env.Elder1.ID, env.Spouse.ID} {
			card, err := db.GetCard(ctx, env.Comm1, id, "2026-11")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range card.Entries {
				if e.HouseholdVisitID == recs[0].HouseholdVisitID {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("elder %d card has %d records of the visit", id, n)
			}
			cr, err := db.ElderComplianceRecords(ctx, id, calendar.NewDate(2026, 11, 1), 1<<62)
			if err != nil || len(cr) == 0 {
				t.Fatalf("elder %d compliance records %v, %v", id, cr, err)
			}
		}
		// Each record is checked where it is made: a future time is refused
		// for all, and nothing is stored.
		bad := visit()
		bad.At = at(db, 23)
		if _, _, err := db.AddHouseholdVisit(ctx, env.Volunteer, h.ID, bad, store.Proof{}, store.Attempt{}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("future household visit: %v", err)
		}
		// The proof belongs to a member.
		other := visit()
		other.ElderID = env.Elder2.ID
		if _, _, err := db.AddHouseholdVisit(ctx, env.Comm1, h.ID, other, store.Proof{}, store.Attempt{}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("visit named for a non-member: %v", err)
		}
		card, _ := db.GetCard(ctx, env.Comm1, env.Spouse.ID, "2026-11")
		if len(card.Entries) != 1 {
			t.Fatalf("spouse card has %d entries after refusals", len(card.Entries))
		}
	})
}
