package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// BenchmarkCardPage renders a month's service card (GET /elders/{id}/card)
// for an elder with a full year of records: a daily greeting and two chats a
// week, about 470 records.
func BenchmarkCardPage(b *testing.B) {
	db := storetest.Open(b, filepath.Join(b.TempDir(), "card.db"))
	f := storetest.Seed(b, db)
	var items []store.BatchService
	start := db.Now().In(db.Loc).AddDate(-1, 0, 1)
	for d := 0; d < 364; d++ {
		day := time.Date(start.Year(), start.Month(), start.Day(), 8, 0, 0, 0, db.Loc).AddDate(0, 0, d)
		items = append(items, store.BatchService{Actor: f.Volunteer, Record: &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: day}, EnteredAt: day.Add(5 * time.Minute)})
		if d%7 == 1 || d%7 == 4 {
			items = append(items, store.BatchService{Actor: f.Volunteer, Record: &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: day.Add(6 * time.Hour), Note: "聊家常"}, EnteredAt: day.Add(6*time.Hour + 5*time.Minute)})
		}
	}
	if err := db.AddServiceBatch(context.Background(), items); err != nil {
		b.Fatal(err)
	}
	srv := newServer(b, db)
	br := newBrowser(b, srv)
	br.login("station")
	url := srv.URL + "/elders/" + itoa(f.Elder1.ID) + "/card?month=2026-10"
	for b.Loop() {
		resp, err := br.client.Get(url)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("card: %v %v", err, resp.Status)
		}
		resp.Body.Close()
	}
}
