package store

import (
	"context"
	"slices"

	"carecircle/internal/care"
	"carecircle/internal/pairplan"
)

// The matcher and households (包户): where the street counts a household
// once (streets.household_counts_once), the waiting members of a current
// household go to the planner as one elder — the first member standing for
// all, with the highest priority among them and everyone's wishes, refusals
// and rejections — so the household gets one volunteer and takes one
// place; the suggestion is then given to every member. A member who
// already has a neighbour volunteer makes that volunteer preferred (no
// cost) for the rest. Where the street counts per member, members are
// matched one by one like any elder. A member who declines pairing is not
// grouped.

// householdGroups maps a standing-in elder to the other members it stands
// for.
type householdGroups map[int64][]int64

// groupHouseholds folds the waiting members of each household into one
// planner elder.
func (db *DB) groupHouseholds(ctx context.Context, elders []pairplan.Elder) ([]pairplan.Elder, householdGroups, error) {
	groups := householdGroups{}
	if len(elders) < 2 {
		return elders, groups, nil
	}
	idx := map[int64]int{}
	for i, e := range elders {
		idx[e.ID] = i
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT hm.household_id, hm.elder_id,
 COALESCE((SELECT MIN(p.volunteer_id) FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
   WHERE p.elder_id = hm.elder_id AND p.ended_on IS NULL AND v.kind = 'neighbour' AND v.status = 'active'), 0)
 FROM household_members hm JOIN households h ON h.id = hm.household_id
 JOIN communities c ON c.id = h.community_id JOIN streets s ON s.id = c.street_id
 WHERE hm.to_date IS NULL AND s.household_counts_once = 1 ORDER BY hm.household_id, hm.elder_id`))
	if err != nil {
		return nil, nil, err
	}
	type member struct{ elder, neighbour int64 }
	byHousehold := map[int64][]member{}
	var order []int64
	for rows.Next() {
		var hid int64
		var m member
		if err := rows.Scan(&hid, &m.elder, &m.neighbour); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if _, ok := byHousehold[hid]; !ok {
			order = append(order, hid)
		}
		byHousehold[hid] = append(byHousehold[hid], m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	drop := map[int64]bool{}
	for _, hid := range order {
		var waiting []int
		var served []int64
		for _, m := range byHousehold[hid] {
			if i, ok := idx[m.elder]; ok && !elders[i].Declined {
				waiting = append(waiting, i)
			} else if m.neighbour != 0 {
				served = append(served, m.neighbour)
			}
		}
		for _, i := range waiting {
			for _, v := range served {
				if !slices.Contains(elders[i].Prefer, v) && !slices.Contains(elders[i].Refuse, v) {
					elders[i].Prefer = append(elders[i].Prefer, v)
				}
			}
		}
		if len(waiting) < 2 {
			continue
		}
		lead := &elders[waiting[0]]
		for _, i := range waiting[1:] {
			o := elders[i]
			lead.Priority = max(lead.Priority, o.Priority)
			lead.Supplements = min(lead.Supplements, o.Supplements)
			lead.Refuse = union(lead.Refuse, o.Refuse)
			lead.Team = union(lead.Team, o.Team)
			lead.Rejected = union(lead.Rejected, o.Rejected)
			lead.Prefer = union(lead.Prefer, o.Prefer)
			groups[lead.ID] = append(groups[lead.ID], o.ID)
			drop[o.ID] = true
		}
		lead.Prefer = slices.DeleteFunc(lead.Prefer, func(v int64) bool { return slices.Contains(lead.Refuse, v) })
	}
	return slices.DeleteFunc(elders, func(e pairplan.Elder) bool { return drop[e.ID] }), groups, nil
}

func union(a, b []int64) []int64 {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// spreadHouseholds gives a household's suggestion (or its reason for none)
// to every member it stood for.
func spreadHouseholds(pl *pairplan.Plan, groups householdGroups) {
	if len(groups) == 0 {
		return
	}
	together := care.Msg{ZH: "（包户：同户老人一并结对）", EN: " (household: paired together)"}
	// The members follow the one who stood for them, in the plan's order.
	out := make([]pairplan.Suggestion, 0, len(pl.Suggestions))
	for _, s := range pl.Suggestions {
		others := groups[s.ElderID]
		if len(others) > 0 {
			s.Reason = care.Msg{ZH: s.Reason.ZH + together.ZH, EN: s.Reason.EN + together.EN}
		}
		out = append(out, s)
		for _, id := range others {
			o := s
			o.ElderID = id
			out = append(out, o)
		}
	}
	pl.Suggestions = out
	unmatched := make([]pairplan.Unmatched, 0, len(pl.Unmatched))
	for _, u := range pl.Unmatched {
		unmatched = append(unmatched, u)
		for _, id := range groups[u.ElderID] {
			o := u
			o.ElderID = id
			unmatched = append(unmatched, o)
		}
	}
	pl.Unmatched = unmatched
}
