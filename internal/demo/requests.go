package demo

import (
	"math/rand/v2"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// requests fills requests for help (按需服务) in the first three
// communities: a few answered ones from the service history (each
// dispatched to the volunteer who gave the service, accepted, and done with
// that real record of the same elder), one accepted, one dispatched and
// one open today, and in the first two communities one overdue (made five
// hours ago, dispatched, never accepted, its wanted time past). The
// volunteer1 login gets the first community's accepted and dispatched ones
// when they serve an elder there. Times are set by moving the store's clock
// for each step (Fill runs alone, before the server starts); the choices
// use their own random source, so the rest of the demo is unchanged.
func (f *filler) requests() error {
	rng := rand.New(rand.NewPCG(16, 1))
	saved := f.db.Now
	defer func() { f.db.Now = saved }()
	now := saved()
	at := func(t time.Time) { f.db.Now = func() time.Time { return t } }
	for ci, comm := range f.comms {
		if ci == 3 {
			break
		}
		staff := care.Actor{Role: care.RoleCommunity, StreetID: f.street.ID, CommunityID: comm.ID, Username: "community" + string(rune('1'+ci))}
		// The elders with an active volunteer in their circle, in order.
		type served struct {
			elder int64
			vols  []int64
		}
		var list []served
		for _, e := range f.eldersByComm[ci] {
			if e.Status != "active" {
				continue
			}
			team, err := f.db.ElderTeam(f.ctx, staff, e.ID)
			if err != nil {
				return err
			}
			s := served{elder: e.ID}
			for _, m := range team {
				if m.EndedOn == nil && m.VolunteerStatus == "active" {
					s.vols = append(s.vols, m.VolunteerID)
				}
			}
			if len(s.vols) > 0 {
				list = append(list, s)
			}
		}
		if len(list) == 0 {
			continue
		}
		vol := func(id int64) care.Actor {
			return care.Actor{Role: care.RoleVolunteer, StreetID: f.street.ID, CommunityID: comm.ID, VolunteerID: id, Username: "volunteer"}
		}
		// Answered: from records of this month and last, by a volunteer
		// still serving the elder, given in the daytime.
		answered := 0
		for _, i := range rng.Perm(len(list)) {
			if answered == 3 {
				break
			}
			s := list[i]
			rec, err := f.answerable(staff, s.elder, s.vols, now)
			if err != nil {
				return err
			}
			if rec == nil {
				continue
			}
			t := rec.At
			r := &store.Request{ElderID: s.elder, Kind: rec.Kind, Type: rec.Type, Urgency: pickR(rng, []string{"normal", "soon", "normal"}),
				Channel: pickR(rng, []string{"phone", "family", "volunteer"}), WantedBy: t.Add(time.Hour), Note: requestNotes[rng.IntN(len(requestNotes))]}
			at(t.Add(-3 * time.Hour))
			if err := f.db.CreateRequest(f.ctx, staff, r); err != nil {
				return err
			}
			at(t.Add(-170 * time.Minute))
			if err := f.db.Dispatch(f.ctx, staff, r.ID, *rec.VolunteerID); err != nil {
				return err
			}
			at(t.Add(-150 * time.Minute))
			if err := f.db.AcceptRequest(f.ctx, vol(*rec.VolunteerID), r.ID); err != nil {
				return err
			}
			at(t.Add(30 * time.Minute))
			if err := f.db.DoneRequest(f.ctx, vol(*rec.VolunteerID), r.ID, rec.ID); err != nil {
				return err
			}
			answered++
		}
		// Today's: accepted, dispatched, open (the volunteer1 login's
		// elders first in the first community).
		order := rng.Perm(len(list))
		if ci == 0 && f.v1 != nil {
			for k, i := range order {
				for _, v := range list[i].vols {
					if v == f.v1.ID {
						order[0], order[k] = order[k], order[0]
					}
				}
			}
		}
		pickVol := func(s served) int64 {
			if ci == 0 && f.v1 != nil {
				for _, v := range s.vols {
					if v == f.v1.ID {
						return v
					}
				}
			}
			return s.vols[0]
		}
		steps := []struct {
			made, wanted time.Duration
			kind, typ    string
			to           string // how far it gets
		}{
			{-90 * time.Minute, 3 * time.Hour, "life", "shopping", "accepted"},
			{-40 * time.Minute, 5 * time.Hour, "health", "sick_care", "dispatched"},
			{-10 * time.Minute, 26 * time.Hour, "life", "housework", "open"},
			{-5 * time.Hour, -time.Hour, "life", "bathing", "overdue"},
		}
		for k, st := range steps {
			if k >= len(order) || (st.to == "overdue" && ci > 1) {
				break
			}
			s := list[order[k]]
			if _, ok := care.FindServiceType(st.kind, st.typ); !ok {
				st.typ = ""
			}
			r := &store.Request{ElderID: s.elder, Kind: st.kind, Type: st.typ, Urgency: pickR(rng, []string{"normal", "soon", "urgent"}),
				Channel: pickR(rng, []string{"phone", "family"}), WantedBy: now.Add(st.wanted), Note: requestNotes[rng.IntN(len(requestNotes))]}
			at(now.Add(st.made))
			if err := f.db.CreateRequest(f.ctx, staff, r); err != nil {
				return err
			}
			if st.to == "open" {
				continue
			}
			v := pickVol(s)
			at(now.Add(st.made + 10*time.Minute))
			if err := f.db.Dispatch(f.ctx, staff, r.ID, v); err != nil {
				return err
			}
			if st.to == "accepted" {
				at(now.Add(st.made + 25*time.Minute))
				if err := f.db.AcceptRequest(f.ctx, vol(v), r.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// answerable finds a service record of the elder that a request could
// have asked for: this month's or last month's, not a greeting, given
// between 08:00 and 18:00 by a volunteer still serving them, and not after
// now less half an hour (the request is done half an hour after it).
func (f *filler) answerable(staff care.Actor, elder int64, vols []int64, now time.Time) (*care.ServiceRecord, error) {
	local := now.In(f.db.Loc)
	for _, month := range []string{local.Format("2006-01"), local.AddDate(0, -1, 0).Format("2006-01")} {
		c, err := f.db.GetCard(f.ctx, staff, elder, month)
		if err != nil {
			return nil, err
		}
		for i := len(c.Entries) - 1; i >= 0; i-- {
			e := c.Entries[i]
			h := e.At.In(f.db.Loc).Hour()
			if e.Voided || e.Amends != nil || e.VolunteerID == nil || e.Type == "greeting" || h < 8 || h >= 18 || e.At.Add(30*time.Minute).After(now) {
				continue
			}
			for _, v := range vols {
				if v == *e.VolunteerID {
					rec := e.ServiceRecord
					return &rec, nil
				}
			}
		}
	}
	return nil, nil
}

var requestNotes = []string{
	"女儿来电：老人腿疼，想请人帮忙",
	"老人打电话到社区，说家里没菜了",
	"结对志愿者反映老人需要帮助",
	"天冷，老人不便出门",
	"",
}

func pickR[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }
