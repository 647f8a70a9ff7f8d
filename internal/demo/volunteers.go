package demo

import (
	"fmt"

	"carecircle/internal/care"
)

// volunteer is a created volunteer with where they live or work, known
// even when no coordinates are stored, and how many elders they have so far.
type volunteer struct {
	care.Volunteer
	comm     *community
	home     point
	building string // their building in the community; "" for outsiders
	load     int
}

// volunteerMix is each community's team: neighbours first, as the programme
// says (以低龄老年志愿者为主), the others as supplement.
var volunteerMix = []struct {
	kind string
	n    int
}{{"neighbour", 36}, {"social", 8}, {"committee", 3}, {"clinic", 3}}

// volunteers creates every community's volunteer team.
func (f *filler) volunteers() error {
	for _, c := range f.comms {
		for _, m := range volunteerMix {
			for range m.n {
				v := f.makeVolunteer(c, m.kind)
				if f.v1 == nil && m.kind == "neighbour" {
					f.makeVolunteer1(v)
				}
				if err := f.db.CreateVolunteer(f.ctx, f.station, &v.Volunteer); err != nil {
					return err
				}
				f.vols = append(f.vols, v)
			}
		}
	}
	return nil
}

func (f *filler) makeVolunteer(c *community, kind string) *volunteer {
	v := &volunteer{comm: c}
	v.CommunityID, v.Kind = c.ID, kind
	switch kind {
	case "neighbour":
		f.neighbour(v)
	case "social":
		f.social(v)
	case "committee":
		f.committee(v)
	default:
		f.clinicStaff(v)
	}
	v.Phone = f.mobile()
	v.Status = []string{"active", "paused", "left"}[f.weighted(90, 6, 4)]
	all := skills[kind]
	v.Skills = sample(f, all, ones(len(all)), f.between(2, 4))
	v.Availability = pick(f, availability[kind])
	if f.chance(0.5) {
		v.Training = pick(f, trainings)
	}
	if f.chance(0.15) {
		v.Honours = pick(f, honours)
	}
	return v
}

func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// person sets name, gender and birth date for someone of the given age range.
func (f *filler) person(v *volunteer, femaleShare float64, e era, ageLo, ageHi int) {
	v.Gender = care.Male
	if f.chance(femaleShare) {
		v.Gender = care.Female
	}
	v.Name = f.personName(v.Gender, e)
	v.BirthDate = f.birthForAge(f.between(ageLo, ageHi))
}

// neighbour is a younger-old resident (55–72) of the community, most often
// a woman, who looks in on two or three elders near home.
func (f *filler) neighbour(v *volunteer) {
	c := v.comm
	f.person(v, 0.65, eraMid, 55, 72)
	b, unit, room := f.home(c)
	v.building = c.Buildings[b]
	v.Address = c.Name + v.building + unit + room
	v.home = c.places[b].move(f.jitter(), f.jitter())
	if f.chance(0.95) {
		v.Lat, v.Lon = v.home.coords()
	}
	v.Capacity = 1 + f.weighted(5, 30, 65)
	v.Team = c.plan.team
	v.HoursTenths = int64(f.between(200, 9000))
}

// social is a student or a young worker; students live on campus, so they
// have no coordinates near the elders and come as a supplement.
func (f *filler) social(v *volunteer) {
	c := v.comm
	if f.chance(0.5) {
		f.person(v, 0.6, eraYoung, 18, 24)
		i := f.rng.IntN(len(studentTeams))
		v.Team, v.Address = studentTeams[i], studentAddresses[i]
		v.home = c.plan.centre.move(2, -1.5)
	} else {
		f.person(v, 0.5, eraYoung, 25, 45)
		b, unit, room := f.home(c)
		v.building = c.Buildings[b]
		v.Address = c.Name + v.building + unit + room
		v.home = c.places[b].move(f.jitter(), f.jitter())
		v.Lat, v.Lon = v.home.coords()
		v.Team = pick(f, workerTeams)
	}
	v.Capacity = 1 + f.weighted(60, 40)
	v.HoursTenths = int64(f.between(40, 1500))
}

// committee is a member of the community's staff; they organise monthly
// visits for many elders, hence the larger capacity.
func (f *filler) committee(v *volunteer) {
	c := v.comm
	e := eraMid
	if f.chance(0.5) {
		e = eraYoung
	}
	f.person(v, 0.7, e, 28, 52)
	v.Address = c.plan.office
	v.home = c.plan.centre
	v.Lat, v.Lon = v.home.coords()
	v.Capacity = f.between(10, 12)
	v.Team = c.plan.office
	v.HoursTenths = int64(f.between(500, 4000))
}

// clinicStaff is a doctor or nurse of the clinic serving the community.
func (f *filler) clinicStaff(v *volunteer) {
	c := v.comm
	f.person(v, 0.7, eraYoung, 26, 55)
	k := c.nearestClinic(c.plan.centre)
	v.Address = k.Name + "（" + k.Address + "）"
	v.home = k.at
	v.Lat, v.Lon = v.home.coords()
	v.Capacity = f.between(2, 3)
	v.Team = k.Name + "家庭医生团队"
	v.HoursTenths = int64(f.between(200, 3000))
}

// makeVolunteer1 shapes the neighbour behind the volunteer1 login: active,
// located, with room for three elders, so the volunteer's pages show a
// realistic day's round.
func (f *filler) makeVolunteer1(v *volunteer) {
	v.Status = "active"
	v.Capacity = 3
	v.Lat, v.Lon = v.home.coords()
	v.Training = trainings[1]
	v.Honours = "和平街道“最美邻里志愿者”"
	f.v1 = v
}

// home picks a building of c and a unit and room in it (a house number in
// a village group) where nobody else of the demo lives, so that two
// unrelated people never share a flat.
func (f *filler) home(c *community) (b int, unit, room string) {
	for {
		b = f.rng.IntN(len(c.Buildings))
		if c.plan.village {
			unit, room = "", fmt.Sprintf("%d号", f.between(1, 60))
		} else {
			unit, room = fmt.Sprintf("%d单元", f.between(1, 3)), fmt.Sprintf("%d%02d", f.between(1, 6), f.between(1, 2))
		}
		if key := c.Name + c.Buildings[b] + unit + room; !f.addresses[key] {
			f.addresses[key] = true
			return b, unit, room
		}
	}
}

// jitter is a few metres either way, so people in one building do not sit
// on exactly the same spot.
func (f *filler) jitter() float64 { return (f.rng.Float64() - 0.5) * 0.03 }
