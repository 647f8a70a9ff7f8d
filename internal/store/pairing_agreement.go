package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"carecircle/internal/care"
)

// Signatory is one signature on an assistance agreement.
type Signatory struct {
	Party string `json:"party"` // one of AgreementParties
	Name  string `json:"name"`
}

// AgreementParties are who signs a 帮扶协议: the elder (甲方) or a guardian
// for them, the volunteer (乙方), and the community committee (丙方), which
// organises the pairing; a clinic may sign too.
var AgreementParties = []care.Choice{
	{Code: "elder", Label: care.Msg{ZH: "服务对象（甲方）", EN: "elder (party A)"}},
	{Code: "guardian", Label: care.Msg{ZH: "监护人或代理人（代甲方）", EN: "guardian or proxy (for party A)"}},
	{Code: "volunteer", Label: care.Msg{ZH: "志愿者（乙方）", EN: "volunteer (party B)"}},
	{Code: "community", Label: care.Msg{ZH: "社区居委会（丙方）", EN: "community committee (party C)"}},
	{Code: "clinic", Label: care.Msg{ZH: "社区卫生服务机构", EN: "community clinic"}},
}

// Agreement is the signed assistance agreement (帮扶协议) of a pairing: who,
// from when, which services, and that it was signed (date, signatories).
// A renewed agreement is a new one; the newest is in force.
type Agreement struct {
	ID          int64
	PairingID   int64
	Services    []string // codes of care.ServiceKinds
	StartOn     time.Time
	SignedOn    time.Time
	Signatories []Signatory
	Terms       string // further terms, in the parties' words
	CreatedAt   time.Time
	CreatedBy   string
}

// RecordAgreement validates and records the signed agreement of a current
// pairing, reporting every field error at once.
func (db *DB) RecordAgreement(ctx context.Context, a care.Actor, ag *Agreement) error {
	return db.RecordAgreements(ctx, a, []*Agreement{ag})
}

// RecordAgreements records several agreements in one transaction, all or
// none (the demo signs a street's worth at once).
func (db *DB) RecordAgreements(ctx context.Context, a care.Actor, ags []*Agreement) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, ag := range ags {
			p, err := db.getPairing(ctx, tx, a, ag.PairingID)
			if err != nil {
				return err
			}
			if p.EndedOn != nil {
				return errPairingEnded
			}
			if err := db.checkAgreement(ag, p); err != nil {
				return err
			}
			if err := db.insertAgreement(ctx, tx, a, ag); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) checkAgreement(ag *Agreement, p *Pairing) error {
	f := care.FieldErrors{}
	if len(ag.Services) == 0 {
		f.Add("services", care.MsgRequired)
	}
	for _, s := range ag.Services {
		if care.Label(care.ServiceKinds, s, "zh") == s {
			f.Add("services", care.MsgBadChoice)
		}
	}
	today := db.today()
	switch {
	case ag.StartOn.IsZero():
		f.Add("start_on", care.MsgRequired)
	case ag.StartOn.Before(p.StartedOn):
		f.Add("start_on", care.Msg{ZH: "不能早于结对开始日期 " + dateString(p.StartedOn), EN: "cannot be before the pairing started on " + dateString(p.StartedOn)})
	case ag.StartOn.After(today.AddDate(1, 0, 0)):
		f.Add("start_on", care.Msg{ZH: "开始日期不能晚于一年以后", EN: "cannot start more than a year ahead"})
	}
	if ag.SignedOn.IsZero() {
		f.Add("signed_on", care.MsgRequired)
	} else {
		checkPastDate(f, "signed_on", ag.SignedOn, today)
	}
	checkSignatories(f, ag.Signatories)
	ag.Terms = trimmed(f, "terms", ag.Terms, false, 2000)
	return f.Err()
}

// checkSignatories wants the elder's side (the elder or a guardian) and the
// volunteer to have signed: an agreement between fewer is no agreement.
func checkSignatories(f care.FieldErrors, ss []Signatory) {
	parties := map[string]bool{}
	for i := range ss {
		s := &ss[i]
		s.Name = trimmed(f, "signatories", s.Name, true, 40)
		if care.Label(AgreementParties, s.Party, "zh") == s.Party {
			f.Add("signatories", care.MsgBadChoice)
		}
		parties[s.Party] = true
	}
	switch {
	case len(ss) > 10:
		f.Add("signatories", care.MsgTooLong)
	case !parties["elder"] && !parties["guardian"]:
		f.Add("signatories", care.Msg{ZH: "须有老人本人或其监护人、代理人签字", EN: "the elder or their guardian must sign"})
	case !parties["volunteer"]:
		f.Add("signatories", care.Msg{ZH: "须有志愿者签字", EN: "the volunteer must sign"})
	}
}

func (db *DB) insertAgreement(ctx context.Context, tx *sql.Tx, a care.Actor, ag *Agreement) error {
	now := db.Now()
	ag.CreatedAt, ag.CreatedBy = now, a.Username
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO agreements (pairing_id, services, start_on, signed_on, signatories, terms,
 created_at, created_by) VALUES (?,?,?,?,?,?,?,?) RETURNING id`), ag.PairingID, joinSet(orderedServices(ag.Services)),
		dateString(ag.StartOn), dateString(ag.SignedOn), toJSON(ag.Signatories), ag.Terms, stamp(now), a.Username).Scan(&ag.ID); err != nil {
		return err
	}
	return db.audit(ctx, tx, a, "create", "agreement", ag.ID, nil, ag)
}

// orderedServices lists the services in the programme's order, once each.
func orderedServices(s []string) []string {
	var out []string
	for _, k := range care.ServiceKinds {
		if slices.Contains(s, k.Code) {
			out = append(out, k.Code)
		}
	}
	return out
}

const agreementColumns = `ag.id, ag.pairing_id, ag.services, ag.start_on, ag.signed_on, ag.signatories, ag.terms, ag.created_at, ag.created_by`

func scanAgreement(row interface{ Scan(...any) error }) (*Agreement, error) {
	var ag Agreement
	var services, start, signed, sigs, created string
	if err := row.Scan(&ag.ID, &ag.PairingID, &services, &start, &signed, &sigs, &ag.Terms, &created, &ag.CreatedBy); err != nil {
		return nil, err
	}
	ag.Services, ag.StartOn, ag.SignedOn, ag.CreatedAt = splitSet(services), parseDate(start), parseDate(signed), parseStamp(created)
	if err := json.Unmarshal([]byte(sigs), &ag.Signatories); err != nil {
		return nil, fmt.Errorf("agreement %d signatories: %w", ag.ID, err)
	}
	return &ag, nil
}

// AgreementOf returns the agreement in force for a pairing the actor may
// see (a volunteer only their own), or not found.
func (db *DB) AgreementOf(ctx context.Context, a care.Actor, pairingID int64) (*Agreement, error) {
	if _, err := db.getPairing(ctx, db.read, a, pairingID); err != nil {
		return nil, err
	}
	ag, err := scanAgreement(db.read.QueryRowContext(ctx, db.q("SELECT "+agreementColumns+
		" FROM agreements ag WHERE ag.pairing_id = ? ORDER BY ag.id DESC LIMIT 1"), pairingID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("帮扶协议 / agreement")
	}
	return ag, err
}

// ElderAgreements returns the agreements in force of an elder's current
// pairings, by pairing, for the responsibility card.
func (db *DB) ElderAgreements(ctx context.Context, a care.Actor, elderID int64) (map[int64]Agreement, error) {
	if _, err := db.getElder(ctx, db.read, a, elderID); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+agreementColumns+` FROM agreements ag JOIN pairings p ON p.id = ag.pairing_id
 WHERE p.elder_id = ? AND p.ended_on IS NULL ORDER BY ag.id`), elderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]Agreement{}
	for rows.Next() {
		ag, err := scanAgreement(rows)
		if err != nil {
			return nil, err
		}
		out[ag.PairingID] = *ag // later rows are newer
	}
	return out, rows.Err()
}

// SetElderClinic assigns the clinic that serves an elder (every elder in
// service has one); it must serve the elder's community. nil removes it.
func (db *DB) SetElderClinic(ctx context.Context, a care.Actor, elderID int64, clinicID *int64) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.getElder(ctx, tx, a, elderID)
		if err != nil {
			return err
		}
		if err := db.checkClinic(ctx, tx, clinicID, e.CommunityID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE elders SET clinic_id = ?, updated_at = ? WHERE id = ?"), clinicID, db.now(), elderID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "update", "elder", elderID, map[string]any{"ClinicID": e.ClinicID}, map[string]any{"ClinicID": clinicID})
	})
}
