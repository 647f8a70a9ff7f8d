package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.EInvalid {
		t.Fatalf("want invalid error on %s, got %v", field, err)
	}
	if _, ok := ce.Fields[field]; !ok {
		t.Fatalf("want error on field %s, got %v", field, ce.Fields)
	}
}

func countElders(t *testing.T, db *store.DB, a care.Actor) int {
	t.Helper()
	_, n, err := db.ListElders(context.Background(), a, store.ElderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestElderRoundTripAndEncryption(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		got, err := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "王秀英" || got.BirthDate.Format("2006-01-02") != "1938-02-03" || got.EmergencyContacts[0].Lives != "上海" {
			t.Fatalf("round trip lost data: %+v", got)
		}
		if got.IDNumber != "" || got.IDMasked != care.MaskIDNumber(f.Elder1.IDNumber) {
			t.Fatalf("a read must carry only the masked ID, got %q / %q", got.IDNumber, got.IDMasked)
		}
		var sealed []byte
		if err := db.ReadRow(("SELECT id_enc FROM elders WHERE id = ?"), f.Elder1.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte(f.Elder1.IDNumber)) {
			t.Fatal("the ID number is stored in the clear")
		}
		found, n, err := db.ListElders(ctx, f.Station, store.ElderFilter{IDNumber: f.Elder1.IDNumber})
		if err != nil || n != 1 || found[0].ID != f.Elder1.ID {
			t.Fatalf("lookup by ID number: %v %d", err, n)
		}
	})
}

func TestInvalidElderChangesNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		before := countElders(t, db, f.Station)
		e := storetest.NewElder("孙丽", f.C1.ID, "1946-04-04", care.Female, 9)
		e.IDNumber = e.IDNumber[:17] + map[bool]string{true: "1", false: "0"}[e.IDNumber[17] == '0']
		fieldErr(t, db.CreateElder(ctx, f.Comm1, &e), "id_number")
		dup := storetest.NewElder("王秀英二", f.C1.ID, "1938-02-03", care.Female, 1) // same ID as elder1
		fieldErr(t, db.CreateElder(ctx, f.Comm1, &dup), "id_number")
		other := storetest.NewElder("周敏", f.C2.ID, "1946-04-04", care.Female, 10)
		fieldErr(t, db.CreateElder(ctx, f.Comm1, &other), "community_id")
		if after := countElders(t, db, f.Station); after != before {
			t.Fatalf("invalid input saved something: %d -> %d", before, after)
		}
	})
}

func TestScopingByRole(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name  string
			actor care.Actor
			want  int
		}{{"station sees the street", f.Station, 3}, {"community sees its own", f.Comm1, 2},
			{"other community", f.Comm2, 1}, {"volunteer sees paired only", f.Volunteer, 1}, {"clinic sees assigned", f.ClinicA, 1}} {
			if got := countElders(t, db, tc.actor); got != tc.want {
				t.Errorf("%s: %d elders, want %d", tc.name, got, tc.want)
			}
		}
		if _, err := db.GetElder(ctx, f.Comm2, f.Elder1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Errorf("another community's elder must be not found, got %v", err)
		}
		if _, err := db.GetElder(ctx, f.Volunteer, f.Elder2.ID); care.ErrorCode(err) != care.ENotFound {
			t.Errorf("unpaired elder must be not found for a volunteer, got %v", err)
		}
		for _, a := range []care.Actor{f.Viewer, f.Admin} {
			if _, _, err := db.ListElders(ctx, a, store.ElderFilter{}); care.ErrorCode(err) != care.EForbidden {
				t.Errorf("%s must be forbidden personal data, got %v", a.Role, err)
			}
		}
		v, err := db.GetElder(ctx, f.Volunteer, f.Elder1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.IDMasked != "" || !v.BirthDate.IsZero() || v.Notes != "" || v.Phone == "" || len(v.EmergencyContacts) != 1 {
			t.Errorf("volunteer view must hold only name, address, phone, needs, contacts: %+v", v)
		}
		if err := db.UpdateElder(ctx, f.Volunteer, v, ""); care.ErrorCode(err) != care.EForbidden {
			t.Errorf("volunteer may not edit the registry, got %v", err)
		}
		if _, err := db.RevealElderID(ctx, f.Comm2, f.Elder1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Errorf("reveal across communities must fail, got %v", err)
		}
		if _, _, err := db.ListVolunteers(ctx, f.ClinicA, store.VolunteerFilter{}); care.ErrorCode(err) != care.EForbidden {
			t.Errorf("clinic must not list volunteers, got %v", err)
		}
		vs, n, err := db.ListVolunteers(ctx, f.Volunteer, store.VolunteerFilter{})
		if err != nil || n != 1 || vs[0].ID != f.Vol1.ID {
			t.Errorf("a volunteer sees only themself: %v %d", err, n)
		}
	})
}

func TestRevealIsAudited(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		plain, err := db.RevealElderID(ctx, f.Comm1, f.Elder1.ID)
		if err != nil || plain != f.Elder1.IDNumber {
			t.Fatalf("reveal = %q, %v", plain, err)
		}
		if _, err := db.RevealElderID(ctx, f.Volunteer, f.Elder1.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer reveal must be forbidden, got %v", err)
		}
		log, err := db.AuditLog(ctx, f.Station, "elder", f.Elder1.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "reveal_id_number" || log[0].Username != "c1" {
			t.Fatalf("reveal not audited: %+v", log)
		}
		for _, e := range log {
			if strings.Contains(e.Before+e.After, f.Elder1.IDNumber) {
				t.Fatal("the audit log must not hold the plain ID number")
			}
		}
	})
}

func TestStatusChangeKeepsHistory(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		e, _ := db.GetElder(ctx, f.Comm1, f.Elder2.ID)
		e.Status = "paused"
		fieldErr(t, db.UpdateElder(ctx, f.Comm1, e, ""), "status_reason")
		e, _ = db.GetElder(ctx, f.Comm1, f.Elder2.ID)
		e.Status = "paused"
		if err := db.UpdateElder(ctx, f.Comm1, e, "住院"); err != nil {
			t.Fatal(err)
		}
		e, _ = db.GetElder(ctx, f.Comm1, f.Elder2.ID)
		e.Status = "deceased"
		if err := db.UpdateElder(ctx, f.Comm1, e, "病故"); err != nil {
			t.Fatal(err)
		}
		h, err := db.ElderStatusHistory(ctx, f.Comm1, f.Elder2.ID)
		if err != nil || len(h) != 2 || h[0].To != "paused" || h[1].From != "paused" || h[1].Reason != "病故" {
			t.Fatalf("history = %+v, %v", h, err)
		}
		if got := countElders(t, db, f.Comm1); got != 2 {
			t.Fatalf("a deceased elder stays on record; count %d", got)
		}
	})
}

func TestElderFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			f    store.ElderFilter
			want int
		}{
			{"advanced age computed", store.ElderFilter{Category: "advanced_age"}, 2},
			{"empty nest", store.ElderFilter{Category: "empty_nest"}, 3},
			{"self care", store.ElderFilter{SelfCare: "dependent"}, 1},
			{"priority 5", store.ElderFilter{Priority: 5}, 1},
			{"name part", store.ElderFilter{Q: "秀英"}, 1},
			{"phone part", store.ElderFilter{Q: "1111"}, 1},
			{"like metachar literal", store.ElderFilter{Q: "%"}, 0},
			{"community", store.ElderFilter{CommunityID: f.C2.ID}, 1},
		} {
			if _, n, err := db.ListElders(ctx, f.Station, tc.f); err != nil || n != tc.want {
				t.Errorf("%s: %d (%v), want %d", tc.name, n, err, tc.want)
			}
		}
	})
}

func TestAccountsAndSessions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		u := &care.User{Username: "community1", Role: care.RoleCommunity, CommunityID: f.C1.ID}
		if err := db.CreateUser(ctx, f.Station, u, "secret-pass"); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("only admin creates accounts, got %v", err)
		}
		fieldErr(t, db.CreateUser(ctx, f.Admin, u, "short"), "password")
		if err := db.CreateUser(ctx, f.Admin, u, "secret-pass"); err != nil {
			t.Fatal(err)
		}
		if u.StreetID != f.Street.ID {
			t.Fatalf("a community account belongs to the community's street, got %d", u.StreetID)
		}
		var hash string
		db.ReadRow(("SELECT password_hash FROM users WHERE id = ?"), u.ID).Scan(&hash)
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("password hash is not argon2id: %s", hash)
		}
		if _, err := db.Authenticate(ctx, "community1", "wrong-pass"); care.ErrorCode(err) != care.EUnauth {
			t.Fatalf("wrong password: %v", err)
		}
		got, err := db.Authenticate(ctx, "community1", "secret-pass")
		if err != nil || got.CommunityID != f.C1.ID {
			t.Fatalf("login: %v", err)
		}
		s, err := db.NewSession(ctx, got, "api")
		if err != nil {
			t.Fatal(err)
		}
		back, err := db.LookupSession(ctx, s.Token, "api")
		if err != nil || back.User.ID != u.ID {
			t.Fatalf("lookup: %v", err)
		}
		if _, err := db.LookupSession(ctx, s.Token, "web"); err == nil {
			t.Fatal("an API token must not work as a web session")
		}
		db.EndSession(ctx, s.Token)
		if _, err := db.LookupSession(ctx, s.Token, "api"); err == nil {
			t.Fatal("ended session still works")
		}
	})
}

func TestCreateEldersIsAllOrNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		before := countElders(t, db, f.Station)
		good := storetest.NewElder("吴秀兰", f.C1.ID, "1945-01-01", care.Female, 20)
		bad := storetest.NewElder("吴建华", f.C1.ID, "1945-01-01", care.Male, 21)
		bad.Phone = "1"
		dupOfExisting := storetest.NewElder("王秀英", f.C1.ID, "1938-02-03", care.Female, 1)
		err := db.CreateElders(ctx, f.Comm1, []*care.Elder{&good, &bad})
		be, ok := err.(*store.BatchError)
		if !ok || len(be.Rows) != 1 || be.Rows[0].Index != 1 {
			t.Fatalf("want the second row reported, got %v", err)
		}
		good2 := storetest.NewElder("吴秀兰", f.C1.ID, "1945-01-01", care.Female, 20)
		err = db.CreateElders(ctx, f.Comm1, []*care.Elder{&good2, &dupOfExisting})
		if be, ok := err.(*store.BatchError); !ok || be.Rows[0].Index != 1 {
			t.Fatalf("a duplicate ID number in the batch must be named, got %v", err)
		}
		if after := countElders(t, db, f.Station); after != before {
			t.Fatalf("a failed batch saved %d elders", after-before)
		}
	})
}
