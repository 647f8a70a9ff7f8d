package store_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// pairingEnv is the fixture street plus what the pairing tests need: a
// third volunteer in community 1 and a fourth elder there.
type pairingEnv struct {
	*storetest.Fixture
	db   *store.DB
	Vol3 care.Volunteer // neighbour, community 1, capacity 1
	Vol4 care.Volunteer // neighbour, community 2, capacity 2
}

func newPairingEnv(t *testing.T, db *store.DB) *pairingEnv {
	t.Helper()
	f := storetest.Seed(t, db)
	env := &pairingEnv{Fixture: f, db: db}
	ctx := context.Background()
	env.Vol3 = care.Volunteer{Name: "周红", Phone: "13700000003", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 1, Address: "幸福社区2栋"}
	env.Vol4 = care.Volunteer{Name: "吴刚", Phone: "13700000004", Kind: "neighbour", CommunityID: f.C2.ID, Capacity: 2}
	for _, v := range []*care.Volunteer{&env.Vol3, &env.Vol4} {
		if err := db.CreateVolunteer(ctx, f.Station, v); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// elder reads an elder back as community 1 sees it.
func (env *pairingEnv) elder(t *testing.T, id int64) *care.Elder {
	t.Helper()
	e, err := env.db.GetElder(context.Background(), env.Station, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (env *pairingEnv) updateElder(t *testing.T, e *care.Elder, reason string) {
	t.Helper()
	if err := env.db.UpdateElder(context.Background(), env.Station, e, reason); err != nil {
		t.Fatal(err)
	}
}

func (env *pairingEnv) team(t *testing.T, elderID int64) []store.TeamMember {
	t.Helper()
	team, err := env.db.ElderTeam(context.Background(), env.Station, elderID)
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// currentResponsible counts the current responsible persons of an elder.
func currentResponsible(team []store.TeamMember) (n int, who string) {
	for _, m := range team {
		if m.EndedOn == nil && m.Responsible {
			n++
			who = m.Name
		}
	}
	return n, who
}

func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.EInvalid {
		t.Fatalf("want invalid %v, got %v", fields, err)
	}
	for _, f := range fields {
		if _, ok := ce.Fields[f]; !ok {
			t.Fatalf("want an error on %s, got %v", f, ce.Fields)
		}
	}
	if len(ce.Fields) != len(fields) {
		t.Fatalf("want errors on exactly %v, got %v", fields, ce.Fields)
	}
}

func TestPairingValidation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		pair := func(a care.Actor, elder, vol int64) error {
			return db.CreatePairing(ctx, a, &store.Pairing{ElderID: elder, VolunteerID: vol})
		}
		wantFields(t, pair(env.Comm1, env.Elder1.ID, env.Vol1.ID), "volunteer_id") // already in the team
		e2 := env.elder(t, env.Elder2.ID)
		e2.Wishes = care.Wishes{Refuse: []int64{env.Vol3.ID}}
		env.updateElder(t, e2, "")
		wantFields(t, pair(env.Comm1, env.Elder2.ID, env.Vol3.ID), "volunteer_id")   // refused
		wantFields(t, pair(env.Station, env.Elder2.ID, env.Vol4.ID), "volunteer_id") // a neighbour of another community
		wantFields(t, pair(env.Comm1, env.Elder2.ID, env.Vol2.ID), "volunteer_id")   // outside community 1's scope
		if err := pair(env.Comm2, env.Elder1.ID, env.Vol4.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 pairing community 1's elder: %v, want not found", err)
		}
		for _, a := range []care.Actor{env.Volunteer, env.ClinicA, env.Viewer, env.Admin} {
			if err := pair(a, env.Elder2.ID, env.Vol1.ID); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s pairing: %v, want forbidden", a.Role, err)
			}
		}

		// Every problem at once: the elder declines, the volunteer paused,
		// the start in the future.
		e2.Wishes = care.Wishes{DeclinePairing: true, DeclineReason: "已雇保姆"}
		env.updateElder(t, e2, "")
		v3 := env.Vol3
		v3.Status = "paused"
		if err := db.UpdateVolunteer(ctx, env.Station, &v3); err != nil {
			t.Fatal(err)
		}
		err := db.CreatePairing(ctx, env.Comm1, &store.Pairing{ElderID: env.Elder2.ID, VolunteerID: env.Vol3.ID, StartedOn: db.Today().AddDate(0, 0, 2)})
		wantFields(t, err, "elder_id", "volunteer_id", "started_on")
		if ce := err.(*care.Error); !strings.Contains(ce.Fields["elder_id"].ZH, "已雇保姆") || ce.Fields["volunteer_id"].EN == "" {
			t.Fatalf("reasons in both languages: %+v", ce.Fields)
		}
		e2.Wishes, e2.Status = care.Wishes{}, "paused"
		env.updateElder(t, e2, "住院")
		wantFields(t, pair(env.Comm1, env.Elder2.ID, env.Vol1.ID), "elder_id")

		// Capacity: Vol1 (2 places) serves Elder1; one more fills it.
		e4 := storetest.NewElder("孙芳", env.C1.ID, "1940-01-01", care.Female, 4)
		if err := db.CreateElder(ctx, env.Comm1, &e4); err != nil {
			t.Fatal(err)
		}
		if err := pair(env.Comm1, e4.ID, env.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		e5 := storetest.NewElder("钱明", env.C1.ID, "1941-01-01", care.Male, 5)
		if err := db.CreateElder(ctx, env.Comm1, &e5); err != nil {
			t.Fatal(err)
		}
		err = pair(env.Comm1, e5.ID, env.Vol1.ID)
		wantFields(t, err, "volunteer_id")
		if !strings.Contains(err.(*care.Error).Fields["volunteer_id"].ZH, "可结对人数 2") {
			t.Fatalf("capacity reason: %v", err)
		}
		if n := len(env.team(t, e5.ID)); n != 0 {
			t.Fatalf("a refused pairing wrote %d team members", n)
		}
	})
}

func TestOneResponsiblePerElder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		social := &store.Pairing{ElderID: env.Elder1.ID, VolunteerID: env.Vol2.ID} // social, community 2: allowed to the station
		if err := db.CreatePairing(ctx, env.Station, social); err != nil {
			t.Fatal(err)
		}
		if n, who := currentResponsible(env.team(t, env.Elder1.ID)); n != 1 || who != env.Vol1.Name || social.Responsible {
			t.Fatalf("a second member does not take the role: %d %s", n, who)
		}
		named := &store.Pairing{ElderID: env.Elder1.ID, VolunteerID: env.Vol3.ID, Responsible: true}
		if err := db.CreatePairing(ctx, env.Comm1, named); err != nil {
			t.Fatal(err)
		}
		if n, who := currentResponsible(env.team(t, env.Elder1.ID)); n != 1 || who != env.Vol3.Name {
			t.Fatalf("naming a new responsible person moves the role: %d %s", n, who)
		}
		if err := db.SetResponsible(ctx, env.Comm2, social.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community's pairing must be not found, got %v", err)
		}
		if err := db.SetResponsible(ctx, env.Station, social.ID); err != nil {
			t.Fatal(err)
		}
		if n, who := currentResponsible(env.team(t, env.Elder1.ID)); n != 1 || who != env.Vol2.Name {
			t.Fatalf("SetResponsible: %d %s", n, who)
		}
		log, err := db.AuditLog(ctx, env.Station, "pairing", named.ID, 10)
		if err != nil || len(log) < 2 {
			t.Fatalf("responsibility changes are audited: %v %+v", err, log)
		}
	})
}
