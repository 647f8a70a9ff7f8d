package pairplan

import (
	"math"
	"slices"
)

// grid finds the volunteers near a point without comparing every elder with
// every volunteer: cells one reach high and (at least) one reach wide, so
// everything within reach lies in the 3×3 cells around a point. A street of
// 100,000 elders stays fast; exactness comes from the distance test after.
type grid struct {
	dLat, dLon float64
	cells      map[[2]int][]int
}

func newGrid(pts []placement, reach float64) *grid {
	maxLat := 0.0
	for _, p := range pts {
		maxLat = math.Max(maxLat, math.Abs(p.at.lat))
	}
	dLat := math.Max(reach, 1) / metresPerDegree * 1.001
	// Using the highest latitude present makes every cell at least one
	// reach wide; near the poles fall back to whole-longitude rows.
	cos := math.Cos(math.Min(maxLat+dLat, 89.9) * math.Pi / 180)
	g := &grid{dLat: dLat, dLon: math.Min(dLat/cos, 360), cells: map[[2]int][]int{}}
	for i, p := range pts {
		k := g.key(p.at)
		g.cells[k] = append(g.cells[k], i)
	}
	return g
}

func (g *grid) key(p point) [2]int {
	return [2]int{int(math.Floor(p.lat / g.dLat)), int(math.Floor(p.lon / g.dLon))}
}

// near returns the indexes of points in the cells around p, ascending.
func (g *grid) near(p point) []int {
	k := g.key(p)
	var out []int
	for di := -1; di <= 1; di++ {
		for dj := -1; dj <= 1; dj++ {
			out = append(out, g.cells[[2]int{k[0] + di, k[1] + dj}]...)
		}
	}
	slices.Sort(out)
	return out
}
