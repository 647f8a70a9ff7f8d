package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"carecircle/internal/care"
)

// MonthlyServices is how many services of one kind the elders of a
// community received in a month: an aggregate for the home dashboards.
type MonthlyServices struct {
	CommunityID int64
	Month       string // YYYY-MM
	Kind        string // one of care.ServiceKinds
	Type        string // the service type within the kind (care.ServiceTypes)
	Count       int
}

// dashboardScope limits elders (alias e) for the dashboards: the station
// and viewers of a street see the street, community staff their own
// community, a district viewer every street. Numbers only, no persons, so
// viewers are let in; volunteers and clinics have their own pages.
func dashboardScope(a care.Actor) (string, []any, error) {
	switch a.Role {
	case care.RoleStation:
		return "e.street_id = ?", []any{a.StreetID}, nil
	case care.RoleCommunity:
		return "e.community_id = ?", []any{a.CommunityID}, nil
	case care.RoleViewer:
		if a.StreetID == 0 {
			return "1 = 1", nil, nil
		}
		return "e.street_id = ?", []any{a.StreetID}, nil
	}
	return "", nil, care.ErrForbidden()
}

// counted keeps the records (alias r) that count as services, as the
// statistics reports count them: originals only (an amendment corrects a
// record, it adds no service) and none struck out. The unary plus keeps
// SQLite on the month index, which carries amends; the amendments, few,
// are found by their own index (amends > 0 lets SQLite use it).
const counted = ` AND +r.amends IS NULL
 AND r.id NOT IN (SELECT c.amends FROM service_records c WHERE c.amends > 0 AND c.changes LIKE '%"void":true%')`

// MonthlyServices counts the services recorded in each of months, per
// community and kind, for the actor's scope. A correction keeps the kind,
// so the kind is the original's, told by its type. Combinations with no
// service are left out.
//
// Both plans read the month index alone, which carries the elder and the
// type. A community's query walks its elders and seeks their records
// (CROSS JOIN keeps SQLite to that order): 0.1 s for a month of 2,000
// elders on SQLite. A street's counts each elder's records first and joins
// only those sums: up to 0.6 s for a month of 20,000 elders and 600,000
// records, 4 s for six (BenchmarkMonthlyServices), which is why the web
// caches closed months.
func (db *DB) MonthlyServices(ctx context.Context, a care.Actor, months []string) ([]MonthlyServices, error) {
	scope, args, err := dashboardScope(a)
	if err != nil || len(months) == 0 {
		return nil, err
	}
	in, margs, err := monthList(months)
	if err != nil {
		return nil, err
	}
	query := `SELECT e.community_id, x.month, x.type, CAST(SUM(x.n) AS BIGINT) FROM (
  SELECT r.month, r.elder_id, r.type, COUNT(*) AS n FROM service_records r
  WHERE r.month IN ` + in + counted + ` GROUP BY r.month, r.elder_id, r.type
 ) x JOIN elders e ON e.id = x.elder_id
 WHERE ` + scope + ` GROUP BY e.community_id, x.month, x.type`
	args = append(margs, args...)
	if a.Role == care.RoleCommunity {
		query = `SELECT e.community_id, r.month, r.type, COUNT(*) FROM elders e CROSS JOIN service_records r
 WHERE e.community_id = ? AND r.elder_id = e.id AND r.month IN ` + in + counted + `
 GROUP BY e.community_id, r.month, r.type`
		args = append([]any{a.CommunityID}, margs...)
	}
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: monthly services: %w", err)
	}
	defer rows.Close()
	type key struct {
		community        int64
		month, kind, typ string
	}
	sums := map[key]int{}
	for rows.Next() {
		var k key
		var n int
		if err := rows.Scan(&k.community, &k.month, &k.typ, &n); err != nil {
			return nil, fmt.Errorf("store: monthly services: %w", err)
		}
		k.kind = serviceKind(k.typ)
		sums[k] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: monthly services: %w", err)
	}
	out := make([]MonthlyServices, 0, len(sums))
	for k, n := range sums {
		out = append(out, MonthlyServices{CommunityID: k.community, Month: k.month, Kind: k.kind, Type: k.typ, Count: n})
	}
	slices.SortFunc(out, func(a, b MonthlyServices) int {
		return cmp.Or(cmp.Compare(a.CommunityID, b.CommunityID), cmp.Compare(a.Month, b.Month),
			cmp.Compare(kindIndex(a.Kind), kindIndex(b.Kind)), cmp.Compare(a.Type, b.Type))
	})
	return out, nil
}

// serviceKind is the kind a type of service belongs to: type codes are
// unique across the kinds.
func serviceKind(typ string) string {
	for _, t := range care.ServiceTypes {
		if t.Code == typ {
			return t.Kind
		}
	}
	return "other"
}

// kindIndex orders the kinds as care.ServiceKinds lists them.
func kindIndex(kind string) int {
	i := slices.IndexFunc(care.ServiceKinds, func(c care.Choice) bool { return c.Code == kind })
	if i < 0 {
		return len(care.ServiceKinds)
	}
	return i
}

// monthList checks months and returns them as an IN list with its arguments.
func monthList(months []string) (string, []any, error) {
	args := make([]any, len(months))
	for i, m := range months {
		if err := ValidMonth(m); err != nil {
			return "", nil, err
		}
		args[i] = m
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?,", len(months)), ",") + ")", args, nil
}

// GreetedOn counts the elders of the actor's scope greeted on day (local
// date), as the daily knock counts them: a greeting struck out or moved to
// another time does not count. The day index covers the records' side.
func (db *DB) GreetedOn(ctx context.Context, a care.Actor, day time.Time) (int, error) {
	scope, args, err := dashboardScope(a)
	if err != nil {
		return 0, err
	}
	var n int
	err = db.read.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM elders e WHERE `+scope+` AND e.id IN (`+greetedIDs+`)`),
		append(args, db.dayArgs(day)...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: greeted on %s: %w", dateString(day), err)
	}
	return n, nil
}
