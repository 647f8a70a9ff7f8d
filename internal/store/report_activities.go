package store

import "context"

// reportActivities adds a report's activity counts (活动, issue 15 point 1)
// per community, of the activities held on a day of the period:
// activities.held (the community's own activities; a street-wide activity
// of the station has no community and is not counted here),
// activities.volunteers (volunteers present, per activity: 人次, by the
// volunteer's community, street-wide activities included),
// activities.elders (registered elders who took part, per activity, by the
// elder's community), activities.residents (a nursing home's residents who
// took part, by the activity's community) and activities.minutes (the
// present volunteers' attendance minutes, by the volunteer's community).
// in is the report's community ids.
func (db *DB) reportActivities(ctx context.Context, in string, p Period, add func(community int64, key string, n int64)) error {
	from, to := dateString(p.From), p.LastDay()
	const held = `x.status = 'held' AND x.day >= ? AND x.day <= ?`
	steps := []struct {
		query, key string
	}{
		{`SELECT x.community_id, COUNT(*) FROM activities x WHERE ` + held + ` AND x.community_id IN ` + in + ` GROUP BY 1`, "activities.held"},
		{`SELECT v.community_id, COUNT(*) FROM activity_signups s JOIN activities x ON x.id = s.activity_id JOIN volunteers v ON v.id = s.volunteer_id
 WHERE ` + held + ` AND s.cancelled_at IS NULL AND s.present = ? AND v.community_id IN ` + in + ` GROUP BY 1`, "activities.volunteers"},
		{`SELECT e.community_id, COUNT(*) FROM activity_elders ae JOIN activities x ON x.id = ae.activity_id JOIN elders e ON e.id = ae.elder_id
 WHERE ` + held + ` AND e.community_id IN ` + in + ` GROUP BY 1`, "activities.elders"},
		{`SELECT x.community_id, SUM(x.residents) FROM activities x WHERE ` + held + ` AND x.community_id IN ` + in + ` GROUP BY 1`, "activities.residents"},
		{`SELECT v.community_id, SUM(s.minutes) FROM activity_signups s JOIN activities x ON x.id = s.activity_id JOIN volunteers v ON v.id = s.volunteer_id
 WHERE ` + held + ` AND s.cancelled_at IS NULL AND s.present = ? AND v.community_id IN ` + in + ` GROUP BY 1`, "activities.minutes"},
	}
	for _, s := range steps {
		args := []any{from, to}
		if s.key == "activities.volunteers" || s.key == "activities.minutes" {
			args = append(args, true)
		}
		if err := db.countEach(ctx, s.query, args, s.key, add); err != nil {
			return err
		}
	}
	return nil
}
