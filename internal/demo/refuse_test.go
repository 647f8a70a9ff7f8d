package demo

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// TestFillRefusesWithoutWriting checks that a bad password or a taken demo
// username stops Fill before anything is written.
func TestFillRefusesWithoutWriting(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "demo.db"))
	if _, err := Fill(ctx, db, "short"); care.ErrorCode(err) != care.EInvalid {
		t.Fatalf("short password: got %v", err)
	}
	u := care.User{Username: "viewer", Role: care.RoleViewer}
	if err := db.CreateUser(ctx, adminActor, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := Fill(ctx, db, testPassword); care.ErrorCode(err) != care.EConflict {
		t.Fatalf("taken username: got %v", err)
	}
	if empty, err := IsEmpty(ctx, db); err != nil || !empty {
		t.Fatalf("a refused Fill wrote a street (empty %v, %v)", empty, err)
	}
}

// TestFillIsDeterministic fills two databases with the same clock, on a leap
// day, and expects the same street in both.
func TestFillIsDeterministic(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("fills two more databases; .ci/run runs it without -race")
	}
	var dumps [2]string
	var wg sync.WaitGroup
	for i := range dumps {
		db := openDB(t, filepath.Join(t.TempDir(), "demo.db"))
		db.Now = func() time.Time { return time.Date(2028, 2, 29, 9, 30, 0, 0, db.Loc) }
		wg.Go(func() { dumps[i] = fillAndDump(t, db) })
	}
	wg.Wait()
	if dumps[0] == "" || dumps[0] != dumps[1] {
		t.Fatal("two fills with the same clock differ")
	}
}

// fillAndDump fills db and returns its people and teams as JSON, without
// the timestamps of the writes.
func fillAndDump(t *testing.T, db *store.DB) string {
	ctx := context.Background()
	if _, err := Fill(ctx, db, testPassword); err != nil {
		t.Error(err)
		return ""
	}
	station := care.Actor{Role: care.RoleStation, StreetID: 1}
	elders, _, err := db.ListElders(ctx, station, store.ElderFilter{Limit: 500})
	if err != nil {
		t.Error(err)
		return ""
	}
	var teams [][]store.TeamMember
	for i := range elders {
		elders[i].CreatedAt, elders[i].UpdatedAt = time.Time{}, time.Time{}
		team, err := db.ElderTeam(ctx, station, elders[i].ID)
		if err != nil {
			t.Error(err)
			return ""
		}
		teams = append(teams, team)
	}
	vols, _, err := db.ListVolunteers(ctx, station, store.VolunteerFilter{Limit: 500})
	if err != nil {
		t.Error(err)
		return ""
	}
	for i := range vols {
		vols[i].CreatedAt, vols[i].UpdatedAt = time.Time{}, time.Time{}
	}
	b, err := json.Marshal([]any{elders, teams, vols})
	if err != nil {
		t.Error(err)
	}
	return string(b)
}
