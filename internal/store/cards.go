package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"carecircle/internal/care"
)

// CardSignature is the station's monthly inspection signature on a card
// (每月检查, 签字认可). It locks the month.
type CardSignature struct {
	ElderID   int64
	Month     string
	Result    string // pass, needs_improvement
	Comment   string
	SignedBy  string
	SignedAt  time.Time
	ChainLen  int64
	ChainHead string
	MAC       string
}

// SignResults are the outcomes of an inspection.
var SignResults = []care.Choice{
	{Code: "pass", Label: care.Msg{ZH: "合格", EN: "pass"}},
	{Code: "needs_improvement", Label: care.Msg{ZH: "需改进", EN: "needs improvement"}},
}

// rowsQuerier is a *sql.DB or a *sql.Tx.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// CardEntry is a service on the card with the amendments that correct it.
type CardEntry struct {
	care.ServiceRecord
	Amendments []care.ServiceRecord
	// Voided is set when an amendment struck the record out.
	Voided bool
}

// Card is one elder's service card for one month.
type Card struct {
	Elder     *care.Elder
	Month     string
	Team      []TeamMember
	Entries   []CardEntry
	Signature *CardSignature
	Flags     CardFlags
}

// CardFlags are what an inspector should look at (care.Evidence says what
// stands behind each record).
type CardFlags struct {
	Services int
	// Unverified counts volunteers' services without proof other than daily
	// greetings, and services whose position was too far from the home.
	Unverified int
	// UnverifiedGreetings counts daily greetings without proof.
	UnverifiedGreetings int
	Amended             int
	Missing             bool // no service at all this month
	// Proven counts services verified by the card's QR code or the elder's
	// PIN; Positions those verified by the phone's reported position, weaker.
	Proven, Positions int
}

// Clean reports whether the card can be signed in bulk without a look: no
// service without proof, none corrected, and not resting on positions alone.
// An organisation's own records and those copied from the paper card are
// not flags (care.EvidenceSource).
func (f CardFlags) Clean() bool {
	return !f.Missing && f.Unverified == 0 && f.UnverifiedGreetings == 0 && f.Amended == 0 && !f.GeoOnly()
}

// GreetingsOnly reports a card whose only flag is daily greetings without
// proof, on a month in which the card or the PIN was seen at least once:
// it may be signed in bulk after the station has seen the summary.
func (f CardFlags) GreetingsOnly() bool {
	return !f.Missing && f.UnverifiedGreetings > 0 && f.Unverified == 0 && f.Amended == 0 && f.Proven > 0
}

// Flagged reports any flag at all.
func (f CardFlags) Flagged() bool { return !f.Clean() }

// GeoOnly reports a card whose verified services all rest on the phone's
// reported position: an inspector should look before signing it.
func (f CardFlags) GeoOnly() bool { return f.Positions > 0 && f.Proven == 0 }

const recordColumns = `r.id, r.elder_id, r.seq, r.month, r.kind, r.type, r.at, r.end_at, r.volunteer_id, r.served_by, r.note,
 r.amount_cents, r.method, r.verified, r.verify_detail, r.source, r.entered_by, r.entered_at, r.amends, r.amend_reason, r.changes,
 r.prev_hash, r.hash, r.by_committee, COALESCE(r.household_visit_id, '')`

func scanRecord(row interface{ Scan(...any) error }) (*care.ServiceRecord, error) {
	var r care.ServiceRecord
	var at, enteredAt, changes string
	var end sql.NullString
	var vol, amends sql.NullInt64
	if err := row.Scan(&r.ID, &r.ElderID, &r.Seq, &r.Month, &r.Kind, &r.Type, &at, &end, &vol, &r.ServedBy, &r.Note,
		&r.AmountCents, &r.Method, &r.Verified, &r.VerifyDetail, &r.Source, &r.EnteredBy, &enteredAt, &amends, &r.AmendReason,
		&changes, &r.PrevHash, &r.Hash, &r.ByCommittee, &r.HouseholdVisitID); err != nil {
		return nil, err
	}
	r.At, r.EnteredAt = parseStamp(at), parseStamp(enteredAt)
	if end.Valid {
		t := parseStamp(end.String)
		r.EndAt = &t
	}
	if vol.Valid {
		r.VolunteerID = &vol.Int64
	}
	if amends.Valid {
		r.Amends = &amends.Int64
	}
	if changes != "" {
		if err := json.Unmarshal([]byte(changes), &r.Changes); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// ValidMonth checks a YYYY-MM month.
func ValidMonth(m string) error {
	if _, err := time.Parse("2006-01", m); err != nil || len(m) != 7 {
		return care.FieldErrors{"month": care.Msg{ZH: "月份格式应为 2026-11", EN: "the month must look like 2026-11"}}.Err()
	}
	return nil
}

// GetCard returns an elder's card for a month: the services in order with
// their amendments, the team, the flags and the signature.
func (db *DB) GetCard(ctx context.Context, a care.Actor, elderID int64, month string) (*Card, error) {
	if err := ValidMonth(month); err != nil {
		return nil, err
	}
	e, err := db.GetElder(ctx, a, elderID)
	if err != nil {
		return nil, err
	}
	c := &Card{Elder: e, Month: month}
	if c.Team, err = db.ElderTeam(ctx, a, elderID); err != nil {
		return nil, err
	}
	if c.Entries, err = db.cardEntries(ctx, db.read, elderID, month); err != nil {
		return nil, err
	}
	if c.Signature, err = db.signature(ctx, db.read, elderID, month); err != nil {
		return nil, err
	}
	c.Flags = flagsOf(c.Entries)
	return c, nil
}

func flagsOf(entries []CardEntry) CardFlags {
	f := CardFlags{Missing: true}
	for _, en := range entries {
		if len(en.Amendments) > 0 {
			f.Amended++ // striking a record out is a correction too
		}
		if en.Voided {
			continue
		}
		f.Services++
		f.Missing = false
		switch en.Evidence() {
		case care.EvidenceProof:
			f.Proven++
		case care.EvidencePosition:
			f.Positions++
		case care.EvidenceNoneGreeting:
			f.UnverifiedGreetings++
		case care.EvidenceNone:
			f.Unverified++
		}
	}
	return f
}

// cardEntries reads the month's records and the amendments that point at
// them (an amendment is stored in the month it was made, which may be later).
func (db *DB) cardEntries(ctx context.Context, q rowsQuerier, elderID int64, month string) ([]CardEntry, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT `+recordColumns+` FROM service_records r
 WHERE r.elder_id = ? AND ((r.month = ? AND r.amends IS NULL)
  OR r.amends IN (SELECT o.id FROM service_records o WHERE o.elder_id = ? AND o.month = ?))
 ORDER BY r.at, r.seq`), elderID, month, elderID, month)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CardEntry
	idx := map[int64]int{}
	var amendments []care.ServiceRecord
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		if r.Amends != nil {
			amendments = append(amendments, *r)
			continue
		}
		idx[r.ID] = len(out)
		out = append(out, CardEntry{ServiceRecord: *r})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, am := range amendments {
		if i, ok := idx[*am.Amends]; ok {
			en := &out[i]
			en.Amendments = append(en.Amendments, am)
			if v, _ := am.Changes["void"].(bool); v {
				en.Voided = true
			}
		}
	}
	return out, nil
}

func (db *DB) signature(ctx context.Context, q querier, elderID int64, month string) (*CardSignature, error) {
	s := CardSignature{ElderID: elderID, Month: month}
	var at string
	err := q.QueryRowContext(ctx, db.q(`SELECT result, comment, signed_by, signed_at, chain_len, chain_head, mac
 FROM card_signatures WHERE elder_id = ? AND month = ?`), elderID, month).Scan(&s.Result, &s.Comment, &s.SignedBy, &at, &s.ChainLen, &s.ChainHead, &s.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.SignedAt = parseStamp(at)
	return &s, nil
}

// checkSignable refuses a malformed month and one that has not ended:
// signing locks the card, and the month's visits are still being made.
func (db *DB) checkSignable(month string) error {
	if err := ValidMonth(month); err != nil {
		return err
	}
	if month >= monthOf(db.Now().In(db.Loc)) {
		return &care.Error{Code: care.EMonthNotEnded, Message: month + " 还没有结束，月底之后才能签字确认 / " + month + " has not ended; cards are signed after the month ends",
			Fields: map[string]care.Msg{"month": {ZH: "只能签署已经结束的月份", EN: "only a month that has ended can be signed"}}}
	}
	return nil
}

// LastEndedMonth is the month inspection opens on: the last one that has ended.
func (db *DB) LastEndedMonth() string {
	n := db.Now().In(db.Loc)
	return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, db.Loc).AddDate(0, -1, 0).Format("2006-01")
}

// SignCard is the station's inspection signature on one card. It seals the
// elder's chain as it stands and locks the month.
func (db *DB) SignCard(ctx context.Context, a care.Actor, elderID int64, month, result, comment string) (*CardSignature, error) {
	if a.Role != care.RoleStation {
		return nil, care.ErrForbidden()
	}
	f := care.FieldErrors{}
	if result != "pass" && result != "needs_improvement" {
		f.Add("result", care.MsgBadChoice)
	}
	if err := db.checkSignable(month); err != nil {
		if care.ErrorCode(err) == care.EMonthNotEnded {
			return nil, err
		}
		f.Add("month", care.Msg{ZH: "月份格式应为 2026-11", EN: "the month must look like 2026-11"})
	}
	comment = strings.TrimSpace(comment)
	if result == "needs_improvement" && comment == "" {
		f.Add("comment", care.Msg{ZH: "需改进时请写明意见", EN: "say what needs improving"})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var sig *CardSignature
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		sig, err = db.signTx(ctx, tx, a, elderID, month, result, comment)
		return err
	})
	return sig, err
}

func (db *DB) signTx(ctx context.Context, tx *sql.Tx, a care.Actor, elderID int64, month, result, comment string) (*CardSignature, error) {
	if _, err := db.getElder(ctx, tx, a, elderID); err != nil {
		return nil, err
	}
	if old, err := db.signature(ctx, tx, elderID, month); err != nil {
		return nil, err
	} else if old != nil {
		return nil, &care.Error{Code: care.EConflict, Message: month + " 的服务卡已签字 / the card is already signed"}
	}
	s := &CardSignature{ElderID: elderID, Month: month, Result: result, Comment: comment, SignedBy: a.Username, SignedAt: db.Now()}
	var sigLen int64
	var sigSeal string
	if err := tx.QueryRowContext(ctx, db.q("SELECT chain_len, chain_last, sig_len, sig_seal FROM elders WHERE id = ?"+db.dialect.forUpdate),
		elderID).Scan(&s.ChainLen, &s.ChainHead, &sigLen, &sigSeal); err != nil {
		return nil, err
	}
	s.MAC = db.signatureMAC(s)
	if _, err := tx.ExecContext(ctx, db.q("UPDATE elders SET sig_len = ?, sig_seal = ? WHERE id = ?"),
		sigLen+1, db.sigSeal(sigSeal, sigLen+1, s.MAC), elderID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO card_signatures (elder_id, month, result, comment, signed_by, signed_at, chain_len, chain_head, mac)
 VALUES (?,?,?,?,?,?,?,?,?)`), s.ElderID, s.Month, s.Result, s.Comment, s.SignedBy, stamp(s.SignedAt), s.ChainLen, s.ChainHead, s.MAC); err != nil {
		return nil, err
	}
	if err := db.creditSignedCard(ctx, tx, a, elderID, month); err != nil { // the signature confirms the card's records (hours.go)
		return nil, err
	}
	return s, db.audit(ctx, tx, a, "sign_card", "elder", elderID, nil, map[string]string{"month": month, "result": result, "comment": comment})
}

// SignCleanCards signs, in one go, the given cards of a month that carry no
// flag; each signature gets its own audit entry. It returns how many were
// signed and skips (without error) cards that are flagged or already signed.
// An elder the station cannot see is 404 and nothing is signed: another
// street's elder is never skipped quietly as if its card were flagged.
func (db *DB) SignCleanCards(ctx context.Context, a care.Actor, elderIDs []int64, month, comment string) (int, error) {
	comment = strings.TrimSpace(comment)
	return db.signInBulk(ctx, a, elderIDs, month, func(f CardFlags) (bool, string) { return f.Clean(), comment })
}
