package store

import (
	"context"
	"strconv"
	"strings"

	"carecircle/internal/care"
)

// AccountVolunteer is what tying an account to a volunteer needs to tell
// volunteers apart, and no more: the administrator, who may not read the
// volunteer register, chooses volunteers by name (issue 14 point 5) from
// their name, community and kind, and sees which already have an account.
type AccountVolunteer struct {
	ID        int64
	Name      string
	Community string
	Kind      string
	Account   string // the user name already tied to the volunteer, if any
}

// AccountVolunteers finds at most limit volunteers, for the account
// manager only, whose name starts with q or whose record number is q.
func (db *DB) AccountVolunteers(ctx context.Context, a care.Actor, q string, limit int) ([]AccountVolunteer, error) {
	if !a.ManagesAccounts() {
		return nil, care.ErrForbidden()
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	id, _ := strconv.ParseInt(q, 10, 64)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT v.id, v.name, c.name, v.kind,
 COALESCE((SELECT MIN(u.username) FROM users u WHERE u.volunteer_id = v.id), '')
 FROM volunteers v JOIN communities c ON c.id = v.community_id
 WHERE v.id = ? OR v.name LIKE ? ESCAPE '\' ORDER BY v.name = ? DESC, v.name, v.id LIMIT ?`),
		id, likeEscape(q)+"%", q, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccountVolunteer
	for rows.Next() {
		var v AccountVolunteer
		if err := rows.Scan(&v.ID, &v.Name, &v.Community, &v.Kind, &v.Account); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
