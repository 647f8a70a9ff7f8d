// Package hours holds the rules of the volunteers' hours ledger and the
// time bank (时间银行, README "服务时长 / Hours ledger and time bank"): how
// many minutes a service earns, which records earn under a street's rule,
// what a donation may move, and the periods of a certificate. It is pure:
// no SQL, no HTTP.
package hours

import (
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Sources of ledger entries. Every entry is appended, never changed: a
// correction is a reversal entry of opposite sign.
const (
	// SourceService is a service record's credit (a household visit's
	// records credit once, through one of them).
	SourceService = "service"
	// SourceReversal takes back a credit: the record was amended (a new
	// credit follows if it still earns) or struck out.
	SourceReversal = "reversal"
	// SourceOpening is the hours typed on the volunteer register before the
	// ledger existed, imported once per volunteer.
	SourceOpening = "opening"
	// SourceDonation is one side of a donation: minus on the giver, plus on
	// the receiver (a volunteer, or an elder's future-care account).
	SourceDonation = "donation"
	// SourceActivity is attendance at an activity (活动, issue 15): a
	// source defined now so that attendance can be credited later.
	SourceActivity = "activity"
)

// Sources lists the entry sources with their labels.
var Sources = []care.Choice{
	{Code: SourceService, Label: care.Msg{ZH: "上门服务", EN: "service"}},
	{Code: SourceReversal, Label: care.Msg{ZH: "更正冲减", EN: "reversed by a correction"}},
	{Code: SourceOpening, Label: care.Msg{ZH: "期初时长（原登记）", EN: "opening balance (from the register)"}},
	{Code: SourceDonation, Label: care.Msg{ZH: "时间银行捐赠", EN: "time bank donation"}},
	{Code: SourceActivity, Label: care.Msg{ZH: "参加活动", EN: "activity attendance"}},
}

// Earning rules a street chooses between.
const (
	// EarnConfirmed: only records verified by proof (card code, PIN,
	// position within the radius) or confirmed by staff earn — entered by
	// community staff or the station, or on a card the station signed.
	EarnConfirmed = "confirmed"
	// EarnRecorded: every record earns when it is stored.
	EarnRecorded = "recorded"
)

// EarnRules lists the rules with their labels.
var EarnRules = []care.Choice{
	{Code: EarnConfirmed, Label: care.Msg{ZH: "仅核验或工作人员确认的记录计时", EN: "only verified or staff-confirmed records earn"}},
	{Code: EarnRecorded, Label: care.Msg{ZH: "所有服务记录计时", EN: "every record earns"}},
}

// MaxStandardMinutes bounds a standard duration (the longest service).
const MaxStandardMinutes = int(care.MaxDuration / time.Minute)

// DefaultStandard is the standard duration in minutes of each service
// type, used when a record has no end time and the street set none. Zero
// means the type earns only with a start and an end (a donation earns
// nothing by itself).
var DefaultStandard = map[string]int{
	"life/greeting": 10, "life/shopping": 60, "life/cooking": 60, "life/housework": 60, "life/bathing": 60,
	"life/escort_doctor": 120, "life/haircut": 45, "life/cleaning": 60, "life/donation": 0, "life/daily_care": 60,
	"spirit/chat": 30, "spirit/reading": 30, "spirit/walk": 30, "spirit/outing": 120, "spirit/culture": 60,
	"festival/festival_visit": 30,
	"health/health_record":    30, "health/health_inquiry": 15, "health/checkup": 60, "health/sick_care": 60,
	"legal/complaint":            20,
	"emergency/safety_education": 30, "emergency/emergency_help": 30, "emergency/repair": 60,
}

// TypeKey names a service type in a policy: "kind/type".
func TypeKey(kind, typ string) string { return kind + "/" + typ }

// Policy is a street's rule: which records earn and the standard duration
// of each type (overrides of DefaultStandard).
type Policy struct {
	Earn     string
	Standard map[string]int
}

// DefaultPolicy is the rule of a street that set none.
func DefaultPolicy() Policy { return Policy{Earn: EarnConfirmed, Standard: map[string]int{}} }

// StandardMinutes is the standard duration of a type under p.
func (p Policy) StandardMinutes(kind, typ string) int {
	k := TypeKey(kind, typ)
	if m, ok := p.Standard[k]; ok {
		return m
	}
	return DefaultStandard[k]
}

// Validate checks a policy: a known rule, known types, whole minutes
// between 0 and 12 hours.
func (p Policy) Validate() error {
	f := care.FieldErrors{}
	if p.Earn != EarnConfirmed && p.Earn != EarnRecorded {
		f.Add("earn", care.MsgBadChoice)
	}
	for k, m := range p.Standard {
		kind, typ, _ := strings.Cut(k, "/")
		if _, ok := care.FindServiceType(kind, typ); !ok {
			f.Add("standard", care.Msg{ZH: "没有这种服务类型：" + k, EN: "no such service type: " + k})
		} else if m < 0 || m > MaxStandardMinutes {
			f.Add("standard."+k, care.Msg{ZH: "标准时长应在0到720分钟之间", EN: "a standard duration is between 0 and 720 minutes"})
		}
	}
	return f.Err()
}

// Minutes is what a service earns: its length when it has a start and an
// end (whole minutes, rounded), else the standard duration of its type.
func Minutes(at time.Time, end *time.Time, kind, typ string, p Policy) int {
	if end != nil && !end.Before(at) {
		return int(end.Sub(at).Round(time.Minute) / time.Minute)
	}
	return p.StandardMinutes(kind, typ)
}

// Earns reports whether a record earns under the rule: always under
// EarnRecorded; under EarnConfirmed when it was verified by proof or
// confirmed by staff.
func Earns(rule string, verified, staffConfirmed bool) bool {
	return rule == EarnRecorded || verified || staffConfirmed
}

// Account is who holds hours: a volunteer, or an elder's future-care
// account (hours donated for the elder's later care).
type Account struct {
	VolunteerID int64
	ElderID     int64
}

// Donation moves minutes from a volunteer to another volunteer or to an
// elder's future care, within one street.
type Donation struct {
	From    int64 // the giving volunteer
	To      Account
	Minutes int
	Note    string
}

// ValidateDonation checks a donation against the giver's balance and
// street: whole positive minutes, one receiver, not oneself, the same
// street, at most the balance.
func ValidateDonation(d Donation, balance int, fromStreet, toStreet int64) error {
	f := care.FieldErrors{}
	switch {
	case (d.To.VolunteerID == 0) == (d.To.ElderID == 0):
		f.Add("to", care.Msg{ZH: "请选择受赠的志愿者或老人（只选一个）", EN: "choose one receiver: a volunteer or an elder"})
	case d.To.VolunteerID == d.From:
		f.Add("to_volunteer_id", care.Msg{ZH: "不能捐赠给自己", EN: "you cannot donate to yourself"})
	case fromStreet != toStreet:
		f.Add("to", care.Msg{ZH: "时间银行捐赠限于同一街道", EN: "donations stay within one street"})
	}
	switch {
	case d.Minutes <= 0:
		f.Add("minutes", care.Msg{ZH: "捐赠时长应大于0", EN: "the donation must be more than 0 minutes"})
	case d.Minutes > balance:
		f.Add("minutes", care.Msg{ZH: "捐赠时长不能超过余额（" + Format(balance) + "小时）",
			EN: "the donation cannot exceed the balance (" + Format(balance) + " h)"})
	}
	if len([]rune(d.Note)) > care.MaxNoteRunes {
		f.Add("note", care.Msg{ZH: "备注最多2000字", EN: "the note is at most 2,000 characters"})
	}
	return f.Err()
}

// Format shows minutes as hours with one decimal (90 → "1.5").
func Format(minutes int) string {
	return strconv.FormatFloat(float64(minutes)/60, 'f', 1, 64)
}

// Period is a certificate's period: a year (2026), a quarter (2026-Q1)
// or a month (2026-11), in the programme's time zone.
type Period struct {
	Label    string
	From, To time.Time // [From, To)
}

// ParsePeriod reads a period; the error names the field "period".
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	s = strings.TrimSpace(s)
	bad := care.FieldErrors{"period": care.Msg{ZH: "期间应为年份（2026）、季度（2026-Q1）或月份（2026-11）",
		EN: "the period is a year (2026), a quarter (2026-Q1) or a month (2026-11)"}}.Err()
	if len(s) < 4 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 2000 || y > 2200 {
		return Period{}, bad
	}
	rest := s[4:]
	switch {
	case rest == "":
		from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{Label: s, From: from, To: from.AddDate(1, 0, 0)}, nil
	case len(rest) == 3 && (rest[:2] == "-Q" || rest[:2] == "-q") && rest[2] >= '1' && rest[2] <= '4':
		q := int(rest[2] - '0')
		from := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, loc)
		return Period{Label: strconv.Itoa(y) + "-Q" + rest[2:], From: from, To: from.AddDate(0, 3, 0)}, nil
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 {
			return Period{}, bad
		}
		from := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, loc)
		return Period{Label: s, From: from, To: from.AddDate(0, 1, 0)}, nil
	}
	return Period{}, bad
}

// LabelZH is the period in Chinese: 2026年, 2026年第1季度, 2026年11月.
func (p Period) LabelZH() string {
	y := strconv.Itoa(p.From.Year())
	switch {
	case p.To.Sub(p.From) > 100*24*time.Hour:
		return y + "年"
	case p.To.Sub(p.From) > 40*24*time.Hour:
		return y + "年第" + strconv.Itoa((int(p.From.Month())+2)/3) + "季度"
	}
	return y + "年" + strconv.Itoa(int(p.From.Month())) + "月"
}
