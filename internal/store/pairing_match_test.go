package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/pairplan"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// coords returns a position northM metres north of the fixture street.
func coords(northM float64) (*float64, *float64) {
	lat, lon := 32.0640+northM/111195.0, 118.7720
	return &lat, &lon
}

// matchEnv places community 1 on the map: Vol1 (one place left) at 0 m,
// Vol3 (one place) at 200 m, and five elders waiting: Elder2 (priority 5,
// refuses Vol1) at 10 m, a decliner at 20 m, one who prefers Vol1 at 30 m,
// one at 40 m and one 3 km away.
type matchEnv struct {
	*pairingEnv
	decliner, prefers, fourth, far care.Elder
}

func newMatchEnv(t *testing.T, db *store.DB) *matchEnv {
	env := &matchEnv{pairingEnv: newPairingEnv(t, db)}
	ctx := context.Background()
	for _, v := range []struct {
		vol   *care.Volunteer
		north float64
	}{{&env.Vol1, 0}, {&env.Vol3, 200}} {
		v.vol.Lat, v.vol.Lon = coords(v.north)
		if err := db.UpdateVolunteer(ctx, env.Station, v.vol); err != nil {
			t.Fatal(err)
		}
	}
	e2 := env.elder(t, env.Elder2.ID)
	e2.Lat, e2.Lon = coords(10)
	e2.Wishes.Refuse = []int64{env.Vol1.ID}
	env.updateElder(t, e2, "")
	add := func(e *care.Elder, name string, seq int, north float64, w care.Wishes) {
		*e = storetest.NewElder(name, env.C1.ID, "1950-05-05", care.Female, seq)
		if north >= 0 {
			e.Lat, e.Lon = coords(north)
		}
		e.Wishes = w
		if err := db.CreateElder(ctx, env.Comm1, e); err != nil {
			t.Fatal(err)
		}
	}
	add(&env.decliner, "赵兰", 11, 20, care.Wishes{DeclinePairing: true, DeclineReason: "已雇保姆"})
	add(&env.prefers, "钱梅", 12, 30, care.Wishes{Prefer: []int64{env.Vol1.ID}})
	add(&env.fourth, "孙菊", 13, 40, care.Wishes{})
	add(&env.far, "李竹", 14, 3000, care.Wishes{})
	return env
}

func plan(t *testing.T, db *store.DB, a care.Actor, s store.MatchScope) (map[int64]int64, map[int64]string) {
	t.Helper()
	m, err := db.SuggestPairings(context.Background(), a, s)
	if err != nil {
		t.Fatal(err)
	}
	pairs, why := map[int64]int64{}, map[int64]string{}
	for _, s := range m.Suggestions {
		pairs[s.ElderID] = s.VolunteerID
		if _, ok := m.Elders[s.ElderID]; !ok {
			t.Fatalf("suggestion for an elder not described: %d", s.ElderID)
		}
	}
	for _, u := range m.Unmatched {
		why[u.ElderID] = u.Reason
	}
	return pairs, why
}

func TestMatchingRespectsWishesAndCapacityAndExplains(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newMatchEnv(t, db)
		ctx := context.Background()
		pairs, why := plan(t, db, env.Comm1, store.MatchScope{})
		wantPairs := map[int64]int64{env.Elder2.ID: env.Vol3.ID, env.prefers.ID: env.Vol1.ID}
		wantWhy := map[int64]string{env.decliner.ID: pairplan.ReasonDeclined, env.fourth.ID: pairplan.ReasonCapacity, env.far.ID: pairplan.ReasonNoneInReach}
		if !sameMap(pairs, wantPairs) || !sameStrings(why, wantWhy) {
			t.Fatalf("suggestions %v, unmatched %v", pairs, why)
		}

		// Rejecting a suggestion keeps it from coming back.
		if err := db.RejectSuggestions(ctx, env.Comm1, []store.Pick{{ElderID: env.prefers.ID, VolunteerID: env.Vol1.ID}}, "老人临时改变主意"); err != nil {
			t.Fatal(err)
		}
		pairs, why = plan(t, db, env.Comm1, store.MatchScope{CommunityID: env.C1.ID})
		if pairs[env.prefers.ID] != 0 || pairs[env.fourth.ID] != env.Vol1.ID || why[env.prefers.ID] != pairplan.ReasonCapacity {
			t.Fatalf("after the rejection: %v %v", pairs, why)
		}

		// Accepting creates the pairings, validated as any other.
		picks := []*store.Pairing{{ElderID: env.Elder2.ID, VolunteerID: env.Vol3.ID}, {ElderID: env.fourth.ID, VolunteerID: env.Vol1.ID}}
		if err := db.CreatePairings(ctx, env.Comm1, picks); err != nil {
			t.Fatal(err)
		}
		pairs, why = plan(t, db, env.Comm1, store.MatchScope{})
		if len(pairs) != 0 || why[env.Elder2.ID] != "" || why[env.prefers.ID] != pairplan.ReasonRefusedAll && why[env.prefers.ID] != pairplan.ReasonCapacity {
			t.Fatalf("paired elders are no longer planned: %v %v", pairs, why)
		}
		err := db.CreatePairings(ctx, env.Comm1, []*store.Pairing{{ElderID: env.prefers.ID, VolunteerID: env.Vol3.ID}, {ElderID: env.decliner.ID, VolunteerID: env.Vol3.ID}})
		wantFields(t, err, "pairings.0.volunteer_id", "pairings.1.elder_id", "pairings.1.volunteer_id")
	})
}

func TestMatchingScope(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newMatchEnv(t, db)
		ctx := context.Background()
		if _, err := db.SuggestPairings(ctx, env.Comm2, store.MatchScope{CommunityID: env.C1.ID}); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 matching community 1: %v", err)
		}
		for _, a := range []care.Actor{env.Volunteer, env.ClinicA, env.Viewer, env.Admin} {
			if _, err := db.SuggestPairings(ctx, a, store.MatchScope{}); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s matching: %v", a.Role, err)
			}
		}
		if _, err := db.SuggestPairings(ctx, env.Comm1, store.MatchScope{MaxDistanceM: 10}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("a reach of 10 m: %v", err)
		}
		// The station's street-wide plan pairs community 2's elder (no
		// coordinates anywhere there) with community 2's neighbour only.
		pairs, _ := plan(t, db, env.Station, store.MatchScope{})
		if pairs[env.Elder3.ID] != env.Vol4.ID {
			t.Fatalf("street-wide: %v", pairs)
		}
		pairs, why := plan(t, db, env.Comm2, store.MatchScope{})
		if len(pairs) != 1 || len(why) != 0 || pairs[env.Elder3.ID] != env.Vol4.ID {
			t.Fatalf("community 2 plans its own: %v %v", pairs, why)
		}
		free, err := db.FreeVolunteers(ctx, env.Comm1, 0)
		if err != nil || len(free) != 2 || free[0].Load > free[0].Capacity {
			t.Fatalf("free volunteers of community 1: %v %+v", err, free)
		}
		unpaired, err := db.UnpairedElders(ctx, env.Comm1, 0)
		if err != nil || len(unpaired) != 5 || unpaired[0].ID != env.Elder2.ID {
			t.Fatalf("unpaired elders, highest priority first: %v %d", err, len(unpaired))
		}
	})
}

func TestAgreementAndClinic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		p := env.team(t, env.Elder1.ID)[0]
		bad := &store.Agreement{PairingID: p.ID, Services: []string{"shopping"}, SignedOn: db.Today().AddDate(0, 0, 1),
			Signatories: []store.Signatory{{Party: "community", Name: "张主任"}}}
		wantFields(t, db.RecordAgreement(ctx, env.Comm1, bad), "services", "start_on", "signed_on", "signatories")
		ag := &store.Agreement{PairingID: p.ID, Services: []string{"spirit", "life"}, StartOn: p.StartedOn, SignedOn: p.StartedOn,
			Signatories: []store.Signatory{{Party: "elder", Name: env.Elder1.Name}, {Party: "volunteer", Name: env.Vol1.Name}, {Party: "community", Name: "幸福社区居委会"}}}
		if err := db.RecordAgreement(ctx, env.Comm2, ag); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community: %v", err)
		}
		if err := db.RecordAgreement(ctx, env.Comm1, ag); err != nil {
			t.Fatal(err)
		}
		got, err := db.AgreementOf(ctx, env.Volunteer, p.ID)
		if err != nil || len(got.Services) != 2 || got.Services[0] != "life" || len(got.Signatories) != 3 {
			t.Fatalf("the volunteer reads their agreement: %v %+v", err, got)
		}
		if team := env.team(t, env.Elder1.ID); team[0].AgreementSigned == nil {
			t.Fatal("the team shows the agreement")
		}
		if _, err := db.AgreementOf(ctx, env.ClinicA, 999999); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("unknown pairing: %v", err)
		}
		other := env.Clinic.ID
		e3 := env.Elder3.ID
		wantFields(t, db.SetElderClinic(ctx, env.Station, e3, &other), "clinic_id") // the clinic serves community 1 only
		if err := db.SetElderClinic(ctx, env.Comm1, env.Elder2.ID, &other); err != nil {
			t.Fatal(err)
		}
		if e := env.elder(t, env.Elder2.ID); e.ClinicID == nil || *e.ClinicID != other {
			t.Fatalf("clinic not assigned: %+v", e.ClinicID)
		}
	})
}

func sameMap(a, b map[int64]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sameStrings(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestMatchingLeavesServedElders: an elder with enough of a role is not
// suggested for it again, an elder just given a volunteer does not come
// back at once, one served by a supplement is later offered only a
// neighbour with the reason (and is no "unmatched" noise when none can be
// found), and a rejection is remembered with who rejected it and when.
func TestMatchingLeavesServedElders(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newMatchEnv(t, db)
		ctx := context.Background()
		var committee []care.Volunteer
		for i, name := range []string{"郑居委", "冯居委", "韩居委"} {
			v := care.Volunteer{Name: name, Phone: "1370000010" + string(rune('1'+i)), Kind: "committee", CommunityID: env.C1.ID, Capacity: 5}
			v.Lat, v.Lon = coords(45)
			if err := db.CreateVolunteer(ctx, env.Station, &v); err != nil {
				t.Fatal(err)
			}
			committee = append(committee, v)
		}
		suggest := func() *store.Matching {
			t.Helper()
			m, err := db.SuggestPairings(ctx, env.Comm1, store.MatchScope{CommunityID: env.C1.ID})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		shown := func(m *store.Matching, id int64) *pairplan.Suggestion {
			for _, u := range m.Unmatched {
				if u.ElderID == id {
					t.Fatalf("a served elder is listed as unmatched: %+v", u)
				}
			}
			for i := range m.Suggestions {
				if m.Suggestions[i].ElderID == id {
					return &m.Suggestions[i]
				}
			}
			return nil
		}
		// 孙菊 (fourth) already has two committee members; 钱梅 (prefers)
		// is given a committee member instead of the suggested neighbour.
		if err := db.CreatePairings(ctx, env.Comm1, []*store.Pairing{{ElderID: env.fourth.ID, VolunteerID: committee[0].ID},
			{ElderID: env.fourth.ID, VolunteerID: committee[1].ID}, {ElderID: env.prefers.ID, VolunteerID: committee[2].ID}}); err != nil {
			t.Fatal(err)
		}
		m := suggest()
		if s := shown(m, env.fourth.ID); s != nil {
			t.Fatalf("an elder just given two committee members is suggested again: %+v", s)
		}
		if s := shown(m, env.prefers.ID); s != nil {
			t.Fatalf("an accepted elder comes back at once: %+v", s)
		}
		if s := shown(m, env.Elder2.ID); s == nil || s.Need.ZH != "尚无结对志愿者，缺 1 名（邻里志愿者优先）" {
			t.Fatalf("an elder with nobody says so: %+v", s)
		}

		// A month on, they are sought a neighbour, and say so.
		now := db.Now()
		db.Now = func() time.Time { return now.AddDate(0, 0, store.SettleDays+1) }
		m = suggest()
		n := 0
		for _, id := range []int64{env.fourth.ID, env.prefers.ID} {
			s := shown(m, id)
			if s == nil {
				continue
			}
			n++
			for _, o := range s.Options {
				if o.Kind != "neighbour" {
					t.Fatalf("an elder with enough committee members is offered %d (%s)", o.VolunteerID, o.Kind)
				}
			}
			if !strings.HasSuffix(s.Need.ZH, "名，仍缺邻居志愿者 1 名") {
				t.Fatalf("an elder shown again says why: %q", s.Need.ZH)
			}
		}
		if n != 1 {
			t.Fatalf("one neighbour left (Vol1) for two served elders: %d shown", n)
		}

		// A rejection is stored with who and when, and the pair is not made again.
		u := &care.User{Username: "c1chief", DisplayName: "王主任", Role: care.RoleCommunity, StreetID: env.Street.ID, CommunityID: env.C1.ID}
		if err := db.CreateUser(ctx, env.Admin, u, storetest.Password); err != nil {
			t.Fatal(err)
		}
		chief := env.Comm1
		chief.Username, chief.UserID = u.Username, u.ID
		target := store.Pick{ElderID: env.Elder2.ID, VolunteerID: shown(m, env.Elder2.ID).VolunteerID}
		if err := db.RejectSuggestions(ctx, chief, []store.Pick{target}, "住得远"); err != nil {
			t.Fatal(err)
		}
		m = suggest()
		rj := m.Rejections[target.ElderID]
		if len(rj) != 1 || rj[0].VolunteerID != target.VolunteerID || rj[0].By != "王主任" || rj[0].Reason != "住得远" ||
			!rj[0].At.Equal(db.Now().UTC().Truncate(time.Millisecond)) {
			t.Fatalf("the rejection is remembered with who and when: %+v", rj)
		}
		if s := shown(m, target.ElderID); s != nil && s.VolunteerID == target.VolunteerID {
			t.Fatal("a rejected pair is suggested again")
		}
	})
}
