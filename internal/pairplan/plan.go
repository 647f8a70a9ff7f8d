// Package pairplan turns the registry into a matching problem for the pure
// matcher (internal/match) and explains its answer to coordinators: where
// each person is taken to be (their coordinates, else their building, else
// their community), which pairs the programme allows, and why an elder got
// no suggestion. It is pure and deterministic: no database, no clock.
package pairplan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"carecircle/internal/care"
	"carecircle/internal/match"
)

// Reach limits, in metres.
const (
	DefaultReachM = 1000.0
	MaxReachM     = 5000.0
)

// Input is what the planner needs from the registry. The caller includes
// only active elders without a current neighbour volunteer and only active
// volunteers who are not clinic staff.
type Input struct {
	MaxDistanceM float64
	Communities  []Community
	Elders       []Elder
	Volunteers   []Volunteer
}

// Community lists the buildings a volunteer's address may name.
type Community struct {
	ID        int64
	Buildings []string
}

// Elder is an elder waiting for a (neighbour) volunteer.
type Elder struct {
	ID            int64
	CommunityID   int64
	Building      string
	Lat, Lon      *float64
	Priority      int
	Declined      bool
	DeclineReason string
	Prefer        []int64 // wishes: preferred volunteers cost nothing
	Refuse        []int64 // wishes: never suggested
	Team          []int64 // current volunteers: not suggested twice
	Rejected      []int64 // suggestions staff rejected recently
	// Needs are the elder's recorded needs (service kinds): a volunteer
	// whose skills serve more of them wins a tie.
	Needs []string
	// Supplements is how many active volunteers of another kind (social,
	// committee) the elder already has. Such an elder has enough of those
	// roles: only a neighbour volunteer is suggested, and when none can be
	// the elder is left out of Unmatched (served, nothing to do).
	Supplements int
}

// Need says what the elder still lacks, shown with every suggestion so an
// elder seen again says why: e.g. 仍缺邻居志愿者 1 名.
func (e *Elder) Need() care.Msg {
	if e.Supplements > 0 {
		return care.Msg{ZH: fmt.Sprintf("已有其他志愿者 %d 名，仍缺邻居志愿者 1 名", e.Supplements),
			EN: fmt.Sprintf("has %d volunteer(s) of another kind; still needs 1 neighbour volunteer", e.Supplements)}
	}
	return care.Msg{ZH: "尚无结对志愿者，缺 1 名（邻里志愿者优先）", EN: "no volunteer yet; needs 1 (neighbours first)"}
}

// kindWanted reports whether the elder still wants a volunteer of kind: a
// neighbour always (the caller passes only elders without one), another
// kind only while the elder has nobody.
func (e *Elder) kindWanted(kind string) bool {
	return kind == "neighbour" || e.Supplements == 0
}

// Volunteer is a volunteer who might take an elder on.
type Volunteer struct {
	ID          int64
	CommunityID int64
	Kind        string
	Address     string
	Lat, Lon    *float64
	Free        int // capacity left: capacity minus current pairings
	Skills      []string
}

// Plan is the matcher's answer, explained.
type Plan struct {
	MaxDistanceM float64
	Suggestions  []Suggestion
	Unmatched    []Unmatched
	Objective    match.Objective
}

// Suggestion is one proposed pairing.
type Suggestion struct {
	ElderID     int64
	VolunteerID int64
	Kind        string
	DistanceM   float64
	Basis       Basis
	Preferred   bool
	Reason      care.Msg
	Need        care.Msg // what the elder lacks (Elder.Need)
	// Options are the volunteers staff may choose instead (usable, in reach,
	// with capacity left before this plan), nearest first, the suggested
	// one included.
	Options []Option
}

// Option is a volunteer an elder could have instead.
type Option struct {
	VolunteerID int64
	Kind        string
	DistanceM   float64
	Basis       Basis
	Free        int
}

// Unmatched is an elder left without a suggestion, and why.
type Unmatched struct {
	ElderID int64
	Reason  string // declined, no_volunteer_in_reach, refused_all_in_reach or capacity_taken
	Msg     care.Msg
}

// The unmatched reasons; the last three are the matcher's own codes.
const (
	ReasonDeclined    = "declined"
	ReasonNoneInReach = string(match.ReasonNoneInReach)
	ReasonRefusedAll  = string(match.ReasonRefusedAll)
	ReasonCapacity    = string(match.ReasonCapacityTaken)
)

// planner holds the positions and lookups shared by building the instance
// and explaining the result.
type planner struct {
	in    *Input
	l     *layout
	g     *grid
	vol   map[int64]int // volunteer id → index
	reach float64
	kinds map[int]map[string]bool // volunteer index → kinds of need their skills serve
}

// Make plans suggestions for in. The elders that decline pairing are
// reported as unmatched; everyone else goes to match.Solve with a position
// (see layout), a slot for one more volunteer, their priority, their
// wishes, and refusals for every pair the programme does not allow.
func Make(ctx context.Context, in Input) (Plan, error) {
	in.Elders = slices.Clone(in.Elders)
	in.Volunteers = slices.Clone(in.Volunteers)
	slices.SortFunc(in.Elders, func(a, b Elder) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(in.Volunteers, func(a, b Volunteer) int { return cmp.Compare(a.ID, b.ID) })
	p := &planner{in: &in, l: newLayout(&in), reach: in.MaxDistanceM, vol: map[int64]int{}}
	p.g = newGrid(p.l.volunteers, in.MaxDistanceM)
	for j, v := range in.Volunteers {
		p.vol[v.ID] = j
	}
	// Elders with nobody are planned first; elders served by a supplement
	// get only the neighbour places left, so an elder with nobody is never
	// given a supplement to free a neighbour for someone already served.
	pl := Plan{MaxDistanceM: p.reach, Suggestions: []Suggestion{}, Unmatched: []Unmatched{}}
	for _, upgrade := range []bool{false, true} {
		in := func(e *Elder) bool { return (e.Supplements > 0) == upgrade }
		inst := p.instance(in)
		if upgrade && len(inst.Elders) == 0 {
			break
		}
		res, err := match.SolveContext(ctx, inst)
		if err != nil {
			return Plan{}, fmt.Errorf("pairplan: %w", err)
		}
		p.breakTies(&res)
		p.explain(res, in, &pl)
		pl.Objective.Priority += res.Objective.Priority
		pl.Objective.NeighbourSlots += res.Objective.NeighbourSlots
		pl.Objective.TotalCostM += res.Objective.TotalCostM
		for _, pr := range res.Pairs {
			p.in.Volunteers[p.vol[volunteerID(pr.Volunteer)]].Free--
		}
	}
	p.sort(&pl)
	return pl, nil
}

func volunteerID(key string) int64 {
	id, _ := strconv.ParseInt(key[1:], 10, 64)
	return id
}

func elderKey(id int64) string     { return "e" + strconv.FormatInt(id, 10) }
func volunteerKey(id int64) string { return "v" + strconv.FormatInt(id, 10) }

func (p *planner) instance(include func(*Elder) bool) match.Instance {
	inst := match.Instance{MaxDistanceM: p.reach}
	for j, v := range p.in.Volunteers {
		at := p.l.volunteers[j].at
		inst.Volunteers = append(inst.Volunteers, match.Volunteer{ID: volunteerKey(v.ID), Lat: at.lat, Lon: at.lon,
			Capacity: max(v.Free, 0), Kind: matchKind(v.Kind)})
	}
	for i, e := range p.in.Elders {
		if e.Declined || !include(&e) {
			continue
		}
		at := p.l.elders[i].at
		me := match.Elder{ID: elderKey(e.ID), Lat: at.lat, Lon: at.lon, Priority: min(max(e.Priority, 1), match.MaxPriority), Slots: 1}
		for _, id := range e.Prefer {
			me.Prefer = append(me.Prefer, volunteerKey(id))
		}
		for _, j := range p.inReach(i) {
			if v := &p.in.Volunteers[j]; !p.allowed(i, j) || p.excluded(&e, v.ID) {
				me.Refuse = append(me.Refuse, volunteerKey(v.ID))
			}
		}
		inst.Elders = append(inst.Elders, me)
	}
	return inst
}

func matchKind(kind string) match.Kind {
	switch kind {
	case "neighbour", "social", "committee":
		return match.Kind(kind)
	}
	return match.KindClinic // never matched
}

// inReach lists the volunteers within reach of elder i, ascending by index.
func (p *planner) inReach(i int) []int {
	e := p.l.elders[i].at
	var out []int
	for _, j := range p.g.near(e) {
		v := p.l.volunteers[j].at
		if match.Distance(e.lat, e.lon, v.lat, v.lon) <= p.reach {
			out = append(out, j)
		}
	}
	return out
}

// allowed is the programme's rule for who may serve whom: a kind the elder
// still wants (see Elder.kindWanted); the elder's own
// community always; across communities only a social volunteer (neighbours
// and committee staff serve their own community), and only when both have
// coordinates — a guessed position says nothing about a neighbouring
// community. Clinic staff are never suggested.
func (p *planner) allowed(i, j int) bool {
	e, v := &p.in.Elders[i], &p.in.Volunteers[j]
	if matchKind(v.Kind) == match.KindClinic || !e.kindWanted(v.Kind) {
		return false
	}
	if e.CommunityID == v.CommunityID {
		return true
	}
	return v.Kind == "social" && p.l.elders[i].exact && p.l.volunteers[j].exact
}

// excluded reports the elder's own no: refused in the wishes, rejected by
// staff, or already in the team.
func (p *planner) excluded(e *Elder, id int64) bool {
	return slices.Contains(e.Refuse, id) || slices.Contains(e.Rejected, id) || slices.Contains(e.Team, id)
}

// distance is the planning distance between elder i and volunteer j, and
// what it rests on.
func (p *planner) distance(i, j int) (float64, Basis) {
	e, v := p.l.elders[i], p.l.volunteers[j]
	d := match.Distance(e.at.lat, e.at.lon, v.at.lat, v.at.lon)
	switch {
	case e.exact && v.exact:
		return d, BasisCoordinates
	case e.building != "" && e.building == v.building && p.in.Elders[i].CommunityID == p.in.Volunteers[j].CommunityID:
		return d, BasisBuilding
	}
	return d, BasisCommunity
}
