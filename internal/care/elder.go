package care

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Contact is an emergency contact of an elder: a child or relative and where
// they live, so staff know who can come and how fast.
type Contact struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Phone    string `json:"phone"`
	Lives    string `json:"lives,omitempty"`
}

// Wishes records the elder's own say in pairing (尊重自愿).
type Wishes struct {
	DeclinePairing bool    `json:"decline_pairing"`
	DeclineReason  string  `json:"decline_reason,omitempty"`
	Prefer         []int64 `json:"prefer,omitempty"`
	Refuse         []int64 `json:"refuse,omitempty"`
}

// Elder is a person served by the programme (服务对象).
type Elder struct {
	ID              int64
	Name            string
	Gender          Gender
	BirthDate       time.Time // a date; the time part is zero, UTC
	LunarBirthday   bool
	IDNumber        string // plain text only while writing or revealing
	IDMasked        string
	Phone           string
	CommunityID     int64
	Building        string
	Unit            string
	Room            string
	Lat, Lon        *float64
	LivingSituation string
	SelfCare        string
	// Categories holds the categories staff assign (空巢, 三无, 病残);
	// 高龄 is derived from the birth date, see AllCategories.
	Categories        []string
	Needs             []string
	EmergencyContacts []Contact
	Wishes            Wishes
	Notes             string
	Status            string
	PriorityOverride  *int
	PriorityReason    string
	ClinicID          *int64
	Consent           bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Age in whole years on day.
func Age(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}

// AdvancedAge is the age from which an elder counts as 高龄.
const AdvancedAge = 80

// AllCategories returns the assigned categories plus 高龄 when the elder is 80
// or older on day, in the canonical order.
func (e *Elder) AllCategories(day time.Time) []string {
	var out []string
	for _, c := range Categories {
		if c.Code == "advanced_age" {
			if !e.BirthDate.IsZero() && Age(e.BirthDate, day) >= AdvancedAge {
				out = append(out, c.Code)
			}
			continue
		}
		if contains(e.Categories, c.Code) {
			out = append(out, c.Code)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MinElderAge is the age from which a person is an elder (老年人, 60+).
const MinElderAge = 60

// Normalize trims and canonicalises what people type, before validation.
func (e *Elder) Normalize() {
	e.Name = strings.TrimSpace(e.Name)
	e.IDNumber = NormalizeIDNumber(e.IDNumber)
	e.Phone = NormalizePhone(e.Phone)
	e.Building = strings.TrimSpace(e.Building)
	e.Unit = strings.TrimSpace(e.Unit)
	e.Room = strings.TrimSpace(e.Room)
	for i := range e.EmergencyContacts {
		c := &e.EmergencyContacts[i]
		c.Name = strings.TrimSpace(c.Name)
		c.Phone = NormalizePhone(c.Phone)
		c.Lives = strings.TrimSpace(c.Lives)
	}
	var cats []string
	for _, c := range e.Categories {
		if c != "advanced_age" && !contains(cats, c) {
			cats = append(cats, c) // 高龄 is computed, never stored
		}
	}
	e.Categories = cats
	if e.Status == "" {
		e.Status = "active"
	}
}

// Validate checks every field and returns all field errors at once.
// requireID is false when updating a record whose ID number is kept as stored.
func (e *Elder) Validate(today time.Time, requireID bool) error {
	f := FieldErrors{}
	checkText(f, "name", e.Name, true, 40)
	if !isChoice(Genders, string(e.Gender)) {
		f.Add("gender", choiceMsg(e.Gender == ""))
	}
	switch {
	case e.BirthDate.IsZero():
		f.Add("birth_date", MsgRequired)
	case e.BirthDate.After(today):
		f.Add("birth_date", MsgFutureDate)
	case Age(e.BirthDate, today) > 120:
		f.Add("birth_date", Msg{"年龄超过120岁，请核对", "age over 120; please check"})
	case Age(e.BirthDate, today) < MinElderAge:
		f.Add("birth_date", Msg{"服务对象应年满60周岁", "an elder must be at least 60 years old"})
	}
	if e.IDNumber != "" || requireID {
		validateIDAgreement(f, e.IDNumber, e.BirthDate, e.Gender)
	}
	if e.Phone != "" && !ValidPhone(e.Phone) {
		f.Add("phone", MsgBadPhone)
	}
	if e.CommunityID <= 0 {
		f.Add("community_id", MsgRequired)
	}
	checkText(f, "building", e.Building, true, 40)
	checkText(f, "unit", e.Unit, false, 20)
	checkText(f, "room", e.Room, false, 20)
	checkCoords(f, e.Lat, e.Lon)
	checkChoice(f, "living_situation", LivingSituations, e.LivingSituation)
	checkChoice(f, "self_care", SelfCareLevels, e.SelfCare)
	checkChoice(f, "status", ElderStatuses, e.Status)
	for _, c := range e.Categories {
		if !isChoice(Categories, c) {
			f.Add("categories", MsgBadChoice)
		}
	}
	for _, n := range e.Needs {
		if !isChoice(ServiceKinds, n) {
			f.Add("needs", MsgBadChoice)
		}
	}
	validateContacts(f, e.EmergencyContacts)
	if e.Wishes.DeclinePairing && strings.TrimSpace(e.Wishes.DeclineReason) == "" {
		f.Add("wishes", Msg{"不愿结对时请写明原因（如已雇人照料）", "give a reason when the elder declines pairing (e.g. has a hired carer)"})
	}
	if e.PriorityOverride != nil {
		if *e.PriorityOverride < 1 || *e.PriorityOverride > MaxPriority {
			f.Add("priority", Msg{"优先级应在 1 到 5 之间", "priority must be between 1 and 5"})
		} else if strings.TrimSpace(e.PriorityReason) == "" {
			f.Add("priority_reason", Msg{"调整优先级须写明理由", "a reason is required to override the priority"})
		}
	}
	checkText(f, "notes", e.Notes, false, 2000)
	return f.Err()
}

func validateIDAgreement(f FieldErrors, id string, birth time.Time, g Gender) {
	if id == "" {
		f.Add("id_number", MsgRequired)
		return
	}
	info, bad := ParseIDNumber(id)
	if bad != nil {
		f.Add("id_number", *bad)
		return
	}
	if !birth.IsZero() && !info.BirthDate.Equal(birth) {
		f.Add("id_number", Msg{
			"身份证号中的出生日期（" + info.BirthDate.Format("2006-01-02") + "）与填写的出生日期不一致",
			"the birth date in the ID number (" + info.BirthDate.Format("2006-01-02") + ") differs from the birth date given"})
		return
	}
	if g != "" && info.Gender != g {
		f.Add("id_number", Msg{"身份证号第17位表示的性别与填写的性别不一致", "the gender encoded in the ID number differs from the gender given"})
	}
}

func validateContacts(f FieldErrors, cs []Contact) {
	if len(cs) > 5 {
		f.Add("emergency_contacts", Msg{"最多登记5位紧急联系人", "at most 5 emergency contacts"})
	}
	for _, c := range cs {
		switch {
		case c.Name == "":
			f.Add("emergency_contacts", Msg{"紧急联系人须填写姓名", "each emergency contact needs a name"})
		case strings.TrimSpace(c.Phone) == "":
			f.Add("emergency_contacts", Msg{"紧急联系人 " + c.Name + " 未填写电话", "emergency contact " + c.Name + " has no phone"})
		case !ValidPhone(c.Phone):
			f.Add("emergency_contacts", Msg{"紧急联系人 " + c.Name + " 的电话无效", "the phone of emergency contact " + c.Name + " is invalid"})
		case c.Relation != "" && !isChoice(Relations, c.Relation):
			f.Add("emergency_contacts", Msg{"紧急联系人关系不是可选的值", "the relation of an emergency contact is not an allowed value"})
		}
	}
}

func checkText(f FieldErrors, field, v string, required bool, max int) {
	if v == "" {
		if required {
			f.Add(field, MsgRequired)
		}
		return
	}
	if utf8.RuneCountInString(v) > max {
		f.Add(field, MsgTooLong)
	}
}

func checkChoice(f FieldErrors, field string, choices []Choice, v string) {
	if !isChoice(choices, v) {
		f.Add(field, choiceMsg(v == ""))
	}
}

func choiceMsg(empty bool) Msg {
	if empty {
		return MsgRequired
	}
	return MsgBadChoice
}

func checkCoords(f FieldErrors, lat, lon *float64) {
	if (lat == nil) != (lon == nil) {
		f.Add("lat", MsgLatLonPair)
		return
	}
	// Written as "not within" so that NaN (which a form or a file can
	// carry as the text "NaN") is refused too.
	if lat != nil && !(*lat >= -90 && *lat <= 90) {
		f.Add("lat", MsgBadLat)
	}
	if lon != nil && !(*lon >= -180 && *lon <= 180) {
		f.Add("lon", MsgBadLon)
	}
}
