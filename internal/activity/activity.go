// Package activity holds the programme's activities (活动, issue 15 point 1,
// SPEC §8): an activity or a series of stages planned by the station or a
// community, its preparation checklist, the volunteers' sign-ups and
// attendance, and the two templates built from the programme documents
// (a one-day nursing-home visit and the five-stage monthly series). Pure
// rules: no SQL, no HTTP.
package activity

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Statuses of an activity. Cancelling is a status: nothing is deleted.
const (
	StatusPlanned   = "planned"
	StatusHeld      = "held"
	StatusCancelled = "cancelled"
)

// Templates an activity or series may be made from.
const (
	TemplateNursingHome   = "nursing_home"
	TemplateMonthlySeries = "monthly_series"
)

// Statuses lists the statuses with their labels.
var Statuses = []care.Choice{
	{Code: StatusPlanned, Label: care.Msg{ZH: "计划中", EN: "planned"}},
	{Code: StatusHeld, Label: care.Msg{ZH: "已举办", EN: "held"}},
	{Code: StatusCancelled, Label: care.Msg{ZH: "已取消", EN: "cancelled"}},
}

// Templates lists the templates with their labels.
var Templates = []care.Choice{
	{Code: TemplateNursingHome, Label: care.Msg{ZH: "敬老院探访（一天）", EN: "nursing-home visit (one day)"}},
	{Code: TemplateMonthlySeries, Label: care.Msg{ZH: "五个阶段系列活动（每月一个阶段）", EN: "five-stage monthly series"}},
}

// Activity is one activity, standalone or a stage of a series.
type Activity struct {
	ID, StreetID, CommunityID int64 // CommunityID 0 = street-wide activity of the station
	SeriesID                  int64
	Stage                     int    // 0 standalone; 1..n in a series
	Template                  string // TemplateNursingHome, TemplateMonthlySeries or ""
	Theme                     string
	Background                string
	Purposes                  string
	Organisers                string
	Place                     string
	Participants              string
	Safety                    string // 注意事项 / 活动要求 (人身安全)
	Content                   string // a stage's content items
	Preparation               string // what is prepared beforehand
	Expected                  string // the expected effect (活动效果)
	Date                      time.Time
	StartTime, EndTime        string // "09:00"
	Cap                       int    // sign-up cap; 0 = no cap
	Status                    string
	Summary                   string // written afterwards (status held)
	Residents                 int    // a nursing home's residents who took part (not registered elders)
	CreatedBy                 string
	CreatedAt                 time.Time
	// Filled by the store when read: the community's name ("" for a
	// street-wide activity) and the number of live sign-ups.
	Community string
	SignedUp  int
}

// Series is a multi-stage activity plan; its stages are activities.
type Series struct {
	ID, StreetID, CommunityID int64
	Template                  string
	Theme                     string
	Background                string
	Purposes                  string
	Organisers                string
	Safety                    string
	Stages                    []Activity
}

// ChecklistItem is one preparation item of an activity: what, who, by when.
type ChecklistItem struct {
	ID, ActivityID   int64
	Item             string
	OwnerVolunteerID int64 // 0: no volunteer owns it (staff do it)
	OwnerName        string
	Due              time.Time // zero: no deadline
	Done             bool
	DoneAt           time.Time
	DoneBy           string
}

// Signup is a volunteer's sign-up and attendance at an activity.
type Signup struct {
	ActivityID, VolunteerID int64
	VolunteerName           string
	SignedAt                time.Time
	Present                 bool
	CheckedInAt             time.Time
	Minutes                 int    // attendance credited (the activity's minutes unless corrected)
	CorrectedBy             string // staff who last corrected the attendance
}

// Bounds.
const (
	MaxStages         = 12
	MaxCap            = 10000
	MaxResidents      = 10000
	MaxChecklist      = 100
	MaxAttendanceMins = 12 * 60
)

// Minutes is the activity's standard attendance: its hours from StartTime
// to EndTime (0 when either is missing or the end is not after the start).
func (a *Activity) Minutes() int {
	s, ok1 := clock(a.StartTime)
	e, ok2 := clock(a.EndTime)
	if !ok1 || !ok2 || e <= s {
		return 0
	}
	return e - s
}

// Start is the moment the activity starts on its day in loc (the day's
// start when StartTime is missing).
func (a *Activity) Start(loc *time.Location) time.Time {
	m, _ := clock(a.StartTime)
	return time.Date(a.Date.Year(), a.Date.Month(), a.Date.Day(), 0, m, 0, 0, loc)
}

// End is the moment the activity ends in loc (Start when EndTime is missing).
func (a *Activity) End(loc *time.Location) time.Time {
	return a.Start(loc).Add(time.Duration(a.Minutes()) * time.Minute)
}

// clock parses "HH:MM" into minutes after midnight.
func clock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// Normalize trims the text fields and fills the defaults.
func (a *Activity) Normalize() {
	for _, p := range []*string{&a.Theme, &a.Background, &a.Purposes, &a.Organisers, &a.Place, &a.Participants, &a.Safety,
		&a.Content, &a.Preparation, &a.Expected, &a.StartTime, &a.EndTime, &a.Summary, &a.Template} {
		*p = strings.TrimSpace(*p)
	}
	if a.Status == "" {
		a.Status = StatusPlanned
	}
	if !a.Date.IsZero() {
		a.Date = time.Date(a.Date.Year(), a.Date.Month(), a.Date.Day(), 0, 0, 0, 0, time.UTC)
	}
}

var (
	msgTimeFormat = care.Msg{ZH: "时间格式应为 时:分，例如 09:00", EN: "must be a time like 09:00"}
	msgEndBefore  = care.Msg{ZH: "结束时间应晚于开始时间", EN: "must be after the start time"}
	msgCapNeg     = care.Msg{ZH: "报名人数上限不能为负（0 表示不限）", EN: "cannot be negative (0 means no cap)"}
	msgCapBig     = care.Msg{ZH: "报名人数上限过大", EN: "is too large"}
	msgNegative   = care.Msg{ZH: "不能为负", EN: "cannot be negative"}
	msgTooMany    = care.Msg{ZH: "人数过大，请核对", EN: "is too large; please check"}
	// MsgMinutes is the reason for attendance minutes out of bounds.
	MsgMinutes = care.Msg{ZH: "参加时长应在 0 到 720 分钟之间", EN: "must be between 0 and 720 minutes"}
)

// Validate checks an activity, every field at once; prefix names its
// fields inside a series ("stages[2].") and is "" for an activity of its own.
func (a *Activity) Validate() error {
	f := care.FieldErrors{}
	a.validate(f, "")
	return f.Err()
}

func (a *Activity) validate(f care.FieldErrors, p string) {
	text(f, p+"theme", a.Theme, true, 100)
	text(f, p+"background", a.Background, false, 2000)
	text(f, p+"purposes", a.Purposes, false, 2000)
	text(f, p+"organisers", a.Organisers, false, 500)
	text(f, p+"place", a.Place, false, 200)
	text(f, p+"participants", a.Participants, false, 500)
	text(f, p+"safety", a.Safety, false, 2000)
	text(f, p+"content", a.Content, false, 4000)
	text(f, p+"preparation", a.Preparation, false, 2000)
	text(f, p+"expected", a.Expected, false, 1000)
	text(f, p+"summary", a.Summary, false, 4000)
	if a.Date.IsZero() {
		f.Add(p+"date", care.MsgBadDate)
	}
	s, okS := clock(a.StartTime)
	e, okE := clock(a.EndTime)
	if a.StartTime != "" && !okS {
		f.Add(p+"start_time", msgTimeFormat)
	}
	if a.EndTime != "" && !okE {
		f.Add(p+"end_time", msgTimeFormat)
	}
	if a.StartTime == "" {
		f.Add(p+"start_time", care.MsgRequired)
	}
	if a.EndTime == "" {
		f.Add(p+"end_time", care.MsgRequired)
	}
	if okS && okE && e <= s {
		f.Add(p+"end_time", msgEndBefore)
	}
	switch {
	case a.Cap < 0:
		f.Add(p+"cap", msgCapNeg)
	case a.Cap > MaxCap:
		f.Add(p+"cap", msgCapBig)
	}
	switch {
	case a.Residents < 0:
		f.Add(p+"residents", msgNegative)
	case a.Residents > MaxResidents:
		f.Add(p+"residents", msgTooMany)
	}
	if !choice(Statuses, a.Status) {
		f.Add(p+"status", care.MsgBadChoice)
	}
	if a.Template != "" && !choice(Templates, a.Template) {
		f.Add(p+"template", care.MsgBadChoice)
	}
	if a.Stage < 0 || a.Stage > MaxStages {
		f.Add(p+"stage", care.MsgBadChoice)
	}
}

// Normalize trims the series' text and its stages, numbering them 1..n.
func (s *Series) Normalize() {
	for _, p := range []*string{&s.Theme, &s.Background, &s.Purposes, &s.Organisers, &s.Safety, &s.Template} {
		*p = strings.TrimSpace(*p)
	}
	for i := range s.Stages {
		s.Stages[i].Stage = i + 1
		s.Stages[i].Normalize()
	}
}

// Validate checks a series and each of its stages; a stage's field is
// named "stages[i].field" (i from 0).
func (s *Series) Validate() error {
	f := care.FieldErrors{}
	text(f, "theme", s.Theme, true, 100)
	text(f, "background", s.Background, false, 2000)
	text(f, "purposes", s.Purposes, false, 2000)
	text(f, "organisers", s.Organisers, false, 500)
	text(f, "safety", s.Safety, false, 2000)
	if s.Template != "" && !choice(Templates, s.Template) {
		f.Add("template", care.MsgBadChoice)
	}
	switch {
	case len(s.Stages) == 0:
		f.Add("stages", care.Msg{ZH: "系列活动至少要有一个阶段", EN: "a series has at least one stage"})
	case len(s.Stages) > MaxStages:
		f.Add("stages", care.Msg{ZH: "系列活动最多12个阶段", EN: "a series has at most 12 stages"})
	}
	for i := range s.Stages {
		s.Stages[i].validate(f, "stages["+strconv.Itoa(i)+"].")
	}
	return f.Err()
}

// Normalize trims the item's text.
func (c *ChecklistItem) Normalize() { c.Item = strings.TrimSpace(c.Item) }

// Validate checks a checklist item.
func (c *ChecklistItem) Validate() error {
	f := care.FieldErrors{}
	text(f, "item", c.Item, true, 200)
	if c.OwnerVolunteerID < 0 {
		f.Add("owner_volunteer_id", care.MsgBadChoice)
	}
	return f.Err()
}

// ValidateAttendance checks staff's correction of an attendance.
func ValidateAttendance(present bool, minutes int) error {
	f := care.FieldErrors{}
	switch {
	case minutes < 0 || minutes > MaxAttendanceMins:
		f.Add("minutes", MsgMinutes)
	case !present && minutes != 0:
		f.Add("minutes", care.Msg{ZH: "未到场的志愿者时长应为 0", EN: "must be 0 for a volunteer who was not present"})
	}
	return f.Err()
}

// CanSignUp says why a volunteer may not sign up (nil: they may): only a
// planned activity that has not yet started takes sign-ups, and a full one
// (taken of Cap) refuses at the field "cap".
func (a *Activity) CanSignUp(now time.Time, loc *time.Location, taken int) error {
	f := care.FieldErrors{}
	switch {
	case a.Status != StatusPlanned:
		f.Add("status", care.Msg{ZH: "活动已举办或已取消，不能报名", EN: "the activity was held or cancelled; sign-up is closed"})
	case !now.Before(a.Start(loc)):
		f.Add("date", care.Msg{ZH: "活动已开始，报名已截止", EN: "the activity has started; sign-up is closed"})
	case a.Cap > 0 && taken >= a.Cap:
		f.Add("cap", care.Msg{ZH: "报名人数已满（上限" + strconv.Itoa(a.Cap) + "人）", EN: "the activity is full (cap " + strconv.Itoa(a.Cap) + ")"})
	}
	return f.Err()
}

// CanCheckIn says why a volunteer may not check in now (nil: they may):
// only on the activity's day (in loc), only if it is not cancelled.
func (a *Activity) CanCheckIn(now time.Time, loc *time.Location) error {
	f := care.FieldErrors{}
	n := now.In(loc)
	switch {
	case a.Status == StatusCancelled:
		f.Add("status", care.Msg{ZH: "活动已取消", EN: "the activity was cancelled"})
	case n.Year() != a.Date.Year() || n.Month() != a.Date.Month() || n.Day() != a.Date.Day():
		f.Add("date", care.Msg{ZH: "只能在活动当天签到（" + a.Date.Format("2006-01-02") + "）", EN: "check in on the activity's day only (" + a.Date.Format("2006-01-02") + ")"})
	}
	return f.Err()
}

// CanFinish says why the activity may not be marked held now.
func (a *Activity) CanFinish(now time.Time, loc *time.Location, summary string) error {
	f := care.FieldErrors{}
	switch {
	case a.Status == StatusCancelled:
		f.Add("status", care.Msg{ZH: "已取消的活动不能标为已举办", EN: "a cancelled activity cannot be marked held"})
	case now.Before(a.Start(loc)):
		f.Add("date", care.Msg{ZH: "活动还没有开始，不能标为已举办", EN: "the activity has not started yet"})
	}
	text(f, "summary", strings.TrimSpace(summary), true, 4000)
	return f.Err()
}

func text(f care.FieldErrors, field, v string, required bool, max int) {
	switch {
	case v == "" && required:
		f.Add(field, care.MsgRequired)
	case utf8.RuneCountInString(v) > max:
		f.Add(field, care.Msg{ZH: "过长（不超过" + strconv.Itoa(max) + "字）", EN: "is too long (at most " + strconv.Itoa(max) + " characters)"})
	}
}

func choice(cs []care.Choice, v string) bool {
	for _, c := range cs {
		if c.Code == v {
			return true
		}
	}
	return false
}

// Label is the label of a status or template code in lang ("zh"/"en").
func Label(cs []care.Choice, code, lang string) string {
	for _, c := range cs {
		if c.Code == code {
			if lang == "en" {
				return c.Label.EN
			}
			return c.Label.ZH
		}
	}
	return code
}
