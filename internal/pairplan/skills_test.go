package pairplan

import (
	"context"
	"testing"
)

// TestNeedsBreakTies (issue 15 point 3): two neighbours in the elder's
// building are equally near (no coordinates: the building's centre); the
// one whose skills serve the elder's recorded needs is suggested, whatever
// their order. Two elders with two such neighbours each get the one that
// serves them. A nearer volunteer still wins over a more skilled one.
func TestNeedsBreakTies(t *testing.T) {
	lat, lon := 32.05, 118.78
	at := func(v float64) *float64 { return &v }
	elder := func(id int64, needs ...string) Elder {
		return Elder{ID: id, CommunityID: 1, Building: "1栋", Priority: 3, Needs: needs}
	}
	vol := func(id int64, skills ...string) Volunteer {
		return Volunteer{ID: id, CommunityID: 1, Kind: "neighbour", Address: "1栋101", Free: 1, Skills: skills}
	}
	located := Elder{ID: 9, CommunityID: 1, Building: "1栋", Lat: at(lat), Lon: at(lon), Priority: 3}
	for _, c := range []struct {
		name string
		in   Input
		want map[int64]int64
	}{
		{"the skilled one of two equally near", Input{Elders: []Elder{elder(1, "health")}, Volunteers: []Volunteer{vol(10, "买菜", "做饭"), vol(11, "陪诊", "测血压")}},
			map[int64]int64{1: 11}},
		{"order does not matter", Input{Elders: []Elder{elder(1, "health")}, Volunteers: []Volunteer{vol(10, "陪诊"), vol(11, "买菜")}},
			map[int64]int64{1: 10}},
		{"each elder gets the one who serves them", Input{Elders: []Elder{elder(1, "legal"), elder(2, "life")},
			Volunteers: []Volunteer{vol(10, "买菜", "打扫卫生"), vol(11, "法律咨询")}},
			map[int64]int64{1: 11, 2: 10}},
		{"a nearer volunteer wins over a skilled one", Input{Elders: []Elder{func() Elder { e := located; e.Needs = []string{"health"}; return e }()},
			Volunteers: []Volunteer{{ID: 10, CommunityID: 1, Kind: "neighbour", Lat: at(lat + 0.0005), Lon: at(lon), Free: 1, Skills: []string{"买菜"}},
				{ID: 11, CommunityID: 1, Kind: "neighbour", Lat: at(lat + 0.003), Lon: at(lon), Free: 1, Skills: []string{"陪诊"}}}},
			map[int64]int64{9: 10}},
	} {
		c.in.MaxDistanceM = DefaultReachM
		c.in.Communities = []Community{{ID: 1, Buildings: []string{"1栋"}}}
		pl, err := Make(context.Background(), c.in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]int64{}
		for _, s := range pl.Suggestions {
			got[s.ElderID] = s.VolunteerID
		}
		for e, v := range c.want {
			if got[e] != v {
				t.Errorf("%s: elder %d got %d, want %d (%v)", c.name, e, got[e], v, got)
			}
		}
	}
}
