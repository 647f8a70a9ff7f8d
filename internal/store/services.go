package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Proof is what a volunteer offers to show a visit happened at the elder's
// home: the scanned card code, the elder's PIN, or the phone's position.
type Proof struct {
	Method   string
	Code     string
	PIN      string
	Lat, Lon *float64
}

// GeoRadiusDefault is how close (metres) a phone must be to the elder's home
// for a visit to count as verified by position.
const GeoRadiusDefault = 100

// writeReq is one record waiting for the group-commit writer.
type writeReq struct {
	ctx     context.Context
	actor   care.Actor
	rec     *care.ServiceRecord
	proof   Proof
	attempt Attempt
	replay  bool // set by the writer: the attempt's record was stored before
	done    chan error
	// household, when set, makes rec the first record of a household
	// visit (household_visits.go).
	household *householdWrite
}

// AddService records a service on an elder's card. It returns once the
// record is durably stored (or refused): an acknowledged record is never lost.
func (db *DB) AddService(ctx context.Context, a care.Actor, r *care.ServiceRecord, p Proof) error {
	_, err := db.AddServiceOnce(ctx, a, r, p, Attempt{})
	return err
}

// AddServiceOnce is AddService for a client's attempt named by a key: when
// the same account sent the same key within IdempotencyTTL, r becomes the
// record stored then, nothing new is stored, and replay is true. The same
// key with another fingerprint (another body) is refused.
func (db *DB) AddServiceOnce(ctx context.Context, a care.Actor, r *care.ServiceRecord, p Proof, at Attempt) (replay bool, err error) {
	if at.Key != "" {
		if err := at.check(); err != nil {
			return false, err
		}
		if id, ok, err := db.attemptRecord(ctx, hotReads{db}, a, at); err != nil || ok {
			if err != nil {
				return false, err
			}
			return true, db.replayInto(ctx, db.read, a, id, r)
		}
	}
	req := &writeReq{ctx: ctx, actor: a, rec: r, proof: p, attempt: at, done: make(chan error, 1)}
	db.recording.Add(1)
	defer db.recording.Add(-1)
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return false, ctx.Err()
	case <-db.closed:
		return false, errors.New("store: closed")
	}
	// Once queued the record is written even if the caller gives up, so wait
	// for the outcome rather than the context. A request queued as the store
	// closed may miss the writer's last drain: it is answered as closed.
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
		// Another server stored the same attempt first (its key is unique).
		if id, ok, err2 := db.attemptRecord(ctx, db.read, a, at); err2 == nil && ok {
			return true, db.replayInto(ctx, db.read, a, id, r)
		}
	}
	return req.replay, err
}

// writeLoop is the single writer of service records. Records that arrive
// together go into one transaction, each in its own savepoint, so a group
// costs one sync to disk and one refused record does not refuse the others.
func (db *DB) writeLoop() {
	defer close(db.writerDone)
	for {
		var first *writeReq
		select {
		case first = <-db.writes:
		case <-db.closed:
			for {
				select {
				case r := <-db.writes:
					r.done <- errors.New("store: closed")
				default:
					return
				}
			}
		}
		group := []*writeReq{first}
	gather:
		for len(group) < 256 {
			select {
			case r := <-db.writes:
				group = append(group, r)
			default:
				break gather
			}
		}
		db.commitGroup(group)
	}
}

func (db *DB) commitGroup(group []*writeReq) {
	errs := make([]error, len(group))
	// A stalled connection must not hang the only writer for ever: the
	// group fails (nothing of it is stored) and the writer goes on.
	ctx, cancel := context.WithTimeout(context.Background(), groupDeadline)
	defer cancel()
	for _, r := range group {
		if err := db.ensurePartition(ctx, monthOf(r.rec.At.In(db.Loc))); err != nil {
			for i := range group {
				group[i].done <- err
			}
			return
		}
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		w := newWtx(tx, db)
		if err := db.lockRecordOrder(ctx, tx); err != nil {
			return err
		}
		// On SQLite the savepoints are cached statements too: parsed for
		// every record they cost the single writer more than they do.
		savepoint := func(query string) error {
			var err error
			if db.dialect == sqlite {
				_, err = w.ExecContext(ctx, query)
			} else {
				_, err = tx.ExecContext(ctx, query)
			}
			return err
		}
		for i, r := range group {
			if err := r.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if err := savepoint("SAVEPOINT rec"); err != nil {
				return err
			}
			if errs[i] = db.appendOnce(ctx, w, r); errs[i] != nil {
				errs[i] = normalize(errs[i])
				if err := savepoint("ROLLBACK TO SAVEPOINT rec"); err != nil {
					return err
				}
			}
			if err := savepoint("RELEASE SAVEPOINT rec"); err != nil {
				return err
			}
			// A refused PIN is counted outside the record's savepoint, so
			// the count survives the refusal (pinlock.go).
			var pr *pinRefusal
			if errors.As(errs[i], &pr) {
				if errs[i] = db.notePINRefusal(ctx, tx, r.actor, pr); care.ErrorCode(errs[i]) == care.EInternal {
					return errs[i]
				}
			}
		}
		return nil
	})
	var stored []*care.ServiceRecord
	for i, r := range group {
		if err != nil {
			r.done <- err
		} else {
			r.done <- errs[i]
			if errs[i] == nil && !r.replay {
				stored = append(stored, r.records()...)
			}
		}
	}
	db.prepareWanted(ctx)
	db.notifyRecorded(stored)
}

// YieldToRecords lets background work that keeps the database busy (a
// full rebuild's reads) stand aside while a record is being written: it
// waits until no record is queued or being written, at most yieldMax, so
// the work still progresses under a stream of records.
func (db *DB) YieldToRecords(ctx context.Context) {
	if db.recording.Load() == 0 {
		return
	}
	deadline := time.Now().Add(yieldMax)
	for db.recording.Load() > 0 && ctx.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(500 * time.Microsecond)
	}
}

// yieldMax bounds one YieldToRecords.
const yieldMax = 20 * time.Millisecond

// groupDeadline bounds one group commit of the record writer.
const groupDeadline = 30 * time.Second

// OnRecorded registers fn to be told of records once they are durably
// stored (amendments included). It runs on the writer's goroutine, so it
// must be quick: hand longer work to a goroutine of its own.
func (db *DB) OnRecorded(fn func([]*care.ServiceRecord)) {
	db.listenMu.Lock()
	db.listeners = append(db.listeners, fn)
	db.listenMu.Unlock()
}

func (db *DB) notifyRecorded(recs []*care.ServiceRecord) {
	if len(recs) == 0 {
		return
	}
	db.listenMu.Lock()
	ls := db.listeners
	db.listenMu.Unlock()
	for _, fn := range ls {
		fn(recs)
	}
}

func monthOf(t time.Time) string { return t.Format("2006-01") }

// ErrMonthLocked is the conflict of writing into a signed month.
func errMonthLocked(month string) error {
	return &care.Error{Code: care.EConflict, Message: month + " 的服务卡已签字确认，不能再添加或修改记录；请用更正记录 / the card of " + month + " is signed and locked; record an amendment instead"}
}

// appendOnce appends a queued record unless its attempt was stored
// before (a double tap whose first tap is in this same group, or a retry
// that raced the first answer): then the request gets that record.
func (db *DB) appendOnce(ctx context.Context, tx *wtx, req *writeReq) error {
	if req.household != nil {
		return db.appendHouseholdOnce(ctx, tx, req)
	}
	if req.attempt.Key == "" {
		return db.appendRecord(ctx, tx, req.actor, req.rec, req.proof, db.Now())
	}
	id, ok, err := db.attemptRecord(ctx, tx, req.actor, req.attempt)
	if err != nil {
		return err
	}
	if ok {
		req.replay = true
		return db.replayInto(ctx, tx, req.actor, id, req.rec)
	}
	if err := db.appendRecord(ctx, tx, req.actor, req.rec, req.proof, db.Now()); err != nil {
		return err
	}
	return db.rememberAttempt(ctx, tx, req.actor, req.attempt, req.rec.ID)
}

// appendRecord checks who may record what, verifies the proof, and appends
// the record to the elder's chain inside tx, judged as made at now.
func (db *DB) appendRecord(ctx context.Context, tx *wtx, a care.Actor, r *care.ServiceRecord, p Proof, now time.Time) error {
	elder, err := db.getElder(ctx, tx, a, r.ElderID)
	if err != nil && a.Role == care.RoleVolunteer && r.Amends == nil {
		elder, err = db.requestElder(ctx, tx, a, r, err)
	}
	if err != nil {
		return err
	}
	if r.Source == "" {
		r.Source = "spot"
	}
	if err := db.fillServer(ctx, tx, a, elder, r); err != nil {
		return err
	}
	if r.HouseholdVisitID != "" && r.Amends == nil { // one record of a household visit (household_visits.go)
		if err := db.checkHouseholdRecord(ctx, tx, r); err != nil {
			return err
		}
	}
	r.EnteredBy, r.EnteredAt = a.Username, now
	if r.Method = p.Method; r.Method == "" {
		r.Method = "none"
	}
	rules := care.EntryRules{Now: now, LateEntry: db.LateEntry, ByVolunteer: a.Role == care.RoleVolunteer}
	f := care.FieldErrors{}
	care.ValidCoordinates(f, p.Lat, p.Lon)
	if err := f.Err(); err != nil {
		return err
	}
	if r.Amends != nil {
		// An amendment's own time is now; the corrected fields were judged
		// when it was made (applyChanges).
		if err := r.ValidateAmended(false, rules); err != nil {
			return err
		}
	} else if err := r.Validate(rules); err != nil {
		return err
	}
	if err := db.verifyProof(ctx, tx, elder, r, p, now); err != nil {
		return err
	}
	r.Month = monthOf(r.At.In(db.Loc))
	// An amendment corrects a record, it adds no service, so a signed month
	// still takes it; the card shows it beside the original.
	if r.Amends == nil {
		if err := db.checkUnlocked(ctx, tx, r.ElderID, r.Month); err != nil {
			return err
		}
	}
	if err := db.chainInsert(ctx, tx, r); err != nil {
		return err
	}
	if err := db.creditRecord(ctx, tx, a, r); err != nil { // the hours ledger (hours.go)
		return err
	}
	if t, _ := care.FindServiceType(r.Kind, r.Type); t.Opens != "" {
		return db.openCase(ctx, tx, a, r, t.Opens)
	}
	return nil
}

// fillServer applies who may record for whom (SPEC §1): a volunteer for the
// elders paired with them, as themself; a clinic only health services, as
// the clinic; community staff and the station for their elders, as a member
// of the elder's team or as an organisation.
func (db *DB) fillServer(ctx context.Context, tx *wtx, a care.Actor, e *care.Elder, r *care.ServiceRecord) error {
	switch a.Role {
	case care.RoleVolunteer:
		id := a.VolunteerID
		r.VolunteerID = &id
		return tx.QueryRowContext(ctx, db.q("SELECT name FROM volunteers WHERE id = ?"), id).Scan(&r.ServedBy)
	case care.RoleClinic:
		if r.Kind != "health" {
			return care.FieldErrors{"kind": care.Msg{ZH: "卫生服务机构只能记录健康服务", EN: "a clinic records health services only"}}.Err()
		}
		r.VolunteerID = nil
		return tx.QueryRowContext(ctx, db.q("SELECT name FROM clinics WHERE id = ?"), a.ClinicID).Scan(&r.ServedBy)
	case care.RoleCommunity, care.RoleStation:
		if r.VolunteerID == nil {
			if strings.TrimSpace(r.ServedBy) == "" {
				r.ServedBy = "社区居委会"
			}
			return nil
		}
		err := tx.QueryRowContext(ctx, db.q(`SELECT v.name FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
 WHERE p.elder_id = ? AND p.volunteer_id = ? LIMIT 1`), e.ID, *r.VolunteerID).Scan(&r.ServedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return care.FieldErrors{"volunteer_id": care.Msg{ZH: "该志愿者不在这位老人的服务圈中", EN: "this volunteer is not in the elder's care team"}}.Err()
		}
		return err
	}
	return care.ErrForbidden()
}

// verifyProof checks the proof offered, for a record entered at now. A
// forged, void or out-of-month card code and a wrong PIN are refused (a
// wrong PIN is counted, pinlock.go); a position too far away is kept but
// not verified, because phone positions are often off and the visit may
// still be real.
func (db *DB) verifyProof(ctx context.Context, tx *wtx, e *care.Elder, r *care.ServiceRecord, p Proof, now time.Time) error {
	switch p.Method {
	case "qr":
		var version int
		if err := tx.QueryRowContext(ctx, db.q("SELECT card_version FROM elders WHERE id = ?"), e.ID).Scan(&version); err != nil {
			return err
		}
		if err := db.checkCardCode(p.Code, e, version, r.At, now); err != nil {
			return err
		}
		r.Verified, r.VerifyDetail = true, "card v"+strconv.Itoa(version)+" "+strings.Split(p.Code, ".")[2]
	case "pin":
		return db.verifyPIN(ctx, tx, e, r, p.PIN, now)
	case "household":
		return db.verifyWithHousehold(ctx, tx, r)
	case "geo":
		if p.Lat == nil || p.Lon == nil {
			return care.FieldErrors{"verification": care.Msg{ZH: "没有收到手机定位", EN: "no position was sent"}}.Err()
		}
		if e.Lat == nil || e.Lon == nil {
			r.VerifyDetail = care.DetailNoHomeCoordinates
			return nil
		}
		d := distanceM(*p.Lat, *p.Lon, *e.Lat, *e.Lon)
		r.VerifyDetail = strconv.Itoa(int(math.Round(d))) + " m"
		r.Verified = d <= float64(db.GeoRadius)
	}
	return nil
}

// distanceM is the great-circle distance in metres (haversine).
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dphi, dl := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dphi/2)*math.Sin(dphi/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

func (db *DB) pinHash(elderID int64, pin string) string {
	return db.vault.MAC("carecircle/pin", strconv.FormatInt(elderID, 10), strings.TrimSpace(pin))
}

func (db *DB) checkUnlocked(ctx context.Context, tx *wtx, elderID int64, month string) error {
	var n int
	if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM card_signatures WHERE elder_id = ? AND month = ?"), elderID, month).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errMonthLocked(month)
	}
	return nil
}

// chainInsert appends r to its elder's chain: the next sequence number, the
// previous record's hash, its own keyed hash, and the new chain head on the
// elder (locked for the transaction on PostgreSQL).
func (db *DB) chainInsert(ctx context.Context, tx *wtx, r *care.ServiceRecord) error {
	var n int64
	var head string
	if err := tx.QueryRowContext(ctx, db.q("SELECT chain_len, chain_last FROM elders WHERE id = ?"+db.dialect.forUpdate), r.ElderID).Scan(&n, &head); err != nil {
		return err
	}
	r.Seq, r.PrevHash = n+1, head
	r.Hash = db.recordHash(head, r)
	changes := ""
	if r.Changes != nil {
		changes = toJSON(r.Changes)
	}
	var end any
	if r.EndAt != nil {
		end = stamp(*r.EndAt)
	}
	err := tx.QueryRowContext(ctx, db.q(`INSERT INTO service_records (elder_id, seq, month, kind, type, at, end_at, volunteer_id,
 served_by, note, amount_cents, method, verified, verify_detail, source, entered_by, entered_at, amends, amend_reason, changes,
 prev_hash, hash, by_committee, household_visit_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
		r.ElderID, r.Seq, r.Month, r.Kind, r.Type, stamp(r.At), end, r.VolunteerID, r.ServedBy, r.Note, r.AmountCents,
		r.Method, r.Verified, r.VerifyDetail, r.Source, r.EnteredBy, stamp(r.EnteredAt), r.Amends, r.AmendReason, changes,
		r.PrevHash, r.Hash, r.ByCommittee, nullText(r.HouseholdVisitID)).Scan(&r.ID)
	if err != nil {
		if strings.Contains(err.Error(), "locked") {
			return errMonthLocked(r.Month)
		}
		return err
	}
	if err := db.sealRecordID(ctx, tx, r); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q("UPDATE elders SET chain_len = ?, chain_last = ?, chain_seal = ? WHERE id = ?"),
		r.Seq, r.Hash, db.chainSeal(r.Seq, r.Hash), r.ElderID)
	return err
}

// ensurePartition creates the month's partition of service_records on
// PostgreSQL before the first record of that month.
func (db *DB) ensurePartition(ctx context.Context, month string) error {
	if db.dialect != postgres {
		return nil
	}
	if _, ok := db.partitions.Load(month); ok {
		return nil
	}
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return err
	}
	next := t.AddDate(0, 1, 0).Format("2006-01")
	name := "service_records_" + strings.ReplaceAll(month, "-", "_")
	_, err = db.write.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF service_records FOR VALUES FROM ('%s') TO ('%s')`, name, month, next))
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("store: partition %s: %w", month, err)
	}
	db.partitions.Store(month, true)
	return nil
}

// SetElderPIN sets the short PIN an elder tells a visiting volunteer.
func (db *DB) SetElderPIN(ctx context.Context, a care.Actor, elderID int64, pin string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	pin = strings.TrimSpace(pin)
	if len(pin) < 4 || len(pin) > 6 || strings.Trim(pin, "0123456789") != "" {
		return care.FieldErrors{"pin": care.Msg{ZH: "确认码应为4到6位数字", EN: "the PIN must be 4 to 6 digits"}}.Err()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getElder(ctx, tx, a, elderID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE elders SET pin_hash = ? WHERE id = ?"), db.pinHash(elderID, pin), elderID); err != nil {
			return err
		}
		// A new PIN starts with no wrong tries and no lock.
		if _, err := tx.ExecContext(ctx, db.q("DELETE FROM pin_attempts WHERE elder_id = ?"), elderID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "set_pin", "elder", elderID, nil, nil)
	})
}

// ReissueCard voids the elder's printed card codes (a lost card) and returns
// the new card's code of this month.
func (db *DB) ReissueCard(ctx context.Context, a care.Actor, elderID int64) (string, error) {
	if !a.EditsRegistry() {
		return "", care.ErrForbidden()
	}
	var version int
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getElder(ctx, tx, a, elderID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, db.q("UPDATE elders SET card_version = card_version + 1 WHERE id = ? RETURNING card_version"), elderID).Scan(&version); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "reissue_card", "elder", elderID, nil, map[string]int{"card_version": version})
	})
	if err != nil {
		return "", err
	}
	return db.CardCode(elderID, version, monthOf(db.Now().In(db.Loc))), nil
}

// BatchService is one record of a batch, with who recorded it and its proof.
type BatchService struct {
	Actor  care.Actor
	Record *care.ServiceRecord
	Proof  Proof
	// EnteredAt is when the record was made, for a history written at
	// once (the demo); zero is now. The rules are judged at that moment.
	EnteredAt time.Time
}

// AddServiceBatch stores many records in one transaction, all or none, with
// the same checks as AddService. The demo's history uses it; it is not a
// path around any rule.
func (db *DB) AddServiceBatch(ctx context.Context, items []BatchService) error {
	months := map[string]bool{}
	for _, it := range items {
		months[monthOf(it.Record.At.In(db.Loc))] = true
	}
	for m := range months {
		if err := db.ensurePartition(ctx, m); err != nil {
			return err
		}
	}
	defer db.prepareWanted(ctx)
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
			if err := db.appendRecord(ctx, w, it.Actor, it.Record, it.Proof, now); err != nil {
				return fmt.Errorf("record %d (elder %d, %s): %w", i, it.Record.ElderID, it.Record.At.Format(time.RFC3339), err)
			}
		}
		return nil
	})
	if err == nil {
		recs := make([]*care.ServiceRecord, len(items))
		for i, it := range items {
			recs[i] = it.Record
		}
		db.notifyRecorded(recs)
	}
	return err
}
