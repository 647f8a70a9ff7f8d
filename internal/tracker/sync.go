package tracker

import (
	"context"
	"fmt"

	"carecircle/internal/calendar"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// catchUpBatch is how many records one step reads and saves at a time.
const catchUpBatch = 2000

// refresh asks for a rebuild when the standards changed or a change could
// not be followed (in the background, while this state keeps answering),
// then applies the records stored since the watermark.
func (st *street) refresh(ctx context.Context) error {
	meta, err := st.t.db.ComplianceMeta(ctx, st.id)
	if err != nil {
		return err
	}
	if st.stale || meta.SettingsVersion != st.settings {
		if err := st.needRebuild(ctx); err != nil {
			return err
		}
	}
	return st.catchUp(ctx)
}

// catchUp applies the records after the watermark in id order (nothing is
// saved: a restart catches up from the saved snapshot's watermark). An amendment uncounts the
// record as it stood before and counts it as corrected; processing in id
// order makes each amendment see exactly the amendments before it. It
// stops after a batch that was not full: records stored since it asked
// wait for the next catch-up (answers catch up themselves).
func (st *street) catchUp(ctx context.Context) error {
	db := st.t.db
	for {
		events, err := db.RecordEventsAfter(ctx, st.id, st.watermark, catchUpBatch)
		if err != nil || len(events) == 0 {
			return err
		}
		var touched []compliance.Record
		for _, ev := range events {
			if ev.Amends == nil {
				st.noteDay(ev.Record.At)
				touched, err = st.apply(touched, &ev.Record, st.state.Apply)
			} else {
				touched, err = st.amend(ctx, touched, *ev.Amends, ev.ID)
			}
			if err != nil {
				return fmt.Errorf("record %d: %w", ev.ID, err)
			}
		}
		st.watermark = events[len(events)-1].ID
		st.version++
		if len(events) < catchUpBatch {
			return nil
		}
	}
}

// apply runs op (Apply or Remove) on each engine record of r and adds them
// to touched.
func (st *street) apply(touched []compliance.Record, r *store.ComplianceRecord, op func(compliance.Record) error) ([]compliance.Record, error) {
	for _, c := range st.records(r) {
		if err := op(c); err != nil {
			return touched, err
		}
		touched = append(touched, c)
	}
	return touched, nil
}

func (st *street) amend(ctx context.Context, touched []compliance.Record, original, amendment int64) ([]compliance.Record, error) {
	before, after, err := st.t.db.AmendmentEffect(ctx, original, amendment)
	if err != nil {
		return touched, err
	}
	if before.ID == 0 {
		return touched, nil // the original is not this street's
	}
	if !before.Voided {
		if touched, err = st.apply(touched, &before, st.state.Remove); err != nil {
			return touched, err
		}
	}
	if !after.Voided {
		touched, err = st.apply(touched, &after, st.state.Apply)
	}
	return touched, err
}

// syncElders compares elders (all when ids is nil) and their pairings with
// the registry: new elders and pairings are added (a new pairing counts the
// records it covers), ended or reopened pairings change their last day. A
// change the engine cannot follow in place (a birthday, a volunteer's kind,
// a pairing's first day) rebuilds the street.
func (st *street) syncElders(ctx context.Context, ids []int64) error {
	if ids != nil && len(ids) == 0 {
		return nil
	}
	db := st.t.db
	elders, err := db.ComplianceElders(ctx, st.id, ids)
	if err != nil {
		return err
	}
	facts, err := db.CompliancePairings(ctx, st.id, ids)
	if err != nil {
		return err
	}
	for _, f := range facts {
		st.kinds[f.VolunteerID] = f.Kind
	}
	byElder := groupFacts(facts)
	var changed []*store.TrackedPairing
	for i := range elders {
		e := &elders[i]
		if old := st.elders[e.ID]; old == nil {
			st.addElder(e)
		} else {
			st.stale = st.stale || birthdayOf(old) != birthdayOf(e)
			st.elders[e.ID] = e
		}
		if st.skipped[e.ID] {
			continue
		}
		for _, want := range st.derive(e, byElder[e.ID], st.pairings[clinicKey(e.ID)], st.pairings[committeeKey(e.ID)]) {
			p, err := st.follow(ctx, want)
			if err != nil {
				return err
			}
			if p != nil {
				changed = append(changed, p)
			}
		}
	}
	if len(elders) > 0 {
		st.version++ // statuses or communities may have changed
	}
	return st.saveChanged(ctx, changed)
}

// follow brings one tracked pairing in line with want and returns it when
// its cells changed.
func (st *street) follow(ctx context.Context, want *store.TrackedPairing) (*store.TrackedPairing, error) {
	have := st.pairings[want.Key]
	switch {
	case have == nil:
		if err := st.addPairing(want); err != nil {
			return nil, err
		}
		return want, st.replay(ctx, want, want.From)
	case needsRebuild(have, want):
		st.stale = true
		return nil, nil
	case sameDay(have.To, want.To):
		return nil, nil
	}
	from, replay, err := st.state.SetPairingEnd(have.Key, want.To)
	if err != nil {
		return nil, err
	}
	have.To = want.To
	if replay {
		err = st.replay(ctx, have, from)
	}
	return have, err
}

// replay counts for pairing p the elder's records dated from day on, up to
// the watermark (later ones come with the next catch-up).
func (st *street) replay(ctx context.Context, p *store.TrackedPairing, from calendar.Date) error {
	recs, err := st.t.db.ElderComplianceRecords(ctx, p.ElderID, max(from, p.From), st.watermark)
	if err != nil {
		return err
	}
	carer := carerOf(p)
	for i := range recs {
		for _, c := range st.records(&recs[i]) {
			if c.By != carer {
				continue
			}
			if err := st.state.Apply(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// saveChanged notes that tracked pairings changed: the next save of the
// state comes soon, as the clinics' days exist only in the tracker.
func (st *street) saveChanged(_ context.Context, changed []*store.TrackedPairing) error {
	if len(changed) > 0 {
		st.rb.dirty = true
		st.version++
	}
	return nil
}
