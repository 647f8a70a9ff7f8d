// Package demo fills an empty database with a living demo street (SPEC §12,
// `carecircle demo`): 和平街道 with three communities, two clinics, about 300
// elders, 150 volunteers, their pairings and an account for every role, so a
// newcomer sees a working programme at once.
//
// The demo is deterministic: the same people every time, with dates
// (ages, pairing starts) relative to the database clock.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Account is one demo login: its username, role code and what it is.
type Account struct{ Username, Role, Description string }

// demoUser is the name the demo's writes carry in the audit log, so they
// are told apart from what people do later.
const demoUser = "demo"

var adminActor = care.Actor{Role: care.RoleAdmin, Username: demoUser}

// IsEmpty reports whether the database holds no street yet, i.e. whether
// the demo may be filled in.
func IsEmpty(ctx context.Context, db *store.DB) (bool, error) {
	streets, err := db.Streets(ctx, adminActor)
	if err != nil {
		return false, err
	}
	return len(streets) == 0, nil
}

// Fill creates the demo street in an empty database and returns its logins,
// which all take password. It refuses a database that already holds a
// street, so that demo people never mix with real ones.
func Fill(ctx context.Context, db *store.DB, password string) ([]Account, error) {
	if err := precheck(ctx, db, password); err != nil {
		return nil, err
	}
	f := newFiller(ctx, db)
	steps := []struct {
		what string
		run  func() error
	}{
		{"organisation", f.org},
		{"volunteers", f.volunteers},
		{"elders", f.elders},
		{"pairings", f.pairings},
		{"service history", f.history},
		{"compliance picture", f.compliancePicture},
		{"health records", f.health},
		{"time bank", f.timeBank},
		{"experience reports, training and commendation", f.upward},
		{"rollout and needs surveys", f.rollout},
		{"households", f.households},
		{"requests for help", f.requests},
		{"activities", f.activities},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", s.what, err)
		}
	}
	accounts, err := f.accounts(password)
	if err != nil {
		return nil, fmt.Errorf("demo: accounts: %w", err)
	}
	return accounts, nil
}

// ErrNotEmpty is returned by Fill for a database that already holds a street.
var ErrNotEmpty = &care.Error{Code: care.EConflict,
	Message: "数据库中已有街道，演示数据只能填入空数据库 / the database already holds a street; the demo fills only an empty database"}

// precheck refuses before anything is written: the store has no transaction
// spanning several calls, so a failure half-way would leave half a street.
func precheck(ctx context.Context, db *store.DB, password string) error {
	for _, name := range usernames {
		if m, bad := care.PasswordProblem(name, password); bad {
			return care.FieldErrors{"password": care.Msg{ZH: "演示账号的" + m.ZH, EN: "the demo " + m.EN}}.Err()
		}
	}
	empty, err := IsEmpty(ctx, db)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if !empty {
		return ErrNotEmpty
	}
	users, err := db.Users(ctx, adminActor)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, u := range users {
		for _, name := range usernames {
			if u.Username == name {
				return care.Errorf(care.EConflict, "已有名为 %s 的账号，演示数据需要这个用户名 / an account named %q already exists; the demo needs that name", name, name)
			}
		}
	}
	return nil
}

// filler holds what Fill has created so far; later steps refer to it.
type filler struct {
	ctx   context.Context
	db    *store.DB
	rng   *rand.Rand
	today time.Time

	admin, station care.Actor
	street         care.Street
	comms          []*community
	clinics        []*clinic
	vols           []*volunteer
	eldersByComm   [][]*elder
	v1             *volunteer // the neighbour behind the volunteer1 login

	names     map[string]bool // full names used, so that no two people share one
	phones    map[string]bool
	addresses map[string]bool
}

func newFiller(ctx context.Context, db *store.DB) *filler {
	return &filler{
		ctx: ctx, db: db, rng: rand.New(rand.NewPCG(1, 2)), today: db.Today(),
		admin: adminActor, names: map[string]bool{}, phones: map[string]bool{}, addresses: map[string]bool{},
	}
}
