package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestWebFiltersRefuseBadInput: the web's lists and exports read their
// filters with one function, so a malformed number is 422 on both, and
// another community is 404 — never an empty list or an unfiltered export.
func TestWebFiltersRefuseBadInput(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		b.login("c1")
		for _, c := range []struct {
			path   string
			status int
		}{
			{"/register/export/elders.csv?priority=" + url.QueryEscape("1 OR 1"), http.StatusUnprocessableEntity},
			{"/register/export/volunteers.csv?community_id=abc", http.StatusUnprocessableEntity},
			{"/elders?priority=" + url.QueryEscape("1 OR 1"), http.StatusUnprocessableEntity},
			{"/volunteers?community_id=abc", http.StatusUnprocessableEntity},
			{"/register/export/elders.csv?community_id=" + itoa(f.C2.ID), http.StatusNotFound},
			{"/elders?community_id=" + itoa(f.C2.ID), http.StatusNotFound},
			{"/elders?community_id=" + itoa(f.C1.ID), http.StatusOK},
		} {
			if status, _ := b.get(c.path); status != c.status {
				t.Errorf("%s: %d, want %d", c.path, status, c.status)
			}
		}
	})
}

// TestPagesRefuseABadCommunityFilter: every page that filters by
// community_id answers as the API's lists do — a malformed one is 422 with
// the field named in place (in Chinese), another community's is 404 —
// never the unfiltered page. A form posting a malformed community changes
// nothing.
func TestPagesRefuseABadCommunityFilter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		other := care.Street{Name: "安乐街道", District: "鼓楼区"}
		if err := db.CreateStreet(ctx, f.Admin, &other); err != nil {
			t.Fatal(err)
		}
		foreign := care.Community{Name: "长青社区"}
		if err := db.SaveCommunity(ctx, care.Actor{Role: care.RoleStation, StreetID: other.ID}, &foreign); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		for _, user := range []string{"station", "c1"} {
			b := newBrowser(t, srv)
			b.login(user)
			elsewhere := itoa(foreign.ID)
			if user == "c1" {
				elsewhere = itoa(f.C2.ID)
			}
			pages := []string{"/compliance", "/greetings", "/greetings/live", "/pairing"}
			if user == "station" {
				pages = append(pages, "/inspection")
			}
			for _, path := range pages {
				status, doc := b.get(path + "?community_id=" + url.QueryEscape("1 OR 1"))
				if msg := doc.Find("main").Text(); status != http.StatusUnprocessableEntity || !strings.Contains(msg, "社区（community_id）应为数字") {
					t.Errorf("%s %s malformed: %d %q", user, path, status, strings.TrimSpace(msg))
				}
				if status, _ := b.get(path + "?community_id=" + elsewhere); status != http.StatusNotFound {
					t.Errorf("%s %s another community: %d, want 404", user, path, status)
				}
				if status, _ := b.get(path + "?community_id=" + itoa(f.C1.ID)); status != http.StatusOK {
					t.Errorf("%s %s own community: %d", user, path, status)
				}
			}
		}
		b := newBrowser(t, srv)
		csrf := b.login("station")
		resp, _ := b.post("/inspection/sign-clean", url.Values{"csrf": {csrf}, "month": {"2026-10"}, "community_id": {"abc"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("signing with a malformed community: %d", resp.StatusCode)
		}
	})
}
