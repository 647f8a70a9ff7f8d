package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"carecircle/internal/care"
)

// Pairing a household (包户): every current member is paired with the same
// volunteer in one transaction, all or none, each through the checks of
// an ordinary pairing (checkPairing). When the street's rule says so
// (streets.household_counts_once, on by default) the household takes one
// of the volunteer's places however many members it has.

// PairHousehold pairs every current member of household hid with the
// volunteer from startedOn (today when zero). Members already paired with
// the volunteer are left as they are. It returns the new pairings.
func (db *DB) PairHousehold(ctx context.Context, a care.Actor, hid, volunteerID int64, startedOn time.Time) ([]*Pairing, error) {
	if !a.EditsRegistry() {
		return nil, care.ErrForbidden()
	}
	var out []*Pairing
	err := db.tx(ctx, func(tx *sql.Tx) error {
		h, err := db.getHousehold(ctx, tx, a, hid)
		if err != nil {
			return err
		}
		cur := h.CurrentMembers()
		if len(cur) < 2 {
			return care.FieldErrors{"household_id": msgHouseholdTwo}.Err()
		}
		bad := care.FieldErrors{}
		for _, m := range cur {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM pairings WHERE elder_id = ? AND volunteer_id = ? AND ended_on IS NULL`),
				m.ElderID, volunteerID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			p := &Pairing{ElderID: m.ElderID, VolunteerID: volunteerID, StartedOn: startedOn}
			err := db.addPairing(ctx, tx, a, p)
			if ce, ok := err.(*care.Error); ok && (ce.Code == care.EInvalid || ce.Code == care.ENotFound) {
				for k, msg := range ce.Fields {
					bad.Add(k, care.Msg{ZH: m.ElderName + "：" + msg.ZH, EN: m.ElderName + ": " + msg.EN})
				}
				if ce.Code == care.ENotFound {
					bad.Add("elder_id", care.Msg{ZH: m.ElderName + "：" + msgElderUnknown.ZH, EN: m.ElderName + ": " + msgElderUnknown.EN})
				}
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := bad.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return care.FieldErrors{"volunteer_id": msgAlreadyInTeam}.Err()
		}
		return db.audit(ctx, tx, a, "pair", "household", hid, nil, map[string]any{"volunteer_id": volunteerID, "pairings": len(out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// householdLoadSQL is the number of places a volunteer (alias v) has
// taken: their current pairings, a household's members counted once when
// their street's rule says so.
const householdLoadSQL = `(SELECT COUNT(DISTINCT CASE WHEN hm.household_id IS NOT NULL AND
  (SELECT hs.household_counts_once FROM communities hc JOIN streets hs ON hs.id = hc.street_id WHERE hc.id = v.community_id) = 1
  THEN -hm.household_id ELSE p.elder_id END)
 FROM pairings p LEFT JOIN household_members hm ON hm.elder_id = p.elder_id AND hm.to_date IS NULL
 WHERE p.volunteer_id = v.id AND p.ended_on IS NULL)`

// placesTaken returns the places volunteer vid has taken and whether
// pairing them with elder would take one more (not when the street counts
// households once and the volunteer already serves a member of the
// elder's household).
func (db *DB) placesTaken(ctx context.Context, tx *sql.Tx, vid, elderID int64) (int, bool, error) {
	var load, shared int
	err := tx.QueryRowContext(ctx, db.q(`SELECT `+householdLoadSQL+`,
 (SELECT COUNT(*) FROM household_members me JOIN household_members o ON o.household_id = me.household_id AND o.to_date IS NULL
   JOIN pairings op ON op.elder_id = o.elder_id AND op.volunteer_id = v.id AND op.ended_on IS NULL
   JOIN communities sc ON sc.id = v.community_id JOIN streets ss ON ss.id = sc.street_id
  WHERE me.elder_id = ? AND me.to_date IS NULL AND o.elder_id <> me.elder_id AND ss.household_counts_once = 1)
 FROM volunteers v WHERE v.id = ?`), elderID, vid).Scan(&load, &shared)
	if err != nil {
		return 0, false, fmt.Errorf("volunteer places: %w", err)
	}
	return load, shared == 0, nil
}
