package demo

import (
	"slices"
	"time"

	"carecircle/internal/store"
)

// relays tells the demo's two relay stories (接力), a few weeks back, after
// the pairings exist and before the service history is written: in the
// second community a neighbour volunteer moved away and handed each elder
// to the nearest neighbour with room; in the third one fell ill and left
// with nobody found yet, so their elders wait on the pairing page
// (待接力). Both go through LeaveProgramme, as staff would do it. It keeps
// e.team and e.joined to the current members, whose visits the history
// writes; who served before and until when is in the store as the ended
// pairings (ElderTeam, EndedOn set).
func (f *filler) relays(plan []*assignment) ([]*assignment, error) {
	var successors []*assignment
	stories := []struct {
		comm     int
		reason   string
		handOver bool
	}{
		{1, "随子女迁居外地", true},
		{2, "本人生病住院，无法继续服务", false},
	}
	for _, s := range stories {
		if s.comm >= len(f.comms) {
			continue
		}
		day := f.today.AddDate(0, 0, -f.between(35, 50))
		leaver := f.leaver(f.comms[s.comm], plan, day)
		if leaver == nil {
			continue
		}
		took, err := f.leave(plan, leaver, day, s.reason, s.handOver)
		if err != nil {
			return nil, err
		}
		successors = append(successors, took...)
	}
	return successors, nil
}

// leaver is a neighbour volunteer of c (not volunteer1) serving one or two
// elders, all since before day, so the story has a past to end.
func (f *filler) leaver(c *community, plan []*assignment, day time.Time) *volunteer {
	for _, v := range f.vols {
		if v.comm != c || v.Kind != "neighbour" || v.Status != "active" || v == f.v1 || v.load < 1 || v.load > 2 {
			continue
		}
		ok := true
		for _, a := range plan {
			if a.v == v && !a.ended && !a.started.Before(day) {
				ok = false
			}
		}
		if ok {
			return v
		}
	}
	return nil
}

// leave records v leaving on day: each elder goes to the nearest neighbour
// with room when handOver, else waits for a successor. It returns the
// successors' assignments.
func (f *filler) leave(plan []*assignment, v *volunteer, day time.Time, reason string, handOver bool) ([]*assignment, error) {
	l := store.Leaving{On: day, Reason: reason, Handovers: map[int64]int64{}}
	var mine []*assignment
	for _, a := range plan {
		if a.v == v && !a.ended {
			mine = append(mine, a)
		}
	}
	next := map[*assignment]*volunteer{}
	for _, a := range mine {
		f.dropMember(a.e, v)
		if !handOver {
			continue
		}
		if s := f.nearestOther(a.e, v); s != nil {
			next[a], l.Handovers[a.id] = s, s.ID
			s.load++
		}
	}
	_, successors, err := f.db.LeaveProgramme(f.ctx, f.station, v.ID, l)
	if err != nil {
		return nil, err
	}
	v.Status, v.load = "left", 0
	var took []*assignment
	for _, a := range mine {
		a.ended = true
		s := next[a]
		if s == nil {
			continue
		}
		i := slices.IndexFunc(successors, func(p store.Pairing) bool { return p.ElderID == a.e.ID })
		if i < 0 {
			continue // the store hands over every pairing asked for; kept safe
		}
		a.e.team = append(a.e.team, s)
		a.e.joined = append(a.e.joined, day)
		if a.responsible {
			a.e.since = day
		}
		took = append(took, &assignment{e: a.e, v: s, responsible: successors[i].Responsible, started: day, id: successors[i].ID})
	}
	return took, nil
}

// dropMember takes v out of e's current team.
func (f *filler) dropMember(e *elder, v *volunteer) {
	if i := slices.Index(e.team, v); i >= 0 {
		e.team = slices.Delete(e.team, i, i+1)
		e.joined = slices.Delete(e.joined, i, i+1)
	}
}

// nearestOther is the nearest neighbour of e's community with room for e,
// other than the one leaving.
func (f *filler) nearestOther(e *elder, leaving *volunteer) *volunteer {
	var best *volunteer
	for _, v := range f.vols {
		if v == leaving || v.comm != e.comm || v.Kind != "neighbour" || !v.free(e) {
			continue
		}
		if best == nil || distKm(e.home, v.home) < distKm(e.home, best.home) {
			best = v
		}
	}
	return best
}

// kindServices are the services each kind of volunteer signs up for, as
// the programme assigns them.
var kindServices = map[string][]string{
	"neighbour": {"life", "spirit", "emergency"},
	"social":    {"life", "spirit", "festival"},
	"committee": {"life", "festival", "legal"},
	"clinic":    {"health"},
}

// agreements signs the assistance agreement (帮扶协议) of most current
// pairings on the day they began: the elder, or for one who cannot look
// after themselves the first family contact, the volunteer and the
// committee. A few are left unsigned, as in any real register.
func (f *filler) agreements(plan []*assignment) error {
	var ags []*store.Agreement
	for _, a := range plan {
		if a.ended || f.chance(0.07) {
			continue
		}
		elderSide := store.Signatory{Party: "elder", Name: a.e.Name}
		if a.e.SelfCare == "dependent" && len(a.e.EmergencyContacts) > 0 {
			elderSide = store.Signatory{Party: "guardian", Name: a.e.EmergencyContacts[0].Name}
		}
		ags = append(ags, &store.Agreement{PairingID: a.id, Services: kindServices[a.v.Kind], StartOn: a.started, SignedOn: a.started,
			Signatories: []store.Signatory{elderSide, {Party: "volunteer", Name: a.v.Name}, {Party: "community", Name: a.e.comm.plan.office}}})
	}
	return f.db.RecordAgreements(f.ctx, f.station, ags)
}
