package demo

import (
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// overdueBirthday gives the demo a visit that is overdue, whatever the day
// it is created: an elder whose birthday was two days ago, served by a
// social volunteer for two months, has not had the birthday visit yet. Only
// festival and birthday windows can be overdue (the day passed, the window
// still open), so the picture needs such an elder.
func (f *filler) overdueBirthday() error {
	c := f.comms[len(f.comms)/2]
	var v *volunteer
	for _, x := range f.vols {
		if x.comm == c && x.Kind == "social" && x.Status == "active" && x.load < x.Capacity {
			v = x
			break
		}
	}
	if v == nil {
		return nil
	}
	birth := f.today.AddDate(-78, 0, -2)
	if birth.Month() == time.February && birth.Day() == 29 {
		birth = birth.AddDate(0, 0, -1)
	}
	home := c.places[0]
	lat, lon := home.coords()
	e := care.Elder{Name: "柏秀云", Gender: care.Female, BirthDate: birth, IDNumber: care.MakeIDNumber("320106", birth, 451, care.Female),
		CommunityID: c.ID, Building: c.Buildings[0], Unit: "1单元", Room: "602", Lat: lat, Lon: lon, Phone: "025-84460187",
		LivingSituation: "with_spouse", SelfCare: "partial", Categories: []string{"empty_nest"}, Needs: []string{"spirit", "festival"},
		EmergencyContacts: []care.Contact{{Name: "柏建华", Relation: "son", Phone: "13951708822", Lives: "苏州"}}, Status: "active", Consent: true,
		Notes: "老伴腿脚不便，子女在外地"}
	if len(c.clinics) > 0 {
		e.ClinicID = &c.clinics[0].ID
	}
	if err := f.db.CreateElder(f.ctx, f.station, &e); err != nil {
		return err
	}
	p := store.Pairing{ElderID: e.ID, VolunteerID: v.ID, Responsible: true, StartedOn: f.today.AddDate(0, 0, -60)}
	if err := f.db.CreatePairing(f.ctx, f.station, &p); err != nil {
		return err
	}
	v.load++
	return nil
}
