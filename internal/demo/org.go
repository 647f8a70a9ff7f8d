package demo

import (
	"fmt"

	"carecircle/internal/care"
)

// communityPlan describes one community of the demo street. Each has its own
// centre, about a kilometre or two from the others, so maps and "nearest
// volunteer" mean something.
type communityPlan struct {
	name, code string
	office     string // the committee, as account display names use it
	team       string // the neighbour volunteers' team
	centre     point
	radiusKm   float64
	buildings  []string
	village    bool // a 村: village groups (组) instead of buildings and units
}

var streetPlan = care.Street{Name: "和平街道", District: "鼓楼区", City: "南京市"}

var communityPlans = []communityPlan{
	{name: "幸福里社区", code: "320106005001", office: "幸福里社区居委会", team: "幸福里夕阳红志愿服务队",
		centre: point{32.0640, 118.7720}, radiusKm: 0.45, buildings: numbered("%d栋", 12)},
	{name: "安康社区", code: "320106005002", office: "安康社区居委会", team: "安康邻里守望志愿服务队",
		centre: point{32.0575, 118.7835}, radiusKm: 0.5,
		buildings: append(numbered("%d幢", 10), "安康新村A座", "安康新村B座")},
	{name: "桃园村", code: "320106005201", office: "桃园村村民委员会", team: "桃园村银龄互助队",
		centre: point{32.0700, 118.7950}, radiusKm: 0.7, village: true,
		buildings: []string{"一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组"}},
}

func numbered(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i+1)
	}
	return out
}

// clinicPlan is a clinic and the communities (indexes of communityPlans) it
// serves; the middle community is served by both, as happens on a boundary.
type clinicPlan struct {
	name, phone, address string
	at                   point
	serves               []int
}

var clinicPlans = []clinicPlan{
	{name: "和平街道社区卫生服务中心", phone: "025-83301120", address: "鼓楼区和平路88号",
		at: point{32.0612, 118.7775}, serves: []int{0, 1}},
	{name: "桃园社区卫生服务站", phone: "025-83305120", address: "鼓楼区桃园路16号",
		at: point{32.0688, 118.7930}, serves: []int{1, 2}},
}

// community is a created community with where its buildings stand.
type community struct {
	care.Community
	plan    *communityPlan
	places  []point // position of each building, in the order of Buildings
	clinics []*clinic
}

type clinic struct {
	care.Clinic
	at point
}

// org creates the street, its communities and clinics.
func (f *filler) org() error {
	f.street = streetPlan
	if err := f.db.CreateStreet(f.ctx, f.admin, &f.street); err != nil {
		return err
	}
	f.station = care.Actor{Role: care.RoleStation, StreetID: f.street.ID, Username: demoUser}
	for i := range communityPlans {
		p := &communityPlans[i]
		c := &community{plan: p}
		c.Name, c.Code, c.Buildings = p.name, p.code, append([]string(nil), p.buildings...)
		if err := f.db.SaveCommunity(f.ctx, f.station, &c.Community); err != nil {
			return err
		}
		for range c.Buildings {
			c.places = append(c.places, f.around(p.centre, p.radiusKm))
		}
		f.comms = append(f.comms, c)
	}
	for _, p := range clinicPlans {
		k := &clinic{at: p.at}
		k.Name, k.Phone, k.Address = p.name, p.phone, p.address
		for _, i := range p.serves {
			k.CommunityIDs = append(k.CommunityIDs, f.comms[i].ID)
			f.comms[i].clinics = append(f.comms[i].clinics, k)
		}
		if err := f.db.SaveClinic(f.ctx, f.station, &k.Clinic); err != nil {
			return err
		}
		f.clinics = append(f.clinics, k)
	}
	return nil
}

// nearestClinic is the clinic serving c that is closest to p.
func (c *community) nearestClinic(p point) *clinic {
	best := c.clinics[0]
	for _, k := range c.clinics[1:] {
		if distKm(p, k.at) < distKm(p, best.at) {
			best = k
		}
	}
	return best
}
