package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/reminder"
)

// Reminders (issue 13 point 4, README "Reminders"). The station edits the
// wording of each kind for its street (reminder_templates); the tracker's
// daily job gathers what is owed (the compliance state for visits, chats
// and the clinic's calls; ReminderFacts here for cards and handovers),
// internal/reminder picks what is due and renders it, and SendReminders
// writes it to the outbox named EventID("reminder", kind, subject, day),
// so each reminder goes out once a day however often the job runs, on
// however many servers.

// reminderStreet is the street whose templates the actor reads or edits:
// station and community staff read their street's, the station edits.
func reminderStreet(a care.Actor, edit bool) (int64, error) {
	switch {
	case a.Role == care.RoleStation && a.StreetID > 0:
		return a.StreetID, nil
	case a.Role == care.RoleCommunity && a.StreetID > 0 && !edit:
		return a.StreetID, nil
	}
	return 0, care.ErrForbidden()
}

// GetReminderTemplates returns the actor's street's template of every kind
// in reminder.Kinds order: the station's wording, or the built-in default
// (Default set). Station and community staff may read them.
func (db *DB) GetReminderTemplates(ctx context.Context, a care.Actor) ([]reminder.Template, error) {
	street, err := reminderStreet(a, false)
	if err != nil {
		return nil, err
	}
	stored, err := db.storedTemplates(ctx, db.read, street)
	if err != nil {
		return nil, err
	}
	out := make([]reminder.Template, 0, len(reminder.Kinds))
	for _, i := range reminder.Kinds {
		if t, ok := stored[i.Kind]; ok {
			out = append(out, t)
		} else {
			out = append(out, reminder.Template{Kind: i.Kind, Text: i.Default, Default: true})
		}
	}
	return out, nil
}

func (db *DB) storedTemplates(ctx context.Context, q queryer, streetID int64) (map[reminder.Kind]reminder.Template, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT kind, text, updated_by, updated_at FROM reminder_templates WHERE street_id = ?`), streetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[reminder.Kind]reminder.Template{}
	for rows.Next() {
		var t reminder.Template
		var at string
		if err := rows.Scan(&t.Kind, &t.Text, &t.UpdatedBy, &at); err != nil {
			return nil, err
		}
		t.UpdatedAt = parseStamp(at)
		out[t.Kind] = t
	}
	return out, rows.Err()
}

// ReminderTemplates returns a street's wording by kind for the daily job
// (kinds never edited are absent: reminder.Due takes the default).
func (db *DB) ReminderTemplates(ctx context.Context, streetID int64) (reminder.Templates, error) {
	stored, err := db.storedTemplates(ctx, db.read, streetID)
	if err != nil {
		return nil, err
	}
	out := reminder.Templates{}
	for k, t := range stored {
		out[k] = t.Text
	}
	return out, nil
}

// SaveReminderTemplate sets the wording of one kind for the station's
// street after reminder.Validate (an unknown kind, empty text or an
// unknown placeholder is refused, naming the field); the change is
// audited with the wording before and after.
func (db *DB) SaveReminderTemplate(ctx context.Context, a care.Actor, kind reminder.Kind, text string) (*reminder.Template, error) {
	street, err := reminderStreet(a, true)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if err := reminder.Validate(kind, text); err != nil {
		return nil, err
	}
	t := &reminder.Template{Kind: kind, Text: text, UpdatedBy: a.Username, UpdatedAt: db.Now().UTC().Truncate(time.Millisecond)}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		stored, err := db.storedTemplates(ctx, tx, street)
		if err != nil {
			return err
		}
		before := map[string]string{"kind": string(kind), "text": reminder.Defaults()[kind]}
		if old, ok := stored[kind]; ok {
			before["text"] = old.Text
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO reminder_templates (street_id, kind, text, updated_by, updated_at) VALUES (?,?,?,?,?)
 ON CONFLICT (street_id, kind) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
			street, string(kind), text, a.Username, stamp(t.UpdatedAt)); err != nil {
			return err
		}
		return db.audit(ctx, tx, a, "update", "reminder_template", street, before, map[string]string{"kind": string(kind), "text": text})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ReminderDirectory is who is who in a street, for the daily job: the
// names of its elders, communities and clinics, and the active accounts
// reminders go to.
type ReminderDirectory struct {
	StreetID    int64
	Elders      map[int64]string // elder id → name
	Communities map[int64]string
	Clinics     map[int64]string
	// Volunteers maps a volunteer to their accounts; CommunityStaff a
	// community to its staff accounts; ClinicStaff a clinic to its
	// accounts; Station is the street's station accounts.
	Volunteers     map[int64][]reminder.Person
	CommunityStaff map[int64][]reminder.Person
	ClinicStaff    map[int64][]reminder.Person
	Station        []reminder.Person
}

func personOf(u care.User) reminder.Person {
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	return reminder.Person{UserID: u.ID, Name: name}
}

// ReminderDirectory reads a street's names and accounts.
func (db *DB) ReminderDirectory(ctx context.Context, streetID int64) (*ReminderDirectory, error) {
	d := &ReminderDirectory{StreetID: streetID, Elders: map[int64]string{}, Communities: map[int64]string{}, Clinics: map[int64]string{},
		Volunteers: map[int64][]reminder.Person{}, CommunityStaff: map[int64][]reminder.Person{}, ClinicStaff: map[int64][]reminder.Person{}}
	names := func(query string, into map[int64]string) error {
		rows, err := db.read.QueryContext(ctx, db.q(query), streetID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			into[id] = name
		}
		return rows.Err()
	}
	if err := names(`SELECT e.id, e.name FROM elders e JOIN communities c ON c.id = e.community_id WHERE c.street_id = ?`, d.Elders); err != nil {
		return nil, err
	}
	if err := names(`SELECT id, name FROM communities WHERE street_id = ?`, d.Communities); err != nil {
		return nil, err
	}
	if err := names(`SELECT id, name FROM clinics WHERE street_id = ?`, d.Clinics); err != nil {
		return nil, err
	}
	users, err := db.queryUsers(ctx, db.read, `street_id = ? AND disabled = ?`, streetID, false)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		p := personOf(u)
		switch {
		case u.Role == care.RoleVolunteer && u.VolunteerID > 0:
			d.Volunteers[u.VolunteerID] = append(d.Volunteers[u.VolunteerID], p)
		case u.Role == care.RoleCommunity && u.CommunityID > 0:
			d.CommunityStaff[u.CommunityID] = append(d.CommunityStaff[u.CommunityID], p)
		case u.Role == care.RoleClinic && u.ClinicID > 0:
			d.ClinicStaff[u.ClinicID] = append(d.ClinicStaff[u.ClinicID], p)
		case u.Role == care.RoleStation:
			d.Station = append(d.Station, p)
		}
	}
	return d, nil
}

// ReminderFacts adds to f what the store knows on day: the previous
// month's unsigned cards per community (for the station) and the pairings
// of each community waiting for a successor (for its staff).
func (db *DB) ReminderFacts(ctx context.Context, d *ReminderDirectory, day calendar.Date, f *reminder.Facts) error {
	station := care.Actor{Role: care.RoleStation, StreetID: d.StreetID, Username: "reminders"}
	last := day.AddDays(-day.Day())
	month := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	if day.Day() == 1 {
		rows, err := db.Inspection(ctx, station, month, 0)
		if err != nil {
			return err
		}
		unsigned := map[int64]int{}
		for _, r := range rows {
			if !r.Signed {
				unsigned[r.CommunityID]++
			}
		}
		c := reminder.Cards{StreetID: d.StreetID, Month: month, To: d.Station}
		for _, id := range sortedIDs(d.Communities) {
			if unsigned[id] > 0 {
				c.Counts = append(c.Counts, reminder.CommunityCount{Community: d.Communities[id], Count: unsigned[id]})
			}
		}
		f.Cards = append(f.Cards, c)
	}
	hs, err := db.Handovers(ctx, station, 0)
	if err != nil {
		return err
	}
	by := map[int64]*reminder.Community{}
	for _, h := range hs {
		if h.EndedOn == nil || !h.NeedsSuccessor {
			continue // a volunteer who left without an end: no day to count from
		}
		c := by[h.CommunityID]
		if c == nil {
			c = &reminder.Community{CommunityID: h.CommunityID, Community: d.Communities[h.CommunityID], To: d.CommunityStaff[h.CommunityID]}
			by[h.CommunityID] = c
		}
		e := h.EndedOn.In(db.Loc)
		c.Waiting = append(c.Waiting, reminder.Waiting{ElderID: h.ElderID, Elder: h.ElderName, Since: calendar.NewDate(e.Year(), e.Month(), e.Day())})
	}
	for _, id := range sortedIDs(d.Communities) {
		if c := by[id]; c != nil {
			f.Communities = append(f.Communities, *c)
		}
	}
	return nil
}

func sortedIDs(m map[int64]string) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// SendReminders writes the day's reminders to the outbox, each fanned out
// to its people's channels (quiet hours applied), and says how many were
// new: a reminder is named EventID("reminder", kind, subject, day), so one
// already written today (the job ran before, or on another server) is not
// written again, even if its text would now differ.
func (db *DB) SendReminders(ctx context.Context, day calendar.Date, at time.Time, rs []reminder.Reminder) (int, error) {
	n := 0
	for _, r := range rs {
		base := notify.Message{ID: notify.EventID("reminder", string(r.Kind), r.Subject, day.String()), Kind: notify.KindReminder,
			Subject: "关爱服务圈：" + label(r.Kind), Text: r.Text, ElderID: r.ElderID, CreatedAt: at}
		users := make([]care.User, 0, len(r.To))
		seen := map[int64]bool{}
		for _, p := range r.To {
			if p.UserID > 0 && !seen[p.UserID] {
				seen[p.UserID] = true
				users = append(users, care.User{ID: p.UserID, DisplayName: p.Name})
			}
		}
		err := db.tx(ctx, func(tx *sql.Tx) error {
			msgs, err := db.messagesFor(ctx, tx, base, users)
			if err != nil || len(msgs) == 0 {
				return err
			}
			var have int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM outbox WHERE id = ?`), msgs[0].ID).Scan(&have); err != nil {
				return err
			}
			if have == 0 {
				n++
			}
			return db.enqueueTx(ctx, tx, msgs...)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func label(k reminder.Kind) string {
	i, _ := reminder.InfoOf(k)
	return i.Label.ZH
}

// SentReminders lists the reminders in the outbox written on or after
// since, newest first (the reminders page, tests).
func (db *DB) SentReminders(ctx context.Context, since time.Time) ([]OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+outboxColumns+` FROM outbox WHERE kind = 'reminder' AND created_at >= ?
 ORDER BY created_at DESC, id`), stamp(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
