package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// login authenticates a fixture account and opens a session of kind.
func login(t *testing.T, db *store.DB, username, password, kind string) *store.Session {
	t.Helper()
	u, err := db.Authenticate(context.Background(), username, password)
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	s, err := db.NewSession(context.Background(), u, kind)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func alive(db *store.DB, s *store.Session, kind string) bool {
	_, err := db.LookupSession(context.Background(), s.Token, kind)
	return err == nil
}

func auditCount(t *testing.T, db *store.DB, id int64, action string) int {
	t.Helper()
	var n int
	if err := db.ReadRow("SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND entity_id = ? AND action = ?", id, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPasswordPolicyAndUsernames(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		for _, pw := range []string{"short-pw", "1234567890", "Password123", "newstaff99", "NewStaff99-x"} {
			u := &care.User{Username: "NewStaff99", Role: care.RoleViewer, StreetID: f.Street.ID}
			fieldErr(t, db.CreateUser(ctx, f.Admin, u, pw), "password")
		}
		u := &care.User{Username: " NewStaff ", Role: care.RoleViewer, StreetID: f.Street.ID}
		if err := db.CreateUser(ctx, f.Admin, u, "a-long-and-fine-one"); err != nil {
			t.Fatal(err)
		}
		if u.Username != "newstaff" {
			t.Fatalf("usernames are stored folded: %q", u.Username)
		}
		if _, err := db.Authenticate(ctx, "NEWSTAFF", "a-long-and-fine-one"); err != nil {
			t.Fatalf("usernames log in whatever their case: %v", err)
		}
		dup := &care.User{Username: "newStaff", Role: care.RoleViewer, StreetID: f.Street.ID}
		fieldErr(t, db.CreateUser(ctx, f.Admin, dup, "a-long-and-fine-one"), "username")
	})
}

func TestDisableEndsSessionsAndEnable(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		web := login(t, db, "c1", storetest.Password, "web")
		api := login(t, db, "c1", storetest.Password, "api")
		other := login(t, db, "c2", storetest.Password, "web")
		if err := db.SetUserDisabled(ctx, f.Station, f.Comm1.UserID, true); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("only an administrator disables: %v", err)
		}
		if err := db.SetUserDisabled(ctx, f.Admin, f.Comm1.UserID, true); err != nil {
			t.Fatal(err)
		}
		if alive(db, web, "web") || alive(db, api, "api") {
			t.Fatal("disabling ends the web session and the API token at once")
		}
		if !alive(db, other, "web") {
			t.Fatal("another user's session stays")
		}
		if _, err := db.Authenticate(ctx, "c1", storetest.Password); care.ErrorCode(err) != care.EUnauth {
			t.Fatalf("a disabled account cannot log in: %v", err)
		}
		if err := db.SetUserDisabled(ctx, f.Admin, f.Comm1.UserID, false); err != nil {
			t.Fatal(err)
		}
		login(t, db, "c1", storetest.Password, "web")
		if auditCount(t, db, f.Comm1.UserID, "disable") != 1 || auditCount(t, db, f.Comm1.UserID, "enable") != 1 {
			t.Fatal("disable and enable are audited")
		}
		self := care.Actor{Role: care.RoleAdmin, UserID: 99, Username: "root"}
		if err := db.SetUserDisabled(ctx, self, 99, true); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("an administrator cannot disable themself: %v", err)
		}
		if err := db.SetUserDisabled(ctx, f.Admin, 12345, true); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("unknown account: %v", err)
		}
	})
}

func TestResetPasswordMustBeChanged(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		old := login(t, db, "c1", storetest.Password, "api")
		fieldErr(t, db.ResetPassword(ctx, f.Admin, f.Comm1.UserID, "12345678"), "password")
		if err := db.ResetPassword(ctx, f.Admin, f.Comm1.UserID, "temporary-7731"); err != nil {
			t.Fatal(err)
		}
		if alive(db, old, "api") {
			t.Fatal("a reset ends the account's sessions")
		}
		if _, err := db.Authenticate(ctx, "c1", storetest.Password); err == nil {
			t.Fatal("the old password no longer works")
		}
		s := login(t, db, "c1", "temporary-7731", "web")
		if !s.User.MustChangePassword {
			t.Fatal("after a reset the password must be changed")
		}
		back, _ := db.LookupSession(ctx, s.Token, "web")
		if back == nil || !back.User.MustChangePassword {
			t.Fatal("the session knows the password must be changed")
		}
		fieldErr(t, db.ChangePassword(ctx, s.User, s.Token, "temporary-7731", "temporary-7731"), "new")
		if err := db.ChangePassword(ctx, s.User, s.Token, "temporary-7731", "my-own-choice-42"); err != nil {
			t.Fatal(err)
		}
		back, _ = db.LookupSession(ctx, s.Token, "web")
		if back == nil || back.User.MustChangePassword {
			t.Fatal("the change clears the flag and keeps the session")
		}
		if auditCount(t, db, f.Comm1.UserID, "reset_password") != 1 || auditCount(t, db, f.Comm1.UserID, "change_password") != 1 {
			t.Fatal("reset and change are audited")
		}
		var n int
		db.ReadRow("SELECT COUNT(*) FROM audit_log WHERE after LIKE '%temporary-7731%' OR after LIKE '%my-own-choice%'").Scan(&n)
		if n != 0 {
			t.Fatal("no password in the audit log")
		}
	})
}

func TestChangeOwnPasswordEndsOtherSessions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		ctx := context.Background()
		here := login(t, db, "v1", storetest.Password, "web")
		phone := login(t, db, "v1", storetest.Password, "api")
		err := db.ChangePassword(ctx, here.User, here.Token, "not-my-password", "v1-has-a-new-one")
		fieldErr(t, err, "old")
		fieldErr(t, db.ChangePassword(ctx, here.User, here.Token, storetest.Password, "qwertyuiop"), "new")
		if err := db.ChangePassword(ctx, here.User, here.Token, storetest.Password, "v1-has-a-new-one"); err != nil {
			t.Fatal(err)
		}
		if !alive(db, here, "web") || alive(db, phone, "api") {
			t.Fatal("changing keeps this session and ends the others")
		}
		login(t, db, "v1", "v1-has-a-new-one", "api")
	})
}

func TestRevokeAndOwnSessions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		a := login(t, db, "station", storetest.Password, "web")
		b := login(t, db, "station", storetest.Password, "api")
		c := login(t, db, "station", storetest.Password, "api")
		list, err := db.UserSessions(ctx, f.Station.UserID, a.Token)
		if err != nil || len(list) != 3 {
			t.Fatalf("sessions: %v %v", list, err)
		}
		current := 0
		for _, s := range list {
			if s.Current {
				current++
				if s.Kind != "web" {
					t.Fatalf("the current one is the web session: %+v", s)
				}
			}
			if len(s.ID) != 16 || s.Created.IsZero() || !s.Expires.After(s.Created) {
				t.Fatalf("session info: %+v", s)
			}
		}
		if current != 1 {
			t.Fatalf("one current session, got %d", current)
		}
		sum := sha256.Sum256([]byte(b.Token))
		bID := hex.EncodeToString(sum[:])[:16] // the ID is a prefix of the token's hash
		if err := db.EndUserSession(ctx, a.User, bID); err != nil {
			t.Fatal(err)
		}
		if n := len(must(db.UserSessions(ctx, f.Station.UserID, a.Token))); n != 2 {
			t.Fatalf("one session ended, %d left", n)
		}
		other := login(t, db, "c1", storetest.Password, "web")
		if err := db.EndUserSession(ctx, other.User, must(db.UserSessions(ctx, f.Station.UserID, ""))[0].ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("nobody ends another user's session: %v", err)
		}
		if _, err := db.RevokeSessions(ctx, f.Station, f.Station.UserID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("only an administrator revokes: %v", err)
		}
		n, err := db.RevokeSessions(ctx, f.Admin, f.Station.UserID)
		if err != nil || n != 2 {
			t.Fatalf("revoke: %d %v", n, err)
		}
		if alive(db, a, "web") || alive(db, b, "api") || alive(db, c, "api") || !alive(db, other, "web") {
			t.Fatal("revoke ends every session of the account and no other")
		}
		login(t, db, "station", storetest.Password, "web") // the account itself still works
		if auditCount(t, db, f.Station.UserID, "revoke_sessions") != 1 || auditCount(t, db, f.Station.UserID, "end_session") != 1 {
			t.Fatal("revoke and end are audited")
		}
	})
}

func TestVolunteerLeavingEndsSessions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		s := login(t, db, "v1", storetest.Password, "api")
		v, err := db.GetVolunteer(ctx, f.Comm1, f.Vol1.ID)
		if err != nil {
			t.Fatal(err)
		}
		v.Status = "paused"
		if err := db.UpdateVolunteer(ctx, f.Comm1, v); err != nil {
			t.Fatal(err)
		}
		if !alive(db, s, "api") {
			t.Fatal("a pause keeps the login")
		}
		v.Status = "left"
		if err := db.UpdateVolunteer(ctx, f.Comm1, v); err != nil {
			t.Fatal(err)
		}
		if alive(db, s, "api") {
			t.Fatal("leaving the programme ends the volunteer's sessions at once")
		}
		if _, err := db.Authenticate(ctx, "v1", storetest.Password); err == nil {
			t.Fatal("and the account is disabled")
		}
		if auditCount(t, db, f.Volunteer.UserID, "disable") != 1 {
			t.Fatal("the disabling is audited")
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestAnAccountKeepsItsStreetOrIsRefused: the street an administrator
// names is kept when it is the community's (volunteer's, clinic's), the
// account is refused naming street_id (community_id) when it is not, and
// left empty it is taken from what the account is tied to. Nothing is
// written for a refused account.
func TestAnAccountKeepsItsStreetOrIsRefused(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		other := care.Street{Name: "安乐街道", District: "鼓楼区"}
		if err := db.CreateStreet(ctx, f.Admin, &other); err != nil {
			t.Fatal(err)
		}
		before, err := db.Users(ctx, f.Admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			u     care.User
			field string
		}{
			{care.User{Role: care.RoleCommunity, StreetID: other.ID, CommunityID: f.C1.ID}, "street_id"},
			{care.User{Role: care.RoleVolunteer, StreetID: other.ID, VolunteerID: f.Vol1.ID}, "street_id"},
			{care.User{Role: care.RoleVolunteer, CommunityID: f.C2.ID, VolunteerID: f.Vol1.ID}, "community_id"},
			{care.User{Role: care.RoleClinic, StreetID: other.ID, ClinicID: f.Clinic.ID}, "street_id"},
			{care.User{Role: care.RoleViewer, StreetID: 99999}, "street_id"},
			{care.User{Role: care.RoleStation, StreetID: 99999}, "street_id"},
		} {
			c.u.Username = "newstaff"
			fieldErr(t, db.CreateUser(ctx, f.Admin, &c.u, "a-long-and-fine-one"), c.field)
		}
		if after, _ := db.Users(ctx, f.Admin); len(after) != len(before) {
			t.Fatalf("a refused account was written: %d accounts, %d before", len(after), len(before))
		}
		for i, u := range []care.User{
			{Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID},
			{Role: care.RoleCommunity, CommunityID: f.C2.ID},
			{Role: care.RoleVolunteer, StreetID: f.Street.ID, CommunityID: f.C1.ID, VolunteerID: f.Vol1.ID},
			{Role: care.RoleClinic, ClinicID: f.Clinic.ID},
			{Role: care.RoleViewer, StreetID: other.ID},
		} {
			u.Username = "staff" + string(rune('a'+i))
			if err := db.CreateUser(ctx, f.Admin, &u, "a-long-and-fine-one"); err != nil {
				t.Fatalf("%s: %v", u.Role, err)
			}
			want := f.Street.ID
			if u.Role == care.RoleViewer {
				want = other.ID
			}
			got, err := db.Authenticate(ctx, u.Username, "a-long-and-fine-one")
			if err != nil || got.StreetID != want {
				t.Fatalf("%s account's street: %d (%v), want %d", u.Role, got.StreetID, err, want)
			}
		}
	})
}
