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

// Ending says how a pairing ends.
type Ending struct {
	On     time.Time // the last day of service; zero means today
	Reason string    // required: why the pairing ends
	// SuccessorID hands the elder over to this volunteer in the same step
	// (接力): the successor starts on the day the pairing ends and inherits
	// the responsible role if the leaver had it.
	SuccessorID int64
	// NoSuccessor says nobody needs to follow (the rest of the team covers
	// the elder); otherwise an ending without successor is listed as
	// 待接力 until a successor is found or staff close it.
	NoSuccessor bool
}

// EndPairing ends a current pairing, with a successor when one is given,
// all in one transaction. It returns the successor's pairing or nil.
func (db *DB) EndPairing(ctx context.Context, a care.Actor, pairingID int64, end Ending) (*Pairing, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	var succ *Pairing
	err := db.tx(ctx, func(tx *sql.Tx) error {
		p, err := db.getPairing(ctx, tx, a, pairingID)
		if err != nil {
			return err
		}
		if p.EndedOn != nil {
			return errPairingEnded
		}
		e, err := db.getElder(ctx, tx, a, p.ElderID)
		if err != nil {
			return err
		}
		if err := db.lockRow(ctx, tx, "elders", e.ID); err != nil {
			return err
		}
		succ, err = db.endPairing(ctx, tx, a, p, e, end, "")
		return err
	})
	return succ, err
}

// endPairing checks and writes one ending; field names get prefix, so a
// volunteer's leaving can report each of their pairings.
func (db *DB) endPairing(ctx context.Context, tx *sql.Tx, a care.Actor, p *Pairing, e *care.Elder, end Ending, prefix string) (*Pairing, error) {
	f := care.FieldErrors{}
	today := db.today()
	if end.On.IsZero() {
		end.On = today
	}
	checkPastDate(f, prefix+"ended_on", end.On, today)
	if end.On.Before(p.StartedOn) {
		f.Add(prefix+"ended_on", care.Msg{ZH: "结束日期不能早于结对开始日期 " + dateString(p.StartedOn),
			EN: "cannot end before the pairing started on " + dateString(p.StartedOn)})
	}
	end.Reason = trimmed(f, prefix+"reason", end.Reason, true, 200)
	var succ *Pairing
	if end.SuccessorID != 0 {
		succ = &Pairing{ElderID: p.ElderID, VolunteerID: end.SuccessorID, StartedOn: end.On, PredecessorID: &p.ID}
		m := elderPairable(e)
		if m == nil && end.SuccessorID == p.VolunteerID {
			m = &care.Msg{ZH: "接替的志愿者不能是原志愿者本人", EN: "the successor must be someone else"}
		}
		if m == nil {
			var err error
			if m, err = db.checkVolunteerFor(ctx, tx, a, e, end.SuccessorID); err != nil {
				return nil, err
			}
		}
		if m != nil {
			f.Add(prefix+"successor_id", *m)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	before := *p
	on := end.On
	p.EndedOn, p.EndReason = &on, end.Reason
	p.NeedsSuccessor = succ == nil && !end.NoSuccessor && e.Status == "active"
	if _, err := tx.ExecContext(ctx, db.q("UPDATE pairings SET ended_on = ?, end_reason = ?, needs_successor = ? WHERE id = ?"),
		dateString(on), p.EndReason, p.NeedsSuccessor, p.ID); err != nil {
		return nil, err
	}
	if err := db.audit(ctx, tx, a, "end", "pairing", p.ID, before, p); err != nil {
		return nil, err
	}
	if succ != nil {
		// The leaver no longer counts, so the successor becomes the
		// responsible person exactly when the leaver was.
		return succ, db.insertPairing(ctx, tx, a, succ)
	}
	if p.Responsible {
		return nil, db.passResponsibility(ctx, tx, a, p.ElderID)
	}
	return nil, nil
}

// passResponsibility gives the responsible role, when its holder left
// without successor, to the longest-serving remaining member, a neighbour
// before others, so that a team is never without its 责任人.
func (db *DB) passResponsibility(ctx context.Context, tx *sql.Tx, a care.Actor, elderID int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, db.q(`SELECT p.id FROM pairings p JOIN volunteers v ON v.id = p.volunteer_id
 WHERE p.elder_id = ? AND p.ended_on IS NULL ORDER BY (v.kind = 'neighbour') DESC, p.started_on, p.id LIMIT 1`), elderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return db.setResponsibleFlag(ctx, tx, a, id, true)
}

// Leaving is a volunteer leaving the programme.
type Leaving struct {
	On     time.Time // zero means today
	Reason string    // required
	// Handovers maps a current pairing of the volunteer to its successor
	// volunteer; the other pairings end as 待接力.
	Handovers map[int64]int64
}

// LeaveProgramme ends every current pairing of a volunteer, hands over
// those with a successor, lists the rest as needing one (待接力) and sets
// the volunteer's status to left, in one transaction, so that no elder is
// silently dropped. It returns the pairings ended and the successors'.
func (db *DB) LeaveProgramme(ctx context.Context, a care.Actor, volunteerID int64, l Leaving) (ended, successors []Pairing, err error) {
	if !a.EditsRegistry() {
		return nil, nil, care.ErrForbidden()
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		v, err := db.getVolunteer(ctx, tx, a, volunteerID)
		if err != nil {
			return err
		}
		f := care.FieldErrors{}
		l.Reason = trimmed(f, "reason", l.Reason, true, 180)
		if !l.On.IsZero() {
			checkPastDate(f, "left_on", l.On, db.today())
		}
		if err := f.Err(); err != nil {
			return err
		}
		current, err := db.currentPairingsOf(ctx, tx, volunteerID)
		if err != nil {
			return err
		}
		for pid := range l.Handovers {
			if !containsPairing(current, pid) {
				f.Add("handovers."+strconv.FormatInt(pid, 10), care.Msg{ZH: "不是该志愿者当前的结对", EN: "not a current pairing of this volunteer"})
			}
		}
		for i := range current {
			p := &current[i]
			succ, err := db.endLeaversPairing(ctx, tx, a, p, l)
			if ce, ok := err.(*care.Error); ok && ce.Code == care.EInvalid {
				for k, m := range ce.Fields {
					f.Add(k, m)
				}
				continue
			}
			if err != nil {
				return err
			}
			ended = append(ended, *p)
			if succ != nil {
				successors = append(successors, *succ)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		left := *v
		left.Status = "left"
		return db.updateVolunteer(ctx, tx, a, v, &left)
	})
	return ended, successors, err
}

// endLeaversPairing ends one pairing of a leaving volunteer. The elder may
// lie outside a community user's scope (a social volunteer serving
// elsewhere): the pairing still ends, because the volunteer is gone, but
// only an elder in scope can be handed over.
func (db *DB) endLeaversPairing(ctx context.Context, tx *sql.Tx, a care.Actor, p *Pairing, l Leaving) (*Pairing, error) {
	prefix := "handovers." + strconv.FormatInt(p.ID, 10) + "."
	e, err := db.getElder(ctx, tx, a, p.ElderID)
	if care.ErrorCode(err) == care.ENotFound {
		if l.Handovers[p.ID] != 0 {
			return nil, care.FieldErrors{prefix + "successor_id": care.Msg{ZH: "该老人不在您的管辖范围，无法安排接替", EN: "the elder is outside your scope"}}.Err()
		}
		e, err = db.elderByID(ctx, tx, p.ElderID)
	}
	if err != nil {
		return nil, err
	}
	if err := db.lockRow(ctx, tx, "elders", e.ID); err != nil {
		return nil, err
	}
	end := Ending{On: l.On, Reason: "志愿者退出：" + l.Reason, SuccessorID: l.Handovers[p.ID]}
	return db.endPairing(ctx, tx, a, p, e, end, prefix)
}

func (db *DB) elderByID(ctx context.Context, q querier, id int64) (*care.Elder, error) {
	return db.scanElder(q.QueryRowContext(ctx, db.q("SELECT "+elderColumns+" FROM elders e WHERE e.id = ?"), id))
}

func containsPairing(ps []Pairing, id int64) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

func (db *DB) currentPairingsOf(ctx context.Context, tx *sql.Tx, volunteerID int64) ([]Pairing, error) {
	rows, err := tx.QueryContext(ctx, db.q("SELECT "+pairingColumns+" FROM pairings p WHERE p.volunteer_id = ? AND p.ended_on IS NULL ORDER BY p.id"), volunteerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pairing
	for rows.Next() {
		var p Pairing
		if err := scanPairing(rows, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AssignSuccessor gives an elder waiting after an ended pairing (待接力)
// its successor, starting on the day given (zero: today, never before the
// end): a pairing linked to the ended one, which leaves the list. The
// successor takes over the responsible role if the leaver had it.
func (db *DB) AssignSuccessor(ctx context.Context, a care.Actor, pairingID, volunteerID int64, on time.Time) (*Pairing, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	var succ *Pairing
	err := db.tx(ctx, func(tx *sql.Tx) error {
		p, err := db.getPairing(ctx, tx, a, pairingID)
		if err != nil {
			return err
		}
		if p.EndedOn == nil || !p.NeedsSuccessor {
			return &care.Error{Code: care.EConflict, Message: "该结对不在待接力名单中 / this pairing is not waiting for a successor"}
		}
		e, err := db.getElder(ctx, tx, a, p.ElderID)
		if err != nil {
			return err
		}
		if err := db.lockRow(ctx, tx, "elders", e.ID); err != nil {
			return err
		}
		succ = &Pairing{ElderID: p.ElderID, VolunteerID: volunteerID, StartedOn: on, Responsible: p.Responsible, PredecessorID: &p.ID}
		err = db.checkPairing(ctx, tx, a, e, succ)
		f := care.FieldErrors{}
		if ce, ok := err.(*care.Error); ok && ce.Code == care.EInvalid {
			for k, m := range ce.Fields {
				if k == "volunteer_id" {
					k = "successor_id" // the form's name for the volunteer chosen
				}
				f.Add(k, m)
			}
		} else if err != nil {
			return err
		}
		if succ.StartedOn.Before(*p.EndedOn) {
			f.Add("started_on", care.Msg{ZH: "接替日期不能早于原结对结束日期 " + dateString(*p.EndedOn), EN: "cannot start before the previous pairing ended on " + dateString(*p.EndedOn)})
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE pairings SET needs_successor = ? WHERE id = ?"), false, p.ID); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, a, "hand_over", "pairing", p.ID, nil, map[string]int64{"successor_volunteer_id": volunteerID}); err != nil {
			return err
		}
		return db.insertPairing(ctx, tx, a, succ)
	})
	return succ, err
}

// CloseHandover takes an ended pairing off the 待接力 list without a
// successor, with the reason staff give (the team covers the elder, the
// elder asked for nobody new, ...).
func (db *DB) CloseHandover(ctx context.Context, a care.Actor, pairingID int64, reason string) error {
	if !a.EditsRegistry() {
		return care.ErrForbidden()
	}
	f := care.FieldErrors{}
	reason = trimmed(f, "reason", reason, true, 200)
	if err := f.Err(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		p, err := db.getPairing(ctx, tx, a, pairingID)
		if err != nil {
			return err
		}
		if !p.NeedsSuccessor {
			return &care.Error{Code: care.EConflict, Message: "该结对不在待接力名单中 / this pairing is not waiting for a successor"}
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE pairings SET needs_successor = ? WHERE id = ?"), false, p.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "close_handover", "pairing", p.ID, nil, map[string]string{"reason": reason})
	})
}

// Handover is a pairing that needs a successor (待接力): ended without one,
// or still current while its volunteer has left or paused.
type Handover struct {
	Pairing
	ElderName       string
	CommunityID     int64
	VolunteerName   string
	VolunteerKind   string
	VolunteerStatus string
}

// Handovers lists what needs a successor among the elders in service the
// actor manages (a community or, for the station, its street or one
// community), longest waiting first.
func (db *DB) Handovers(ctx context.Context, a care.Actor, communityID int64) ([]Handover, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	if err := db.CheckCommunityFilter(ctx, a, communityID); err != nil {
		return nil, err
	}
	if communityID > 0 {
		scope += " AND e.community_id = ?"
		args = append(args, communityID)
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+pairingColumns+`, e.name, e.community_id, v.name, v.kind, v.status
 FROM pairings p JOIN elders e ON e.id = p.elder_id JOIN volunteers v ON v.id = p.volunteer_id
 WHERE `+scope+` AND e.status = 'active' AND ((p.ended_on IS NOT NULL AND p.needs_successor = ?) OR (p.ended_on IS NULL AND v.status <> 'active'))
 ORDER BY COALESCE(p.ended_on, p.started_on), p.id`), append(args, true)...)
	if err != nil {
		return nil, fmt.Errorf("handovers: %w", err)
	}
	defer rows.Close()
	var out []Handover
	for rows.Next() {
		var h Handover
		if err := scanPairing(rows, &h.Pairing, &h.ElderName, &h.CommunityID, &h.VolunteerName, &h.VolunteerKind, &h.VolunteerStatus); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// VolunteerPairing is one elder in a volunteer's list.
type VolunteerPairing struct {
	Pairing
	ElderName   string
	CommunityID int64
	Building    string
	ElderStatus string
}

// VolunteerPairings lists a volunteer's elders, current first, then past,
// limited to the elders the actor may see: a volunteer sees their own
// current elders, staff their scope.
func (db *DB) VolunteerPairings(ctx context.Context, a care.Actor, volunteerID int64) ([]VolunteerPairing, error) {
	if _, err := db.getVolunteer(ctx, db.read, a, volunteerID); err != nil {
		return nil, err
	}
	scope, args, err := elderScope(a)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+pairingColumns+`, e.name, e.community_id, e.building, e.status
 FROM pairings p JOIN elders e ON e.id = p.elder_id WHERE p.volunteer_id = ? AND `+scope+`
 ORDER BY (p.ended_on IS NULL) DESC, p.started_on DESC, p.id DESC`), append([]any{volunteerID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VolunteerPairing
	for rows.Next() {
		var vp VolunteerPairing
		if err := scanPairing(rows, &vp.Pairing, &vp.ElderName, &vp.CommunityID, &vp.Building, &vp.ElderStatus); err != nil {
			return nil, err
		}
		out = append(out, vp)
	}
	return out, rows.Err()
}
