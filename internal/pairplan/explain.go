package pairplan

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/match"
)

// maxOptions bounds the alternatives offered for one suggestion.
const maxOptions = 8

// usable is a volunteer the elder may have: in reach, allowed, not excluded.
type usable struct {
	j     int
	d     float64
	basis Basis
}

// usables lists elder i's usable volunteers, nearest first (ties by id).
func (p *planner) usables(i int) []usable {
	e := &p.in.Elders[i]
	var out []usable
	for _, j := range p.inReach(i) {
		if p.allowed(i, j) && !p.excluded(e, p.in.Volunteers[j].ID) {
			d, b := p.distance(i, j)
			out = append(out, usable{j, d, b})
		}
	}
	slices.SortStableFunc(out, func(a, b usable) int { return cmp.Compare(a.d, b.d) })
	return out
}

// explain adds one stage's answer to pl: its suggestions and the stage's
// elders it could not serve (an elder served by a supplement only when it
// declines; otherwise it has someone and nothing is to be done).
func (p *planner) explain(res match.Result, include func(*Elder) bool, pl *Plan) {
	eIdx := map[string]int{}
	for i, e := range p.in.Elders {
		eIdx[elderKey(e.ID)] = i
	}
	vIdx := map[string]int{}
	for j, v := range p.in.Volunteers {
		vIdx[volunteerKey(v.ID)] = j
	}
	suggested := map[int]bool{}
	for _, pr := range res.Pairs {
		i, j := eIdx[pr.Elder], vIdx[pr.Volunteer]
		suggested[i] = true
		pl.Suggestions = append(pl.Suggestions, p.suggestion(i, j, pr.Preferred))
	}
	for i := range p.in.Elders {
		if e := &p.in.Elders[i]; include(e) && !suggested[i] && (e.Supplements == 0 || e.Declined) {
			pl.Unmatched = append(pl.Unmatched, p.unmatched(i))
		}
	}
}

// sort puts the highest priority first, as staff work through the list.
func (p *planner) sort(pl *Plan) {
	prio := map[int64]int{}
	for _, e := range p.in.Elders {
		prio[e.ID] = e.Priority
	}
	byPrio := func(a, b int64) int {
		if c := cmp.Compare(prio[b], prio[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	slices.SortStableFunc(pl.Suggestions, func(a, b Suggestion) int { return byPrio(a.ElderID, b.ElderID) })
	slices.SortStableFunc(pl.Unmatched, func(a, b Unmatched) int { return byPrio(a.ElderID, b.ElderID) })
}

func (p *planner) suggestion(i, j int, preferred bool) Suggestion {
	v := &p.in.Volunteers[j]
	d, basis := p.distance(i, j)
	s := Suggestion{ElderID: p.in.Elders[i].ID, VolunteerID: v.ID, Kind: v.Kind, DistanceM: round1(d), Basis: basis, Preferred: preferred,
		Need: p.in.Elders[i].Need()}
	// Rank among those with room: full volunteers were never a choice.
	var room []usable
	rank := 1
	all := p.usables(i)
	for _, u := range all {
		if p.in.Volunteers[u.j].Free <= 0 && u.j != j {
			continue
		}
		room = append(room, u)
		if u.d < d {
			rank++
		}
		if w := &p.in.Volunteers[u.j]; len(s.Options) < maxOptions || u.j == j {
			s.Options = append(s.Options, Option{VolunteerID: w.ID, Kind: w.Kind, DistanceM: round1(u.d), Basis: u.basis, Free: w.Free})
		}
	}
	s.Reason = pairReason(room, p.hasKind(all, "neighbour"), v.Kind, d, basis, rank, preferred)
	return s
}

// pairReason says why, from the volunteers in reach with room (us) and
// whether any neighbour volunteer is in reach at all, e.g.
// "邻里低龄老年志愿者，相距约 120 米，范围内有空余名额的 3 位志愿者中最近；老人点名要求".
func pairReason(us []usable, neighbourNear bool, kind string, d float64, basis Basis, rank int, preferred bool) care.Msg {
	label := care.Msg{ZH: care.Label(care.VolunteerKinds, kind, "zh"), EN: care.Label(care.VolunteerKinds, kind, "en")}
	zh, en := []string{label.ZH}, []string{label.EN}
	switch basis {
	case BasisCoordinates:
		zh, en = append(zh, "相距约 "+metresZH(d)), append(en, metresEN(d)+" away")
	case BasisBuilding:
		zh, en = append(zh, "同楼栋（未登记坐标，按楼栋估算）"), append(en, "same building (no coordinates; placed by building)")
	default:
		zh = append(zh, "同社区（未登记坐标，按社区中心估算约 "+metresZH(d)+"）")
		en = append(en, "same community (no coordinates; about "+metresEN(d)+" by the community centre)")
	}
	switch n := len(us); {
	case n <= 1:
		zh, en = append(zh, "范围内唯一有空余名额的志愿者"), append(en, "the only volunteer in reach with room")
	case rank == 1:
		zh, en = append(zh, fmt.Sprintf("范围内有空余名额的 %d 位志愿者中最近", n)), append(en, fmt.Sprintf("nearest of %d in reach with room", n))
	default:
		zh = append(zh, fmt.Sprintf("范围内有空余名额的 %d 位志愿者中第 %d 近（更近的安排给了其他老人）", n, rank))
		en = append(en, fmt.Sprintf("number %d by distance of %d in reach with room (nearer ones serve other elders)", rank, n))
	}
	m := care.Msg{ZH: strings.Join(zh, "，"), EN: strings.Join(en, ", ")}
	if preferred {
		m.ZH += "；老人点名要求"
		m.EN += "; chosen by the elder"
	}
	if kind != "neighbour" {
		if neighbourNear {
			m.ZH += "；范围内的邻里志愿者已满额或已安排给优先级更高的老人，由其他志愿者补充"
			m.EN += "; the neighbour volunteers in reach are full or serve elders of higher priority, so another kind supplements"
		} else {
			m.ZH += "；范围内没有可结对的邻里志愿者，由其他志愿者补充"
			m.EN += "; no neighbour volunteer usable in reach, so another kind supplements"
		}
	}
	return m
}

func (p *planner) hasKind(us []usable, kind string) bool {
	for _, u := range us {
		if p.in.Volunteers[u.j].Kind == kind {
			return true
		}
	}
	return false
}

// unmatched explains elder i's empty slot with the most specific reason:
// nobody usable in reach at all, then everyone in reach refused (by the
// elder or by staff), else the ones left were full or went to elders of
// higher priority.
func (p *planner) unmatched(i int) Unmatched {
	e := &p.in.Elders[i]
	u := Unmatched{ElderID: e.ID}
	if e.Declined {
		u.Reason = ReasonDeclined
		u.Msg = care.Msg{ZH: "老人不愿结对：" + e.DeclineReason, EN: "declines pairing: " + e.DeclineReason}
		return u
	}
	inReach, open := 0, 0
	for _, j := range p.inReach(i) {
		v := &p.in.Volunteers[j]
		if !p.allowed(i, j) || slices.Contains(e.Team, v.ID) {
			continue
		}
		inReach++
		if !p.excluded(e, v.ID) {
			open++
		}
	}
	reach := metresZH(p.reach)
	switch {
	case inReach == 0:
		u.Reason = ReasonNoneInReach
		u.Msg = care.Msg{ZH: reach + "内没有可结对的志愿者，需就近招募", EN: "no volunteer within " + metresEN(p.reach) + "; recruit nearby"}
	case open == 0:
		u.Reason = ReasonRefusedAll
		u.Msg = care.Msg{ZH: "范围内的志愿者均被老人拒绝或已被工作人员否决", EN: "the elder refused, or staff rejected, every volunteer in reach"}
	default:
		u.Reason = ReasonCapacity
		u.Msg = care.Msg{ZH: fmt.Sprintf("范围内 %d 位志愿者名额已满或已安排给优先级更高的老人", open),
			EN: fmt.Sprintf("the %d volunteers in reach are full or serve elders of higher priority", open)}
	}
	return u
}

func round1(m float64) float64 { return math.Round(m*10) / 10 }

func metresZH(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f 米", m)
	}
	return fmt.Sprintf("%.1f 公里", m/1000)
}

func metresEN(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}
