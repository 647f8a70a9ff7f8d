package demo

import (
	"context"
	"slices"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

func testAccounts(t *testing.T, db *store.DB, accounts []Account) {
	want := map[string]string{
		"admin": care.RoleAdmin, "station": care.RoleStation, "community1": care.RoleCommunity,
		"community2": care.RoleCommunity, "community3": care.RoleCommunity, "volunteer1": care.RoleVolunteer,
		"clinic1": care.RoleClinic, "viewer": care.RoleViewer,
	}
	if len(accounts) != len(usernames) {
		t.Fatalf("got %d accounts, want %d", len(accounts), len(usernames))
	}
	for i, a := range accounts {
		if a.Username != usernames[i] || a.Role != want[a.Username] || a.Description == "" {
			t.Errorf("account %d = %+v", i, a)
		}
		u, err := db.Authenticate(context.Background(), a.Username, testPassword)
		if err != nil {
			t.Errorf("%s cannot log in: %v", a.Username, err)
			continue
		}
		if u.Role != a.Role || u.DisplayName == "" {
			t.Errorf("%s: role %q, display name %q", a.Username, u.Role, u.DisplayName)
		}
		if u.Role != care.RoleAdmin && u.StreetID == 0 {
			t.Errorf("%s is tied to no street", a.Username)
		}
	}
}

func testCounts(t *testing.T, db *store.DB, station care.Actor, elders []care.Elder) {
	ctx := context.Background()
	comms, err := db.Communities(ctx, station)
	if err != nil || len(comms) != 3 {
		t.Fatalf("communities: %d, %v", len(comms), err)
	}
	for _, c := range comms {
		if n := len(c.Buildings); n < 8 || n > 15 {
			t.Errorf("%s has %d buildings", c.Name, n)
		}
	}
	clinics, err := db.Clinics(ctx, station)
	if err != nil || len(clinics) != 2 {
		t.Fatalf("clinics: %d, %v", len(clinics), err)
	}
	if n := len(elders); n < 250 || n > 350 {
		t.Errorf("%d elders", n)
	}
	if n := len(listVolunteers(t, db, station)); n < 120 || n > 180 {
		t.Errorf("%d volunteers", n)
	}
}

// testVariety checks that every value of every enumeration a screen can
// filter by occurs, and that ages and shares look like a real register.
func testVariety(t *testing.T, db *store.DB, station care.Actor, elders []care.Elder) {
	seen := map[string]int{}
	today := db.Today()
	for _, e := range elders {
		for _, c := range e.AllCategories(today) {
			seen["category "+c]++
		}
		seen["status "+e.Status]++
		seen["self_care "+e.SelfCare]++
		seen["living "+e.LivingSituation]++
		if a := care.Age(e.BirthDate, today); a < 60 || a > 101 {
			t.Errorf("%s is %d", e.Name, a)
		}
		if n := len(e.Needs); n < 1 || n > 3 {
			t.Errorf("%s has %d needs", e.Name, n)
		}
	}
	for _, v := range listVolunteers(t, db, station) {
		seen["kind "+v.Kind]++
		seen["volunteer status "+v.Status]++
	}
	var want []string
	for _, set := range []struct {
		prefix  string
		choices []care.Choice
	}{{"category ", care.Categories}, {"status ", care.ElderStatuses}, {"self_care ", care.SelfCareLevels},
		{"living ", care.LivingSituations}, {"kind ", care.VolunteerKinds}, {"volunteer status ", care.VolunteerStatuses}} {
		for _, c := range set.choices {
			want = append(want, set.prefix+c.Code)
		}
	}
	for _, w := range want {
		if seen[w] == 0 {
			t.Errorf("no %s in the demo", w)
		}
	}
	if n := seen["category advanced_age"]; n < len(elders)/4 {
		t.Errorf("only %d of %d elders are 80 or older", n, len(elders))
	}
	t.Logf("%v", seen)
}

// testClinics checks that every active elder has a clinic serving their community.
func testClinics(t *testing.T, db *store.DB, station care.Actor, elders []care.Elder) {
	clinics, err := db.Clinics(context.Background(), station)
	if err != nil {
		t.Fatal(err)
	}
	serves := map[int64][]int64{}
	for _, k := range clinics {
		serves[k.ID] = k.CommunityIDs
	}
	for _, e := range elders {
		if e.Status != "active" {
			continue
		}
		if e.ClinicID == nil || !slices.Contains(serves[*e.ClinicID], e.CommunityID) {
			t.Errorf("%s (community %d) has clinic %v", e.Name, e.CommunityID, e.ClinicID)
		}
	}
}

// testPairings checks the shape of the care teams: one responsible person,
// volunteers of the elder's community, a few active elders left unpaired.
func testPairings(t *testing.T, db *store.DB, station care.Actor, elders []care.Elder) {
	ctx := context.Background()
	vols := map[int64]care.Volunteer{}
	for _, v := range listVolunteers(t, db, station) {
		vols[v.ID] = v
	}
	unpaired, many := 0, 0
	for _, e := range elders {
		team, err := db.ElderTeam(ctx, station, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		responsible, current := 0, 0
		for _, m := range team {
			if m.EndedOn != nil {
				continue // relayed pairings are history
			}
			current++
			v := vols[m.VolunteerID]
			if v.CommunityID != e.CommunityID || v.Status != "active" || slices.Contains(e.Wishes.Refuse, v.ID) {
				t.Errorf("%s is paired with %s (community %d, %s)", e.Name, v.Name, v.CommunityID, v.Status)
			}
			if m.Responsible {
				responsible++
			}
		}
		switch {
		case current > 0 && responsible != 1:
			t.Errorf("%s has %d responsible persons", e.Name, responsible)
		case current > 0 && (e.Wishes.DeclinePairing || e.Status == "moved" || e.Status == "deceased"):
			t.Errorf("%s (%s, declines %v) is paired", e.Name, e.Status, e.Wishes.DeclinePairing)
		case current == 0 && e.Status == "active":
			unpaired++
		}
		if current > 1 {
			many++
		}
	}
	if unpaired < 8 || unpaired > 20 {
		t.Errorf("%d active elders unpaired, want about 10–15", unpaired)
	}
	if many == 0 {
		t.Error("no many-to-one pairing")
	}
	t.Logf("%d active elders unpaired, %d with several volunteers", unpaired, many)
}

func testVolunteer1(t *testing.T, db *store.DB) {
	a := login(t, db, "volunteer1")
	v, err := db.GetVolunteer(context.Background(), a, a.VolunteerID)
	if err != nil {
		t.Fatal(err)
	}
	c1 := login(t, db, "community1")
	if v.Kind != "neighbour" || v.CommunityID != c1.CommunityID || v.Status != "active" {
		t.Fatalf("volunteer1 is %+v", v)
	}
	mine := listElders(t, db, a)
	if len(mine) < 2 || len(mine) > 3 {
		t.Fatalf("volunteer1 sees %d elders", len(mine))
	}
	full := listElders(t, db, c1)
	for _, e := range mine {
		i := slices.IndexFunc(full, func(x care.Elder) bool { return x.ID == e.ID })
		if i < 0 || full[i].LivingSituation != "alone" || full[i].Status != "active" {
			t.Errorf("volunteer1 sees %s, who is not an active elder of community1 living alone", e.Name)
		}
		if e.IDMasked != "" || e.Notes != "" {
			t.Errorf("volunteer1 sees more than serving needs of %s", e.Name)
		}
	}
}

func testCommunityScope(t *testing.T, db *store.DB, all []care.Elder) {
	total := 0
	for _, name := range []string{"community1", "community2", "community3"} {
		a := login(t, db, name)
		list := listElders(t, db, a)
		for _, e := range list {
			if e.CommunityID != a.CommunityID {
				t.Fatalf("%s sees %s of community %d", name, e.Name, e.CommunityID)
			}
		}
		if len(list) < 80 {
			t.Errorf("%s sees only %d elders", name, len(list))
		}
		total += len(list)
	}
	if total != len(all) {
		t.Errorf("communities see %d elders, the station %d", total, len(all))
	}
}

// testIDNumbers reveals every ID number (as the station may) and checks it
// is valid, agrees with birth date and gender, and is unique.
func testIDNumbers(t *testing.T, db *store.DB, station care.Actor, elders []care.Elder) {
	seen := map[string]bool{}
	for _, e := range elders {
		id, err := db.RevealElderID(context.Background(), station, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		info, bad := care.ParseIDNumber(id)
		if bad != nil || !info.BirthDate.Equal(e.BirthDate) || info.Gender != e.Gender {
			t.Errorf("%s: ID %s does not agree (%v)", e.Name, id, bad)
		}
		if seen[id] {
			t.Errorf("ID %s is used twice", id)
		}
		seen[id] = true
	}
}
