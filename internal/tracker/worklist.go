package tracker

import (
	"cmp"
	"context"
	"slices"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// PairingReport is a pairing with the statuses of its periods in a month.
type PairingReport struct {
	PairingInfo
	Statuses []compliance.Status
}

// PairingReport returns one pairing's statuses for a month ("p12" for
// pairing 12, "k7" for elder 7's clinic). The actor must see the elder; a
// volunteer sees only their own pairings.
func (t *Tracker) PairingReport(ctx context.Context, a care.Actor, key, month string) (*PairingReport, error) {
	from, until, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	var out *PairingReport
	err = t.with(ctx, a.StreetID, func(st *street) error {
		p := st.pairings[key]
		if p == nil || !st.visible(ctx, a, p) {
			return care.ErrNotFound("结对 / pairing")
		}
		statuses, err := st.monthStatuses([]string{key}, from, until, t.db.Now())
		out = &PairingReport{PairingInfo: st.info(p), Statuses: statuses}
		return err
	})
	return out, err
}

// ElderReport returns the statuses of every tracked pairing of an elder
// for a month, the clinic's included.
func (t *Tracker) ElderReport(ctx context.Context, a care.Actor, elderID int64, month string) ([]PairingReport, error) {
	from, until, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	if _, err := t.db.GetElder(ctx, a, elderID); err != nil {
		return nil, err
	}
	var out []PairingReport
	err = t.with(ctx, a.StreetID, func(st *street) error {
		for _, p := range st.byElder[elderID] {
			if a.Role == care.RoleVolunteer && (p.VolunteerID == nil || *p.VolunteerID != a.VolunteerID) {
				continue
			}
			statuses, err := st.monthStatuses([]string{p.Key}, from, until, t.db.Now())
			if err != nil {
				return err
			}
			out = append(out, PairingReport{PairingInfo: st.info(p), Statuses: statuses})
		}
		return nil
	})
	// The clinic first, then the pairings in the order they were made.
	slices.SortFunc(out, func(a, b PairingReport) int {
		return cmp.Or(cmp.Compare(a.Key[0], b.Key[0]), cmp.Compare(len(a.Key), len(b.Key)), cmp.Compare(a.Key, b.Key))
	})
	return out, err
}

// visible reports whether the actor may see a pairing's compliance: the
// store decides who sees the elder; a volunteer sees only their own.
func (st *street) visible(ctx context.Context, a care.Actor, p *store.TrackedPairing) bool {
	if a.Role == care.RoleVolunteer && (p.VolunteerID == nil || *p.VolunteerID != a.VolunteerID) {
		return false
	}
	_, err := st.t.db.GetElder(ctx, a, p.ElderID)
	return err == nil
}

// Duty is one thing a volunteer still has to do in a period open now.
type Duty struct {
	PairingKey  string
	ElderID     int64
	CommunityID int64
	Role        string
	Standard    string
	Period      calendar.Period
	Outcome     compliance.Outcome // due or overdue
	Count       int
	Required    int
	// Left is how many more records the main requirement needs (at least
	// 1 when only a further requirement, such as a donation, is missing).
	Left int
	// Deadline is when the duty becomes overdue (festival windows) or is
	// missed; Closes when the period ends.
	Deadline, Closes time.Time
}

// Today is a worklist: what the actor still owes now, most urgent first:
// overdue, then by deadline (today's greetings before this week's chats
// before the month's visit).
//
// A volunteer's: for the active elders paired with them now, every
// standard not yet met in a period open today. Clinic staff's: for the
// elders in service (not moved or deceased) whose clinic is the actor's,
// the clinic's standards (the half-month inquiry calls and the quarterly
// check-ups) due or overdue in a period open today. Community staff's: the
// committee's standards due or overdue for the community's elders in
// service (issue 15 point 4). The scope is decided
// here from the actor, so another clinic's elders never come back.
func (t *Tracker) Today(ctx context.Context, a care.Actor) ([]Duty, error) {
	var mine func(st *street, p *store.TrackedPairing) bool
	switch {
	case a.Role == care.RoleVolunteer:
		mine = func(_ *street, p *store.TrackedPairing) bool {
			return p.VolunteerID != nil && *p.VolunteerID == a.VolunteerID
		}
	case a.Role == care.RoleClinic && a.ClinicID != 0:
		mine = func(st *street, p *store.TrackedPairing) bool {
			e := st.elders[p.ElderID]
			return isClinic(p) && e != nil && e.ClinicID != nil && *e.ClinicID == a.ClinicID
		}
	case a.Role == care.RoleCommunity && a.CommunityID != 0:
		// The committee's part in every circle of the community's elders
		// in service: the visit it organises each month, its festivals.
		mine = func(st *street, p *store.TrackedPairing) bool {
			e := st.elders[p.ElderID]
			return isCommittee(p) && e != nil && e.CommunityID == a.CommunityID && e.Status == "active"
		}
	default:
		return nil, care.ErrForbidden()
	}
	now := t.db.Now()
	var out []Duty
	err := t.with(ctx, a.StreetID, func(st *street) error {
		today := st.cal.DateOf(now)
		keys := st.keys(0, func(p *store.TrackedPairing) bool {
			return mine(st, p) && (p.To == nil || *p.To >= today)
		})
		if len(keys) == 0 {
			return nil
		}
		statuses, err := st.state.Query(compliance.Query{AsOf: now, Since: today, Pairings: keys})
		if err != nil {
			return err
		}
		for _, s := range statuses {
			if s.Outcome == compliance.Met || s.Outcome == compliance.Missed {
				continue
			}
			p := st.pairings[s.Pairing]
			var community int64
			if e := st.elders[p.ElderID]; e != nil {
				community = e.CommunityID
			}
			out = append(out, Duty{PairingKey: p.Key, ElderID: p.ElderID, CommunityID: community, Role: p.Role, Standard: s.Standard, Period: s.Period,
				Outcome: s.Outcome, Count: s.Count, Required: s.Required, Left: max(s.Required-s.Count, 1),
				Deadline: s.Deadline, Closes: s.Closes})
		}
		return nil
	})
	slices.SortStableFunc(out, func(x, y Duty) int {
		return cmp.Or(cmp.Compare(rank(x.Outcome), rank(y.Outcome)), x.Deadline.Compare(y.Deadline), cmp.Compare(x.ElderID, y.ElderID))
	})
	return out, err
}

func rank(o compliance.Outcome) int {
	if o == compliance.Overdue {
		return 0
	}
	return 1
}
