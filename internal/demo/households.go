package demo

import (
	"time"

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
	var first *elder
	byBuilding := map[string]*elder{}
	for _, e := range f.eldersByComm[0] {
		if e.Status != "active" || e.LivingSituation != "with_spouse" || e.Wishes.DeclinePairing {
			continue
		}
		if o := byBuilding[e.Building]; o != nil && o.Gender != e.Gender {
			pair, first = []int64{o.ID, e.ID}, o
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
	if _, err = f.db.PairHousehold(f.ctx, staff, h.ID, vol, f.today); err != nil {
		return err
	}
	return f.householdVisit(h.ID, vol, first)
}

// householdVisit records one visit for the whole household (为全户记录)
// this morning (or just now, early in the day), by its volunteer, verified
// by the first member's card: one record on each member's card.
func (f *filler) householdVisit(hid, vol int64, first *elder) error {
	var v *volunteer
	for _, x := range f.vols {
		if x.ID == vol {
			v = x
		}
	}
	if v == nil {
		return nil
	}
	name := v.Name
	if v == f.v1 {
		name = "volunteer1"
	}
	a := care.Actor{Role: care.RoleVolunteer, VolunteerID: v.ID, CommunityID: v.CommunityID, StreetID: f.street.ID, Username: name}
	now := f.db.Now().In(f.db.Loc)
	at := time.Date(now.Year(), now.Month(), now.Day(), 9, 30, 0, 0, f.db.Loc)
	if !at.Before(now) {
		at = now.Add(-time.Minute)
	}
	end := at.Add(40 * time.Minute)
	if end.After(now) {
		end = now
	}
	r := &care.ServiceRecord{ElderID: first.ID, Kind: "spirit", Type: "chat", At: at, EndAt: &end, Note: "为全户记录：陪老两口聊天，看了看药盒"}
	return f.db.AddHouseholdVisitBatch(f.ctx, []store.HouseholdVisitItem{{Actor: a, HouseholdID: hid, Record: r,
		Proof: store.Proof{Method: "qr", Code: f.cardCode(first, at)}, EnteredAt: f.enteredAt(r)}})
}
