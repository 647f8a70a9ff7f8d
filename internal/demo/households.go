package demo

import (
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// households forms one household (包户) in the first community: the first
// couple of active elders living with a spouse in one building, paired as a
// unit with the neighbour volunteer already serving the first of them (the
// street counts a household once, so the other member takes no new place),
// else the first neighbour of the community with two places left. Everything
// is chosen in registration order, so the demo stays deterministic.
func (f *filler) households() error {
	if len(f.comms) == 0 || len(f.eldersByComm) == 0 {
		return nil
	}
	comm := f.comms[0]
	var pair []int64
	byBuilding := map[string]*elder{}
	for _, e := range f.eldersByComm[0] {
		if e.Status != "active" || e.LivingSituation != "with_spouse" || e.Wishes.DeclinePairing {
			continue
		}
		if o := byBuilding[e.Building]; o != nil && o.Gender != e.Gender {
			pair = []int64{o.ID, e.ID}
			break
		}
		if byBuilding[e.Building] == nil {
			byBuilding[e.Building] = e
		}
	}
	if pair == nil {
		return nil
	}
	staff := care.Actor{Role: care.RoleCommunity, StreetID: f.street.ID, CommunityID: comm.ID, Username: "community1"}
	free, err := f.db.FreeVolunteers(f.ctx, staff, comm.ID)
	if err != nil {
		return err
	}
	// The volunteer already serving the first member takes the household
	// on: counted once, the other member needs no new place.
	var vol int64
	team, err := f.db.ElderTeam(f.ctx, staff, pair[0])
	if err != nil {
		return err
	}
	for _, m := range team {
		if m.EndedOn == nil && m.Kind == "neighbour" && m.VolunteerStatus == "active" {
			vol = m.VolunteerID
			break
		}
	}
	for _, v := range free {
		if vol != 0 {
			break
		}
		if v.Kind == "neighbour" && v.Capacity-v.Load >= 2 {
			vol = v.ID
			break
		}
	}
	h := &store.Household{Name: "同住老两口", Note: "夫妻同住，按户结对服务"}
	if err := f.db.CreateHousehold(f.ctx, staff, h, pair, f.today); err != nil {
		return err
	}
	if vol == 0 {
		return nil
	}
	_, err = f.db.PairHousehold(f.ctx, staff, h.ID, vol, f.today)
	return err
}
