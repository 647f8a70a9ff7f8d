package store

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
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

func countElders(t *testing.T, db *DB, a care.Actor) int {
	t.Helper()
	_, n, err := db.ListElders(context.Background(), a, ElderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestElderRoundTripAndEncryption(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		got, err := db.GetElder(ctx, f.comm1, f.elder1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "王秀英" || got.BirthDate.Format("2006-01-02") != "1938-02-03" || got.EmergencyContacts[0].Lives != "上海" {
			t.Fatalf("round trip lost data: %+v", got)
		}
		if got.IDNumber != "" || got.IDMasked != care.MaskIDNumber(f.elder1.IDNumber) {
			t.Fatalf("a read must carry only the masked ID, got %q / %q", got.IDNumber, got.IDMasked)
		}
		var sealed []byte
		if err := db.read.QueryRow(db.q("SELECT id_enc FROM elders WHERE id = ?"), f.elder1.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte(f.elder1.IDNumber)) {
			t.Fatal("the ID number is stored in the clear")
		}
		found, n, err := db.ListElders(ctx, f.station, ElderFilter{IDNumber: f.elder1.IDNumber})
		if err != nil || n != 1 || found[0].ID != f.elder1.ID {
			t.Fatalf("lookup by ID number: %v %d", err, n)
		}
	})
}

func TestInvalidElderChangesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		before := countElders(t, db, f.station)
		e := newElder("孙丽", f.c1.ID, "1946-04-04", care.Female, 9)
		e.IDNumber = e.IDNumber[:17] + map[bool]string{true: "1", false: "0"}[e.IDNumber[17] == '0']
		fieldErr(t, db.CreateElder(ctx, f.comm1, &e), "id_number")
		dup := newElder("王秀英二", f.c1.ID, "1938-02-03", care.Female, 1) // same ID as elder1
		fieldErr(t, db.CreateElder(ctx, f.comm1, &dup), "id_number")
		other := newElder("周敏", f.c2.ID, "1946-04-04", care.Female, 10)
		fieldErr(t, db.CreateElder(ctx, f.comm1, &other), "community_id")
		if after := countElders(t, db, f.station); after != before {
			t.Fatalf("invalid input saved something: %d -> %d", before, after)
		}
	})
}

func TestScopingByRole(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name  string
			actor care.Actor
			want  int
		}{{"station sees the street", f.station, 3}, {"community sees its own", f.comm1, 2},
			{"other community", f.comm2, 1}, {"volunteer sees paired only", f.volunteer, 1}, {"clinic sees assigned", f.clinicA, 1}} {
			if got := countElders(t, db, tc.actor); got != tc.want {
				t.Errorf("%s: %d elders, want %d", tc.name, got, tc.want)
			}
		}
		if _, err := db.GetElder(ctx, f.comm2, f.elder1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Errorf("another community's elder must be not found, got %v", err)
		}
		if _, err := db.GetElder(ctx, f.volunteer, f.elder2.ID); care.ErrorCode(err) != care.ENotFound {
			t.Errorf("unpaired elder must be not found for a volunteer, got %v", err)
		}
		for _, a := range []care.Actor{f.viewer, f.admin} {
			if _, _, err := db.ListElders(ctx, a, ElderFilter{}); care.ErrorCode(err) != care.EForbidden {
				t.Errorf("%s must be forbidden personal data, got %v", a.Role, err)
			}
		}
		v, err := db.GetElder(ctx, f.volunteer, f.elder1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.IDMasked != "" || !v.BirthDate.IsZero() || v.Notes != "" || v.Phone == "" || len(v.EmergencyContacts) != 1 {
			t.Errorf("volunteer view must hold only name, address, phone, needs, contacts: %+v", v)
		}
		if err := db.UpdateElder(ctx, f.volunteer, v, ""); care.ErrorCode(err) != care.EForbidden {
			t.Errorf("volunteer may not edit the registry, got %v", err)
		}
		if _, err := db.RevealElderID(ctx, f.comm2, f.elder1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Errorf("reveal across communities must fail, got %v", err)
		}
		if _, _, err := db.ListVolunteers(ctx, f.clinicA, VolunteerFilter{}); care.ErrorCode(err) != care.EForbidden {
			t.Errorf("clinic must not list volunteers, got %v", err)
		}
		vs, n, err := db.ListVolunteers(ctx, f.volunteer, VolunteerFilter{})
		if err != nil || n != 1 || vs[0].ID != f.vol1.ID {
			t.Errorf("a volunteer sees only themself: %v %d", err, n)
		}
	})
}

func TestRevealIsAudited(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		plain, err := db.RevealElderID(ctx, f.comm1, f.elder1.ID)
		if err != nil || plain != f.elder1.IDNumber {
			t.Fatalf("reveal = %q, %v", plain, err)
		}
		if _, err := db.RevealElderID(ctx, f.volunteer, f.elder1.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer reveal must be forbidden, got %v", err)
		}
		log, err := db.AuditLog(ctx, f.station, "elder", f.elder1.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "reveal_id_number" || log[0].Username != "c1" {
			t.Fatalf("reveal not audited: %+v", log)
		}
		for _, e := range log {
			if strings.Contains(e.Before+e.After, f.elder1.IDNumber) {
				t.Fatal("the audit log must not hold the plain ID number")
			}
		}
	})
}

func TestStatusChangeKeepsHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		e, _ := db.GetElder(ctx, f.comm1, f.elder2.ID)
		e.Status = "paused"
		fieldErr(t, db.UpdateElder(ctx, f.comm1, e, ""), "status_reason")
		e, _ = db.GetElder(ctx, f.comm1, f.elder2.ID)
		e.Status = "paused"
		if err := db.UpdateElder(ctx, f.comm1, e, "住院"); err != nil {
			t.Fatal(err)
		}
		e, _ = db.GetElder(ctx, f.comm1, f.elder2.ID)
		e.Status = "deceased"
		if err := db.UpdateElder(ctx, f.comm1, e, "病故"); err != nil {
			t.Fatal(err)
		}
		h, err := db.ElderStatusHistory(ctx, f.comm1, f.elder2.ID)
		if err != nil || len(h) != 2 || h[0].To != "paused" || h[1].From != "paused" || h[1].Reason != "病故" {
			t.Fatalf("history = %+v, %v", h, err)
		}
		if got := countElders(t, db, f.comm1); got != 2 {
			t.Fatalf("a deceased elder stays on record; count %d", got)
		}
	})
}

func TestElderFilters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			f    ElderFilter
			want int
		}{
			{"advanced age computed", ElderFilter{Category: "advanced_age"}, 2},
			{"empty nest", ElderFilter{Category: "empty_nest"}, 3},
			{"self care", ElderFilter{SelfCare: "dependent"}, 1},
			{"priority 5", ElderFilter{Priority: 5}, 1},
			{"name part", ElderFilter{Q: "秀英"}, 1},
			{"phone part", ElderFilter{Q: "1111"}, 1},
			{"like metachar literal", ElderFilter{Q: "%"}, 0},
			{"community", ElderFilter{CommunityID: f.c2.ID}, 1},
		} {
			if _, n, err := db.ListElders(ctx, f.station, tc.f); err != nil || n != tc.want {
				t.Errorf("%s: %d (%v), want %d", tc.name, n, err, tc.want)
			}
		}
	})
}

func TestAccountsAndSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := seed(t, db)
		ctx := context.Background()
		u := &care.User{Username: "community1", Role: care.RoleCommunity, CommunityID: f.c1.ID}
		if err := db.CreateUser(ctx, f.station, u, "secret-pass"); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("only admin creates accounts, got %v", err)
		}
		fieldErr(t, db.CreateUser(ctx, f.admin, u, "short"), "password")
		if err := db.CreateUser(ctx, f.admin, u, "secret-pass"); err != nil {
			t.Fatal(err)
		}
		if u.StreetID != f.street.ID {
			t.Fatalf("a community account belongs to the community's street, got %d", u.StreetID)
		}
		var hash string
		db.read.QueryRow(db.q("SELECT password_hash FROM users WHERE id = ?"), u.ID).Scan(&hash)
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("password hash is not argon2id: %s", hash)
		}
		if _, err := db.Authenticate(ctx, "community1", "wrong-pass"); care.ErrorCode(err) != care.EUnauth {
			t.Fatalf("wrong password: %v", err)
		}
		got, err := db.Authenticate(ctx, "community1", "secret-pass")
		if err != nil || got.CommunityID != f.c1.ID {
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
