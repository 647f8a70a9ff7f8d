package match

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"
)

// districtInstance generates the sizing target: 20,000 elders and 10,000
// volunteers in a 10 km square, 800 m reach, priorities 1–5, capacities 1–3,
// two thirds neighbours. 15% of elders want two volunteers; 10% live near a
// volunteer they prefer and 5% near one they refuse, so those code paths
// carry real load. The seed is fixed so every run sees the same instance.
func districtInstance() Instance {
	const (
		lat0, lon0 = 31.2304, 121.4737
		side       = 10_000.0 // metres
		mPerDegLat = EarthRadiusM * math.Pi / 180
	)
	r := rand.New(rand.NewPCG(2024, 10))
	mPerDegLon := mPerDegLat * math.Cos(lat0*math.Pi/180)
	place := func(x, y float64) (float64, float64) {
		return lat0 + y/mPerDegLat, lon0 + x/mPerDegLon
	}
	in := Instance{MaxDistanceM: 800}
	xs, ys := make([]float64, 10_000), make([]float64, 10_000)
	for j := range 10_000 {
		xs[j], ys[j] = r.Float64()*side, r.Float64()*side
		kind := KindNeighbour
		if j%3 == 2 {
			kind = []Kind{KindSocial, KindCommittee, KindClinic}[r.IntN(3)]
		}
		lat, lon := place(xs[j], ys[j])
		in.Volunteers = append(in.Volunteers, Volunteer{
			ID: fmt.Sprintf("v%05d", j), Lat: lat, Lon: lon, Capacity: 1 + r.IntN(3), Kind: kind,
		})
	}
	for i := range 20_000 {
		x, y := r.Float64()*side, r.Float64()*side
		e := Elder{ID: fmt.Sprintf("e%05d", i), Priority: 1 + r.IntN(5)}
		if r.Float64() < 0.15 {
			e.Slots = 2
		}
		switch u := r.Float64(); {
		case u < 0.15: // anchored near a volunteer: prefer it, or (one in three) refuse it
			j := r.IntN(len(xs))
			x = math.Min(math.Max(xs[j]+(r.Float64()-0.5)*600, 0), side)
			y = math.Min(math.Max(ys[j]+(r.Float64()-0.5)*600, 0), side)
			if u < 0.05 {
				e.Refuse = []string{in.Volunteers[j].ID}
			} else {
				e.Prefer = []string{in.Volunteers[j].ID}
			}
		}
		e.Lat, e.Lon = place(x, y)
		in.Elders = append(in.Elders, e)
	}
	return in
}

func reportObjective(b *testing.B, o Objective) {
	b.ReportMetric(float64(o.Priority), "priority")
	b.ReportMetric(float64(o.NeighbourSlots), "neighbour_slots")
	b.ReportMetric(o.TotalCostM, "cost_m")
}

func BenchmarkSolveDistrict(b *testing.B) {
	in := districtInstance()
	b.ReportAllocs()
	var r Result
	for b.Loop() {
		var err error
		if r, err = Solve(in); err != nil {
			b.Fatal(err)
		}
	}
	reportObjective(b, r.Objective)
	b.ReportMetric(float64(len(r.Pairs)), "pairs")
}

func BenchmarkGreedyDistrict(b *testing.B) {
	in := districtInstance()
	b.ReportAllocs()
	var r Result
	for b.Loop() {
		r = Greedy(in)
	}
	reportObjective(b, r.Objective)
	b.ReportMetric(float64(len(r.Pairs)), "pairs")
}

// TestDistrictReport prints greedy against optimal on the district
// instance, with time and allocations. It is a measurement, so it runs only
// when MATCH_DISTRICT=1 (the brute-force tests prove optimality); set
// MATCH_DISTRICT_JSON=path to also write the instance for CLI timing
// (/usr/bin/time -v carecircle match solve < path).
func TestDistrictReport(t *testing.T) {
	if os.Getenv("MATCH_DISTRICT") != "1" && os.Getenv("MATCH_DISTRICT_JSON") == "" {
		t.Skip("set MATCH_DISTRICT=1 to measure the district instance")
	}
	in := districtInstance()
	if path := os.Getenv("MATCH_DISTRICT_JSON"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := encodeJSON(f, in); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	greedy := Greedy(in)
	greedyTime := time.Since(start)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start = time.Now()
	opt, err := Solve(in)
	if err != nil {
		t.Fatal(err)
	}
	solveTime := time.Since(start)
	runtime.ReadMemStats(&after)
	t.Logf("greedy:  %+v pairs=%d unmatched=%d in %v", greedy.Objective, len(greedy.Pairs), len(greedy.Unmatched), greedyTime)
	t.Logf("optimal: %+v pairs=%d unmatched=%d in %v", opt.Objective, len(opt.Pairs), len(opt.Unmatched), solveTime)
	t.Logf("solve allocated %.0f MiB in total; heap in use afterwards %.0f MiB",
		float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), float64(after.HeapInuse)/(1<<20))
	if better(greedy.Objective, opt.Objective) {
		t.Errorf("greedy beats optimal: %+v > %+v", greedy.Objective, opt.Objective)
	}
}

// better reports whether a is strictly better than b by the reported
// (rounded) objective; the cost comparison allows for the rounding.
func better(a, b Objective) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if a.NeighbourSlots != b.NeighbourSlots {
		return a.NeighbourSlots > b.NeighbourSlots
	}
	return a.TotalCostM < b.TotalCostM-0.01
}

func encodeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
