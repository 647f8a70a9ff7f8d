package pairplan

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Basis says where a distance comes from, so a coordinator knows how far to
// trust it.
type Basis string

// The bases, from exact to rough.
const (
	// BasisCoordinates: both people have recorded coordinates.
	BasisCoordinates Basis = "coordinates"
	// BasisBuilding: one of them has none, and they live in the same building.
	BasisBuilding Basis = "same_building"
	// BasisCommunity: one of them has none; they live in the same community.
	BasisCommunity Basis = "same_community"
)

// Fallback distances. Two people placed by their building are
// BuildingDistanceM apart; two placed by their community are at most
// CommunityDistanceM apart, and never farther than 90 % of the reach, so
// that "same community" is always within reach, as SPEC §3 wants.
const (
	BuildingDistanceM  = 50.0
	CommunityDistanceM = 500.0
)

// metresPerDegree is the length of a degree of latitude on match's sphere,
// so that a pure north–south shift of m metres is exactly m metres to
// match.Distance.
const metresPerDegree = 6371008.8 * math.Pi / 180

type point struct{ lat, lon float64 }

// north moves p by m metres along its meridian (south when m < 0).
func (p point) north(m float64) point { return point{p.lat + m/metresPerDegree, p.lon} }

// offset moves p by metres north and east on a local flat plane, which is
// exact enough within a community.
func (p point) offset(northM, eastM float64) point {
	return point{p.lat + northM/metresPerDegree, p.lon + eastM/(metresPerDegree*math.Cos(p.lat*math.Pi/180))}
}

// placement is where the planner takes a person to be, and how it knows.
type placement struct {
	at       point
	exact    bool   // own coordinates
	building string // the building used, "" when unknown
}

// layout computes the matching positions of everyone. A person without
// coordinates is put at the centre of their building (the mean position of
// the located elders registered there, else of the located volunteers whose
// address names it), else at the centre of their community (likewise); a
// community where nobody is located gets a synthetic place far out in the
// Pacific, with its buildings on a ring, so that its people still meet each
// other and nobody else. Elders are shifted north and volunteers south of a
// shared centre, so two people placed at the same centre are a fixed
// distance apart rather than zero: BuildingDistanceM for a building, the
// community separation for a community.
type layout struct {
	sep        float64 // separation of two people placed by community
	half       float64 // half the separation of two people placed by building
	buildings  map[int64][]string
	bCentre    map[bkey]point
	cCentre    map[int64]point
	synthetic  map[int64]bool
	elders     []placement
	volunteers []placement
}

type bkey struct {
	community int64
	building  string
}

func newLayout(in *Input) *layout {
	sep := math.Min(CommunityDistanceM, 0.9*in.MaxDistanceM)
	l := &layout{sep: sep, half: math.Min(BuildingDistanceM, sep/10) / 2,
		buildings: map[int64][]string{}, bCentre: map[bkey]point{}, cCentre: map[int64]point{}, synthetic: map[int64]bool{}}
	l.collectBuildings(in)
	vb := make([]string, len(in.Volunteers))
	for j, v := range in.Volunteers {
		vb[j] = BuildingIn(v.Address, l.buildings[v.CommunityID])
	}
	l.centres(in, vb)
	for _, e := range in.Elders {
		l.elders = append(l.elders, l.place(e.CommunityID, e.Building, e.Lat, e.Lon, +1))
	}
	for j, v := range in.Volunteers {
		l.volunteers = append(l.volunteers, l.place(v.CommunityID, vb[j], v.Lat, v.Lon, -1))
	}
	return l
}

// collectBuildings lists each community's buildings: the registered ones in
// their order, then any other building an elder gives, sorted.
func (l *layout) collectBuildings(in *Input) {
	for _, c := range in.Communities {
		l.buildings[c.ID] = append([]string(nil), c.Buildings...)
	}
	extra := map[int64][]string{}
	for _, e := range in.Elders {
		if e.Building != "" && !slices.Contains(l.buildings[e.CommunityID], e.Building) && !slices.Contains(extra[e.CommunityID], e.Building) {
			extra[e.CommunityID] = append(extra[e.CommunityID], e.Building)
		}
	}
	for id, names := range extra {
		slices.Sort(names)
		l.buildings[id] = append(l.buildings[id], names...)
	}
}

// BuildingIn returns the building of buildings named in a free-text
// address, the longest such name when several match ("12栋" rather than
// "2栋"), or "" when none does. Volunteers have an address, not a building.
func BuildingIn(address string, buildings []string) string {
	best := ""
	for _, b := range buildings {
		if b != "" && len(b) > len(best) && strings.Contains(address, b) {
			best = b
		}
	}
	return best
}

// centres computes building and community centres from located elders,
// falling back to located volunteers, and lays out synthetic communities.
func (l *layout) centres(in *Input, vb []string) {
	type sum struct {
		lat, lon float64
		n        int
	}
	add := func(m map[any]*sum, k any, lat, lon float64) {
		s := m[k]
		if s == nil {
			s = &sum{}
			m[k] = s
		}
		s.lat, s.lon, s.n = s.lat+lat, s.lon+lon, s.n+1
	}
	fromElders, fromVols := map[any]*sum{}, map[any]*sum{}
	for _, e := range in.Elders {
		if e.Lat != nil && e.Lon != nil {
			add(fromElders, bkey{e.CommunityID, e.Building}, *e.Lat, *e.Lon)
			add(fromElders, e.CommunityID, *e.Lat, *e.Lon)
		}
	}
	for j, v := range in.Volunteers {
		if v.Lat != nil && v.Lon != nil {
			if vb[j] != "" {
				add(fromVols, bkey{v.CommunityID, vb[j]}, *v.Lat, *v.Lon)
			}
			add(fromVols, v.CommunityID, *v.Lat, *v.Lon)
		}
	}
	mean := func(k any) (point, bool) {
		for _, m := range []map[any]*sum{fromElders, fromVols} {
			if s := m[k]; s != nil {
				return point{s.lat / float64(s.n), s.lon / float64(s.n)}, true
			}
		}
		return point{}, false
	}
	for _, id := range l.communityIDs(in) {
		if c, ok := mean(id); ok {
			l.cCentre[id] = c
			for _, b := range l.buildings[id] {
				if p, ok := mean(bkey{id, b}); ok {
					l.bCentre[bkey{id, b}] = p
				}
			}
			continue
		}
		l.syntheticCommunity(id, len(l.synthetic))
	}
}

// communityIDs are all communities anyone belongs to, in ascending order,
// so synthetic places are the same for the same input.
func (l *layout) communityIDs(in *Input) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	note := func(id int64) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, c := range in.Communities {
		note(c.ID)
	}
	for _, e := range in.Elders {
		note(e.CommunityID)
	}
	for _, v := range in.Volunteers {
		note(v.CommunityID)
	}
	slices.SortFunc(ids, cmp.Compare)
	return ids
}

// syntheticCommunity places the k-th community without any coordinates in
// the empty equatorial Pacific, 0.2° (22 km, more than any reach) from the
// next, with its buildings on a ring small enough that any two of its
// people stay within the community separation.
func (l *layout) syntheticCommunity(id int64, k int) {
	l.synthetic[id] = true
	centre := point{lat: -0.2 * float64(k/300), lon: -170 + 0.2*float64(k%300)}
	l.cCentre[id] = centre
	names := l.buildings[id]
	radius := math.Max(l.sep-4*l.half, 0) / 2
	for i, b := range names {
		if len(names) == 1 {
			l.bCentre[bkey{id, b}] = centre
			continue
		}
		a := 2 * math.Pi * float64(i) / float64(len(names))
		l.bCentre[bkey{id, b}] = centre.offset(radius*math.Cos(a), radius*math.Sin(a))
	}
}

// place returns where one person is taken to be; dir is +1 for elders
// (shifted north) and -1 for volunteers (south).
func (l *layout) place(community int64, building string, lat, lon *float64, dir float64) placement {
	if lat != nil && lon != nil {
		return placement{at: point{*lat, *lon}, exact: true, building: building}
	}
	if c, ok := l.bCentre[bkey{community, building}]; ok && building != "" {
		return placement{at: c.north(dir * l.half), building: building}
	}
	return placement{at: l.cCentre[community].north(dir * l.sep / 2), building: building}
}
