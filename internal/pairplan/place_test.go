package pairplan

import (
	"math"
	"testing"

	"carecircle/internal/match"
)

var base = point{32.0640, 118.7720}

// at returns coordinates northM and eastM from base.
func at(northM, eastM float64) (*float64, *float64) {
	p := base.offset(northM, eastM)
	return &p.lat, &p.lon
}

func dist(a, b placement) float64 { return match.Distance(a.at.lat, a.at.lon, b.at.lat, b.at.lon) }

func TestBuildingIn(t *testing.T) {
	buildings := []string{"1栋", "2栋", "12栋", "安康新村A座"}
	for _, tc := range []struct{ address, want string }{
		{"幸福里社区12栋2单元301", "12栋"},
		{"幸福里社区2栋1单元101", "2栋"},
		{"安康社区安康新村A座502", "安康新村A座"},
		{"南京大学鼓楼校区", ""},
		{"", ""},
	} {
		if got := BuildingIn(tc.address, buildings); got != tc.want {
			t.Errorf("BuildingIn(%q) = %q, want %q", tc.address, got, tc.want)
		}
	}
}

// TestFallbackPositions checks the documented fallback: own coordinates,
// else the building's centre, else the community's, else a synthetic place;
// and the fixed distances between people placed the same way.
func TestFallbackPositions(t *testing.T) {
	lat1, lon1 := at(0, 0)
	lat2, lon2 := at(100, 0)
	latV, lonV := at(0, 300)
	in := Input{MaxDistanceM: 1000,
		Communities: []Community{{ID: 1, Buildings: []string{"1栋", "2栋", "3栋"}}, {ID: 2, Buildings: []string{"一组", "二组", "三组"}}},
		Elders: []Elder{
			{ID: 1, CommunityID: 1, Building: "1栋", Lat: lat1, Lon: lon1},
			{ID: 2, CommunityID: 1, Building: "1栋", Lat: lat2, Lon: lon2},
			{ID: 3, CommunityID: 1, Building: "1栋"}, // placed by building 1
			{ID: 4, CommunityID: 1, Building: "2栋"}, // nobody located in 2栋: by community
			{ID: 5, CommunityID: 2, Building: "一组"}, // community 2: nobody located
			{ID: 6, CommunityID: 2, Building: "三组"},
			{ID: 7, CommunityID: 2, Building: "五组"}, // not registered: still laid out
		},
		Volunteers: []Volunteer{
			{ID: 11, CommunityID: 1, Address: "幸福里社区1栋3单元201"}, // by building 1
			{ID: 12, CommunityID: 1, Address: "幸福里社区3栋", Lat: latV, Lon: lonV},
			{ID: 13, CommunityID: 1, Address: "学校宿舍"},     // by community
			{ID: 14, CommunityID: 2, Address: "桃园村一组12号"}, // synthetic building 一组
			{ID: 15, CommunityID: 2, Address: ""},         // synthetic community centre
		},
	}
	l := newLayout(&in)
	e, v := l.elders, l.volunteers
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 0.01 {
			t.Errorf("%s: %.3f m, want %.3f m", name, got, want)
		}
	}
	if !e[0].exact || e[2].exact || !v[1].exact {
		t.Fatal("own coordinates are used as they are, and only they are exact")
	}
	near("two people placed by the same building", dist(e[2], v[0]), BuildingDistanceM)
	near("elder by building to the building's centre", dist(e[2], placement{at: base.offset(50, 0)}), BuildingDistanceM/2)
	near("two people placed by the community", dist(e[3], v[2]), CommunityDistanceM)
	near("synthetic: same group", dist(e[4], v[3]), BuildingDistanceM)
	for _, pair := range [][2]placement{{e[5], v[3]}, {e[6], v[3]}, {e[5], v[4]}, {e[6], v[4]}} {
		if d := dist(pair[0], pair[1]); d > l.sep+1e-6 || d <= BuildingDistanceM {
			t.Errorf("synthetic, other group: %.1f m, want within (%v, %v]", d, BuildingDistanceM, l.sep)
		}
	}
	if d := dist(e[4], e[0]); d < 100_000 {
		t.Errorf("a synthetic place must be far from every real one: %.0f m", d)
	}
}

// TestSeparationFollowsReach keeps "same community" within a short reach.
func TestSeparationFollowsReach(t *testing.T) {
	in := Input{MaxDistanceM: 200, Elders: []Elder{{ID: 1, CommunityID: 1}},
		Volunteers: []Volunteer{{ID: 2, CommunityID: 1}}}
	l := newLayout(&in)
	if d := dist(l.elders[0], l.volunteers[0]); math.Abs(d-180) > 0.01 {
		t.Fatalf("community separation with a 200 m reach: %.2f m, want 180", d)
	}
}
