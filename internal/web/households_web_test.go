package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// An elder's page shows their household (包户) with the other members.
func TestElderPageShowsHousehold(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		h := &store.Household{Name: "王陈家"}
		if err := db.CreateHousehold(context.Background(), f.Comm1, h, []int64{f.Elder1.ID, f.Elder2.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		c1.login("c1")
		code, doc := c1.get("/elders/" + itoa(f.Elder1.ID))
		got := doc.Find("dd.household").Text()
		if code != http.StatusOK || !strings.Contains(got, "王陈家") || !strings.Contains(got, f.Elder2.Name) || strings.Contains(got, f.Elder1.Name) {
			t.Fatalf("household on the elder page: %d %q", code, got)
		}
	})
}
