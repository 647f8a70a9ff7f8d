package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// The demo's compliance picture (SPEC §5): today exactly one elder living
// alone has not been knocked on, and the demo raises that elder's alert
// itself — marked as raised by the demo, because the alert hour (20:00) has
// usually not come when the demo is filled. Every other elder living alone
// is greeted today, by their neighbour or, where no neighbour volunteer
// covers them, by the committee's daily call, so that when the hour comes
// the daily job adds no other alert for a day the demo wrote. The history
// has no birthday visits; they are added here, so the festival standards
// show a believable picture.

// demoSource names the demo on the alert it raises.
const demoSource = "demo"

// unGreeted is the one elder left un-greeted today: volunteer1's first
// elder living alone, so that volunteer1's phone shows whom to greet and
// community1's page shows the alert with volunteer1 as the neighbour.
func (f *filler) unGreeted() *elder {
	var fallback *elder
	for _, list := range f.eldersByComm {
		for _, e := range list {
			if e.status() != "active" || e.LivingSituation != "alone" {
				continue
			}
			if slices.Contains(e.team, f.v1) {
				return e
			}
			if fallback == nil && slices.ContainsFunc(e.team, func(v *volunteer) bool { return v.Kind == "neighbour" }) {
				fallback = e
			}
		}
	}
	return fallback
}

func (f *filler) isToday(day time.Time) bool {
	return day.Format(time.DateOnly) == f.today.Format(time.DateOnly)
}

// todaysKnock decides today's greeting of an elder living alone by their
// neighbour: none for the one elder left un-greeted, otherwise the
// neighbour's own random greeting or, had they skipped today, a knock at
// half past eight. ok is false when the history's dice decide as usual.
func (f *filler) todaysKnock(e *elder, day time.Time, greets bool) (knock *care.ServiceRecord, ok bool) {
	if !f.isToday(day) || e.LivingSituation != "alone" || e.status() != "active" {
		return nil, false
	}
	if e == f.unGreeted() {
		return nil, true
	}
	if greets {
		return nil, false
	}
	at := day.Add(8*time.Hour + 30*time.Minute + time.Duration(e.ID%40)*time.Minute)
	return &care.ServiceRecord{ElderID: e.ID, Kind: "life", Type: "greeting", At: at}, true
}

// compliancePicture is the demo's step after the history: the committee's
// calls on elders living alone without a neighbour, the one alert, and the
// birthday visits.
func (f *filler) compliancePicture() error {
	now := f.db.Now()
	for i, list := range f.eldersByComm {
		staff := care.Actor{Role: care.RoleCommunity, CommunityID: f.comms[i].ID, StreetID: f.street.ID, Username: "community" + string(rune('1'+i))}
		for _, e := range list {
			if e.status() != "active" || e.LivingSituation != "alone" || slices.ContainsFunc(e.team, func(v *volunteer) bool { return v.Kind == "neighbour" }) {
				continue
			}
			at := time.Date(now.In(f.db.Loc).Year(), now.In(f.db.Loc).Month(), now.In(f.db.Loc).Day(), 9, int(e.ID%50), 0, 0, f.db.Loc)
			if at.After(now) {
				continue // too early in the day: nobody has called yet
			}
			r := &care.ServiceRecord{ElderID: e.ID, Kind: "life", Type: "greeting", At: at, Note: "居委会电话问候（无邻里志愿者）"}
			if err := f.db.AddService(f.ctx, staff, r, store.Proof{Method: "none"}); err != nil {
				return err
			}
		}
	}
	if e := f.unGreeted(); e != nil {
		if _, err := f.db.RaiseAlert(f.ctx, f.station, e.ID, now.In(f.db.Loc), demoSource); err != nil {
			return err
		}
	}
	if err := f.birthdayVisits(); err != nil {
		return err
	}
	return f.overdueBirthday()
}

// birthdayVisits: social volunteers and committee staff visit on most
// birthdays in the history, the committee with a gift of money. Months
// already signed take no new records and keep their misses.
func (f *filler) birthdayVisits() error {
	cal, err := calendar.New(f.db.Loc, nil)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(5, 11)) // its own dice, so the history's stay as they were
	now := f.db.Now()
	start := now.AddDate(0, 0, -historyDays)
	for _, list := range f.eldersByComm {
		for _, e := range list {
			if e.status() != "active" {
				continue
			}
			b, err := cal.BirthdayOf(calendar.NewDate(e.BirthDate.Year(), e.BirthDate.Month(), e.BirthDate.Day()), e.LunarBirthday)
			if err != nil {
				continue
			}
			for i, v := range e.team {
				if v.Kind != "social" && v.Kind != "committee" {
					continue
				}
				from := e.joined[i]
				if from.Before(start) {
					from = start
				}
				for year := start.Year() - 1; year <= now.Year(); year++ {
					occ, err := cal.BirthdayIn(b, year)
					if err != nil || rng.Float64() >= 0.85 {
						continue
					}
					y, m, d := occ.Date.YMD()
					at := time.Date(y, m, d-rng.IntN(4), 10+rng.IntN(6), rng.IntN(60), 0, 0, f.db.Loc)
					if at.Before(from) || at.After(now) {
						continue
					}
					if err := f.birthdayVisit(e, v, at); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (f *filler) birthdayVisit(e *elder, v *volunteer, at time.Time) error {
	a := care.Actor{Role: care.RoleVolunteer, VolunteerID: v.ID, CommunityID: v.CommunityID, StreetID: f.street.ID, Username: v.Name}
	r := &care.ServiceRecord{ElderID: e.ID, Kind: "festival", Type: "festival_visit", At: at, Note: "生日探望，陪老人过生日"}
	if v.Kind == "committee" {
		r.AmountCents, r.Note = 20000, "生日慰问，送蛋糕和慰问金"
	}
	err := f.addMade(a, r, store.Proof{Method: "qr", Code: f.cardCode(e, r.At)})
	switch care.ErrorCode(err) {
	case care.EConflict, care.ENotFound:
		return nil // a signed month, or a volunteer no longer in the team
	}
	return err
}
