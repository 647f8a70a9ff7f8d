// Package reminder decides, with no SQL and no network, which reminders
// are due on a day and what they say (issue 13 point 4, README
// "Reminders"): festival and lunar-birthday visits three days ahead, the
// week's chats still owed on Friday, the clinic's half-month calls and
// quarterly check-ups, last month's unsigned cards on the 1st, and
// pairings waiting for a successor for more than 7 days.
//
// Each reminder kind has a template in Chinese that the station may edit,
// with placeholders such as {elder} or {date}; the defaults are built in.
// The store gathers the facts (who owes what, to whom it goes); Due picks
// the ones due today and renders their text.
package reminder

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
)

// Kind is a kind of reminder; each has its own template.
type Kind string

// The kinds of reminder.
const (
	FestivalVisit    Kind = "festival_visit"    // a festival 3 days ahead
	BirthdayVisit    Kind = "birthday_visit"    // an elder's birthday 3 days ahead
	WeeklyChat       Kind = "weekly_chat"       // chats still owed on Friday
	ClinicCall       Kind = "clinic_call"       // the half-month health call
	ClinicCheckup    Kind = "clinic_checkup"    // the quarterly check-up
	UnsignedCards    Kind = "unsigned_cards"    // last month's cards, on the 1st
	WaitingSuccessor Kind = "waiting_successor" // pairings waiting > 7 days
)

// When a reminder is due.
const (
	// VisitLeadDays: festival and birthday visits are reminded this many
	// days before the day.
	VisitLeadDays = 3
	// ClinicCallLeadDays: the half-month call is reminded this many days
	// before the half-month's last day (the 12th, and 3 days before the
	// month's end).
	ClinicCallLeadDays = 3
	// CheckupLeadDays: the quarterly check-up is reminded this many days
	// before the quarter's last day (about two weeks ahead).
	CheckupLeadDays = 14
	// WaitingDays: a pairing waiting for a successor longer than this is
	// reminded on its 8th day and every 7 days after while it waits.
	WaitingDays = 7
)

// Info describes a kind: its label, when it is sent, to whom, its
// placeholders and its default wording.
type Info struct {
	Kind         Kind
	Label        care.Msg
	When         care.Msg
	To           care.Msg
	Placeholders []Placeholder
	Default      string
}

// Placeholder is a name a template may use in braces, with what it becomes.
type Placeholder struct {
	Name string
	Help care.Msg
}

var (
	phElder    = Placeholder{"elder", care.Msg{ZH: "老人姓名（多位时用顿号分开）", EN: "the elder's name (several joined)"}}
	phElders   = Placeholder{"elder", care.Msg{ZH: "老人姓名，用顿号分开", EN: "the elders' names, joined"}}
	phDate     = Placeholder{"date", care.Msg{ZH: "日期，例如 10月6日", EN: "the date, e.g. 10月6日"}}
	phDays     = Placeholder{"days", care.Msg{ZH: "还有几天", EN: "days left"}}
	phFestival = Placeholder{"festival", care.Msg{ZH: "节日名称，例如 中秋", EN: "the festival, e.g. 中秋"}}
	phLunar    = Placeholder{"lunar", care.Msg{ZH: "农历日期，例如 农历八月十五（按公历过生日时为“公历”）", EN: "the lunar date (公历 for a solar birthday)"}}
	phCount    = Placeholder{"count", care.Msg{ZH: "数量", EN: "the number"}}
	phClinic   = Placeholder{"clinic", care.Msg{ZH: "卫生机构名称", EN: "the clinic's name"}}
	phMonth    = Placeholder{"month", care.Msg{ZH: "月份，例如 2026年11月", EN: "the month, e.g. 2026年11月"}}
	phDetail   = Placeholder{"detail", care.Msg{ZH: "各社区的张数，例如 东园社区12张、西园社区3张", EN: "the count per community"}}
	phComm     = Placeholder{"community", care.Msg{ZH: "社区名称", EN: "the community's name"}}
)

// Kinds lists every kind in the order pages show them.
var Kinds = []Info{
	{Kind: FestivalVisit, Label: care.Msg{ZH: "节日走访", EN: "Festival visit"},
		When:         care.Msg{ZH: "节日前3天 09:00", EN: "3 days before the festival, 09:00"},
		To:           care.Msg{ZH: "服务要求中需要节日走访的结对人（社会志愿者、居委会人员及社区工作人员）", EN: "whoever's standard requires the festival visit (social volunteers, the committee and community staff)"},
		Placeholders: []Placeholder{phElder, phFestival, phDate, phDays},
		Default:      "【关爱服务圈】{date}是{festival}，请在节日前后上门看望{elder}老人（还有{days}天）。"},
	{Kind: BirthdayVisit, Label: care.Msg{ZH: "生日走访", EN: "Birthday visit"},
		When:         care.Msg{ZH: "老人生日前3天 09:00（农历生日按农历算）", EN: "3 days before the birthday, 09:00 (lunar birthdays by the lunar calendar)"},
		To:           care.Msg{ZH: "服务要求中需要生日走访的结对人", EN: "whoever's standard requires the birthday visit"},
		Placeholders: []Placeholder{phElder, phDate, phLunar, phDays},
		Default:      "【关爱服务圈】{date}（{lunar}）是{elder}老人的生日，还有{days}天，请记得上门看望祝寿。"},
	{Kind: WeeklyChat, Label: care.Msg{ZH: "每周聊天", EN: "Weekly chats"},
		When:         care.Msg{ZH: "每周五 09:00，本周聊天次数未满时", EN: "Fridays 09:00 while chats are owed this week"},
		To:           care.Msg{ZH: "本周还欠聊天的邻里志愿者", EN: "the neighbour volunteer who still owes chats"},
		Placeholders: []Placeholder{phElders, phCount, phDate},
		Default:      "【关爱服务圈】本周还差{count}次聊天：{elder}。请在{date}（周日）前完成。"},
	{Kind: ClinicCall, Label: care.Msg{ZH: "半月健康问询", EN: "Half-month health call"},
		When:         care.Msg{ZH: "每半月最后一天前3天 09:00（12日及月末前3天）", EN: "3 days before each half-month ends, 09:00"},
		To:           care.Msg{ZH: "卫生机构的账号", EN: "the clinic's staff"},
		Placeholders: []Placeholder{phClinic, phElders, phCount, phDate},
		Default:      "【关爱服务圈】{clinic}：本半月还有{count}位老人未做健康问询：{elder}。请在{date}前完成。"},
	{Kind: ClinicCheckup, Label: care.Msg{ZH: "季度体检", EN: "Quarterly check-up"},
		When:         care.Msg{ZH: "每季度最后一天前14天 09:00", EN: "14 days before the quarter ends, 09:00"},
		To:           care.Msg{ZH: "卫生机构的账号", EN: "the clinic's staff"},
		Placeholders: []Placeholder{phClinic, phElders, phCount, phDate},
		Default:      "【关爱服务圈】{clinic}：本季度还有{count}位老人未体检：{elder}。请在{date}前完成。"},
	{Kind: UnsignedCards, Label: care.Msg{ZH: "服务卡未签字", EN: "Unsigned cards"},
		When:         care.Msg{ZH: "每月1日 09:00，上月有未签字的服务卡时", EN: "the 1st of the month, 09:00, when last month's cards are unsigned"},
		To:           care.Msg{ZH: "街道服务站", EN: "the station"},
		Placeholders: []Placeholder{phMonth, phCount, phDetail},
		Default:      "【关爱服务圈】{month}还有{count}张服务卡未签字确认：{detail}。请尽快检查签字。"},
	{Kind: WaitingSuccessor, Label: care.Msg{ZH: "等待接替", EN: "Waiting for a successor"},
		When:         care.Msg{ZH: "结对等待接替满7天后的第8天 09:00，之后每7天", EN: "on the 8th day a pairing waits for a successor, 09:00, then every 7 days"},
		To:           care.Msg{ZH: "该社区的工作人员", EN: "the community's staff"},
		Placeholders: []Placeholder{phComm, phCount, phElders, phDays},
		Default:      "【关爱服务圈】{community}有{count}位老人的结对等待接替已超过{days}天：{elder}。请尽快安排接替的志愿者。"},
}

// InfoOf returns a kind's description.
func InfoOf(k Kind) (Info, bool) {
	for _, i := range Kinds {
		if i.Kind == k {
			return i, true
		}
	}
	return Info{}, false
}

// Valid reports whether k is a kind of reminder.
func (k Kind) Valid() bool { _, ok := InfoOf(k); return ok }

// MaxText is the longest template, in characters.
const MaxText = 500

// Template is a kind's wording; Default is set when the station has not
// edited it.
type Template struct {
	Kind      Kind      `json:"kind"`
	Text      string    `json:"text"`
	Default   bool      `json:"default"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Templates is a street's wording by kind.
type Templates map[Kind]string

// Defaults returns the built-in wording of every kind.
func Defaults() Templates {
	out := Templates{}
	for _, i := range Kinds {
		out[i.Kind] = i.Default
	}
	return out
}

// Validate checks an edited template: a known kind, some text, not too
// long, and only the kind's placeholders, in closed braces. Errors name
// the field ("kind", "text") and the reason, in Chinese and English.
func Validate(k Kind, text string) error {
	f := care.FieldErrors{}
	info, ok := InfoOf(k)
	if !ok {
		f.Add("kind", care.Msg{ZH: "没有这种提醒", EN: "no such reminder"})
		return f.Err()
	}
	switch {
	case strings.TrimSpace(text) == "":
		f.Add("text", care.Msg{ZH: "提醒内容不能为空", EN: "the text is required"})
	case !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxText:
		f.Add("text", care.Msg{ZH: fmt.Sprintf("提醒内容不能超过%d个字", MaxText), EN: fmt.Sprintf("at most %d characters", MaxText)})
	default:
		names, bad := placeholders(text)
		if bad != "" {
			f.Add("text", care.Msg{ZH: "花括号不成对：" + bad, EN: "unmatched brace: " + bad})
		}
		for _, n := range names {
			if !slices.ContainsFunc(info.Placeholders, func(p Placeholder) bool { return p.Name == n }) {
				f.Add("text", care.Msg{ZH: "未知的占位符 {" + n + "}，可用：" + list(info), EN: "unknown placeholder {" + n + "}; allowed: " + list(info)})
			}
		}
	}
	return f.Err()
}

func list(i Info) string {
	var b strings.Builder
	for j, p := range i.Placeholders {
		if j > 0 {
			b.WriteString(" ")
		}
		b.WriteString("{" + p.Name + "}")
	}
	return b.String()
}

// placeholders returns the names in braces, and the first unmatched brace
// with what follows it, if any.
func placeholders(text string) (names []string, bad string) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '{':
			j := strings.IndexAny(text[i+1:], "{}")
			if j < 0 || text[i+1+j] != '}' {
				return names, clip(text[i:])
			}
			names = append(names, text[i+1:i+1+j])
			i += j + 1
		case '}':
			return names, clip(text[i:])
		}
	}
	return names, ""
}

func clip(s string) string {
	if r := []rune(s); len(r) > 12 {
		return string(r[:12]) + "…"
	}
	return s
}

// Render fills a template's placeholders; a name without a value is left
// as written (Validate keeps unknown names out).
func Render(text string, vals map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		name := text[i+1 : i+j]
		if v, ok := vals[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
}

// Sample is what a template's placeholders become in a preview.
func Sample(k Kind) map[string]string {
	v := map[string]string{"elder": "王秀兰", "date": "10月6日", "days": "3", "festival": "中秋", "lunar": "农历八月十五",
		"count": "2", "clinic": "东园社区卫生服务站", "month": "2026年11月", "detail": "东园社区12张、西园社区3张", "community": "东园社区"}
	switch k {
	case WeeklyChat, ClinicCall, ClinicCheckup:
		v["elder"] = "王秀兰、李建国"
	case WaitingSuccessor:
		v["elder"], v["days"], v["count"] = "王秀兰", "7", "1"
	}
	return v
}

// Preview renders a template with sample values.
func Preview(k Kind, text string) string { return Render(text, Sample(k)) }

// Person is whom a reminder goes to: an account.
type Person struct {
	UserID int64
	Name   string
}

// Occasion is a festival or birthday visit a pairing owes: the store
// lists each open festival window not yet met, with its carers.
type Occasion struct {
	ElderID int64
	// CommunityID is set instead of ElderID for the committee's festival
	// visits, one reminder a community listing its elders in Elder.
	CommunityID int64
	Elder       string
	Code        string // the festival's code, or calendar.CodeBirthday
	Name        string // 中秋, 生日
	Day         calendar.Date
	Lunar       string // 农历八月十五 for a lunar birthday, else empty
	To          []Person
}

// Chats is what one volunteer still owes this week.
type Chats struct {
	Volunteer Person
	Elders    []string
	Left      int           // chats still owed in all
	WeekLast  calendar.Date // the week's Sunday
}

// ClinicDue is a clinic's elders not yet called (ClinicCall) or checked
// up (ClinicCheckup) in the period ending on Last.
type ClinicDue struct {
	Kind     Kind
	ClinicID int64
	Clinic   string
	Elders   []string
	Last     calendar.Date // the period's last day
	To       []Person
}

// CommunityCount is a number for a community.
type CommunityCount struct {
	Community string
	Count     int
}

// Cards is a street's unsigned cards of a month.
type Cards struct {
	StreetID int64
	Month    string // 2026-11
	Counts   []CommunityCount
	To       []Person
}

// Waiting is a pairing waiting for a successor since Since (the day its
// volunteer's service ended or they left).
type Waiting struct {
	ElderID int64
	Elder   string
	Since   calendar.Date
}

// Community is a community's waiting pairings and its staff.
type Community struct {
	CommunityID int64
	Community   string
	Waiting     []Waiting
	To          []Person
}

// Facts are what a street owes as the store sees it on a day.
type Facts struct {
	Occasions   []Occasion
	Chats       []Chats
	Clinics     []ClinicDue
	Cards       []Cards
	Communities []Community
}

// Reminder is one reminder due today, rendered.
type Reminder struct {
	Kind Kind
	// Subject names what it is about, stable across runs of a day, e.g.
	// "elder:12:mid_autumn" or "volunteer:7"; the store names the message
	// EventID("reminder", Kind, Subject, day) so it is sent once a day.
	Subject string
	ElderID int64
	To      []Person
	Text    string
}

// Due returns the reminders due on day from the facts, with their text
// from tpl (a kind missing from tpl takes its default). Reminders with
// nobody to tell are left out.
func Due(day calendar.Date, f Facts, tpl Templates) []Reminder {
	text := func(k Kind) string {
		if t, ok := tpl[k]; ok && t != "" {
			return t
		}
		i, _ := InfoOf(k)
		return i.Default
	}
	var out []Reminder
	add := func(r Reminder) {
		if len(r.To) > 0 {
			out = append(out, r)
		}
	}
	for _, o := range f.Occasions {
		if o.Day != day.AddDays(VisitLeadDays) {
			continue
		}
		k := FestivalVisit
		if o.Code == calendar.CodeBirthday {
			k = BirthdayVisit
		}
		lunar := o.Lunar
		if lunar == "" {
			lunar = "公历"
		}
		v := map[string]string{"elder": o.Elder, "festival": o.Name, "date": zhDate(o.Day), "days": strconv.Itoa(VisitLeadDays), "lunar": lunar}
		subject := fmt.Sprintf("elder:%d:%s:%s", o.ElderID, o.Code, o.Day)
		if o.ElderID == 0 {
			subject = fmt.Sprintf("community:%d:%s:%s", o.CommunityID, o.Code, o.Day)
		}
		add(Reminder{Kind: k, Subject: subject, ElderID: o.ElderID, To: o.To,
			Text: Render(text(k), v)})
	}
	if day.Weekday() == time.Friday {
		for _, c := range f.Chats {
			if c.Left <= 0 || len(c.Elders) == 0 {
				continue
			}
			v := map[string]string{"elder": strings.Join(c.Elders, "、"), "count": strconv.Itoa(c.Left), "date": zhDate(c.WeekLast)}
			add(Reminder{Kind: WeeklyChat, Subject: fmt.Sprintf("user:%d", c.Volunteer.UserID), To: []Person{c.Volunteer},
				Text: Render(text(WeeklyChat), v)})
		}
	}
	for _, c := range f.Clinics {
		lead := ClinicCallLeadDays
		if c.Kind == ClinicCheckup {
			lead = CheckupLeadDays
		}
		if len(c.Elders) == 0 || day != c.Last.AddDays(-lead) {
			continue
		}
		v := map[string]string{"clinic": c.Clinic, "elder": strings.Join(c.Elders, "、"), "count": strconv.Itoa(len(c.Elders)), "date": zhDate(c.Last)}
		add(Reminder{Kind: c.Kind, Subject: fmt.Sprintf("clinic:%d", c.ClinicID), To: c.To, Text: Render(text(c.Kind), v)})
	}
	if day.Day() == 1 {
		last := day.AddDays(-1)
		month := fmt.Sprintf("%04d-%02d", last.Year(), int(last.Month()))
		for _, c := range f.Cards {
			if c.Month != month {
				continue
			}
			n, parts := 0, []string{}
			for _, cc := range c.Counts {
				if cc.Count > 0 {
					n += cc.Count
					parts = append(parts, fmt.Sprintf("%s%d张", cc.Community, cc.Count))
				}
			}
			if n == 0 {
				continue
			}
			v := map[string]string{"month": fmt.Sprintf("%d年%d月", last.Year(), int(last.Month())), "count": strconv.Itoa(n), "detail": strings.Join(parts, "、")}
			add(Reminder{Kind: UnsignedCards, Subject: fmt.Sprintf("street:%d:%s", c.StreetID, month), To: c.To, Text: Render(text(UnsignedCards), v)})
		}
	}
	for _, c := range f.Communities {
		var names []string
		due := false
		for _, w := range c.Waiting {
			d := int(day - w.Since)
			if d <= WaitingDays {
				continue
			}
			names = append(names, w.Elder)
			if (d-WaitingDays-1)%WaitingDays == 0 {
				due = true
			}
		}
		if !due {
			continue
		}
		v := map[string]string{"community": c.Community, "count": strconv.Itoa(len(names)), "elder": strings.Join(names, "、"), "days": strconv.Itoa(WaitingDays)}
		add(Reminder{Kind: WaitingSuccessor, Subject: fmt.Sprintf("community:%d", c.CommunityID), To: c.To, Text: Render(text(WaitingSuccessor), v)})
	}
	return out
}

// zhDate writes a date as 10月6日.
func zhDate(d calendar.Date) string { return fmt.Sprintf("%d月%d日", int(d.Month()), d.Day()) }

// LunarLabel writes a lunar month and day in words, e.g. 农历八月十五,
// 农历闰六月初一, 农历腊月廿九.
func LunarLabel(month, day int, leap bool) string {
	months := []string{"", "正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"}
	if month < 1 || month > 12 || day < 1 || day > 30 {
		return ""
	}
	tens := []string{"初", "十", "廿", "三"}
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	var d string
	switch day {
	case 10:
		d = "初十"
	case 20:
		d = "二十"
	case 30:
		d = "三十"
	default:
		d = tens[day/10] + digits[day%10]
	}
	l := ""
	if leap {
		l = "闰"
	}
	return "农历" + l + months[month] + "月" + d
}
