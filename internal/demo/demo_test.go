package demo

import (
	"context"
	"errors"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

const testPassword = "demo-pass-123"

// eachDB runs fn on a fresh SQLite file and, when CARECIRCLE_TEST_PG is
// set, on a fresh PostgreSQL schema.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) { storetest.ForEach(t, fn) }

// openDB opens a fresh database (the clock fixed at 2026-11-29 10:00).
func openDB(t *testing.T, dsn string) *store.DB { return storetest.Open(t, dsn) }

func login(t *testing.T, db *store.DB, username string) care.Actor {
	t.Helper()
	u, err := db.Authenticate(context.Background(), username, testPassword)
	if err != nil {
		t.Fatalf("%s: %v", username, err)
	}
	return care.ActorOf(u)
}

// TestFill fills one database and checks it from every side; the subtests
// share the fill because it is the slow part.
func TestFill(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		accounts, err := Fill(ctx, db, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Fill took %v", time.Since(start))
		t.Run("refuses a second fill", func(t *testing.T) { testRefill(t, db) })
		t.Run("accounts", func(t *testing.T) { testAccounts(t, db, accounts) })
		station := login(t, db, "station")
		elders := listElders(t, db, station)
		t.Run("counts", func(t *testing.T) { testCounts(t, db, station, elders) })
		t.Run("variety", func(t *testing.T) { testVariety(t, db, station, elders) })
		t.Run("clinics", func(t *testing.T) { testClinics(t, db, station, elders) })
		t.Run("pairings", func(t *testing.T) { testPairings(t, db, station, elders) })
		t.Run("volunteer1", func(t *testing.T) { testVolunteer1(t, db) })
		t.Run("community scope", func(t *testing.T) { testCommunityScope(t, db, elders) })
		t.Run("id numbers", func(t *testing.T) { testIDNumbers(t, db, station, elders) })
		t.Run("health", func(t *testing.T) { testHealth(t, db) })
		t.Run("hours", func(t *testing.T) { testHours(t, db) })
		t.Run("rollout", func(t *testing.T) { testRollout(t, db) })
		t.Run("households", func(t *testing.T) { testHouseholds(t, db) })
		t.Run("requests", func(t *testing.T) { testRequests(t, db) })
		t.Run("activities", func(t *testing.T) { testActivities(t, db) })
	})
}

func testRefill(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if _, err := Fill(ctx, db, testPassword); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("a second Fill must refuse with ErrNotEmpty, got %v", err)
	}
	if empty, err := IsEmpty(ctx, db); err != nil || empty {
		t.Fatalf("IsEmpty after Fill = %v, %v", empty, err)
	}
}

func listElders(t *testing.T, db *store.DB, a care.Actor) []care.Elder {
	t.Helper()
	list, total, err := db.ListElders(context.Background(), a, store.ElderFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != total {
		t.Fatalf("listed %d of %d elders", len(list), total)
	}
	return list
}

func listVolunteers(t *testing.T, db *store.DB, a care.Actor) []care.Volunteer {
	t.Helper()
	list, total, err := db.ListVolunteers(context.Background(), a, store.VolunteerFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != total {
		t.Fatalf("listed %d of %d volunteers", len(list), total)
	}
	return list
}
