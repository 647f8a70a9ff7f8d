package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// form reads typed values from a posted form, collecting a field error for
// each value that is not of its type, so the form comes back with all of them.
type form struct {
	r    *http.Request
	errs care.FieldErrors
}

func newForm(r *http.Request) *form {
	r.ParseForm()
	return &form{r: r, errs: care.FieldErrors{}}
}

func (f *form) str(name string) string { return strings.TrimSpace(f.r.PostFormValue(name)) }

func (f *form) list(name string) []string {
	var out []string
	for _, v := range f.r.PostForm[name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (f *form) bool(name string) bool {
	v := f.r.PostFormValue(name)
	return v == "1" || v == "on" || v == "true"
}

func (f *form) date(name string) time.Time {
	s := f.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.errs.Add(name, care.MsgBadDate)
	}
	return t
}

var msgNumber = care.Msg{ZH: "应为数字", EN: "must be a number"}

func (f *form) int64(name string) int64 {
	s := f.str(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.errs.Add(name, msgNumber)
	}
	return v
}

func (f *form) optInt64(name string) *int64 {
	if f.str(name) == "" {
		return nil
	}
	v := f.int64(name)
	return &v
}

func (f *form) int(name string) int { return int(f.int64(name)) }

func (f *form) optFloat(name string) *float64 {
	s := f.str(name)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.errs.Add(name, msgNumber)
		return nil
	}
	return &v
}

// elderFromForm reads the elder form. Contacts come as parallel lists.
func elderFromForm(f *form, today time.Time) *care.Elder {
	e := &care.Elder{Name: f.str("name"), Gender: care.Gender(f.str("gender")), BirthDate: f.date("birth_date"),
		LunarBirthday: f.bool("lunar_birthday"), IDNumber: f.str("id_number"), Phone: f.str("phone"),
		CommunityID: f.int64("community_id"), Building: f.str("building"), Unit: f.str("unit"), Room: f.str("room"),
		Lat: f.optFloat("lat"), Lon: f.optFloat("lon"), LivingSituation: f.str("living_situation"), SelfCare: f.str("self_care"),
		Categories: f.list("categories"), Needs: f.list("needs"), Notes: f.str("notes"), Status: f.str("status"),
		ClinicID: f.optInt64("clinic_id"), Consent: f.bool("consent")}
	// Preferred and refused volunteers are chosen by name: the handler
	// reads them (Server.pickVolunteers), as only the store can.
	e.Wishes = care.Wishes{DeclinePairing: f.bool("decline_pairing"), DeclineReason: f.str("decline_reason")}
	names, rels, phones, lives := f.r.PostForm["contact_name"], f.r.PostForm["contact_relation"], f.r.PostForm["contact_phone"], f.r.PostForm["contact_lives"]
	for i := range names {
		c := care.Contact{Name: strings.TrimSpace(names[i]), Relation: at(rels, i), Phone: at(phones, i), Lives: at(lives, i)}
		if c.Name == "" && c.Phone == "" {
			continue // an empty row of the form
		}
		e.EmergencyContacts = append(e.EmergencyContacts, c)
	}
	if s := f.str("priority_override"); s != "" {
		p := f.int("priority_override")
		e.PriorityOverride, e.PriorityReason = &p, f.str("priority_reason")
	}
	return e
}

func at(list []string, i int) string {
	if i < len(list) {
		return strings.TrimSpace(list[i])
	}
	return ""
}

func volunteerFromForm(f *form) *care.Volunteer {
	hours := 0.0
	if h := f.optFloat("hours"); h != nil {
		hours = *h
	}
	return &care.Volunteer{Name: f.str("name"), Gender: care.Gender(f.str("gender")), BirthDate: f.date("birth_date"),
		Phone: f.str("phone"), Kind: f.str("kind"), CommunityID: f.int64("community_id"), Address: f.str("address"),
		Lat: f.optFloat("lat"), Lon: f.optFloat("lon"), Capacity: f.int("capacity"),
		Skills:       strings.FieldsFunc(f.str("skills"), func(r rune) bool { return r == ',' || r == '，' || r == '、' }),
		Availability: f.str("availability"), Team: f.str("team"), Status: f.str("status"), Training: f.str("training"),
		Honours: f.str("honours"), HoursTenths: int64(hours*10 + 0.5)}
}
