package store

import "context"

// reportTraining adds a report's training and commendation counts (issue
// 15 point 6) per community: trainings.held (sessions the community held in
// the period), trainings.trained (its volunteers who attended a session
// held in the period, each once) and commendations (its volunteers'
// commendations awarded in the period). in is the report's community ids.
func (db *DB) reportTraining(ctx context.Context, in string, p Period, add func(community int64, key string, n int64)) error {
	from, to := dateString(p.From), p.LastDay()
	steps := []struct {
		query, key string
	}{
		{`SELECT t.community_id, COUNT(*) FROM training_sessions t WHERE t.held_on >= ? AND t.held_on <= ? AND t.community_id IN ` + in + ` GROUP BY 1`, "trainings.held"},
		{`SELECT v.community_id, COUNT(DISTINCT v.id) FROM training_attendees ta JOIN training_sessions t ON t.id = ta.session_id
 JOIN volunteers v ON v.id = ta.volunteer_id WHERE t.held_on >= ? AND t.held_on <= ? AND v.community_id IN ` + in + ` GROUP BY 1`, "trainings.trained"},
		{`SELECT m.community_id, COUNT(*) FROM commendations m WHERE m.awarded_on >= ? AND m.awarded_on <= ? AND m.community_id IN ` + in + ` GROUP BY 1`, "commendations"},
	}
	for _, s := range steps {
		if err := db.countEach(ctx, s.query, []any{from, to}, s.key, add); err != nil {
			return err
		}
	}
	return nil
}
