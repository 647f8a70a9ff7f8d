// Package match pairs elders with volunteers for the CareCircle programme.
//
// It is pure and deterministic: no I/O beyond what a caller passes in, no
// clock, no map iteration in any order-sensitive place, so the same Instance
// always yields byte-identical JSON. Solve is exact for the lexicographic
// objective documented on Objective; Greedy is a baseline for comparison only.
//
// How Solve works: volunteers are bucketed in a 3-D grid of reach-sized
// cubes (graph.go) to find the allowed pairs; the pair graph is split into
// connected components, solved in parallel. Each component is a min-cost
// flow solved exactly by cost-scaling push-relabel in two int64 stages,
// priority+neighbour and then distance on the first stage's optimal face
// (staged.go). It starts from each elder's nearest pairs only and adds any
// left-out pair that the exact prices show could improve the objective,
// until none can. A network simplex on the exact cost tuple (simplex.go) is
// the fallback for components whose numbers would not fit in int64.
package match

import (
	"context"
	"math"
)

// EarthRadiusM is the mean Earth radius used by Distance, fixed so results are
// reproducible across callers.
const EarthRadiusM = 6371008.8

// MaxPriority bounds Elder.Priority so that priority sums and shortest-path
// potentials can never overflow int64, whatever the instance size.
const MaxPriority = 1_000_000

// Kind says which pool a volunteer comes from; it matters for the second
// objective level and because clinic staff are never matched.
type Kind string

// The volunteer kinds accepted in an Instance.
const (
	KindNeighbour Kind = "neighbour" // lives on the street: preferred by the objective
	KindSocial    Kind = "social"    // social-work volunteer
	KindCommittee Kind = "committee" // residents' committee member
	KindClinic    Kind = "clinic"    // clinic staff: listed for completeness, never matched
)

// Instance is one matching problem, as read from JSON or assembled by the web app.
type Instance struct {
	// MaxDistanceM is the reach in metres: pairs farther apart are never formed.
	MaxDistanceM float64     `json:"max_distance_m"`
	Elders       []Elder     `json:"elders"`
	Volunteers   []Volunteer `json:"volunteers"`
}

// Elder is a person to be visited.
type Elder struct {
	ID  string  `json:"id"`
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// Priority (>= 1) is the weight of each filled slot: higher is served first.
	Priority int `json:"priority"`
	// Slots is how many distinct volunteers the elder should get; 0 means 1.
	Slots int `json:"slots,omitempty"`
	// Refuse lists volunteer ids the elder must never be paired with; unknown ids are ignored.
	Refuse []string `json:"refuse,omitempty"`
	// Prefer lists volunteer ids whose pairs cost nothing in the distance level;
	// unknown ids are ignored and Refuse wins over Prefer.
	Prefer []string `json:"prefer,omitempty"`
}

// Volunteer is a person who can take on elders.
type Volunteer struct {
	ID  string  `json:"id"`
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// Capacity is how many more elders the volunteer can take; 0 is allowed.
	Capacity int  `json:"capacity"`
	Kind     Kind `json:"kind"`
}

// Result is a complete assignment plus the explanation of what was left out.
type Result struct {
	// Pairs are sorted by elder input order, then distance, then volunteer input order.
	Pairs []Pair `json:"pairs"`
	// Unmatched has one entry per elder with unfilled slots, in elder input order.
	Unmatched []Unmatched `json:"unmatched"`
	Objective Objective   `json:"objective"`
}

// Pair is one elder–volunteer assignment.
type Pair struct {
	Elder     string `json:"elder"`
	Volunteer string `json:"volunteer"`
	// DistanceM is the haversine distance rounded to centimetres.
	DistanceM float64 `json:"distance_m"`
	// Reason is a short English explanation for coordinators.
	Reason string `json:"reason"`
	// Kind and Preferred repeat the facts behind Reason for machines.
	Kind      Kind `json:"kind"`
	Preferred bool `json:"preferred"`
}

// Unmatched reports an elder whose slots could not all be filled.
type Unmatched struct {
	Elder string `json:"elder"`
	// Slots is the number of unfilled slots.
	Slots  int    `json:"slots"`
	Reason Reason `json:"reason"`
}

// Reason is the machine code explaining why an elder has unfilled slots.
type Reason string

// The unmatched reasons, from least to most fixable by re-planning.
const (
	// ReasonNoneInReach: no non-clinic volunteer at all within MaxDistanceM
	// (refusals and capacities ignored) — recruiting nearby is the only fix.
	ReasonNoneInReach Reason = "no_volunteer_in_reach"
	// ReasonRefusedAll: volunteers are in reach, but the elder refused every one.
	ReasonRefusedAll Reason = "refused_all_in_reach"
	// ReasonCapacityTaken: allowed volunteers are in reach, but they have no
	// capacity left (or capacity 0), or there are fewer of them than slots.
	ReasonCapacityTaken Reason = "capacity_taken"
)

// Objective is the value of an assignment. Solve optimises it
// lexicographically: Priority is maximised first, then NeighbourSlots, then
// the total pair cost is minimised.
type Objective struct {
	// Priority is the sum of the elder's priority over filled slots.
	Priority int64 `json:"priority"`
	// NeighbourSlots counts slots filled by neighbour volunteers.
	NeighbourSlots int `json:"neighbour_slots"`
	// TotalCostM is the sum of pair costs in metres (0 for a preferred
	// volunteer, else the distance), summed unrounded in Pairs order and then
	// rounded to centimetres. The optimiser itself compares whole millimetres.
	TotalCostM float64 `json:"total_cost_m"`
}

// Distance returns the haversine great-circle distance in metres between two
// points given in degrees; it is the only distance used for reach and cost.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	sdp := math.Sin((p2 - p1) / 2)
	sdl := math.Sin((lon2 - lon1) * rad / 2)
	h := sdp*sdp + math.Cos(p1)*math.Cos(p2)*sdl*sdl
	if h > 1 { // rounding near antipodes
		h = 1
	}
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(h))
}

// Solve returns an optimal assignment for a valid Instance, or the
// validation error.
func Solve(in Instance) (Result, error) {
	return SolveContext(context.Background(), in)
}

// SolveContext is Solve with cancellation, for callers such as HTTP handlers
// that may give up on a large instance.
func SolveContext(ctx context.Context, in Instance) (Result, error) {
	if err := in.Validate(); err != nil {
		return Result{}, err
	}
	g, err := buildGraph(&in)
	if err != nil {
		return Result{}, err
	}
	if err := g.solveFlow(ctx); err != nil {
		return Result{}, err
	}
	return g.result(), nil
}

// Greedy is the naive baseline kept for benchmark comparison: elders by
// descending priority (ties in input order) each take their cheapest allowed
// volunteers with capacity left, cost being distance or 0 when preferred. It
// does not validate; give it a valid Instance. It returns an empty Result
// only when the instance is too dense to index.
func Greedy(in Instance) Result {
	g, err := buildGraph(&in)
	if err != nil {
		return Result{Pairs: []Pair{}, Unmatched: []Unmatched{}}
	}
	g.solveGreedy()
	return g.result()
}

// slotsOf applies the documented default of one slot.
func slotsOf(e *Elder) int {
	if e.Slots <= 0 {
		return 1
	}
	return e.Slots
}
