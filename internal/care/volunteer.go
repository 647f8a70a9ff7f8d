package care

import (
	"strings"
	"time"
)

// Volunteer is a member of a community's volunteer team (志愿者队伍).
type Volunteer struct {
	ID           int64
	Name         string
	Gender       Gender
	BirthDate    time.Time // zero when unknown
	Phone        string
	Kind         string
	CommunityID  int64
	Address      string
	Lat, Lon     *float64
	Capacity     int
	Skills       []string
	Availability string
	Team         string
	Status       string
	Training     string
	Honours      string
	HoursTenths  int64 // service hours in tenths, so sums stay exact
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Normalize trims what people type before validation.
func (v *Volunteer) Normalize() {
	v.Name = strings.TrimSpace(v.Name)
	v.Phone = NormalizePhone(v.Phone)
	v.Address = strings.TrimSpace(v.Address)
	v.Team = strings.TrimSpace(v.Team)
	var skills []string
	for _, s := range v.Skills {
		if s = strings.TrimSpace(s); s != "" && !contains(skills, s) {
			skills = append(skills, s)
		}
	}
	v.Skills = skills
	if v.Status == "" {
		v.Status = "active"
	}
}

// Validate checks every field and returns all field errors at once.
func (v *Volunteer) Validate(today time.Time) error {
	f := FieldErrors{}
	checkText(f, "name", v.Name, true, 40)
	if v.Gender != "" && !isChoice(Genders, string(v.Gender)) {
		f.Add("gender", MsgBadChoice)
	}
	if !v.BirthDate.IsZero() {
		if v.BirthDate.After(today) {
			f.Add("birth_date", MsgFutureDate)
		} else if a := Age(v.BirthDate, today); a < 14 || a > 100 {
			f.Add("birth_date", Msg{"志愿者年龄应在14到100岁之间", "a volunteer must be between 14 and 100 years old"})
		}
	}
	if v.Phone == "" {
		f.Add("phone", MsgRequired)
	} else if !ValidPhone(v.Phone) {
		f.Add("phone", MsgBadPhone)
	}
	checkChoice(f, "kind", VolunteerKinds, v.Kind)
	if v.CommunityID <= 0 {
		f.Add("community_id", MsgRequired)
	}
	checkText(f, "address", v.Address, false, 100)
	checkCoords(f, v.Lat, v.Lon)
	if v.Capacity < 0 || v.Capacity > 20 {
		f.Add("capacity", MsgBadCapacity)
	}
	checkChoice(f, "status", VolunteerStatuses, v.Status)
	checkText(f, "team", v.Team, false, 60)
	checkText(f, "availability", v.Availability, false, 200)
	checkText(f, "training", v.Training, false, 1000)
	checkText(f, "honours", v.Honours, false, 1000)
	if v.HoursTenths < 0 {
		f.Add("hours", Msg{"服务时长不能为负", "hours cannot be negative"})
	}
	return f.Err()
}
