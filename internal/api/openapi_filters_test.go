package api_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// documents reports whether a route's text in openapi.yaml declares the
// query parameter name.
func documents(rt apiRoute, name string) bool {
	return strings.Contains(rt.Doc, "name: "+name+", in: query")
}

// TestListFiltersAnswerAsDocumented: every list and export of openapi.yaml
// that takes a community_id (or clinic_id) answers a malformed one with 422
// naming it and another community's (street's clinic) with 404, and says
// so in the file; a route that does not declare community_id ignores it
// (so none refuses it undocumented).
func TestListFiltersAnswerAsDocumented(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newMatrixWorld(t, db, "")
		checked := 0
		for _, rt := range openAPIRoutes(t) {
			if rt.Method != "GET" || rt.Public {
				continue
			}
			takes := documents(rt, "community_id")
			if takes && (!strings.Contains(rt.Doc, `"404"`) || !strings.Contains(rt.Doc, `"422"`)) {
				t.Errorf("%s takes community_id but does not document its 404 and 422", rt.key())
			}
			for _, role := range []string{rStation, rCommunity} {
				if want, _ := classify(rt, role); want != allow {
					continue
				}
				c := w.callerOf(role)
				u, ok := fill(rt, c.own[idKind(rt.Path)])
				if !ok {
					continue
				}
				plain := w.do("GET", u, role, "")
				for _, p := range []struct{ name, foreign string }{
					{"community_id", c.foreignCommunity}, {"clinic_id", strconv.FormatInt(w.clinic2.ID, 10)}} {
					takes := documents(rt, p.name)
					bad := w.do("GET", withQuery(u, p.name+"=abc"), role, "")
					foreign := w.do("GET", withQuery(u, p.name+"="+p.foreign), role, "")
					switch {
					case !takes && p.name == "community_id" && bad.status != plain.status:
						t.Errorf("%s as %s: %s=abc is %d (without it %d) but the file declares no %s", rt.key(), role, p.name, bad.status, plain.status, p.name)
					case !takes:
					case bad.status != http.StatusUnprocessableEntity || !bytes.Contains(bad.body, []byte(`"`+p.name+`"`)):
						t.Errorf("%s as %s: a malformed %s is %d %s, want 422 naming it", rt.key(), role, p.name, bad.status, bad.body)
					case foreign.status != http.StatusNotFound:
						t.Errorf("%s as %s: another street's %s is %d, want 404", rt.key(), role, p.name, foreign.status)
					default:
						checked++
					}
				}
			}
		}
		if checked == 0 {
			t.Fatal("no route takes community_id")
		}
	})
}
