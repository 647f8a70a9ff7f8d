package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// otherStreet adds a second street with one community, which the
// fixture's station and community staff cannot see.
func otherStreet(t *testing.T, e *env) (care.Street, care.Community) {
	t.Helper()
	ctx := context.Background()
	s := care.Street{Name: "宁海路街道", District: "鼓楼区", City: "南京市"}
	if err := e.db.CreateStreet(ctx, e.f.Admin, &s); err != nil {
		t.Fatal(err)
	}
	c := care.Community{StreetID: s.ID, Name: "颐和社区"}
	if err := e.db.SaveCommunity(ctx, e.f.Admin, &c); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// exportAudits counts the audit entries of exports.
func exportAudits(t *testing.T, e *env) int {
	t.Helper()
	log, err := e.db.AuditLog(context.Background(), e.f.Admin, "", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range log {
		if strings.HasPrefix(l.Action, "export") {
			n++
		}
	}
	return n
}

// TestForeignCommunityIs404: every list, export and table that takes a
// community_id answers 404 for a community the caller cannot see (another
// street's, or for community staff any but their own) instead of 200 with
// nothing in it, and an export refused so leaves no audit entry.
func TestForeignCommunityIs404(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		withTracker(t, e)
		_, far := otherStreet(t, e)
		f := e.f
		routes := []string{
			"/api/v1/elders?community_id=%d",
			"/api/v1/volunteers?community_id=%d",
			"/api/v1/exports/elders.csv?community_id=%d",
			"/api/v1/exports/elders.xlsx?reveal_ids=1&community_id=%d",
			"/api/v1/exports/volunteers.csv?community_id=%d",
			"/api/v1/inspection?month=2026-11&community_id=%d",
			"/api/v1/compliance?community_id=%d",
			"/api/v1/compliance/communities/%d",
			"/api/v1/not-greeted?community_id=%d",
			"/api/v1/alerts?community_id=%d",
			"/api/v1/handovers?community_id=%d",
			"/api/v1/matching?community_id=%d",
		}
		for _, c := range []struct {
			who       string
			community int64
			status    int
		}{
			{"station", far.ID, 404}, {"station", -1, 404},
			{"community1", f.C2.ID, 404}, {"community1", far.ID, 404},
			{"station", f.C1.ID, 200}, {"community1", f.C1.ID, 200},
		} {
			before := exportAudits(t, e)
			for _, r := range routes {
				u := strings.Replace(r, "%d", itoa(c.community), 1)
				rec := e.send(t, "GET", u, c.who, "", nil)
				if rec.Code != c.status {
					t.Errorf("%s %s: %d, want %d: %s", c.who, u, rec.Code, c.status, rec.Body)
				}
			}
			if got := exportAudits(t, e) - before; c.status == 404 && got != 0 {
				t.Errorf("%s, community %d: %d export audit entries for refused exports", c.who, c.community, got)
			} else if c.status == 200 && got != 3 {
				t.Errorf("%s, community %d: %d export audit entries, want 3", c.who, c.community, got)
			}
		}
		// A report's unit is named, not numbered: another street's
		// community is refused with the reason, never an empty report.
		rec := e.send(t, "GET", reportURL("unit", far.Name, "period", "2026-11"), "station", "", nil)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"unit"`) {
			t.Errorf("report of another street's community: %d %s", rec.Code, rec.Body)
		}
		rec = e.send(t, "GET", reportURL("unit", f.C2.Name, "period", "2026-11"), "community1", "", nil)
		if rec.Code != 422 {
			t.Errorf("report of a sibling community: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestForeignStreetIsRefused: a community or clinic given another street
// is 404 (the station's) or 422 (moving one), never quietly put in the
// caller's street; nothing is written.
func TestForeignStreetIsRefused(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		far, farComm := otherStreet(t, e)
		f := e.f
		ctx := context.Background()
		count := func() int {
			cs, err := db.Communities(ctx, f.Admin)
			if err != nil {
				t.Fatal(err)
			}
			ks, err := db.Clinics(ctx, f.Admin)
			if err != nil {
				t.Fatal(err)
			}
			return len(cs) + len(ks)
		}
		n := count()
		for _, c := range []struct {
			method, url, who string
			body             map[string]any
			status           int
			field            string
		}{
			{"POST", "/api/v1/communities", "station", map[string]any{"street_id": far.ID, "name": "越界社区"}, 404, ""},
			{"POST", "/api/v1/communities", "station", map[string]any{"street_id": 999999, "name": "越界社区"}, 404, ""},
			{"POST", "/api/v1/clinics", "station", map[string]any{"street_id": far.ID, "name": "越界卫生站"}, 404, ""},
			{"POST", "/api/v1/communities", "admin", map[string]any{"street_id": 999999, "name": "无街社区"}, 404, ""},
			{"PATCH", "/api/v1/communities/" + itoa(f.C1.ID), "station", map[string]any{"street_id": far.ID}, 404, ""},
			{"PATCH", "/api/v1/clinics/" + itoa(f.Clinic.ID), "station", map[string]any{"street_id": far.ID}, 404, ""},
			{"PATCH", "/api/v1/communities/" + itoa(farComm.ID), "admin", map[string]any{"street_id": f.Street.ID}, 422, "street_id"},
			{"PATCH", "/api/v1/communities/" + itoa(farComm.ID), "station", map[string]any{"name": "改名"}, 404, ""},
		} {
			s, out := e.call(t, c.method, c.url, c.who, c.body)
			if s != c.status || (c.field != "" && fieldsOf(out)[c.field] == nil) {
				t.Errorf("%s %s as %s: %d %v, want %d %s", c.method, c.url, c.who, s, out, c.status, c.field)
			}
		}
		if got := count(); got != n {
			t.Fatalf("refused saves wrote: %d communities and clinics, had %d", got, n)
		}
		if c, err := db.GetCommunity(ctx, f.Admin, f.C1.ID); err != nil || c.StreetID != f.Street.ID {
			t.Fatalf("community moved: %+v %v", c, err)
		}
		// Without a street_id, or with its own, the station adds to its street.
		for _, body := range []map[string]any{{"name": "新社区甲"}, {"street_id": f.Street.ID, "name": "新社区乙"}} {
			if s, out := e.call(t, "POST", "/api/v1/communities", "station", body); s != 201 || out["street_id"] != float64(f.Street.ID) {
				t.Errorf("station adds a community %v: %d %v", body, s, out)
			}
		}
	})
}

// TestMalformedFiltersAre422: an export refuses a filter it cannot read as
// the list does (priority=1 OR 1 once exported everything), with no audit
// entry.
func TestMalformedFiltersAre422(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		before := exportAudits(t, e)
		for _, c := range []struct{ path, field string }{
			{"/api/v1/exports/elders.csv?priority=" + url.QueryEscape("1 OR 1"), "priority"},
			{"/api/v1/exports/elders.xlsx?community_id=abc", "community_id"},
			{"/api/v1/exports/elders.csv?clinic_id=1.5", "clinic_id"},
			{"/api/v1/exports/volunteers.csv?community_id=abc", "community_id"},
			{"/api/v1/elders?priority=" + url.QueryEscape("1 OR 1"), "priority"},
			{"/api/v1/volunteers?community_id=abc", "community_id"},
		} {
			rec := e.send(t, "GET", c.path, "station", "", nil)
			if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", c.path, rec.Code, rec.Body, c.field)
			}
		}
		if got := exportAudits(t, e) - before; got != 0 {
			t.Fatalf("%d export audit entries for refused exports", got)
		}
	})
}

// TestCoordinatesOutOfRangeAre422: latitude and longitude outside the
// globe are refused on create and patch, naming the field.
func TestCoordinatesOutOfRangeAre422(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		vol := func(lat, lon float64) map[string]any {
			return map[string]any{"name": "周立新", "phone": "13900001234", "kind": "neighbour", "community_id": f.C1.ID, "capacity": 2, "lat": lat, "lon": lon}
		}
		elder := func(lat, lon float64) map[string]any {
			b := validElderBody(f, 40)
			b["lat"], b["lon"] = lat, lon
			return b
		}
		for _, c := range []struct {
			method, url string
			body        map[string]any
			field       string
		}{
			{"POST", "/api/v1/elders", elder(91, 118.78), "lat"},
			{"POST", "/api/v1/elders", elder(32.05, -180.5), "lon"},
			{"POST", "/api/v1/volunteers", vol(-90.01, 118.78), "lat"},
			{"POST", "/api/v1/volunteers", vol(32.05, 1e300), "lon"},
			{"PATCH", "/api/v1/elders/" + itoa(f.Elder1.ID), map[string]any{"lat": 32.05, "lon": 181}, "lon"},
			{"PATCH", "/api/v1/volunteers/" + itoa(f.Vol1.ID), map[string]any{"lat": 1000, "lon": 118.78}, "lat"},
		} {
			s, out := e.call(t, c.method, c.url, "community1", c.body)
			if s != 422 || fieldsOf(out)[c.field] == nil {
				t.Errorf("%s %s: %d %v, want 422 naming %s", c.method, c.url, s, out, c.field)
			}
		}
		if _, list := e.call(t, "GET", "/api/v1/elders", "community1", nil); list["total"] != float64(2) {
			t.Fatalf("a refused elder was saved: %v", list["total"])
		}
	})
}
