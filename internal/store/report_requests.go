package store

import (
	"context"
	"math"
	"strconv"
)

// reportRequests adds a report's counts of requests for help (按需服务,
// issue 16 point 1) per community: requests.received (made in the period),
// requests.answered (done in the period) and, for the time to answer
// (minutes from made to done), one count per minute value of the answered
// ones, requests.answer_minutes.M, so that the median of a street (the sum
// of its communities' counts) is exact. in is the report's community ids.
func (db *DB) reportRequests(ctx context.Context, in string, p Period, add func(community int64, key string, n int64)) error {
	from, until := stamp(p.From), stamp(p.Until)
	if err := db.countEach(ctx, `SELECT r.community_id, COUNT(*) FROM requests r WHERE r.created_at >= ? AND r.created_at < ?
 AND r.community_id IN `+in+` GROUP BY 1`, []any{from, until}, "requests.received", add); err != nil {
		return err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT r.community_id, r.created_at, r.done_at FROM requests r WHERE r.status = 'done'
 AND r.done_at >= ? AND r.done_at < ? AND r.community_id IN `+in), from, until)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c int64
		var created, done string
		if err := rows.Scan(&c, &created, &done); err != nil {
			return err
		}
		m := int64(math.Round(parseStamp(done).Sub(parseStamp(created)).Minutes()))
		add(c, "requests.answered", 1)
		add(c, "requests.answer_minutes."+strconv.FormatInt(max(m, 0), 10), 1)
	}
	return rows.Err()
}
