package store

import (
	"context"
	"strconv"
	"strings"
)

// ReportActivitiesOf runs reportActivities on communities for the external
// tests (the report does not show it yet), per community.
func (db *DB) ReportActivitiesOf(ctx context.Context, communities []int64, p Period) (map[int64]ReportCounts, error) {
	ids := make([]string, len(communities))
	for i, c := range communities {
		ids[i] = strconv.FormatInt(c, 10)
	}
	out := map[int64]ReportCounts{}
	err := db.reportActivities(ctx, "("+strings.Join(ids, ",")+")", p, func(c int64, k string, n int64) {
		if out[c] == nil {
			out[c] = ReportCounts{}
		}
		out[c][k] += n
	})
	return out, err
}
