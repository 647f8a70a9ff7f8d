package pairplan

import (
	"math"

	"carecircle/internal/match"
	"carecircle/internal/survey"
)

// Recorded needs break ties (issue 15 point 3): among assignments the
// matcher finds equally good — the same elders served, the same kinds,
// each elder's distance the same to the millimetre — the planner prefers
// volunteers whose skills serve more of the elder's needs. It only
// exchanges volunteers of the same kind at the same distance, so the
// matcher's objective (priority, neighbours, total distance) is unchanged.

// skillScore is how many of elder i's needs volunteer j's skills serve.
func (p *planner) skillScore(i, j int) int {
	if p.kinds == nil {
		p.kinds = map[int]map[string]bool{}
	}
	k, ok := p.kinds[j]
	if !ok {
		k = survey.SkillKinds(p.in.Volunteers[j].Skills)
		p.kinds[j] = k
	}
	return survey.SkillMatch(p.in.Elders[i].Needs, k)
}

func mm(d float64) int64 { return int64(math.Round(d * 1000)) }

// breakTies improves res's pairs in place, elder by elder in input
// order: a volunteer is replaced by one with room left, or exchanged with
// another pair's, when that is of the same kind, usable, at exactly the
// same distance for each elder, and serves more needs.
func (p *planner) breakTies(res *match.Result) {
	eIdx := map[string]int{}
	for i, e := range p.in.Elders {
		eIdx[elderKey(e.ID)] = i
	}
	vIdx := map[string]int{}
	for j, v := range p.in.Volunteers {
		vIdx[volunteerKey(v.ID)] = j
	}
	used := map[int]int{}
	for _, pr := range res.Pairs {
		used[vIdx[pr.Volunteer]]++
	}
	usable := func(i, j int) bool {
		return p.allowed(i, j) && !p.excluded(&p.in.Elders[i], p.in.Volunteers[j].ID)
	}
	dist := func(i, j int) int64 { d, _ := p.distance(i, j); return mm(d) }
	for a := range res.Pairs {
		pa := &res.Pairs[a]
		if pa.Preferred {
			continue
		}
		i, j := eIdx[pa.Elder], vIdx[pa.Volunteer]
		best, bestScore := -1, p.skillScore(i, j)
		for _, k := range p.inReach(i) {
			if k == j || p.in.Volunteers[k].Kind != p.in.Volunteers[j].Kind || used[k] >= p.in.Volunteers[k].Free ||
				!usable(i, k) || dist(i, k) != dist(i, j) {
				continue
			}
			if s := p.skillScore(i, k); s > bestScore {
				best, bestScore = k, s
			}
		}
		if best >= 0 {
			used[j]--
			used[best]++
			pa.Volunteer = volunteerKey(p.in.Volunteers[best].ID)
			continue
		}
		// An exchange with a later pair whose elder loses nothing.
		for b := a + 1; b < len(res.Pairs); b++ {
			pb := &res.Pairs[b]
			if pb.Preferred {
				continue
			}
			i2, j2 := eIdx[pb.Elder], vIdx[pb.Volunteer]
			if j2 == j || p.in.Volunteers[j2].Kind != p.in.Volunteers[j].Kind || !usable(i, j2) || !usable(i2, j) ||
				dist(i, j2) != dist(i, j) || dist(i2, j) != dist(i2, j2) {
				continue
			}
			if p.skillScore(i, j2)+p.skillScore(i2, j) > p.skillScore(i, j)+p.skillScore(i2, j2) {
				pa.Volunteer, pb.Volunteer = pb.Volunteer, pa.Volunteer
				break
			}
		}
	}
}
