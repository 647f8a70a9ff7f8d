package demo

import "math"

// point is a position in degrees (WGS-84, as a phone reports it).
type point struct{ lat, lon float64 }

const kmPerDegree = 111.32

// move returns the point northKm north and eastKm east of p; a flat-earth
// step is exact enough within a street.
func (p point) move(northKm, eastKm float64) point {
	return point{
		lat: p.lat + northKm/kmPerDegree,
		lon: p.lon + eastKm/(kmPerDegree*math.Cos(p.lat*math.Pi/180)),
	}
}

// distKm is the distance between two nearby points.
func distKm(a, b point) float64 {
	north := (a.lat - b.lat) * kmPerDegree
	east := (a.lon - b.lon) * kmPerDegree * math.Cos((a.lat+b.lat)/2*math.Pi/180)
	return math.Hypot(north, east)
}

// around returns a point spread evenly over the disc of radius km round c.
func (f *filler) around(c point, radiusKm float64) point {
	r := radiusKm * math.Sqrt(f.rng.Float64())
	a := 2 * math.Pi * f.rng.Float64()
	return c.move(r*math.Cos(a), r*math.Sin(a))
}

// coords returns p as the stored pair, rounded to about 0.1 m as a GPS
// reading would be.
func (p point) coords() (lat, lon *float64) {
	la := math.Round(p.lat*1e6) / 1e6
	lo := math.Round(p.lon*1e6) / 1e6
	return &la, &lo
}
