package demo

import (
	"slices"

	"carecircle/internal/care"
)

// story gives some elders a part beyond the common case, so that every
// screen has something to show: statuses with history, wishes the matcher
// must honour, overridden priorities and newcomers waiting for a volunteer.
// Each elder plays at most one part.
func (f *filler) story() {
	for i, list := range f.eldersByComm {
		f.planStatuses(list)
		f.planWishes(f.comms[i], list)
		for _, e := range f.claim(list, 3, anyone) {
			e.waiting = true
		}
	}
	f.planOverrides()
}

func anyone(*elder) bool { return true }

// claim picks up to n unclaimed elders of list that satisfy ok, at random,
// and marks them claimed.
func (f *filler) claim(list []*elder, n int, ok func(*elder) bool) []*elder {
	var out []*elder
	for _, i := range f.rng.Perm(len(list)) {
		if len(out) == n {
			break
		}
		if e := list[i]; !e.claimed && ok(e) {
			e.claimed = true
			out = append(out, e)
		}
	}
	return out
}

// planStatuses pauses, moves and buries a few elders per community; one of
// the deaths follows a hospital stay, so a history has two steps.
func (f *filler) planStatuses(list []*elder) {
	for _, e := range f.claim(list, 5, anyone) {
		reason := pick(f, hospitalReasons)
		if city := e.childAway(); city != "" && f.chance(0.5) {
			reason = "去子女家暂住（" + city + "）"
		}
		e.steps = []statusStep{{"paused", reason}}
	}
	for _, e := range f.claim(list, 2, anyone) {
		reason := pick(f, moveReasons)
		if city := e.childAway(); city != "" {
			reason = "随子女迁往" + city + "居住"
		}
		e.steps = []statusStep{{"moved", reason}}
	}
	old := func(e *elder) bool { return e.age >= care.AdvancedAge }
	for i, e := range f.claim(list, 3, old) {
		if i == 0 {
			e.steps = append(e.steps, statusStep{"paused", "住院治疗"})
		}
		e.steps = append(e.steps, statusStep{"deceased", pick(f, deathReasons)})
	}
}

// planWishes records the elders' own say (尊重自愿): two decline pairing,
// one asks for an old neighbour, one refuses the volunteer nearest to them.
func (f *filler) planWishes(c *community, list []*elder) {
	for _, e := range f.claim(list, 2, anyone) {
		e.Wishes.DeclinePairing = true
		e.Wishes.DeclineReason = pick(f, declineReasons)
	}
	for _, e := range f.claim(list, 1, anyone) {
		if v := f.nearestNeighbour(c, e); v != nil {
			e.Wishes.Prefer = []int64{v.ID}
			e.Notes = addNote(e.Notes, "点名要求由老邻居"+v.Name+"结对")
		}
	}
	for _, e := range f.claim(list, 1, anyone) {
		if v := f.nearestNeighbour(c, e); v != nil {
			e.Wishes.Refuse = []int64{v.ID}
			e.Notes = addNote(e.Notes, "婉拒"+v.Name+"上门（两家是亲戚，不愿添麻烦）")
		}
	}
}

// nearestNeighbour is the active neighbour volunteer of c closest to e,
// other than volunteer1, whose round is fixed.
func (f *filler) nearestNeighbour(c *community, e *elder) *volunteer {
	var best *volunteer
	for _, v := range f.vols {
		if v.comm != c || v.Kind != "neighbour" || v.Status != "active" || v == f.v1 {
			continue
		}
		if best == nil || distKm(e.home, v.home) < distKm(e.home, best.home) {
			best = v
		}
	}
	return best
}

// childAway is the other city where a child of e lives, or "": a stay
// away or a move goes there.
func (e *elder) childAway() string {
	for _, c := range e.EmergencyContacts {
		if (c.Relation == "son" || c.Relation == "daughter") && slices.Contains(farCities, c.Lives) {
			return c.Lives
		}
	}
	return ""
}

func addNote(notes, s string) string {
	if notes == "" {
		return s
	}
	return notes + "；" + s
}

// planOverrides sets two priorities by hand, one up and one down, each with
// the reason staff must give (SPEC §2: overridable with a reason).
func (f *filler) planOverrides() {
	up := func(e *elder) bool {
		return e.LivingSituation == "alone" && e.SelfCare == "partial" && e.Priority(f.today) < care.MaxPriority
	}
	for _, e := range f.claim(f.eldersByComm[0], 1, up) {
		p := care.MaxPriority
		e.PriorityOverride, e.PriorityReason = &p, "独居、半自理，近一个月在家跌倒两次，经社区评估上调为最优先"
	}
	down := func(e *elder) bool {
		p := e.Priority(f.today)
		return e.LivingSituation == "with_family" && p >= 3 && p < care.MaxPriority
	}
	for _, e := range f.claim(f.eldersByComm[1], 1, down) {
		p := 2
		e.PriorityOverride, e.PriorityReason = &p, "女儿已退休回家全职照料，经社区评估下调"
	}
}
