package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/hours"
)

// HoursEntry is one ledger entry as a reader sees it.
type HoursEntry struct {
	ID           int64
	Source       string
	Minutes      int
	At           time.Time
	RecordID     int64
	AmendmentID  int64
	ActivityID   int64
	TransferID   int64
	Kind, Type   string // the service's, for a service credit or its reversal
	ElderName    string // the elder served (service) or the receiving elder (donation)
	Counterparty string // the other volunteer or elder of a donation
	Note         string
	EnteredBy    string
	EnteredAt    time.Time
}

// HoursAccount is a volunteer's balance and their newest entries.
type HoursAccount struct {
	VolunteerID  int64
	Name         string
	CommunityID  int64
	Balance      int // minutes
	Earned       int // service and activity credits net of reversals
	Opening      int
	DonatedOut   int // given away (positive)
	DonatedIn    int
	Entries      []HoursEntry
	TotalEntries int
}

const hoursEntryColumns = `l.id, l.source, l.minutes, l.at, COALESCE(l.record_id, 0), COALESCE(l.amendment_id, 0), COALESCE(l.activity_id, 0),
 COALESCE(l.transfer_id, 0), COALESCE(r.kind, ''), COALESCE(r.type, ''), COALESCE(e.name, ''),
 COALESCE(tv.name, te.name, ''), l.note, l.entered_by, l.entered_at`

const hoursEntryJoins = ` LEFT JOIN service_records r ON r.id = l.record_id
 LEFT JOIN elders e ON e.id = r.elder_id
 LEFT JOIN hours_ledger t ON t.id = l.transfer_id
 LEFT JOIN volunteers tv ON tv.id = t.volunteer_id
 LEFT JOIN elders te ON te.id = t.elder_id`

// VolunteerHours returns a volunteer's account: balance, totals and up to
// limit newest entries (0: 50). The volunteer sees their own; staff the
// volunteers of their community or street.
func (db *DB) VolunteerHours(ctx context.Context, a care.Actor, volunteerID int64, limit int) (*HoursAccount, error) {
	v, err := db.getVolunteer(ctx, db.read, a, volunteerID)
	if err != nil {
		return nil, err
	}
	acc := &HoursAccount{VolunteerID: v.ID, Name: v.Name, CommunityID: v.CommunityID}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT source, SUM(CASE WHEN minutes > 0 THEN minutes ELSE 0 END),
 SUM(CASE WHEN minutes < 0 THEN minutes ELSE 0 END), COUNT(*) FROM hours_ledger WHERE volunteer_id = ? GROUP BY source`), v.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var src string
		var plus, minus int
		var n int
		if err := rows.Scan(&src, &plus, &minus, &n); err != nil {
			return nil, err
		}
		acc.Balance += plus + minus
		acc.TotalEntries += n
		switch src {
		case hours.SourceOpening:
			acc.Opening += plus + minus
		case hours.SourceDonation:
			acc.DonatedOut, acc.DonatedIn = -minus, plus
		default:
			acc.Earned += plus + minus
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	acc.Entries, err = db.hoursEntries(ctx, `l.volunteer_id = ?`, []any{v.ID}, time.Time{}, time.Time{}, limit)
	return acc, err
}

// hoursEntries reads entries matching where, newest first, with at in
// [from, to) when given.
func (db *DB) hoursEntries(ctx context.Context, where string, args []any, from, to time.Time, limit int) ([]HoursEntry, error) {
	if !from.IsZero() {
		where += " AND l.at >= ? AND l.at < ?"
		args = append(args, stamp(from), stamp(to))
	}
	q := `SELECT ` + hoursEntryColumns + ` FROM hours_ledger l` + hoursEntryJoins + ` WHERE ` + where + ` ORDER BY l.id DESC`
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := db.read.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HoursEntry
	for rows.Next() {
		var e HoursEntry
		var at, entered string
		if err := rows.Scan(&e.ID, &e.Source, &e.Minutes, &at, &e.RecordID, &e.AmendmentID, &e.ActivityID, &e.TransferID,
			&e.Kind, &e.Type, &e.ElderName, &e.Counterparty, &e.Note, &e.EnteredBy, &entered); err != nil {
			return nil, err
		}
		e.At, e.EnteredAt = parseStamp(at), parseStamp(entered)
		out = append(out, e)
	}
	return out, rows.Err()
}

// HoursCertificate is a service-hours certificate (志愿服务时长证明) of one
// volunteer and period: the hours served in the period as the ledger
// holds them now (corrections included), by month and kind of service.
type HoursCertificate struct {
	VolunteerID int64
	Name        string
	Kind        string
	Community   string
	Street      string
	Period      hours.Period
	Minutes     int // service and activity, net of reversals, in the period
	Services    int // records credited in the period
	ByKind      map[string]int
	ByMonth     []MonthMinutes
	Balance     int // the balance as the certificate is made
	IssuedBy    string
	IssuedAt    time.Time
}

// MonthMinutes is one month's credited minutes.
type MonthMinutes struct {
	Month   string
	Minutes int
}

// GetHoursCertificate makes a volunteer's certificate for a period; making
// it is audited. Community staff, the station and the volunteer themself.
func (db *DB) GetHoursCertificate(ctx context.Context, a care.Actor, volunteerID int64, period string) (*HoursCertificate, error) {
	p, err := hours.ParsePeriod(period, db.Loc)
	if err != nil {
		return nil, err
	}
	v, err := db.getVolunteer(ctx, db.read, a, volunteerID)
	if err != nil {
		return nil, err
	}
	c := &HoursCertificate{VolunteerID: v.ID, Name: v.Name, Kind: v.Kind, Period: p, ByKind: map[string]int{}, IssuedBy: a.Username, IssuedAt: db.Now()}
	// The certificate names who issued it by display name (issue 14 point 5).
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT display_name FROM users WHERE username = ? AND display_name <> ''`), a.Username).Scan(&c.IssuedBy); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT c.name, s.name FROM communities c JOIN streets s ON s.id = c.street_id WHERE c.id = ?`),
		v.CommunityID).Scan(&c.Community, &c.Street); err != nil {
		return nil, err
	}
	entries, err := db.hoursEntries(ctx, `l.volunteer_id = ? AND l.source IN ('service', 'reversal', 'activity')`, []any{v.ID}, p.From, p.To, 0)
	if err != nil {
		return nil, err
	}
	months := map[string]int{}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		c.Minutes += e.Minutes
		m := e.At.In(db.Loc).Format("2006-01")
		if _, ok := months[m]; !ok {
			c.ByMonth = append(c.ByMonth, MonthMinutes{Month: m})
		}
		months[m] += e.Minutes
		kind := e.Kind
		if e.Source == hours.SourceActivity {
			kind = "activity"
		}
		c.ByKind[kind] += e.Minutes
		if e.Source == hours.SourceService {
			c.Services++
		} else if e.Source == hours.SourceReversal && e.AmendmentID != 0 {
			c.Services-- // the record's credit is taken back; a re-credit counts it again
		}
	}
	for i := range c.ByMonth {
		c.ByMonth[i].Minutes = months[c.ByMonth[i].Month]
	}
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT COALESCE(SUM(minutes), 0) FROM hours_ledger WHERE volunteer_id = ?`), v.ID).Scan(&c.Balance); err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		return db.audit(ctx, tx, a, "hours_certificate", "volunteer", v.ID, nil, map[string]string{"period": p.Label})
	})
	return c, err
}

// HoursTransfer is a donation as stored: its two entries.
type HoursTransfer struct {
	OutID, InID int64
	From        int64
	To          hours.Account
	Minutes     int
	Balance     int // the giver's balance after it
}

// DonateHours moves hours from a volunteer to another volunteer or to an
// elder's future-care account of the same street (时间银行): two entries in
// one transaction, never more than the balance, audited. The volunteer
// donates their own hours; community staff and the station may record a
// donation for a volunteer they see (asked on paper).
func (db *DB) DonateHours(ctx context.Context, a care.Actor, d hours.Donation) (*HoursTransfer, error) {
	if a.Role != care.RoleVolunteer && !staffRole(a) {
		return nil, care.ErrForbidden()
	}
	var t *HoursTransfer
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getVolunteer(ctx, tx, a, d.From); err != nil {
			return err
		}
		var fromStreet, fromCommunity int64
		// The giver's row is locked so two donations cannot both spend the
		// same balance (SQLite has one writer anyway).
		if err := tx.QueryRowContext(ctx, db.q(`SELECT c.street_id, v.community_id FROM volunteers v JOIN communities c ON c.id = v.community_id
 WHERE v.id = ?`+db.dialect.forUpdate), d.From).Scan(&fromStreet, &fromCommunity); err != nil {
			return err
		}
		var balance int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COALESCE(SUM(minutes), 0) FROM hours_ledger WHERE volunteer_id = ?`), d.From).Scan(&balance); err != nil {
			return err
		}
		toStreet, toCommunity, err := db.accountPlace(ctx, tx, d.To)
		if err != nil {
			return err
		}
		if err := hours.ValidateDonation(d, balance, fromStreet, toStreet); err != nil {
			return err
		}
		now := db.Now()
		out, err := db.ledgerInsertID(ctx, tx, ledgerEntry{street: fromStreet, community: fromCommunity, volunteer: d.From, source: hours.SourceDonation,
			minutes: -d.Minutes, at: now, note: d.Note, by: a.Username, when: now})
		if err != nil {
			return err
		}
		in, err := db.ledgerInsertID(ctx, tx, ledgerEntry{street: toStreet, community: toCommunity, volunteer: d.To.VolunteerID, elder: d.To.ElderID,
			source: hours.SourceDonation, minutes: d.Minutes, at: now, transfer: out, note: d.Note, by: a.Username, when: now})
		if err != nil {
			return err
		}
		// The giver's entry names the receiver's: the pair reads both ways.
		// (Entries are never changed, so the link is found through in.transfer_id.)
		t = &HoursTransfer{OutID: out, InID: in, From: d.From, To: d.To, Minutes: d.Minutes, Balance: balance - d.Minutes}
		return db.audit(ctx, tx, a, "donate_hours", "volunteer", d.From, nil, map[string]any{
			"minutes": d.Minutes, "to_volunteer_id": d.To.VolunteerID, "to_elder_id": d.To.ElderID, "entries": []int64{out, in}})
	})
	return t, err
}

// accountPlace returns the street and community of a receiving account;
// a receiver that does not exist is refused naming the field.
func (db *DB) accountPlace(ctx context.Context, tx *sql.Tx, to hours.Account) (int64, int64, error) {
	var street, community int64
	var err error
	switch {
	case to.VolunteerID != 0:
		err = tx.QueryRowContext(ctx, db.q(`SELECT c.street_id, v.community_id FROM volunteers v JOIN communities c ON c.id = v.community_id
 WHERE v.id = ? AND v.status <> 'left'`), to.VolunteerID).Scan(&street, &community)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, care.FieldErrors{"to_volunteer_id": care.Msg{ZH: "没有这位在册志愿者", EN: "no such volunteer on the register"}}.Err()
		}
	case to.ElderID != 0:
		err = tx.QueryRowContext(ctx, db.q(`SELECT c.street_id, e.community_id FROM elders e JOIN communities c ON c.id = e.community_id
 WHERE e.id = ? AND e.status NOT IN ('moved', 'deceased')`), to.ElderID).Scan(&street, &community)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, care.FieldErrors{"to_elder_id": care.Msg{ZH: "没有这位在册老人", EN: "no such elder on the register"}}.Err()
		}
	}
	return street, community, err
}

// HoursPolicy returns a street's rule (the defaults when it set none).
func (db *DB) HoursPolicy(ctx context.Context, streetID int64) (hours.Policy, error) {
	return db.streetPolicy(ctx, db.read, streetID)
}

// SaveHoursPolicy sets the station's street's rule: which records earn and
// the standard durations it overrides. Audited; only the station.
func (db *DB) SaveHoursPolicy(ctx context.Context, a care.Actor, p hours.Policy) error {
	if a.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		old, err := db.streetPolicy(ctx, tx, a.StreetID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO hours_policies (street_id, earn, updated_by, updated_at) VALUES (?,?,?,?)
 ON CONFLICT (street_id) DO UPDATE SET earn = excluded.earn, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
			a.StreetID, p.Earn, a.Username, db.now()); err != nil {
			return err
		}
		for k, m := range p.Standard {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO hours_standards (street_id, type_key, minutes) VALUES (?,?,?)
 ON CONFLICT (street_id, type_key) DO UPDATE SET minutes = excluded.minutes`), a.StreetID, k, m); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, a, "hours_policy", "street", a.StreetID, old, p)
	})
}
