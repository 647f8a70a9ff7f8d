// Package storetest runs storage-backed tests on both databases: SQLite
// always, PostgreSQL when CARECIRCLE_TEST_PG is set, each test in a fresh
// database, and seeds a small street with an actor for every role.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/vault"
)

// ForEach runs a storage test on SQLite always and on PostgreSQL when
// CARECIRCLE_TEST_PG is set; each run gets a fresh database (a temp file or a
// new schema) so packages can run in parallel.
func ForEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, Open(t, filepath.Join(t.TempDir(), "test.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, Open(t, FreshSchema(t, PostgresDSN(t))))
	})
}

// LocalPostgres is the database CARECIRCLE_TEST_PG=required means.
const LocalPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresDSN returns the PostgreSQL database of the tests:
// CARECIRCLE_TEST_PG names it (a postgres:// URL), or is "required" for
// the local one. Unset, the test is skipped; set, a database that cannot
// be reached fails the test rather than skipping it, so CI cannot pass
// without PostgreSQL.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CARECIRCLE_TEST_PG")
	switch dsn {
	case "":
		t.Skip("CARECIRCLE_TEST_PG is not set")
	case "required":
		dsn = LocalPostgres
	}
	pg, err := sql.Open("pgx", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = pg.PingContext(ctx)
		cancel()
		pg.Close()
	}
	if err != nil {
		t.Fatalf("CARECIRCLE_TEST_PG is set but PostgreSQL cannot be reached: %v", err)
	}
	return dsn
}

// FreshSchema creates a new schema and returns a DSN that uses it.
func FreshSchema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// Open opens a store on dsn with a zero test key and a clock fixed at
// 2026-11-29 10:00 Asia/Shanghai.
func Open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	v, err := vault.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), dsn, v)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 0, db.Loc) }
	// Cheap hashes keep tests fast under -race; the format stays argon2id.
	db.HashParams = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	t.Cleanup(func() { db.Close() })
	return db
}

// Fixture is a small street: two communities, a clinic serving the first,
// volunteers and elders in each, and an actor for every role.
type Fixture struct {
	Street             care.Street
	C1, C2             care.Community
	Clinic             care.Clinic
	Vol1, Vol2         care.Volunteer
	Elder1, Elder2     care.Elder // community 1; elder1 paired with vol1, both at the clinic
	Elder3             care.Elder // community 2
	Admin, Station     care.Actor
	Comm1, Comm2       care.Actor
	Volunteer, ClinicA care.Actor
	Viewer             care.Actor
}

// Day parses a YYYY-MM-DD date.
func Day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// NewElder returns a valid elder with a unique ID number for seq.
func NewElder(name string, community int64, birth string, g care.Gender, seq int) care.Elder {
	b := Day(birth)
	return care.Elder{Name: name, Gender: g, BirthDate: b, IDNumber: care.MakeIDNumber("320102", b, seq, g),
		CommunityID: community, Building: "1栋", Unit: "2单元", Room: "301", Phone: "13800000000",
		LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []string{"life"},
		EmergencyContacts: []care.Contact{{Name: "张伟", Relation: "son", Phone: "13900000000", Lives: "上海"}}}
}

// Password is the password of every fixture account.
const Password = "fixture-password"

// Seed creates the fixture street and an account for every actor.
func Seed(t testing.TB, db *store.DB) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{Admin: care.Actor{Role: care.RoleAdmin, Username: "admin"}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.Street = care.Street{Name: "和平街道", District: "鼓楼区", City: "南京市"}
	must(db.CreateStreet(ctx, f.Admin, &f.Street))
	f.Station = care.Actor{Role: care.RoleStation, StreetID: f.Street.ID, Username: "station"}
	f.C1 = care.Community{Name: "幸福社区", Buildings: []string{"1栋", "2栋"}}
	must(db.SaveCommunity(ctx, f.Station, &f.C1))
	f.C2 = care.Community{Name: "安康社区"}
	must(db.SaveCommunity(ctx, f.Station, &f.C2))
	f.Clinic = care.Clinic{Name: "和平社区卫生服务中心", CommunityIDs: []int64{f.C1.ID}}
	must(db.SaveClinic(ctx, f.Station, &f.Clinic))
	f.Comm1 = care.Actor{Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID, Username: "c1"}
	f.Comm2 = care.Actor{Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C2.ID, Username: "c2"}
	f.Vol1 = care.Volunteer{Name: "李桂兰", Phone: "13700000001", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 2}
	must(db.CreateVolunteer(ctx, f.Comm1, &f.Vol1))
	f.Vol2 = care.Volunteer{Name: "赵强", Phone: "13700000002", Kind: "social", CommunityID: f.C2.ID, Capacity: 1}
	must(db.CreateVolunteer(ctx, f.Comm2, &f.Vol2))
	f.Elder1 = NewElder("王秀英", f.C1.ID, "1938-02-03", care.Female, 1)
	f.Elder1.ClinicID = &f.Clinic.ID
	must(db.CreateElder(ctx, f.Comm1, &f.Elder1))
	f.Elder2 = NewElder("陈建国", f.C1.ID, "1950-07-21", care.Male, 2)
	f.Elder2.Phone = "13811112222"
	f.Elder2.SelfCare = "dependent"
	must(db.CreateElder(ctx, f.Comm1, &f.Elder2))
	f.Elder3 = NewElder("刘淑珍", f.C2.ID, "1944-11-30", care.Female, 3)
	must(db.CreateElder(ctx, f.Comm2, &f.Elder3))
	must(db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: f.Elder1.ID, VolunteerID: f.Vol1.ID, Responsible: true}))
	f.Volunteer = care.Actor{Role: care.RoleVolunteer, StreetID: f.Street.ID, CommunityID: f.C1.ID, VolunteerID: f.Vol1.ID, Username: "v1"}
	f.ClinicA = care.Actor{Role: care.RoleClinic, StreetID: f.Street.ID, ClinicID: f.Clinic.ID, Username: "clinic"}
	f.Viewer = care.Actor{Role: care.RoleViewer, StreetID: f.Street.ID, Username: "viewer"}
	for _, a := range []*care.Actor{&f.Station, &f.Comm1, &f.Comm2, &f.Volunteer, &f.ClinicA, &f.Viewer} {
		u := &care.User{Username: a.Username, Role: a.Role, StreetID: a.StreetID, CommunityID: a.CommunityID,
			VolunteerID: a.VolunteerID, ClinicID: a.ClinicID}
		must(db.CreateUser(ctx, f.Admin, u, Password))
		a.UserID = u.ID
	}
	return f
}

// MonthEnded moves the store's clock to 2026-12-01 08:00: November, the
// fixture's month, has ended and can be signed, and records of its last
// two days are still within a volunteer's 48-hour window.
func MonthEnded(db *store.DB) {
	db.Now = func() time.Time { return time.Date(2026, 12, 1, 8, 0, 0, 0, db.Loc) }
}

// AddMade stores r as made five minutes after the service (its end, if it
// has one), as a history written at once would have been recorded day by
// day (the rules are judged at that moment).
func AddMade(t testing.TB, db *store.DB, a care.Actor, r *care.ServiceRecord, p store.Proof) {
	t.Helper()
	made := r.At
	if r.EndAt != nil {
		made = *r.EndAt
	}
	if err := db.AddServiceBatch(context.Background(), []store.BatchService{{Actor: a, Record: r, Proof: p, EnteredAt: made.Add(5 * time.Minute)}}); err != nil {
		t.Fatalf("%s %s at %v by %s: %v", r.Kind, r.Type, r.At, a.Username, err)
	}
}
