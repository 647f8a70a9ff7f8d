package demo

import (
	"strings"
	"time"

	"carecircle/internal/care"
)

// elder is an elder of the demo with the story Fill tells about them.
type elder struct {
	care.Elder
	comm    *community
	home    point // where they live, known even when no coordinates are stored
	age     int
	steps   []statusStep // status changes after registration, in order
	waiting bool         // newly registered: left unpaired for the matcher
	claimed bool         // already given a part (status, wishes, newcomer, override)
	team    []*volunteer
	joined  []time.Time // when each member of the team took the elder on
	since   time.Time   // when the responsible person took the elder on
}

// statusStep is a change of status with the reason staff would record.
type statusStep struct{ to, reason string }

// status is the elder's status once all steps are applied.
func (e *elder) status() string {
	if len(e.steps) == 0 {
		return "active"
	}
	return e.steps[len(e.steps)-1].to
}

func (e *elder) has(category string) bool {
	for _, c := range e.Categories {
		if c == category {
			return true
		}
	}
	return false
}

// elderCounts is the number of elders per community, about a hundred each.
var elderCounts = []int{102, 97, 101}

// elders registers every elder, then records the status changes, so that
// paused, moved and deceased elders carry their history like real ones.
func (f *filler) elders() error {
	seq := 0 // distinct per elder, so ID numbers cannot collide
	f.eldersByComm = make([][]*elder, len(f.comms))
	for i, c := range f.comms {
		for range elderCounts[i] {
			f.eldersByComm[i] = append(f.eldersByComm[i], f.makeElder(c, seq))
			seq++
		}
	}
	f.story()
	for _, list := range f.eldersByComm {
		for _, e := range list {
			if err := f.db.CreateElder(f.ctx, f.station, &e.Elder); err != nil {
				return err
			}
			for _, s := range e.steps {
				e.Status = s.to
				if err := f.db.UpdateElder(f.ctx, f.station, &e.Elder, s.reason); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (f *filler) makeElder(c *community, seq int) *elder {
	e := &elder{comm: c, age: f.elderAge()}
	e.CommunityID = c.ID
	e.Gender = care.Male
	if f.chance(0.58) { // women outlive men
		e.Gender = care.Female
	}
	e.Name = f.personName(e.Gender, eraOld)
	e.BirthDate = f.birthForAge(e.age)
	e.IDNumber = care.MakeIDNumber(f.region(), e.BirthDate, seq, e.Gender)
	b, unit, room := f.home(c)
	e.Building, e.Unit, e.Room = c.Buildings[b], unit, room
	e.home = c.places[b].move(f.jitter(), f.jitter())
	if f.chance(0.9) {
		e.Lat, e.Lon = e.home.coords()
	}
	f.household(e)
	f.categorise(e)
	e.Needs = f.needs(e)
	e.EmergencyContacts = f.contacts(e)
	e.Phone = f.elderPhone(e)
	e.LunarBirthday = f.chance(0.3)
	e.Notes = f.notes(e)
	e.Consent = f.chance(0.96)
	k := c.nearestClinic(e.home).ID
	e.ClinicID = &k
	return e
}

// elderAge gives ages 60–101, most of them 70–89, so that 高龄 is common.
func (f *filler) elderAge() int {
	switch f.weighted(10, 40, 37, 13) {
	case 0:
		return f.between(60, 69)
	case 1:
		return f.between(70, 79)
	case 2:
		return f.between(80, 89)
	}
	return f.between(90, 101)
}

// regions are ID number region codes: most elders got their card in 鼓楼区
// (320106) or the former 下关区 (320107, merged into 鼓楼 in 2013); some came
// from elsewhere.
var regions = []string{"320106", "320107", "320104", "320102", "321023", "320826"}

func (f *filler) region() string { return regions[f.weighted(60, 20, 6, 6, 4, 4)] }

// household sets self-care and living situation; both worsen with age, and
// only elders who cannot fully look after themselves live in a home.
func (f *filler) household(e *elder) {
	dep, part := 0.05, 0.18
	switch {
	case e.age >= 90:
		dep, part = 0.25, 0.40
	case e.age >= 80:
		dep, part = 0.12, 0.30
	}
	e.SelfCare = []string{"independent", "partial", "dependent"}[f.weighted(1-dep-part, part, dep)]
	spouse, home := 40.0, 0.0
	if e.age >= 88 {
		spouse = 15
	}
	switch e.SelfCare {
	case "partial":
		home = 4
	case "dependent":
		home = 14
	}
	e.LivingSituation = []string{"alone", "with_spouse", "with_family", "institution"}[f.weighted(38, spouse, 18, home)]
}

// categorise assigns 三无 (alone or in a home, without family), 空巢 (alone
// or with a spouse, children away) and 病残; 高龄 follows from the age.
func (f *filler) categorise(e *elder) {
	var cats []string
	threeNo := (e.LivingSituation == "alone" && f.chance(0.1)) || (e.LivingSituation == "institution" && f.chance(0.4))
	if threeNo {
		cats = append(cats, "three_no")
	}
	if !threeNo && (e.LivingSituation == "alone" || e.LivingSituation == "with_spouse") && f.chance(0.85) {
		cats = append(cats, "empty_nest")
	}
	sick := map[string]float64{"independent": 0.03, "partial": 0.3, "dependent": 0.6}[e.SelfCare]
	if f.chance(sick) {
		cats = append(cats, "sick_disabled")
	}
	// Someone under 80 in none of the categories would not be on the
	// register: living with family they are there for an illness, otherwise
	// because the children are away.
	if len(cats) == 0 && e.age < care.AdvancedAge {
		if e.LivingSituation == "with_family" || e.LivingSituation == "institution" {
			cats = append(cats, "sick_disabled")
		} else {
			cats = append(cats, "empty_nest")
		}
	}
	e.Categories = cats
}

var serviceKinds = []string{"life", "spirit", "festival", "health", "legal", "emergency"}

// needs draws one to three of the six service kinds, weighted by what the
// elder's situation calls for, and lists them in the canonical order.
func (f *filler) needs(e *elder) []string {
	w := []float64{0.7, 0.5, 0.3, 0.3, 0.05, 0.08}
	if e.SelfCare != "independent" {
		w[0] = 1.5
	}
	if e.LivingSituation == "alone" {
		w[1], w[5] = 0.8, 0.3
	}
	if e.has("sick_disabled") {
		w[3] = 1.2
	}
	if e.has("three_no") {
		w[4] = 0.15
	}
	chosen := sample(f, serviceKinds, w, 1+f.weighted(30, 45, 25))
	var out []string
	for _, k := range serviceKinds {
		for _, c := range chosen {
			if c == k {
				out = append(out, k)
			}
		}
	}
	return out
}

// contacts gives one or two children or relatives; a 三无 elder has at most
// a relative or a neighbour to call.
func (f *filler) contacts(e *elder) []care.Contact {
	n := 1 + f.weighted(55, 45)
	threeNo := e.has("three_no")
	if threeNo {
		n = f.between(0, 1)
	}
	// Children carry their father's surname: the elder's own when the
	// elder is the father, one other surname for all of a mother's children.
	family := string([]rune(e.Name)[0])
	if e.Gender == care.Female {
		family = f.surname()
	}
	var out []care.Contact
	for i := range n {
		rel := []string{"son", "daughter", "relative"}[f.weighted(45, 45, 10)]
		if threeNo {
			rel = []string{"relative", "neighbour"}[f.rng.IntN(2)]
		}
		out = append(out, care.Contact{Name: f.contactName(e, rel, family), Relation: rel, Phone: f.mobile(), Lives: f.lives(e, rel, i)})
	}
	return out
}

// lives says where a contact lives, which tells staff how fast they can come.
func (f *filler) lives(e *elder, rel string, i int) string {
	switch {
	case rel == "neighbour":
		return "本社区"
	case e.LivingSituation == "with_family" && i == 0:
		return "同住"
	case e.has("empty_nest") && f.chance(0.6):
		return pick(f, farCities)
	}
	return pick(f, nearPlaces)
}

// elderPhone: many elders have a mobile, some only a landline, and some who
// cannot look after themselves no phone of their own.
func (f *filler) elderPhone(e *elder) string {
	if e.SelfCare == "dependent" && f.chance(0.4) {
		return ""
	}
	switch f.weighted(62, 20, 18) {
	case 0:
		return f.mobile()
	case 1:
		return f.landline()
	}
	return ""
}

// notes writes what a volunteer should know before knocking.
func (f *filler) notes(e *elder) string {
	var parts []string
	if e.has("sick_disabled") && f.chance(0.7) {
		parts = append(parts, pick(f, healthNotes))
	}
	if f.chance(0.2) {
		parts = append(parts, pick(f, lifeNotes))
	}
	if strings.HasPrefix(e.Room, "6") && e.SelfCare != "independent" {
		parts = append(parts, "住六楼无电梯，上下楼困难")
	}
	if strings.HasPrefix(e.Phone, "025") && f.chance(0.3) {
		parts = append(parts, "不会用智能手机，有事请打座机")
	}
	return strings.Join(parts, "；")
}
