package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestNamesInsteadOfCodes (issue 14 point 5): /standards reads in Chinese
// — no neighbour_daily_greeting, default or spring_festival on the page —
// and accounts are named by their display name.
func TestNamesInsteadOfCodes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("station")
		status, doc := b.get("/standards")
		if status != http.StatusOK {
			t.Fatalf("/standards: %d", status)
		}
		doc.Find("form, script, style, details.edit").Remove()
		text := doc.Find("main").Text()
		for _, code := range []string{"neighbour_daily_greeting", "spring_festival", "default"} {
			if strings.Contains(text, code) {
				t.Fatalf("/standards shows the code %q: %s", code, text)
			}
		}
		if !strings.Contains(text, "系统默认") || !strings.Contains(text, "春节") {
			t.Fatalf("/standards names the defaults and the festivals: %s", text)
		}

		u := &care.User{Username: "station2", DisplayName: "王芳", Role: care.RoleStation, StreetID: f.Street.ID}
		if err := db.CreateUser(context.Background(), f.Admin, u, storetest.Password); err != nil {
			t.Fatal(err)
		}
		names, err := db.DisplayNames(context.Background())
		if err != nil || names["station2"] != "王芳" || names["station"] != "" {
			t.Fatalf("display names: %v %v", names, err)
		}
	})
}
