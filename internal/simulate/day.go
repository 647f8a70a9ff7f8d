package simulate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// What happens at a moment of a day, in the order of moments that fall
// together.
const (
	evTick      = iota // the alert job, the escalation and the worker run
	evGreet            // a volunteer greets an elder (logs the knock)
	evAck              // staff acknowledge an alert (themselves, or the family called back)
	evLateGreet        // a volunteer told of the alert knocks after all
)

type event struct {
	at    time.Time
	kind  int
	elder int // index in s.elders
	note  string
}

// advanceEscalations takes the escalation chains' steps due now (the
// 18:00 reminder to the neighbours, the family an hour after the alert,
// the clinic and the station an hour later) as serve's alert loop does
// every tick: through the tracker, on the server leading "alerts". The
// 20:00 step is enqueued by the alert job itself, in the alert's
// transaction.
func (s *sim) advanceEscalations(ctx context.Context) error {
	_, err := s.tr.AdvanceEscalations(ctx)
	return err
}

// plan draws what people do on day d: the same number of draws for every
// elder, in elder order, so one choice never shifts another's.
func (s *sim) plan(d int) []event {
	day, deadline := s.day(d), s.deadline(d)
	greetFrom := day.Add(8 * time.Hour)
	window := deadline.Add(-2 * time.Hour).Sub(greetFrom) // greetings 08:00–18:00
	var evs []event
	for i := range s.elders {
		miss := s.behave.Float64() < s.cfg.MissRate
		greetAt := greetFrom.Add(time.Duration(s.behave.Int64N(int64(window/time.Second))) * time.Second)
		late := s.behave.Float64() < s.cfg.LateGreetRate
		lateAt := deadline.Add(10*time.Minute + time.Duration(s.behave.Int64N(int64(140*time.Minute/time.Second)))*time.Second)
		ack := s.behave.Float64() < s.cfg.AckRate
		ackAt := deadline.Add(time.Minute + time.Duration(s.behave.Int64N(int64(179*time.Minute/time.Second)))*time.Second)
		family := s.behave.IntN(2) == 0
		if !miss {
			evs = append(evs, event{at: greetAt, kind: evGreet, elder: i})
			continue
		}
		if late {
			evs = append(evs, event{at: lateAt, kind: evLateGreet, elder: i})
		}
		if ack && s.elders[i].alone {
			note := "值班人员已电话联系"
			if family {
				note = "家属回电，已联系上老人"
			}
			evs = append(evs, event{at: ackAt, kind: evAck, elder: i, note: note})
		}
	}
	// The clock stops every Step through the evening, where the chain's
	// steps fall (from two hours before the reminder at 18:00 to
	// midnight), and hourly before (nothing is due then but what a tick
	// would find anyway: the worker also runs at every retry's time).
	busy := deadline.Add(-4 * time.Hour)
	for t := day; t.Before(s.day(d + 1)); {
		evs = append(evs, event{at: t, kind: evTick, elder: -1})
		if next := t.Add(time.Hour); next.Before(busy) {
			t = next
		} else if t.Before(busy) {
			t = busy
		} else {
			t = t.Add(s.cfg.Step)
		}
	}
	slices.SortFunc(evs, func(a, b event) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.kind, b.kind), cmp.Compare(a.elder, b.elder))
	})
	return evs
}

// runDay runs day d from midnight to midnight.
func (s *sim) runDay(ctx context.Context, d int) error {
	greeted := map[int]time.Time{}
	s.greeted = append(s.greeted, greeted)
	raised := false
	alertOf := map[int64]int64{} // elder id → today's alert
	deadline := s.deadline(d)
	for _, ev := range s.plan(d) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.advance(ctx, ev.at); err != nil {
			return err
		}
		switch ev.kind {
		case evTick:
			// As serve's alert loop: from the alert hour, until the day's
			// alerts are raised.
			if !raised && !s.now().Before(deadline) {
				if !s.cfg.noAlertJob {
					if _, err := s.tr.RaiseDueAlerts(ctx); err != nil {
						return fmt.Errorf("the alert job: %w", err)
					}
				}
				if s.cfg.alertGreeted {
					if err := s.alertAGreetedElder(ctx, greeted); err != nil {
						return err
					}
				}
				raised = true
				if err := s.todaysAlerts(ctx, d, alertOf); err != nil {
					return err
				}
			}
			if err := s.advanceEscalations(ctx); err != nil {
				return fmt.Errorf("the escalation: %w", err)
			}
		case evGreet, evLateGreet:
			e := s.elders[ev.elder]
			rec := &care.ServiceRecord{ElderID: e.ID, Kind: "life", Type: "greeting", At: ev.at}
			if err := s.db.AddService(ctx, e.vol, rec, store.Proof{}); err != nil {
				return fmt.Errorf("greeting %s: %w", e.Name, err)
			}
			if ev.kind == evGreet {
				greeted[ev.elder] = ev.at
			} else {
				s.late++
			}
		case evAck:
			e := s.elders[ev.elder]
			id, ok := alertOf[e.ID]
			if !ok {
				continue // no alert to acknowledge (counted as missed, not alerted)
			}
			staff := e.comm.staff[1] // the night shift is on duty after 20:00
			err := s.db.AcknowledgeAlert(ctx, staff, id, ev.note)
			switch care.ErrorCode(err) {
			case "":
				s.acks++
			case care.EConflict: // already acknowledged (or resolved) by someone
			default:
				return fmt.Errorf("acknowledge the alert of %s: %w", e.Name, err)
			}
		}
		if err := s.drain(ctx); err != nil {
			return err
		}
	}
	return nil
}

// todaysAlerts reads day d's alerts as each community's staff see them.
func (s *sim) todaysAlerts(ctx context.Context, d int, into map[int64]int64) error {
	date := s.day(d).Format(time.DateOnly)
	for _, c := range s.comms {
		list, err := s.db.Alerts(ctx, c.staff[1], store.AlertFilter{Open: true, Limit: 500})
		if err != nil {
			return err
		}
		for _, a := range list {
			if a.Day.Format(time.DateOnly) == date {
				into[a.ElderID] = a.ID
			}
		}
	}
	return nil
}

// finishLimit bounds the delivery after the last day: with a failure rate
// below 1 every message goes out long before.
const finishLimit = 7 * 24 * time.Hour

// finish lets the worker deliver what is left after the last day, at each
// retry's time, until nothing is pending or finishLimit has passed.
func (s *sim) finish(ctx context.Context) error {
	end := s.day(s.cfg.Days).Add(finishLimit)
	for {
		next, ok, err := s.db.OutboxNextAttempt(ctx)
		if err != nil || !ok || next.After(end) {
			return err
		}
		if next.After(s.now()) {
			s.set(next)
		}
		n, err := s.w.RunOnce(ctx)
		if err != nil {
			return err
		}
		if n == 0 && !next.After(s.now()) {
			s.set(s.now().Add(time.Second)) // due but not claimable yet (a lease): move on
		}
	}
}

// alertAGreetedElder raises, by hand, the alert of the first elder living
// alone who was greeted today: a false alarm the count must find (a test).
func (s *sim) alertAGreetedElder(ctx context.Context, greeted map[int]time.Time) error {
	for i, e := range s.elders {
		if _, ok := greeted[i]; ok && e.alone {
			_, err := s.db.RaiseAlert(ctx, e.comm.leader, e.ID, s.now(), "test")
			return err
		}
	}
	return nil
}
