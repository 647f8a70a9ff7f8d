package simulate

import (
	"context"
	"fmt"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/duty"
	"carecircle/internal/notify"
	"carecircle/internal/store"
)

// eldersPerCommunity sizes the communities; a volunteer greets up to
// perVolunteer elders.
const (
	eldersPerCommunity = 100
	perVolunteer       = 3
	buildings          = 20
)

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"}
var given = []string{"秀英", "桂兰", "建国", "淑珍", "玉兰", "国强", "凤英", "志刚", "秀兰", "德明", "丽华", "永福", "金凤", "文华", "春生", "美华"}

// phones hands out distinct mobile numbers.
type phones struct{ n int }

func (p *phones) next() string {
	p.n++
	return fmt.Sprintf("139%08d", p.n)
}

func (s *sim) name() string {
	return surnames[s.setup.IntN(len(surnames))] + given[s.setup.IntN(len(given))]
}

// build creates the street: communities of up to 100 elders, one clinic,
// neighbour volunteers (each responsible for up to three elders) with
// accounts, two staff accounts per community on a day/night duty roster,
// a station and a clinic account; every account gets the inbox, SMS and
// e-mail, every elder one or two family contacts with mobile numbers.
func (s *sim) build(ctx context.Context) error {
	admin := care.Actor{Role: care.RoleAdmin, Username: "simulate"}
	s.street = care.Street{Name: "模拟街道", District: "模拟区", City: "南京市"}
	if err := s.db.CreateStreet(ctx, admin, &s.street); err != nil {
		return err
	}
	station := care.Actor{Role: care.RoleStation, StreetID: s.street.ID, Username: "station"}
	nComm := (s.cfg.Elders + eldersPerCommunity - 1) / eldersPerCommunity
	var bs []string
	for i := range buildings {
		bs = append(bs, fmt.Sprintf("%d栋", i+1))
	}
	var commIDs []int64
	for i := range nComm {
		c := &community{Community: care.Community{Name: fmt.Sprintf("模拟第%d社区", i+1), Buildings: bs}}
		if err := s.db.SaveCommunity(ctx, station, &c.Community); err != nil {
			return err
		}
		s.comms = append(s.comms, c)
		commIDs = append(commIDs, c.ID)
	}
	clinic := care.Clinic{Name: "模拟社区卫生服务中心", CommunityIDs: commIDs}
	if err := s.db.SaveClinic(ctx, station, &clinic); err != nil {
		return err
	}
	ph := &phones{}
	account := func(u *care.User) (care.Actor, error) {
		if err := s.db.CreateUser(ctx, admin, u, "Sim-Acc0unt-Pass!2026"); err != nil {
			return care.Actor{}, fmt.Errorf("account %s: %w", u.Username, err)
		}
		a := care.Actor{UserID: u.ID, Role: u.Role, StreetID: u.StreetID, CommunityID: u.CommunityID,
			VolunteerID: u.VolunteerID, ClinicID: u.ClinicID, Username: u.Username}
		st := notify.Settings{Phone: ph.next(), Email: u.Username + "@sim.example.com", SMS: true, Mail: true}
		if err := s.db.SaveNotifySettings(ctx, a, &st); err != nil {
			return care.Actor{}, fmt.Errorf("account %s channels: %w", u.Username, err)
		}
		return a, nil
	}
	if _, err := account(&care.User{Username: "station", DisplayName: "街道工作站", Role: care.RoleStation, StreetID: s.street.ID}); err != nil {
		return err
	}
	if _, err := account(&care.User{Username: "clinic", DisplayName: "卫生服务中心", Role: care.RoleClinic, StreetID: s.street.ID, ClinicID: clinic.ID}); err != nil {
		return err
	}
	for i, c := range s.comms {
		for j, shift := range []string{"day", "night"} {
			a, err := account(&care.User{Username: fmt.Sprintf("c%d-%s", i+1, shift), DisplayName: fmt.Sprintf("第%d社区%s", i+1, []string{"白班", "夜班"}[j]),
				Role: care.RoleCommunity, StreetID: s.street.ID, CommunityID: c.ID})
			if err != nil {
				return err
			}
			c.staff = append(c.staff, a)
		}
		c.leader = c.staff[0]
		r := &duty.Roster{CommunityID: c.ID}
		for wd := 1; wd <= 7; wd++ {
			r.Shifts = append(r.Shifts, duty.Shift{Weekday: wd, From: "08:00", To: "20:00", UserID: c.staff[0].UserID},
				duty.Shift{Weekday: wd, From: "20:00", To: "08:00", UserID: c.staff[1].UserID})
		}
		if err := s.db.SaveDutyRoster(ctx, c.leader, r); err != nil {
			return fmt.Errorf("duty roster: %w", err)
		}
	}
	// Elders, community by community.
	for i := range s.cfg.Elders {
		c := s.comms[i/eldersPerCommunity]
		g := care.Female
		if s.setup.IntN(3) == 0 {
			g = care.Male
		}
		birth := time.Date(1935, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*7%9000+i/1300)
		e := &elder{comm: c, alone: s.setup.Float64() < s.cfg.AloneShare}
		e.Elder = care.Elder{Name: s.name(), Gender: g, BirthDate: birth, IDNumber: care.MakeIDNumber("320106", birth, i%500, g),
			CommunityID: c.ID, Building: bs[s.setup.IntN(len(bs))], Unit: fmt.Sprintf("%d单元", 1+s.setup.IntN(3)),
			Room: fmt.Sprintf("%d0%d", 1+s.setup.IntN(6), 1+s.setup.IntN(4)), Phone: ph.next(),
			LivingSituation: "with_family", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []string{"life"},
			ClinicID: &clinic.ID, Consent: true}
		if e.alone {
			e.LivingSituation = "alone"
		}
		for k := range 1 + s.setup.IntN(2) {
			rel := []string{"son", "daughter"}[k%2]
			e.EmergencyContacts = append(e.EmergencyContacts, care.Contact{Name: s.name(), Relation: rel, Phone: ph.next(), Lives: "上海"})
		}
		s.elders = append(s.elders, e)
	}
	for _, c := range s.comms {
		var list []*care.Elder
		for _, e := range s.elders {
			if e.comm == c {
				list = append(list, &e.Elder)
			}
		}
		if err := s.db.CreateElders(ctx, c.leader, list); err != nil {
			return fmt.Errorf("elders: %w", err)
		}
	}
	// Volunteers with accounts, each the responsible neighbour of up to
	// three elders of their community.
	for _, c := range s.comms {
		var mine []*elder
		for _, e := range s.elders {
			if e.comm == c {
				mine = append(mine, e)
			}
		}
		var pairings []*store.Pairing
		for k := 0; k < len(mine); k += perVolunteer {
			v := care.Volunteer{Name: s.name(), Phone: ph.next(), Kind: "neighbour", CommunityID: c.ID, Capacity: perVolunteer}
			if err := s.db.CreateVolunteer(ctx, c.leader, &v); err != nil {
				return fmt.Errorf("volunteer: %w", err)
			}
			a, err := account(&care.User{Username: fmt.Sprintf("v%d", v.ID), DisplayName: v.Name, Role: care.RoleVolunteer,
				StreetID: s.street.ID, CommunityID: c.ID, VolunteerID: v.ID})
			if err != nil {
				return err
			}
			for _, e := range mine[k:min(k+perVolunteer, len(mine))] {
				e.vol = a
				pairings = append(pairings, &store.Pairing{ElderID: e.ID, VolunteerID: v.ID, Responsible: true})
			}
		}
		if err := s.db.CreatePairings(ctx, c.leader, pairings); err != nil {
			return fmt.Errorf("pairings: %w", err)
		}
	}
	return nil
}
