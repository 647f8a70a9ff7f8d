package demo

import (
	"context"
	"testing"

	"carecircle/internal/activity"
	"carecircle/internal/store"
)

// testActivities: the finished nursing-home visit (attendance, hours, the
// summary, residents, a photo) and the series in progress (two stages
// held, three planned, sign-ups and a checklist partly done, an item of
// volunteer1's on their phone).
func testActivities(t *testing.T, db *store.DB) {
	ctx := context.Background()
	station := login(t, db, "station")
	list, err := db.Activities(ctx, station, store.ActivityFilter{})
	if err != nil || len(list) != 6 {
		t.Fatalf("%d activities: %v", len(list), err)
	}
	held := 0
	var visit *activity.Activity
	for i, x := range list {
		if x.Status == activity.StatusHeld {
			held++
		}
		if x.Template == activity.TemplateNursingHome {
			visit = &list[i]
		}
	}
	if held != 3 || visit == nil {
		t.Fatalf("%d held, visit %v", held, visit)
	}
	d, err := db.ActivityDetail(ctx, station, visit.ID)
	if err != nil || d.Activity.Status != activity.StatusHeld || d.Activity.Summary == "" || d.Activity.Residents == 0 || len(d.Attachments) != 1 {
		t.Fatalf("visit %+v %v", d, err)
	}
	present, corrected := 0, false
	for _, s := range d.Signups {
		if s.Present {
			present++
		}
		corrected = corrected || (s.Present && s.Minutes < d.Activity.Minutes())
	}
	if present < 3 || !corrected {
		t.Fatalf("attendance %+v", d.Signups)
	}
	acc, err := db.VolunteerHours(ctx, station, d.Signups[0].VolunteerID, 200)
	if err != nil {
		t.Fatal(err)
	}
	credited := false
	for _, e := range acc.Entries {
		credited = credited || e.ActivityID == visit.ID
	}
	if !credited {
		t.Fatalf("no credit of the visit in %+v", acc.Entries)
	}
	v1 := login(t, db, "volunteer1")
	mine, err := db.VolunteerActivities(ctx, v1, v1.VolunteerID)
	if err != nil || len(mine) != 3 || !mine[0].SignedUp || len(mine[0].Items) != 1 {
		t.Fatalf("volunteer1's activities %+v %v", mine, err)
	}
	nd, err := db.ActivityDetail(ctx, station, mine[0].Activity.ID)
	if err != nil || nd.Series == nil || len(nd.Series.Stages) != 5 {
		t.Fatalf("series %+v %v", nd, err)
	}
	done := 0
	for _, it := range nd.Checklist {
		if it.Done {
			done++
		}
	}
	if done == 0 || done == len(nd.Checklist) {
		t.Fatalf("checklist %+v", nd.Checklist)
	}
}
