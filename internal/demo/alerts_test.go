package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/tracker"
)

// TestDemoCompliancePicture fills the demo late in the evening, after the
// alert hour, starts the tracker and raises the day's alerts (as a start
// after the hour does in the background) and finds exactly the demo's one
// alert, and most standards met.
func TestDemoCompliancePicture(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a whole demo street")
	}
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "picture.db"))
	db.Now = func() time.Time { return time.Date(2026, 11, 29, 21, 30, 0, 0, db.Loc) }
	if _, err := Fill(ctx, db, testPassword); err != nil {
		t.Fatal(err)
	}
	cfg := tracker.DefaultConfig()
	cfg.TableTTL = 0
	tr, err := tracker.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := tr.Start(tctx); err != nil {
		t.Fatal(err)
	}
	if n, err := tr.RaiseDueAlerts(ctx); err != nil || n != 0 {
		t.Fatalf("the day's check raised %d more alerts: %v", n, err)
	}
	station := login(t, db, "station")
	alerts, err := db.Alerts(ctx, station, store.AlertFilter{Open: true})
	if err != nil || len(alerts) != 1 || alerts[0].RaisedBy != demoSource || len(alerts[0].Neighbours) == 0 {
		t.Fatalf("one alert today, the demo's, with the neighbour to call: %+v %v", alerts, err)
	}
	v1 := login(t, db, "volunteer1")
	duties, err := tr.Today(ctx, v1)
	if err != nil || len(duties) == 0 || duties[0].ElderID != alerts[0].ElderID || duties[0].Standard != "neighbour_daily_greeting" {
		t.Fatalf("volunteer1's worklist starts with the un-greeted elder: %+v %v", duties, err)
	}
	rows, err := tr.Table(ctx, station, "2026-11", 0)
	if err != nil {
		t.Fatal(err)
	}
	var met, judged int
	rates := map[string]*tracker.Counts{}
	for _, r := range rows {
		c := rates[r.Standard]
		if c == nil {
			c = &tracker.Counts{}
			rates[r.Standard] = c
		}
		c.Met, c.Missed, c.Overdue, c.Due = c.Met+r.Met, c.Missed+r.Missed, c.Overdue+r.Overdue, c.Due+r.Due
		met, judged = met+r.Met, judged+r.Judged()
	}
	for code, c := range rates {
		pct, _ := c.Rate()
		t.Logf("%-26s %5.1f%% (met %d, missed %d, overdue %d, due %d)", code, pct, c.Met, c.Missed, c.Overdue, c.Due)
	}
	if pct := 100 * float64(met) / float64(judged); pct < 80 || pct > 97 {
		t.Fatalf("most periods met, some not: %.1f%%", pct)
	}
	if greet, _ := rates["neighbour_daily_greeting"].Rate(); greet < 85 {
		t.Fatalf("daily greetings: %.1f%%", greet)
	}
}
