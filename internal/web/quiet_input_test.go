package web_test

import (
	"net/http"
	"net/url"
	"testing"

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
