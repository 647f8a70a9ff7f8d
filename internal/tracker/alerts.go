package tracker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// AlertSource names the tracker's daily job on the alerts it raises.
const AlertSource = "alert_job"

// today is the programme's date now.
func (t *Tracker) today() calendar.Date {
	n := t.db.Now().In(t.db.Loc)
	return calendar.NewDate(n.Year(), n.Month(), n.Day())
}

// RaiseDueAlerts raises today's not-greeted alerts when the alert hour has
// come, and does nothing before it. Alerts are unique per elder and day, so
// running it again (every start after the hour does) adds none twice.
// Of several servers on one database only the one leading "alerts" raises
// them.
func (t *Tracker) RaiseDueAlerts(ctx context.Context) (int, error) {
	now := t.db.Now().In(t.db.Loc)
	if now.Hour() < t.cfg.AlertHour || !t.leadsAlerts(ctx) {
		return 0, nil
	}
	n, err := t.db.RaiseNotGreetedAlerts(ctx, now, AlertSource)
	if n > 0 {
		t.log.Info("not-greeted alerts raised", "day", now.Format(time.DateOnly), "count", n)
	}
	return n, err
}

// AlertHour is the configured hour of the daily check.
func (t *Tracker) AlertHour() int { return t.cfg.AlertHour }

// alertCheckEvery is how often a server looks whether the day's alerts
// are due and whether it leads: when the leading server dies, another
// raises the alerts within this time of taking over (at most 30 s).
const alertCheckEvery = 10 * time.Second

// leadsAlerts reports whether this server raises the alerts.
func (t *Tracker) leadsAlerts(ctx context.Context) bool {
	t.alertMu.Lock()
	defer t.alertMu.Unlock()
	if t.alertLead == nil {
		l, err := t.db.NewLead(ctx, "alerts")
		if err != nil {
			t.log.Error("alerts: leadership", "err", err)
			return false
		}
		t.alertLead = l
	}
	return t.alertLead.Try(ctx)
}

// alertLoop raises the day's alerts once the alert hour has come and
// advances the escalation chains every tick, on the server that leads; the
// others take over when it dies.
func (t *Tracker) alertLoop(ctx context.Context) {
	tick := time.NewTicker(alertCheckEvery)
	defer tick.Stop()
	var raised calendar.Date // the day this server raised the alerts of
	var advanced time.Time   // when this server last advanced the chains
	for {
		select {
		case <-ctx.Done():
			t.alertMu.Lock()
			if t.alertLead != nil {
				t.alertLead.Release() // another server takes over at once
			}
			t.alertMu.Unlock()
			return
		case <-t.greeted:
			// A greeting stops its elder's chain now, not at the next tick;
			// at most once a second (a busy evening waits for the tick).
			if time.Since(advanced) < time.Second {
				continue
			}
			advanced = time.Now()
			if _, err := t.AdvanceEscalations(ctx); err != nil && ctx.Err() == nil {
				t.log.Error("escalations", "err", err)
			}
			continue
		case <-tick.C:
		}
		if now := t.db.Now().In(t.db.Loc); now.Hour() >= t.cfg.AlertHour && raised != t.today() {
			if _, err := t.RaiseDueAlerts(ctx); err != nil {
				if ctx.Err() == nil {
					t.log.Error("alerts", "err", err)
				}
				continue
			}
			if t.leadsAlerts(ctx) {
				raised = t.today()
			}
		}
		advanced = time.Now()
		if _, err := t.AdvanceEscalations(ctx); err != nil && ctx.Err() == nil {
			t.log.Error("escalations", "err", err)
		}
	}
}

// wakeOnGreeting wakes the alert loop when records include a greeting. It
// runs on the record writer's goroutine, so it only signals.
func (t *Tracker) wakeOnGreeting(recs []*care.ServiceRecord) {
	for _, r := range recs {
		if r.Kind == "life" && r.Type == "greeting" {
			select {
			case t.greeted <- struct{}{}:
			default: // a wake-up is pending already
			}
			return
		}
	}
}

// AdvanceEscalations takes the escalation chains' due steps (the evening
// reminders, the family, the clinic and the station, emergencies nobody
// acknowledged) and stops the chains of elders greeted since, on the
// server leading "alerts" only; the alert loop calls it every tick.
func (t *Tracker) AdvanceEscalations(ctx context.Context) (int, error) {
	if !t.leadsAlerts(ctx) {
		return 0, nil
	}
	n, err := t.db.AdvanceEscalations(ctx, t.db.Now())
	if n > 0 {
		t.log.Info("escalation steps taken", "count", n)
	}
	// Requests for help overdue (按需服务: not accepted within 2 hours, not
	// done by the wanted time) are told to the community's staff on duty
	// once; counted apart from the chains' steps.
	if k, rerr := t.db.EscalateOverdueRequests(ctx, t.db.Now()); rerr != nil {
		err = errors.Join(err, rerr)
	} else if k > 0 {
		t.log.Info("overdue requests escalated", "count", k)
	}
	return n, err
}

// RebuildStreet rebuilds a street's state from every record and saves it:
// the repair behind `carecircle compliance rebuild`.
func (t *Tracker) RebuildStreet(ctx context.Context, streetID int64) (pairings int, watermark int64, err error) {
	t.mu.Lock()
	st := t.streets[streetID]
	if st == nil { // not loaded: the rebuild is the load
		st = &street{t: t, id: streetID}
		t.streets[streetID] = st
	}
	t.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.rebuild(ctx); err != nil {
		return 0, 0, err
	}
	return len(st.pairings), st.watermark, nil
}

// Cells returns a street's state as sorted cells after bringing it up to
// date: two states that agree cell for cell give the same statuses. The
// tests compare the incremental state with a rebuild through it.
func (t *Tracker) Cells(ctx context.Context, streetID int64) ([]compliance.Row, error) {
	var out []compliance.Row
	err := t.with(ctx, streetID, func(st *street) error {
		for rows := range st.cells() {
			out = append(out, rows...)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b compliance.Row) int {
		return cmp.Or(cmp.Compare(a.Pairing, b.Pairing), cmp.Compare(a.Standard, b.Standard), cmp.Compare(a.Period, b.Period),
			cmp.Compare(a.Requirement, b.Requirement))
	})
	return out, err
}

// RebuildAll rebuilds every street's state from the records, saves it, and
// writes what it did and the month's outcomes per standard to w: the
// repair `carecircle compliance rebuild` runs.
func RebuildAll(ctx context.Context, db *store.DB, w io.Writer) error {
	t, err := New(db, DefaultConfig())
	if err != nil {
		return err
	}
	streets, err := db.Streets(ctx, care.Actor{Role: care.RoleAdmin, Username: "cli"})
	if err != nil {
		return err
	}
	month := db.Now().In(db.Loc).Format("2006-01")
	for _, s := range streets {
		started := time.Now()
		n, watermark, err := t.RebuildStreet(ctx, s.ID)
		if err != nil {
			return fmt.Errorf("street %d: %w", s.ID, err)
		}
		fmt.Fprintf(w, "%s (street %d): %d pairings, records up to #%d, rebuilt in %.1fs\n", s.Name, s.ID, n, watermark, time.Since(started).Seconds())
		rows, err := t.Table(ctx, care.Actor{Role: care.RoleStation, StreetID: s.ID}, month, 0)
		if err != nil {
			return err
		}
		byStd := map[string]*Counts{}
		var order []string
		for _, r := range rows {
			if byStd[r.Standard] == nil {
				byStd[r.Standard] = &Counts{}
				order = append(order, r.Standard)
			}
			c := byStd[r.Standard]
			c.Met, c.Due, c.Overdue, c.Missed = c.Met+r.Met, c.Due+r.Due, c.Overdue+r.Overdue, c.Missed+r.Missed
		}
		for _, code := range order {
			c := byStd[code]
			rate, _ := c.Rate()
			fmt.Fprintf(w, "  %s %-26s met %5d  due %4d  overdue %3d  missed %4d  rate %5.1f%%\n", month, code, c.Met, c.Due, c.Overdue, c.Missed, rate)
		}
	}
	return nil
}
