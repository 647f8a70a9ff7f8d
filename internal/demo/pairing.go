package demo

import (
	"slices"
	"time"

	"carecircle/internal/store"
)

// assignment is one planned pairing, and once created its id.
type assignment struct {
	e           *elder
	v           *volunteer
	responsible bool
	started     time.Time
	id          int64
	ended       bool // ended in a relay story
}

// pairings pairs the elders the way a community would have done by hand
// (就近结对, 突出重点): nearest neighbour volunteer first, others as
// supplement, highest priority first, wishes and capacity respected. It is
// greedy, not the optimal matcher: the demo only needs a plausible past.
// Then two volunteers leave (relay.go) and the agreements are signed.
func (f *filler) pairings() error {
	var plan []*assignment
	for i, c := range f.comms {
		plan = append(plan, f.pairCommunity(c, f.eldersByComm[i])...)
	}
	ps := make([]*store.Pairing, len(plan))
	for i, a := range plan {
		ps[i] = &store.Pairing{ElderID: a.e.ID, VolunteerID: a.v.ID, Responsible: a.responsible, StartedOn: a.started}
	}
	if err := f.db.CreatePairings(f.ctx, f.station, ps); err != nil {
		return err
	}
	for i, a := range plan {
		a.id = ps[i].ID
	}
	// Agreements are signed when a pairing starts, so the leavers' too;
	// the successors sign theirs on taking over.
	if err := f.agreements(plan); err != nil {
		return err
	}
	successors, err := f.relays(plan)
	if err != nil {
		return err
	}
	return f.agreements(successors)
}

func (f *filler) pairCommunity(c *community, list []*elder) []*assignment {
	var out []*assignment
	assign := func(e *elder, v *volunteer, started time.Time) {
		if len(e.team) == 0 {
			e.since = started
		}
		out = append(out, &assignment{e: e, v: v, responsible: len(e.team) == 0, started: started})
		e.team = append(e.team, v)
		e.joined = append(e.joined, started)
		v.load++
	}
	if f.v1.comm == c {
		for _, e := range f.volunteer1Elders(list) {
			assign(e, f.v1, f.monthsAgo(2, 10))
		}
	}
	queue := f.toPair(list)
	for _, e := range queue {
		for _, id := range e.Wishes.Prefer {
			if v := f.volunteerByID(id); v != nil && len(e.team) == 0 && v.free(e) {
				assign(e, v, f.monthsAgo(3, 30))
			}
		}
	}
	for _, e := range queue {
		if len(e.team) > 0 {
			continue
		}
		kinds := []string{"neighbour", "social", "committee"}
		if e.LivingSituation == "institution" { // the home cares day to day; staff visit monthly
			kinds = []string{"committee", "social"}
		}
		if v := f.nearest(c, e, kinds...); v != nil {
			assign(e, v, f.monthsAgo(3, 30))
		}
	}
	for _, e := range queue {
		if len(e.team) == 0 || !f.chance(0.1+0.05*float64(e.Priority(f.today))) {
			continue
		}
		if v := f.nearest(c, e, f.supplementKinds(e)...); v != nil {
			assign(e, v, f.after(e.since))
		}
	}
	return out
}

// toPair lists the elders who would have been paired by now, highest
// priority first: in service, not declining, not newcomers. Paused elders
// are left out because a pairing needs an elder in service, and the demo
// registers their status before it pairs.
func (f *filler) toPair(list []*elder) []*elder {
	var out []*elder
	for _, e := range list {
		if e.status() == "active" && !e.Wishes.DeclinePairing && !e.waiting {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b *elder) int { return b.Priority(f.today) - a.Priority(f.today) })
	return out
}

// volunteer1Elders are the three elders living alone nearest to volunteer1,
// so the volunteer login shows a daily round of welfare knocks.
func (f *filler) volunteer1Elders(list []*elder) []*elder {
	var cands []*elder
	for _, e := range f.toPair(list) {
		if e.LivingSituation == "alone" && !e.claimed && f.v1.free(e) {
			cands = append(cands, e)
		}
	}
	slices.SortStableFunc(cands, func(a, b *elder) int {
		da, db := distKm(a.home, f.v1.home), distKm(b.home, f.v1.home)
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	return cands[:min(f.v1.Capacity, len(cands))]
}

// supplementKinds: a dependent elder gets clinic staff or the committee as
// second member; others a social volunteer or the committee.
func (f *filler) supplementKinds(e *elder) []string {
	switch {
	case e.SelfCare == "dependent":
		return []string{"clinic", "committee"}
	case f.chance(0.5):
		return []string{"social", "committee"}
	}
	return []string{"committee", "social"}
}

// nearest is the closest volunteer of c who is free for e, trying kinds in
// order; nil when none is.
func (f *filler) nearest(c *community, e *elder, kinds ...string) *volunteer {
	for _, k := range kinds {
		var best *volunteer
		for _, v := range f.vols {
			if v.comm != c || v.Kind != k || !v.free(e) {
				continue
			}
			if best == nil || distKm(e.home, v.home) < distKm(e.home, best.home) {
				best = v
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// free reports whether v may take e: active, below capacity, not refused
// by e and not already in e's team.
func (v *volunteer) free(e *elder) bool {
	return v.Status == "active" && v.load < v.Capacity && !slices.Contains(e.Wishes.Refuse, v.ID) && !slices.Contains(e.team, v)
}

func (f *filler) volunteerByID(id int64) *volunteer {
	for _, v := range f.vols {
		if v.ID == id {
			return v
		}
	}
	return nil
}

// after returns a day between start and today: a supplement joins the team
// some time after the responsible person.
func (f *filler) after(start time.Time) time.Time {
	days := int(f.today.Sub(start).Hours() / 24)
	return start.AddDate(0, 0, f.between(0, max(days, 0)))
}
