package care

import "time"

// MaxPriority is the highest priority (优先服务).
const MaxPriority = 5

// PriorityReason is one line of the explanation of a computed priority.
type PriorityReason = Msg

// ComputePriority applies the programme's rule 突出重点，优先服务: 三无 elders
// and those who cannot look after themselves come first (5); others rank by
// how many difficulties they carry (1–4). It returns the level and why.
func (e *Elder) ComputePriority(day time.Time) (int, []PriorityReason) {
	var why []PriorityReason
	cats := e.AllCategories(day)
	if contains(cats, "three_no") {
		why = append(why, Msg{"三无老人，优先服务", "'three-no' elder: served first"})
	}
	if e.SelfCare == "dependent" {
		why = append(why, Msg{"不能自理，优先服务", "cannot look after themselves: served first"})
	}
	if len(why) > 0 {
		return MaxPriority, why
	}
	score := 0
	add := func(ok bool, m Msg) {
		if ok {
			score++
			why = append(why, m)
		}
	}
	add(e.SelfCare == "partial", Msg{"半自理 +1", "partly dependent +1"})
	add(contains(cats, "sick_disabled"), Msg{"病残 +1", "sick or disabled +1"})
	add(contains(cats, "advanced_age"), Msg{"高龄（80岁以上）+1", "aged 80 or over +1"})
	add(e.LivingSituation == "alone", Msg{"独居 +1", "lives alone +1"})
	add(contains(cats, "empty_nest"), Msg{"空巢 +1", "empty-nest +1"})
	p := 1 + score
	if p > MaxPriority-1 {
		p = MaxPriority - 1
	}
	if score == 0 {
		why = append(why, Msg{"无特别困难，基础优先级", "no particular difficulty: base priority"})
	}
	return p, why
}

// Priority is the effective priority: the override when staff set one,
// otherwise the computed level.
func (e *Elder) Priority(day time.Time) int {
	if e.PriorityOverride != nil {
		return *e.PriorityOverride
	}
	p, _ := e.ComputePriority(day)
	return p
}
