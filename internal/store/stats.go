package store

import (
	"context"

	"carecircle/internal/care"
)

// CommunityStats are a community's aggregate numbers: no person can be
// identified from them, so the district viewer may see them.
type CommunityStats struct {
	CommunityID int64
	StreetID    int64
	Name        string
	Elders      int
	ByStatus    map[string]int
	ByCategory  map[string]int
	BySelfCare  map[string]int
	Paired      int // active elders with at least one current pairing
	Volunteers  map[string]int
}

// Stats returns aggregates per community for the station (its street), a
// community (itself) and viewers (their street, or every street).
func (db *DB) Stats(ctx context.Context, a care.Actor) ([]CommunityStats, error) {
	var cond string
	var args []any
	switch a.Role {
	case care.RoleStation:
		cond, args = "c.street_id = ?", []any{a.StreetID}
	case care.RoleCommunity:
		cond, args = "c.id = ?", []any{a.CommunityID}
	case care.RoleViewer:
		cond, args = communityScope(a)
	default:
		return nil, care.ErrForbidden()
	}
	cutoff := dateString(db.today().AddDate(-care.AdvancedAge, 0, 0))
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.id, c.street_id, c.name, e.status, e.self_care, COUNT(e.id),
 SUM(CASE WHEN e.categories LIKE '%,empty_nest,%' THEN 1 ELSE 0 END),
 SUM(CASE WHEN e.categories LIKE '%,three_no,%' THEN 1 ELSE 0 END),
 SUM(CASE WHEN e.categories LIKE '%,sick_disabled,%' THEN 1 ELSE 0 END),
 SUM(CASE WHEN e.birth_date <= ? THEN 1 ELSE 0 END),
 SUM(CASE WHEN EXISTS (SELECT 1 FROM pairings p WHERE p.elder_id = e.id AND p.ended_on IS NULL) THEN 1 ELSE 0 END)
 FROM communities c LEFT JOIN elders e ON e.community_id = c.id
 WHERE `+cond+` GROUP BY c.id, c.street_id, c.name, e.status, e.self_care ORDER BY c.id`), append([]any{cutoff}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []CommunityStats
	idx := map[int64]int{}
	for rows.Next() {
		var id, street int64
		var name string
		var status, selfCare *string
		var n int
		var en, tn, sd, aa, paired *int
		if err := rows.Scan(&id, &street, &name, &status, &selfCare, &n, &en, &tn, &sd, &aa, &paired); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := idx[id]
		if !ok {
			i = len(out)
			idx[id] = i
			out = append(out, CommunityStats{CommunityID: id, StreetID: street, Name: name, ByStatus: map[string]int{}, ByCategory: map[string]int{},
				BySelfCare: map[string]int{}, Volunteers: map[string]int{}})
		}
		if status == nil {
			continue // a community without elders
		}
		s := &out[i]
		s.Elders += n
		s.ByStatus[*status] += n
		s.BySelfCare[*selfCare] += n
		s.ByCategory["empty_nest"] += deref(en)
		s.ByCategory["three_no"] += deref(tn)
		s.ByCategory["sick_disabled"] += deref(sd)
		s.ByCategory["advanced_age"] += deref(aa)
		if *status == "active" {
			s.Paired += deref(paired)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.volunteerStats(ctx, out, idx)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (db *DB) volunteerStats(ctx context.Context, out []CommunityStats, idx map[int64]int) error {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT community_id, kind, COUNT(*) FROM volunteers WHERE status = ? GROUP BY community_id, kind`), "active")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		var n int
		if err := rows.Scan(&id, &kind, &n); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			out[i].Volunteers[kind] = n
		}
	}
	return rows.Err()
}
