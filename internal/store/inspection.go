package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"carecircle/internal/care"
)

// InspectionRow is one card of the month in the station's inspection list.
type InspectionRow struct {
	ElderID     int64
	Name        string
	CommunityID int64
	Status      string
	Services    int // not struck out
	Unverified  int // CardFlags.Unverified
	// UnverifiedGreetings are daily greetings without proof (CardFlags).
	UnverifiedGreetings int
	Amended             int
	Late                int // records entered more than two hours after the service (补录)
	Proven              int // verified by card or PIN (CardFlags.Proven)
	Positions           int // verified by the phone's position
	Signed              bool
	Result              string
}

// Flags returns the row's flags as on the card.
func (r InspectionRow) Flags() CardFlags {
	return CardFlags{Services: r.Services, Unverified: r.Unverified, UnverifiedGreetings: r.UnverifiedGreetings,
		Amended: r.Amended, Missing: r.Services == 0, Proven: r.Proven, Positions: r.Positions}
}

// inspectionCounts are the per-card counts of care.Evidence in SQL, over
// the month's records not struck out; the order is InspectionRow's scan.
const inspectionCounts = `SELECT r.elder_id,
 COUNT(*) AS services,
 SUM(CASE WHEN r.verified = FALSE AND r.source <> 'paper' AND r.volunteer_id IS NOT NULL
   AND NOT (r.type = 'greeting' AND r.kind = 'life' AND (r.method <> 'geo' OR r.verify_detail = ?)) THEN 1 ELSE 0 END) AS unverified,
 SUM(CASE WHEN r.verified = FALSE AND r.source <> 'paper' AND r.volunteer_id IS NOT NULL
   AND r.type = 'greeting' AND r.kind = 'life' AND (r.method <> 'geo' OR r.verify_detail = ?) THEN 1 ELSE 0 END) AS greetings,
 SUM(CASE WHEN r.verified = TRUE AND r.method IN ('qr', 'pin') THEN 1 ELSE 0 END) AS proven,
 SUM(CASE WHEN r.verified = TRUE AND r.method NOT IN ('qr', 'pin') THEN 1 ELSE 0 END) AS positions,
 SUM(CASE WHEN %s THEN 1 ELSE 0 END) AS late
 FROM service_records r
 WHERE r.month = ? AND r.amends IS NULL
  AND NOT EXISTS (SELECT 1 FROM service_records v WHERE v.amends = r.id AND v.changes LIKE '%%"void":true%%')
 GROUP BY r.elder_id`

// Inspection lists the month's cards of a community (or of the street when
// communityID is 0): every elder who was active or has services that month,
// with counts, flags and whether the card is signed. Aggregates run in SQL
// so that a street of thousands of elders costs one query.
func (db *DB) Inspection(ctx context.Context, a care.Actor, month string, communityID int64) ([]InspectionRow, error) {
	if a.Role != care.RoleStation && a.Role != care.RoleCommunity {
		return nil, care.ErrForbidden()
	}
	if err := ValidMonth(month); err != nil {
		return nil, err
	}
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, communityID); err != nil {
		return nil, err
	}
	cond := ""
	if communityID > 0 {
		cond, args = " AND e.community_id = ?", append(args, communityID)
	}
	q := `SELECT e.id, e.name, e.community_id, e.status,
 COALESCE(c.services, 0), COALESCE(c.unverified, 0), COALESCE(c.greetings, 0), COALESCE(c.proven, 0), COALESCE(c.positions, 0), COALESCE(c.late, 0),
 (SELECT COUNT(DISTINCT am.amends) FROM service_records am JOIN service_records o ON o.id = am.amends
   WHERE am.elder_id = e.id AND o.elder_id = e.id AND o.month = ?),
 COALESCE((SELECT s.result FROM card_signatures s WHERE s.elder_id = e.id AND s.month = ?), '')
 FROM elders e LEFT JOIN (` + fmt.Sprintf(inspectionCounts, db.dialect.lateRecord) + `) c ON c.elder_id = e.id
 WHERE ` + scope + cond + ` AND (e.status = 'active' OR c.elder_id IS NOT NULL
   OR EXISTS (SELECT 1 FROM service_records r WHERE r.elder_id = e.id AND r.month = ?))
 ORDER BY e.community_id, e.id`
	qargs := append([]any{month, month, care.DetailNoHomeCoordinates, care.DetailNoHomeCoordinates, month}, args...)
	qargs = append(qargs, month)
	rows, err := db.read.QueryContext(ctx, db.q(q), qargs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InspectionRow
	for rows.Next() {
		var r InspectionRow
		if err := rows.Scan(&r.ElderID, &r.Name, &r.CommunityID, &r.Status, &r.Services, &r.Unverified, &r.UnverifiedGreetings,
			&r.Proven, &r.Positions, &r.Late, &r.Amended, &r.Result); err != nil {
			return nil, err
		}
		r.Signed = r.Result != ""
		out = append(out, r)
	}
	return out, rows.Err()
}

// Correction is an amendment made to a month after its card was signed:
// the signature stands, so the station reviews it at the next inspection.
type Correction struct {
	RecordID   int64 // the amendment
	OriginalID int64
	ElderID    int64
	Name       string
	Month      string // the signed month it corrects
	By         string
	At         time.Time
	Reason     string
	Void       bool
}

// CorrectionsAfterSigning lists the amendments made since since to months
// whose card was already signed, newest first (station and community staff).
func (db *DB) CorrectionsAfterSigning(ctx context.Context, a care.Actor, since time.Time) ([]Correction, error) {
	if a.Role != care.RoleStation && a.Role != care.RoleCommunity {
		return nil, care.ErrForbidden()
	}
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	// Amendments are stored in the month they are made: the month index
	// finds them without reading older months.
	q := `SELECT am.id, o.id, am.elder_id, e.name, o.month, am.entered_by, am.entered_at, am.amend_reason, am.changes
 FROM service_records am JOIN service_records o ON o.id = am.amends
 JOIN card_signatures s ON s.elder_id = o.elder_id AND s.month = o.month
 JOIN elders e ON e.id = am.elder_id
 WHERE am.month >= ? AND am.entered_at >= ? AND am.amends IS NOT NULL AND am.entered_at > s.signed_at AND ` + scope + `
 ORDER BY am.entered_at DESC, am.id DESC LIMIT 200`
	rows, err := db.read.QueryContext(ctx, db.q(q), append([]any{monthOf(since.In(db.Loc)), stamp(since)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Correction
	for rows.Next() {
		var c Correction
		var at, changes string
		if err := rows.Scan(&c.RecordID, &c.OriginalID, &c.ElderID, &c.Name, &c.Month, &c.By, &at, &c.Reason, &changes); err != nil {
			return nil, err
		}
		c.At = parseStamp(at)
		c.Void = strings.Contains(changes, `"void":true`)
		out = append(out, c)
	}
	return out, rows.Err()
}
