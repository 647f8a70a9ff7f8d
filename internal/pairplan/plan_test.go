package pairplan

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func elderAt(id, community int64, northM, eastM float64, prio int) Elder {
	lat, lon := at(northM, eastM)
	return Elder{ID: id, CommunityID: community, Building: "1栋", Lat: lat, Lon: lon, Priority: prio}
}

func volAt(id, community int64, kind string, northM, eastM float64, free int) Volunteer {
	lat, lon := at(northM, eastM)
	return Volunteer{ID: id, CommunityID: community, Kind: kind, Lat: lat, Lon: lon, Free: free}
}

// got summarises a plan as elder → volunteer and elder → unmatched reason.
func got(t *testing.T, in Input) (map[int64]int64, map[int64]string, Plan) {
	t.Helper()
	if in.MaxDistanceM == 0 {
		in.MaxDistanceM = 1000
	}
	pl, err := Make(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	pairs, why := map[int64]int64{}, map[int64]string{}
	for _, s := range pl.Suggestions {
		pairs[s.ElderID] = s.VolunteerID
	}
	for _, u := range pl.Unmatched {
		why[u.ElderID] = u.Reason
	}
	return pairs, why, pl
}

func TestPlanHonoursWishesCapacityAndRules(t *testing.T) {
	declined := elderAt(1, 1, 0, 0, 5)
	declined.Declined, declined.DeclineReason = true, "已雇保姆照料"
	refusing := elderAt(2, 1, 0, 0, 3)
	refusing.Refuse = []int64{10}
	preferring := elderAt(3, 1, 0, 0, 3)
	preferring.Prefer = []int64{11}
	inTeam := elderAt(4, 1, 0, 0, 3)
	inTeam.Team = []int64{10}
	rejected := elderAt(5, 1, 0, 0, 3)
	rejected.Rejected = []int64{10}
	noCoords := Elder{ID: 6, CommunityID: 2, Building: "1栋", Priority: 3}
	for _, tc := range []struct {
		name  string
		in    Input
		pairs map[int64]int64
		why   map[int64]string
	}{
		{"declined is never suggested", Input{Elders: []Elder{declined}, Volunteers: []Volunteer{volAt(10, 1, "neighbour", 10, 0, 1)}},
			map[int64]int64{}, map[int64]string{1: ReasonDeclined}},
		{"a refused volunteer is never suggested", Input{Elders: []Elder{refusing}, Volunteers: []Volunteer{volAt(10, 1, "neighbour", 10, 0, 1)}},
			map[int64]int64{}, map[int64]string{2: ReasonRefusedAll}},
		{"a refused volunteer is passed over for a farther one", Input{Elders: []Elder{refusing},
			Volunteers: []Volunteer{volAt(10, 1, "neighbour", 10, 0, 1), volAt(11, 1, "neighbour", 600, 0, 1)}},
			map[int64]int64{2: 11}, map[int64]string{}},
		{"a chosen volunteer is preferred over a nearer one", Input{Elders: []Elder{preferring},
			Volunteers: []Volunteer{volAt(10, 1, "neighbour", 10, 0, 1), volAt(11, 1, "neighbour", 700, 0, 1)}},
			map[int64]int64{3: 11}, map[int64]string{}},
		{"the team is not suggested again", Input{Elders: []Elder{inTeam}, Volunteers: []Volunteer{volAt(10, 1, "social", 10, 0, 3)}},
			map[int64]int64{}, map[int64]string{4: ReasonNoneInReach}},
		{"a rejected suggestion is not made again", Input{Elders: []Elder{rejected}, Volunteers: []Volunteer{volAt(10, 1, "neighbour", 10, 0, 1)}},
			map[int64]int64{}, map[int64]string{5: ReasonRefusedAll}},
		{"higher priority first when capacity is short", Input{
			Elders:     []Elder{elderAt(7, 1, 0, 0, 2), elderAt(8, 1, 500, 0, 5)},
			Volunteers: []Volunteer{volAt(10, 1, "neighbour", 0, 10, 1)}},
			map[int64]int64{8: 10}, map[int64]string{7: ReasonCapacity}},
		{"capacity already used up", Input{Elders: []Elder{elderAt(7, 1, 0, 0, 2)}, Volunteers: []Volunteer{volAt(10, 1, "neighbour", 0, 10, 0)}},
			map[int64]int64{}, map[int64]string{7: ReasonCapacity}},
		{"nobody within reach", Input{Elders: []Elder{elderAt(7, 1, 0, 0, 2)}, Volunteers: []Volunteer{volAt(10, 1, "neighbour", 2000, 0, 1)}},
			map[int64]int64{}, map[int64]string{7: ReasonNoneInReach}},
		{"neighbours first, others as supplement", Input{Elders: []Elder{elderAt(7, 1, 0, 0, 2)},
			Volunteers: []Volunteer{volAt(10, 1, "social", 0, 5, 1), volAt(11, 1, "neighbour", 0, 800, 1)}},
			map[int64]int64{7: 11}, map[int64]string{}},
		{"clinic staff are never suggested", Input{Elders: []Elder{elderAt(7, 1, 0, 0, 2)}, Volunteers: []Volunteer{volAt(10, 1, "clinic", 0, 5, 3)}},
			map[int64]int64{}, map[int64]string{7: ReasonNoneInReach}},
		{"a neighbour of another community is not suggested", Input{Elders: []Elder{elderAt(7, 1, 0, 0, 2)},
			Volunteers: []Volunteer{volAt(10, 2, "neighbour", 0, 5, 1)}},
			map[int64]int64{}, map[int64]string{7: ReasonNoneInReach}},
		{"a social volunteer of another community may be, with coordinates", Input{Elders: []Elder{elderAt(7, 1, 0, 0, 2)},
			Volunteers: []Volunteer{volAt(10, 2, "social", 0, 5, 1)}},
			map[int64]int64{7: 10}, map[int64]string{}},
		{"without coordinates, only the own community", Input{
			Communities: []Community{{ID: 1}, {ID: 2, Buildings: []string{"1栋"}}},
			Elders:      []Elder{elderAt(7, 1, 0, 0, 2), noCoords},
			Volunteers:  []Volunteer{volAt(10, 1, "social", 0, 5, 1), {ID: 11, CommunityID: 2, Kind: "neighbour", Address: "安康社区1栋", Free: 1}}},
			map[int64]int64{7: 10, 6: 11}, map[int64]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pairs, why, _ := got(t, tc.in)
			if !reflect.DeepEqual(pairs, tc.pairs) || !reflect.DeepEqual(why, tc.why) {
				t.Fatalf("pairs %v, unmatched %v; want %v, %v", pairs, why, tc.pairs, tc.why)
			}
		})
	}
}

func TestPlanExplains(t *testing.T) {
	preferring := elderAt(3, 1, 0, 0, 3)
	preferring.Prefer = []int64{11}
	noCoords := Elder{ID: 4, CommunityID: 1, Building: "1栋", Priority: 4}
	sameBuilding := volAt(10, 1, "neighbour", 10, 0, 2)
	sameBuilding.Address = "幸福里社区1栋101"
	_, _, pl := got(t, Input{Elders: []Elder{preferring, noCoords},
		Communities: []Community{{ID: 1, Buildings: []string{"1栋", "2栋"}}},
		Volunteers: []Volunteer{sameBuilding, volAt(11, 1, "neighbour", 120, 0, 1),
			{ID: 12, CommunityID: 1, Kind: "social", Address: "2栋", Free: 1}}})
	if len(pl.Suggestions) != 2 || pl.Suggestions[0].ElderID != 4 {
		t.Fatalf("suggestions, highest priority first: %+v", pl.Suggestions)
	}
	s := pl.Suggestions[1]
	if s.VolunteerID != 11 || !s.Preferred || s.Basis != BasisCoordinates || s.DistanceM != 120 {
		t.Fatalf("preferred suggestion: %+v", s)
	}
	if !strings.Contains(s.Reason.ZH, "老人点名要求") || !strings.Contains(s.Reason.EN, "120 m away") || !strings.Contains(s.Reason.ZH, "第 2 近") {
		t.Fatalf("reason: %+v", s.Reason)
	}
	if len(s.Options) != 3 || s.Options[0].VolunteerID != 10 || s.Options[2].Basis != BasisCommunity {
		t.Fatalf("options to edit the suggestion, nearest first: %+v", s.Options)
	}
	b := pl.Suggestions[0]
	if b.VolunteerID != 10 || b.Basis != BasisBuilding || !strings.Contains(b.Reason.ZH, "同楼栋") {
		t.Fatalf("an elder without coordinates is placed by building: %+v", b)
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	var in Input
	for i := range 40 {
		in.Elders = append(in.Elders, elderAt(int64(100+i), 1, float64(i*37%400), float64(i*53%400), 1+i%5))
	}
	for i := range 15 {
		in.Volunteers = append(in.Volunteers, volAt(int64(500+i), 1, []string{"neighbour", "social"}[i%2], float64(i*71%400), float64(i*29%400), 1+i%3))
	}
	in.Elders = append(in.Elders, Elder{ID: 99, CommunityID: 1, Building: "9栋", Priority: 5})
	_, _, a := got(t, in)
	// Reverse the input: order must not matter.
	for i, j := 0, len(in.Elders)-1; i < j; i, j = i+1, j-1 {
		in.Elders[i], in.Elders[j] = in.Elders[j], in.Elders[i]
	}
	_, _, b := got(t, in)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same registry must give the same plan")
	}
	if len(a.Suggestions)+len(a.Unmatched) != len(in.Elders) {
		t.Fatalf("every elder is either suggested or explained: %d + %d of %d", len(a.Suggestions), len(a.Unmatched), len(in.Elders))
	}
}

func TestPlanEmpty(t *testing.T) {
	pairs, why, pl := got(t, Input{})
	if len(pairs) != 0 || len(why) != 0 || pl.Suggestions == nil || pl.Unmatched == nil {
		t.Fatalf("an empty street plans nothing: %+v", pl)
	}
}
