package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"carecircle/internal/care"
)

// A household visit (为全户记录): one visit to a household recorded as one
// service record per current member, all sharing
// service_records.household_visit_id (a row of household_visits), written
// in ONE transaction by the record writer through appendRecord, so every
// member's record is checked like any other (who may record, bounds,
// times, the signed month). The proof offered is checked on the member it
// belongs to (whose card was scanned or who gave the PIN); the other
// members' records carry the method "household" and that record's
// verification. Compliance counts the visit for every member; the hours
// ledger credits the volunteer once per group.

// householdWrite is the rest of a household visit queued with its first
// record (writeReq.rec, the member the proof belongs to).
type householdWrite struct {
	householdID int64
	others      []*care.ServiceRecord // filled by the writer
	enteredAt   time.Time             // zero: now (the demo's history sets it)
}

// records lists every record a queued request stored.
func (req *writeReq) records() []*care.ServiceRecord {
	if req.household == nil {
		return []*care.ServiceRecord{req.rec}
	}
	return append([]*care.ServiceRecord{req.rec}, req.household.others...)
}

var msgHouseholdProof = care.Msg{ZH: "同户核验只用于为全户记录", EN: "household verification is for a visit recorded for the whole household"}

// AddHouseholdVisit records one visit for every current member of
// household hid. r describes the visit and names in ElderID the member
// the proof p belongs to. The records come back first r's, then the other
// members' by elder. With an attempt key a retry gets the records stored
// the first time (replay true).
func (db *DB) AddHouseholdVisit(ctx context.Context, a care.Actor, hid int64, r *care.ServiceRecord, p Proof, at Attempt) ([]*care.ServiceRecord, bool, error) {
	if at.Key != "" {
		if err := at.check(); err != nil {
			return nil, false, err
		}
		if id, ok, err := db.attemptRecord(ctx, db.read, a, at); err != nil || ok {
			if err != nil {
				return nil, false, err
			}
			recs, err := db.householdReplay(ctx, db.read, a, id)
			return recs, true, err
		}
	}
	if r.HouseholdVisitID != "" || r.Amends != nil {
		return nil, false, care.FieldErrors{"household_visit_id": care.Msg{ZH: "由系统生成，请勿填写", EN: "is set by the system"}}.Err()
	}
	req := &writeReq{ctx: ctx, actor: a, rec: r, proof: p, attempt: at, done: make(chan error, 1),
		household: &householdWrite{householdID: hid}}
	db.recording.Add(1)
	defer db.recording.Add(-1)
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	case <-db.closed:
		return nil, false, errors.New("store: closed")
	}
	var err error
	select {
	case err = <-req.done:
	case <-db.writerDone:
		select {
		case err = <-req.done:
		default:
			err = errors.New("store: closed")
		}
	}
	if err != nil && at.Key != "" && care.ErrorCode(err) == care.EConflict {
		if id, ok, err2 := db.attemptRecord(ctx, db.read, a, at); err2 == nil && ok {
			recs, err := db.householdReplay(ctx, db.read, a, id)
			return recs, true, err
		}
	}
	if err != nil {
		return nil, false, err
	}
	if req.replay {
		recs, err := db.householdReplay(ctx, db.read, a, req.rec.ID)
		return recs, true, err
	}
	return req.records(), false, nil
}

// householdReplay returns the records of the household visit whose first
// record is id, as the actor may see them.
func (db *DB) householdReplay(ctx context.Context, q householdQuerier, a care.Actor, id int64) ([]*care.ServiceRecord, error) {
	first, err := db.recordFor(ctx, q, a, id)
	if err != nil {
		return nil, err
	}
	out := []*care.ServiceRecord{first}
	if first.HouseholdVisitID == "" {
		return out, nil
	}
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, db.q(`SELECT `+recordColumns+` FROM service_records r JOIN elders e ON e.id = r.elder_id
 WHERE r.household_visit_id = ? AND r.id <> ? AND `+scope+` ORDER BY r.elder_id`), append([]any{first.HouseholdVisitID, id}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// appendHouseholdOnce is appendOnce for a household visit.
func (db *DB) appendHouseholdOnce(ctx context.Context, tx *wtx, req *writeReq) error {
	if req.attempt.Key != "" {
		id, ok, err := db.attemptRecord(ctx, tx, req.actor, req.attempt)
		if err != nil {
			return err
		}
		if ok {
			req.replay = true
			return db.replayInto(ctx, tx, req.actor, id, req.rec)
		}
	}
	now := req.household.enteredAt
	if now.IsZero() {
		now = db.Now()
	}
	others, err := db.appendHouseholdVisit(ctx, tx, req.actor, req.household.householdID, req.rec, req.proof, now)
	if err != nil {
		return err
	}
	req.household.others = others
	if req.attempt.Key == "" {
		return nil
	}
	return db.rememberAttempt(ctx, tx, req.actor, req.attempt, req.rec.ID)
}

// appendHouseholdVisit writes the visit's group row and one record per
// current member inside tx, judged as made at now.
func (db *DB) appendHouseholdVisit(ctx context.Context, tx *wtx, a care.Actor, hid int64, r *care.ServiceRecord, p Proof, now time.Time) ([]*care.ServiceRecord, error) {
	h, err := db.getHousehold(ctx, tx.Tx, a, hid)
	if err != nil {
		return nil, err
	}
	members := h.CurrentMembers()
	var total int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM household_members WHERE household_id = ? AND to_date IS NULL`), hid).Scan(&total); err != nil {
		return nil, err
	}
	if total != len(members) { // a volunteer sees only the members paired with them
		return nil, care.FieldErrors{"household_id": care.Msg{ZH: "本户有老人未与您结对，不能为全户记录；请只为本人记录",
			EN: "a member of the household is not paired with you; record for the elder only"}}.Err()
	}
	isMember := false
	for _, m := range members {
		isMember = isMember || m.ElderID == r.ElderID
	}
	f := care.FieldErrors{}
	switch {
	case len(members) < 2:
		f.Add("household_id", msgHouseholdTwo)
	case !isMember:
		f.Add("elder_id", msgNotMember)
	}
	if p.Method == "household" {
		f.Add("verification", msgHouseholdProof)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	// Every member must be one the actor may record for: a volunteer
	// paired with the whole household (包户结对), staff of its community.
	for _, m := range members {
		if _, err := db.getElder(ctx, tx, a, m.ElderID); care.ErrorCode(err) == care.ENotFound {
			return nil, care.FieldErrors{"household_id": care.Msg{ZH: m.ElderName + " 未与您结对，不能为全户记录；请只为本人记录",
				EN: m.ElderName + " is not paired with you; record for the elder only"}}.Err()
		} else if err != nil {
			return nil, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM household_visits WHERE household_id = ?`), hid).Scan(&n); err != nil {
		return nil, err
	}
	id := "h" + strconv.FormatInt(hid, 10) + "-" + strconv.Itoa(n+1)
	var vol any
	if a.Role == care.RoleVolunteer {
		vol = a.VolunteerID
	} else if r.VolunteerID != nil {
		vol = *r.VolunteerID
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO household_visits (id, household_id, volunteer_id, at, entered_by, entered_at)
 VALUES (?,?,?,?,?,?)`), id, hid, vol, stamp(r.At), a.Username, stamp(now)); err != nil {
		return nil, err
	}
	tmpl := *r
	r.HouseholdVisitID = id
	if err := db.appendRecord(ctx, tx, a, r, p, now); err != nil {
		return nil, err
	}
	var others []*care.ServiceRecord
	for _, m := range members {
		if m.ElderID == r.ElderID {
			continue
		}
		o := tmpl
		o.ElderID, o.HouseholdVisitID = m.ElderID, id
		if err := db.appendRecord(ctx, tx, a, &o, Proof{Method: "household"}, now); err != nil {
			var ce *care.Error
			if errors.As(err, &ce) && ce.Code == care.EInvalid {
				// Name the member whose record was refused.
				f := care.FieldErrors{}
				for k, msg := range ce.Fields {
					f.Add(k, care.Msg{ZH: m.ElderName + "：" + msg.ZH, EN: m.ElderName + ": " + msg.EN})
				}
				return nil, f.Err()
			}
			if errors.As(err, &ce) && ce.Code == care.EConflict {
				return nil, &care.Error{Code: care.EConflict, Message: m.ElderName + "：" + ce.Message}
			}
			return nil, err
		}
		others = append(others, &o)
	}
	return others, nil
}

// checkHouseholdRecord checks a record that says it belongs to a household
// visit: the visit exists, at the same time, the elder is a current member
// of its household, and has no other record of it.
func (db *DB) checkHouseholdRecord(ctx context.Context, tx *wtx, r *care.ServiceRecord) error {
	var at string
	var member, dup int
	err := tx.QueryRowContext(ctx, db.q(`SELECT v.at,
 (SELECT COUNT(*) FROM household_members hm WHERE hm.household_id = v.household_id AND hm.elder_id = ? AND hm.to_date IS NULL),
 (SELECT COUNT(*) FROM service_records s WHERE s.household_visit_id = v.id AND s.elder_id = ?)
 FROM household_visits v WHERE v.id = ?`), r.ElderID, r.ElderID, r.HouseholdVisitID).Scan(&at, &member, &dup)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return care.FieldErrors{"household_visit_id": care.Msg{ZH: "没有这次全户探访", EN: "no such household visit"}}.Err()
	case err != nil:
		return err
	case member == 0:
		return care.FieldErrors{"elder_id": msgNotMember}.Err()
	case dup > 0:
		return &care.Error{Code: care.EConflict, Message: "这次全户探访已为该老人记录 / this household visit is already recorded for the elder"}
	case at != stamp(r.At):
		return care.FieldErrors{"at": care.Msg{ZH: "全户探访的各条记录时间须相同", EN: "the records of a household visit share its time"}}.Err()
	}
	return nil
}

// verifyWithHousehold gives a member's record of a household visit the
// verification of the visit's first record (the member whose proof was
// checked).
func (db *DB) verifyWithHousehold(ctx context.Context, tx *wtx, r *care.ServiceRecord) error {
	if r.HouseholdVisitID == "" {
		return care.FieldErrors{"verification": msgHouseholdProof}.Err()
	}
	var id int64
	var verified bool
	var method, detail string
	err := tx.QueryRowContext(ctx, db.q(`SELECT id, verified, method, verify_detail FROM service_records
 WHERE household_visit_id = ? AND elder_id <> ? AND method <> 'household' ORDER BY id LIMIT 1`), r.HouseholdVisitID, r.ElderID).Scan(&id, &verified, &method, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return care.FieldErrors{"verification": msgHouseholdProof}.Err()
	}
	if err != nil {
		return err
	}
	r.Verified = verified
	r.VerifyDetail = fmt.Sprintf("#%d %s", id, method)
	if detail != "" {
		r.VerifyDetail += " " + detail
	}
	return nil
}

// HouseholdVisitItem is one household visit of a history written at once.
type HouseholdVisitItem struct {
	Actor       care.Actor
	HouseholdID int64
	Record      *care.ServiceRecord
	Proof       Proof
	EnteredAt   time.Time
}

// AddHouseholdVisitBatch stores household visits in one transaction, all
// or none, with the checks of AddHouseholdVisit. The demo's history uses
// it; it is not a path around any rule.
func (db *DB) AddHouseholdVisitBatch(ctx context.Context, items []HouseholdVisitItem) error {
	for _, it := range items {
		if err := db.ensurePartition(ctx, monthOf(it.Record.At.In(db.Loc))); err != nil {
			return err
		}
	}
	defer db.prepareWanted(ctx)
	var stored []*care.ServiceRecord
	err := db.tx(ctx, func(tx *sql.Tx) error {
		w := newWtx(tx, db)
		if err := db.lockRecordOrder(ctx, tx); err != nil {
			return err
		}
		for i, it := range items {
			now := it.EnteredAt
			if now.IsZero() {
				now = db.Now()
			}
			others, err := db.appendHouseholdVisit(ctx, w, it.Actor, it.HouseholdID, it.Record, it.Proof, now)
			if err != nil {
				return fmt.Errorf("household visit %d (household %d, %s): %w", i, it.HouseholdID, it.Record.At.Format(time.RFC3339), err)
			}
			stored = append(append(stored, it.Record), others...)
		}
		return nil
	})
	if err == nil {
		db.notifyRecorded(stored)
	}
	return err
}
