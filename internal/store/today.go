package store

import (
	"context"
	"time"

	"carecircle/internal/care"
)

// DayServices returns, for the elders the actor may see, the records of the
// given kind and type made on day (Asia/Shanghai), newest last, keyed by elder.
// The volunteer's "today" page uses it to show who has been greeted.
func (db *DB) DayServices(ctx context.Context, a care.Actor, day time.Time, kind, typ string) (map[int64][]care.ServiceRecord, error) {
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, db.Loc)
	end := start.AddDate(0, 0, 1)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+recordColumns+` FROM service_records r JOIN elders e ON e.id = r.elder_id
 WHERE `+scope+` AND r.month = ? AND r.at >= ? AND r.at < ? AND r.kind = ? AND r.type = ? AND r.amends IS NULL ORDER BY r.at`),
		append(args, monthOf(start), stamp(start), stamp(end), kind, typ)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]care.ServiceRecord{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out[r.ElderID] = append(out[r.ElderID], *r)
	}
	return out, rows.Err()
}
