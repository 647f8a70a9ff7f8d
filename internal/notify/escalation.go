package notify

import (
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// The escalation chain (issue 13 points 2 and 3, README "The escalation
// chain"): who is told, and when, about a lone elder nobody greeted and
// about an emergency nobody acknowledged. The store takes the steps
// (store.DB.AdvanceEscalations); the rules and their defaults are here.

// Step names a step of a chain; an outbox message carries the step it
// belongs to, and the alert shows them.
type Step string

// Steps of the chains, in order.
const (
	// StepReminder: in the evening, the elder's neighbour volunteers.
	StepReminder Step = "reminder"
	// StepAlert: at the alert hour, the community's staff on duty and the
	// elder's responsible volunteer.
	StepAlert Step = "alert"
	// StepFamily: nobody acknowledged, the first emergency contact by SMS.
	StepFamily Step = "family"
	// StepClinicStation: still nobody, the elder's clinic and the station.
	StepClinicStation Step = "clinic_station"
	// StepStopped: a greeting or an acknowledgement stopped the chain;
	// everyone told is told so.
	StepStopped Step = "stopped"
	// StepEmergency: an 应急求助 at once to staff on duty, the responsible
	// volunteer and the first emergency contact.
	StepEmergency Step = "emergency"
	// StepEmergencyStation: nobody acknowledged the emergency in time.
	StepEmergencyStation Step = "emergency_station"
)

// Steps lists every step with its label.
var Steps = []care.Choice{
	{Code: string(StepReminder), Label: care.Msg{ZH: "傍晚提醒邻里志愿者", EN: "Evening reminder to neighbours"}},
	{Code: string(StepAlert), Label: care.Msg{ZH: "未问候提醒：值班人员和责任人", EN: "Alert: staff on duty and the responsible volunteer"}},
	{Code: string(StepFamily), Label: care.Msg{ZH: "无人确认：通知家属", EN: "Unacknowledged: family"}},
	{Code: string(StepClinicStation), Label: care.Msg{ZH: "仍无人确认：通知卫生服务机构和街道站", EN: "Still unacknowledged: clinic and station"}},
	{Code: string(StepStopped), Label: care.Msg{ZH: "已停止：告知已通知的人", EN: "Stopped: those told are told"}},
	{Code: string(StepEmergency), Label: care.Msg{ZH: "应急求助", EN: "Emergency"}},
	{Code: string(StepEmergencyStation), Label: care.Msg{ZH: "应急求助无人确认：通知街道站", EN: "Emergency unacknowledged: station"}},
}

// Policy is a street's escalation chain. The alert itself comes at the
// alert hour (serve --alert-hour); the other times are the street's.
type Policy struct {
	// ReminderAt is when the neighbours are reminded of an elder not yet
	// greeted, "HH:MM"; "" sends no reminder.
	ReminderAt string `json:"reminder_at"`
	// FamilyAfter is the minutes after the alert, nobody having
	// acknowledged it, when the first emergency contact is told.
	FamilyAfter int `json:"family_after_minutes"`
	// StationAfter is the minutes after the family step when the clinic
	// and the station are told.
	StationAfter int `json:"station_after_minutes"`
	// EmergencyAfter is the minutes an emergency may wait unacknowledged
	// before the station is told.
	EmergencyAfter int `json:"emergency_after_minutes"`
}

// DefaultPolicy is the chain of a street that never changed it.
var DefaultPolicy = Policy{ReminderAt: "18:00", FamilyAfter: 60, StationAfter: 60, EmergencyAfter: 15}

// Limits of a policy's waits, in minutes.
const (
	MinWait = 5
	MaxWait = 720
	// MaxEmergencyWait keeps an emergency from waiting more than an hour.
	MaxEmergencyWait = 60
)

// Validate checks a policy, naming each bad field in Chinese and English.
func (p *Policy) Validate() error {
	f := care.FieldErrors{}
	p.ReminderAt = strings.TrimSpace(p.ReminderAt)
	if p.ReminderAt != "" {
		if _, ok := ParseClock(p.ReminderAt); !ok {
			f.Add("reminder_at", care.Msg{ZH: "提醒邻里志愿者的时间须为 HH:MM（如 18:00），留空则不提醒", EN: "a time HH:MM (e.g. 18:00), or empty for none"})
		}
	}
	wait := func(field string, v, max int, zh string) {
		if v < MinWait || v > max {
			f.Add(field, care.Msg{ZH: zh + "须为 5 到 " + strconv.Itoa(max) + " 分钟", EN: "between 5 and " + strconv.Itoa(max) + " minutes"})
		}
	}
	wait("family_after_minutes", p.FamilyAfter, MaxWait, "提醒后无人确认、通知家属的等待时间")
	wait("station_after_minutes", p.StationAfter, MaxWait, "通知家属后、通知卫生服务机构和街道站的等待时间")
	wait("emergency_after_minutes", p.EmergencyAfter, MaxEmergencyWait, "应急求助无人确认、通知街道站的等待时间")
	return f.Err()
}

// ReminderDue reports whether the evening reminder of the day of now has
// come (now read in loc).
func (p Policy) ReminderDue(now time.Time, loc *time.Location) bool {
	m, ok := ParseClock(p.ReminderAt)
	if !ok {
		return false
	}
	l := now.In(loc)
	return l.Hour()*60+l.Minute() >= m
}

// NextAlertStep is the step an alert raised at raised, whose last step is
// last (1 the alert, 2 the family, 3 the clinic and station), takes at
// now: 0 when none is due.
func (p Policy) NextAlertStep(raised time.Time, last int, now time.Time) int {
	family := raised.Add(time.Duration(p.FamilyAfter) * time.Minute)
	station := family.Add(time.Duration(p.StationAfter) * time.Minute)
	switch {
	case last < 3 && !now.Before(station) && last >= 2:
		return 3
	case last < 2 && !now.Before(family):
		return 2
	}
	return 0
}

// EmergencyDue reports whether an emergency opened at opened and not
// acknowledged is to be escalated at now.
func (p Policy) EmergencyDue(opened, now time.Time) bool {
	return !now.Before(opened.Add(time.Duration(p.EmergencyAfter) * time.Minute))
}
