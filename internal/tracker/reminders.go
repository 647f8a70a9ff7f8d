package tracker

import (
	"context"
	"slices"
	"strings"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/reminder"
	"carecircle/internal/store"
)

// The daily reminders (issue 13 point 4, README "Reminders"): on the
// server leading "reminders", once a day from the configured time, every
// street's due reminders are written to the outbox.

// SendDueReminders writes the reminders due on now's local day, in every
// street, to the outbox and says how many were new. Each is named by its
// kind, subject and day, so calling it again the same day (on this server
// or another) adds nothing. It takes the clock as an argument so a
// simulation drives it; it does not check leadership (StartReminders does).
func (t *Tracker) SendDueReminders(ctx context.Context, now time.Time) (int, error) {
	streets, err := t.db.Streets(ctx, care.Actor{Role: care.RoleAdmin, Username: "reminders"})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, s := range streets {
		rs, err := t.DueReminders(ctx, s.ID, now)
		if err != nil {
			return total, err
		}
		n, err := t.db.SendReminders(ctx, t.dayOf(now), now, rs)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (t *Tracker) dayOf(now time.Time) calendar.Date {
	n := now.In(t.db.Loc)
	return calendar.NewDate(n.Year(), n.Month(), n.Day())
}

// DueReminders returns a street's reminders due on now's local day, with
// the street's wording, without sending them.
func (t *Tracker) DueReminders(ctx context.Context, streetID int64, now time.Time) ([]reminder.Reminder, error) {
	day := t.dayOf(now)
	dir, err := t.db.ReminderDirectory(ctx, streetID)
	if err != nil {
		return nil, err
	}
	tpl, err := t.db.ReminderTemplates(ctx, streetID)
	if err != nil {
		return nil, err
	}
	var f reminder.Facts
	if err := t.db.ReminderFacts(ctx, dir, day, &f); err != nil {
		return nil, err
	}
	if err := t.with(ctx, streetID, func(st *street) error { return st.owed(dir, day, &f) }); err != nil {
		return nil, err
	}
	return reminder.Due(day, f, tpl), nil
}

// owed adds what the compliance state says is owed on day: festival and
// birthday windows not yet met whose occasion is VisitLeadDays ahead (to
// the pairing's carer; for the committee's place in every circle, one
// message a community to its staff),
// each volunteer's weekly periods not met (chats), and the clinic's
// half-month and quarterly periods not met.
func (st *street) owed(dir *store.ReminderDirectory, day calendar.Date, f *reminder.Facts) error {
	target := day.AddDays(reminder.VisitLeadDays)
	keys := st.keys(0, func(p *store.TrackedPairing) bool { return p.From <= target && (p.To == nil || *p.To >= day) })
	if len(keys) == 0 {
		return nil
	}
	// As of the end of the target day, so a festival window that opens
	// fewer than VisitLeadDays before its day is listed too.
	statuses, err := st.state.Query(compliance.Query{AsOf: st.cal.Start(target.AddDays(1)), Since: day, Pairings: keys})
	if err != nil {
		return err
	}
	type occKey struct {
		elder int64
		label string
	}
	occasions := map[occKey]*reminder.Occasion{}
	var occOrder []occKey
	chats := map[int64]*reminder.Chats{} // by user
	var chatOrder []int64
	type clinicKey struct {
		kind   reminder.Kind
		clinic int64
		last   calendar.Date
	}
	clinics := map[clinicKey]*reminder.ClinicDue{}
	var clinicOrder []clinicKey
	addPeople := func(to []reminder.Person, more ...reminder.Person) []reminder.Person {
		for _, p := range more {
			if !slices.ContainsFunc(to, func(q reminder.Person) bool { return q.UserID == p.UserID }) {
				to = append(to, p)
			}
		}
		return to
	}
	for _, s := range statuses {
		if s.Outcome == compliance.Met {
			continue
		}
		p := st.pairings[s.Pairing]
		e := st.elders[p.ElderID]
		if p == nil || e == nil {
			continue
		}
		name := dir.Elders[p.ElderID]
		switch {
		case s.Period.Kind == calendar.KindFestival && s.Period.Occasion.Date == target:
			if p.To != nil && *p.To < target {
				continue // the pairing ends before the day
			}
			var to []reminder.Person
			switch {
			case p.VolunteerID != nil:
				to = addPeople(to, dir.Volunteers[*p.VolunteerID]...)
			case isCommittee(p):
				// The committee visits many elders at a festival: one
				// reminder a community names them all.
				k := occKey{-e.CommunityID, s.Period.Label}
				o := occasions[k]
				if o == nil {
					occ := s.Period.Occasion
					o = &reminder.Occasion{CommunityID: e.CommunityID, Code: occ.Code, Name: occ.Name, Day: occ.Date,
						To: addPeople(nil, dir.CommunityStaff[e.CommunityID]...)}
					occasions[k] = o
					occOrder = append(occOrder, k)
				}
				if !strings.Contains("、"+o.Elder+"、", "、"+name+"、") {
					o.Elder = strings.TrimPrefix(o.Elder+"、"+name, "、")
				}
				continue
			case e.ClinicID != nil:
				to = addPeople(to, dir.ClinicStaff[*e.ClinicID]...)
			}
			k := occKey{p.ElderID, s.Period.Label}
			o := occasions[k]
			if o == nil {
				occ := s.Period.Occasion
				o = &reminder.Occasion{ElderID: p.ElderID, Elder: name, Code: occ.Code, Name: occ.Name, Day: occ.Date}
				if occ.Code == calendar.CodeBirthday && e.LunarBirthday {
					b, err := st.cal.BirthdayOf(dateOf(e.BirthDate), true)
					if err == nil {
						o.Lunar = reminder.LunarLabel(b.Month, b.Day, b.Leap)
					}
				}
				occasions[k] = o
				occOrder = append(occOrder, k)
			}
			o.To = addPeople(o.To, to...)
		case s.Period.Kind == calendar.KindISOWeek && p.VolunteerID != nil && s.Period.Contains(day):
			for _, u := range dir.Volunteers[*p.VolunteerID] {
				c := chats[u.UserID]
				if c == nil {
					c = &reminder.Chats{Volunteer: u, WeekLast: s.Period.Until.AddDays(-1)}
					chats[u.UserID] = c
					chatOrder = append(chatOrder, u.UserID)
				}
				c.Left += max(s.Required-s.Count, 1)
				if !slices.Contains(c.Elders, name) {
					c.Elders = append(c.Elders, name)
				}
			}
		case isClinic(p) && e.ClinicID != nil && s.Period.Contains(day) &&
			(s.Period.Kind == calendar.KindHalfMonth || s.Period.Kind == calendar.KindQuarter):
			kind := reminder.ClinicCall
			if s.Period.Kind == calendar.KindQuarter {
				kind = reminder.ClinicCheckup
			}
			k := clinicKey{kind, *e.ClinicID, s.Period.Until.AddDays(-1)}
			c := clinics[k]
			if c == nil {
				c = &reminder.ClinicDue{Kind: kind, ClinicID: *e.ClinicID, Clinic: dir.Clinics[*e.ClinicID], Last: k.last, To: dir.ClinicStaff[*e.ClinicID]}
				clinics[k] = c
				clinicOrder = append(clinicOrder, k)
			}
			if !slices.Contains(c.Elders, name) {
				c.Elders = append(c.Elders, name)
			}
		}
	}
	for _, k := range occOrder {
		f.Occasions = append(f.Occasions, *occasions[k])
	}
	for _, u := range chatOrder {
		f.Chats = append(f.Chats, *chats[u])
	}
	for _, k := range clinicOrder {
		f.Clinics = append(f.Clinics, *clinics[k])
	}
	return nil
}

// remindCheckEvery is how often a server looks whether the day's
// reminders are due and whether it leads "reminders".
var remindCheckEvery = 30 * time.Second

// StartReminders runs the daily reminders from the local time of day at
// (e.g. 9*time.Hour for 09:00) on the server that leads "reminders"; the
// others take over when it dies. A server started after that time sends
// the day's reminders at once (those already sent are not sent again).
func (t *Tracker) StartReminders(ctx context.Context, at time.Duration) {
	t.spawn(func() { t.reminderLoop(ctx, at) })
}

func (t *Tracker) reminderLoop(ctx context.Context, at time.Duration) {
	lead, err := t.db.NewLead(ctx, "reminders")
	if err != nil {
		t.log.Error("reminders: leadership", "err", err)
		return
	}
	defer lead.Release()
	tick := time.NewTicker(remindCheckEvery)
	defer tick.Stop()
	var sent calendar.Date
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := t.db.Now().In(t.db.Loc)
		today := t.dayOf(now)
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, t.db.Loc)
		if sent == today || now.Sub(midnight) < at || !lead.Try(ctx) {
			continue
		}
		n, err := t.SendDueReminders(ctx, now)
		if err != nil {
			if ctx.Err() == nil {
				t.log.Error("reminders", "err", err)
			}
			continue
		}
		sent = today
		if n > 0 {
			t.log.Info("reminders sent", "day", today.String(), "count", n)
		}
	}
}
