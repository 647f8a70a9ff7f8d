package reminder

import (
	"errors"
	"strings"
	"testing"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
)

func day(y int, m time.Month, d int) calendar.Date { return calendar.NewDate(y, m, d) }

func festival(t *testing.T, year int, code string) calendar.Festival {
	t.Helper()
	c, err := calendar.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := c.Festivals(year)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Code == code {
			return f
		}
	}
	t.Fatalf("no %s in %d", code, year)
	return calendar.Festival{}
}

var carer = []Person{{UserID: 5, Name: "张伟"}}

// dueOn returns the kinds due on each day of [from, from+n).
func dueOn(f Facts, tpl Templates, from calendar.Date, n int) map[calendar.Date][]Reminder {
	out := map[calendar.Date][]Reminder{}
	for d := from; d < from.AddDays(n); d++ {
		if rs := Due(d, f, tpl); len(rs) > 0 {
			out[d] = rs
		}
	}
	return out
}

func TestFestivalsThreeDaysAhead(t *testing.T) {
	for _, tc := range []struct {
		year int
		code string
		when calendar.Date // the festival's day, as the calendar says
		name string
	}{
		{2026, calendar.CodeMidAutumn, day(2026, 9, 25), "中秋"},
		{2026, calendar.CodeDoubleNinth, day(2026, 10, 18), "重阳"},
		{2027, calendar.CodeSpringFestival, day(2027, 2, 6), "春节"},
	} {
		f := festival(t, tc.year, tc.code)
		if f.Date != tc.when || f.Name != tc.name {
			t.Fatalf("%s %d is %s %s, want %s", tc.code, tc.year, f.Date, f.Name, tc.when)
		}
		facts := Facts{Occasions: []Occasion{{ElderID: 12, Elder: "王秀兰", Code: f.Code, Name: f.Name, Day: f.Date, To: carer}}}
		got := dueOn(facts, nil, f.Date.AddDays(-20), 40)
		want := f.Date.AddDays(-3)
		if len(got) != 1 || len(got[want]) != 1 {
			t.Fatalf("%s: due on %v, want only %s", tc.name, keys(got), want)
		}
		r := got[want][0]
		wantText := "【关爱服务圈】" + zhDate(f.Date) + "是" + tc.name + "，请在节日前后上门看望王秀兰老人（还有3天）。"
		if r.Kind != FestivalVisit || r.Text != wantText || r.ElderID != 12 || r.To[0].UserID != 5 {
			t.Errorf("%s: %+v, want text %q", tc.name, r, wantText)
		}
	}
}

func TestLunarBirthdayThreeDaysAhead(t *testing.T) {
	c, _ := calendar.New(nil, nil)
	// Born 1941-09-24, which is lunar 1941-08-04; kept by the lunar
	// calendar, the birthday in 2026 is lunar 8-4 = 2026-09-14.
	birth := day(1941, 9, 24)
	b, err := c.BirthdayOf(birth, true)
	if err != nil || !b.Lunar || b.Month != 8 || b.Day != 4 {
		t.Fatalf("birthday %+v %v", b, err)
	}
	occ, _ := c.BirthdayIn(b, 2026)
	if occ.Date != day(2026, 9, 14) {
		t.Fatalf("lunar 8-4 of 2026 is %s", occ.Date)
	}
	facts := Facts{Occasions: []Occasion{{ElderID: 3, Elder: "李建国", Code: calendar.CodeBirthday, Name: "生日", Day: occ.Date,
		Lunar: LunarLabel(b.Month, b.Day, b.Leap), To: carer}}}
	got := dueOn(facts, nil, day(2026, 9, 1), 30)
	if len(got) != 1 || len(got[day(2026, 9, 11)]) != 1 {
		t.Fatalf("due on %v, want only 2026-09-11", keys(got))
	}
	r := got[day(2026, 9, 11)][0]
	if r.Kind != BirthdayVisit || r.Text != "【关爱服务圈】9月14日（农历八月初四）是李建国老人的生日，还有3天，请记得上门看望祝寿。" {
		t.Errorf("%+v", r)
	}
	// The edited wording is used.
	tpl := Templates{BirthdayVisit: "{elder}{lunar}生日，{days}天后"}
	if rs := Due(day(2026, 9, 11), facts, tpl); len(rs) != 1 || rs[0].Text != "李建国农历八月初四生日，3天后" {
		t.Errorf("edited: %+v", rs)
	}
}

func TestWeeklyChatsOnFridayOnly(t *testing.T) {
	// 2026-12-04 is a Friday.
	facts := Facts{Chats: []Chats{{Volunteer: carer[0], Elders: []string{"王秀兰", "李建国"}, Left: 3, WeekLast: day(2026, 12, 6)},
		{Volunteer: Person{UserID: 6}, Elders: []string{"赵"}, Left: 0, WeekLast: day(2026, 12, 6)}}}
	got := dueOn(facts, nil, day(2026, 11, 30), 7)
	if len(got) != 1 || len(got[day(2026, 12, 4)]) != 1 {
		t.Fatalf("due on %v, want only Friday 2026-12-04 for one volunteer", keys(got))
	}
	if r := got[day(2026, 12, 4)][0]; r.Text != "【关爱服务圈】本周还差3次聊天：王秀兰、李建国。请在12月6日（周日）前完成。" || r.Subject != "user:5" {
		t.Errorf("%+v", r)
	}
}

func TestClinicCallsAndCheckups(t *testing.T) {
	to := []Person{{UserID: 9}}
	facts := Facts{Clinics: []ClinicDue{
		{Kind: ClinicCall, ClinicID: 2, Clinic: "东园卫生站", Elders: []string{"王秀兰"}, Last: day(2026, 11, 30), To: to},
		{Kind: ClinicCheckup, ClinicID: 2, Clinic: "东园卫生站", Elders: []string{"王秀兰", "李建国"}, Last: day(2026, 12, 31), To: to},
		{Kind: ClinicCall, ClinicID: 3, Clinic: "西园", Elders: nil, Last: day(2026, 11, 30), To: to}, // nothing owed
	}}
	got := dueOn(facts, nil, day(2026, 11, 16), 46)
	if len(got) != 2 || len(got[day(2026, 11, 27)]) != 1 || len(got[day(2026, 12, 17)]) != 1 {
		t.Fatalf("due on %v, want 11-27 (call) and 12-17 (check-up)", keys(got))
	}
	if r := got[day(2026, 11, 27)][0]; r.Kind != ClinicCall || r.Text != "【关爱服务圈】东园卫生站：本半月还有1位老人未做健康问询：王秀兰。请在11月30日前完成。" {
		t.Errorf("%+v", r)
	}
	if r := got[day(2026, 12, 17)][0]; r.Kind != ClinicCheckup || !strings.Contains(r.Text, "2位老人未体检：王秀兰、李建国") {
		t.Errorf("%+v", r)
	}
}

func TestUnsignedCardsOnTheFirst(t *testing.T) {
	facts := Facts{Cards: []Cards{{StreetID: 1, Month: "2026-11", To: []Person{{UserID: 1}},
		Counts: []CommunityCount{{"东园社区", 12}, {"西园社区", 0}, {"南园社区", 3}}}}}
	got := dueOn(facts, nil, day(2026, 11, 15), 40)
	if len(got) != 1 || len(got[day(2026, 12, 1)]) != 1 {
		t.Fatalf("due on %v, want only 2026-12-01", keys(got))
	}
	if r := got[day(2026, 12, 1)][0]; r.Text != "【关爱服务圈】2026年11月还有15张服务卡未签字确认：东园社区12张、南园社区3张。请尽快检查签字。" {
		t.Errorf("%q", r.Text)
	}
	facts.Cards[0].Counts = []CommunityCount{{"东园社区", 0}}
	if rs := Due(day(2026, 12, 1), facts, nil); len(rs) != 0 {
		t.Errorf("all signed: %+v", rs)
	}
}

func TestWaitingSuccessorAfterSevenDays(t *testing.T) {
	facts := Facts{Communities: []Community{{CommunityID: 4, Community: "东园社区", To: []Person{{UserID: 2}},
		Waiting: []Waiting{{ElderID: 1, Elder: "王秀兰", Since: day(2026, 11, 1)}, {ElderID: 2, Elder: "李建国", Since: day(2026, 11, 5)}}}}}
	got := dueOn(facts, nil, day(2026, 11, 1), 30)
	// 王: day 8 = 11-09, then 11-16, 11-23, 11-30; 李: 11-13, 11-20, 11-27.
	var ds []string
	for _, d := range keys(got) {
		ds = append(ds, d.String())
	}
	want := "2026-11-09 2026-11-13 2026-11-16 2026-11-20 2026-11-23 2026-11-27 2026-11-30"
	if strings.Join(ds, " ") != want {
		t.Fatalf("due on %v, want %s", ds, want)
	}
	if r := got[day(2026, 11, 9)][0]; r.Text != "【关爱服务圈】东园社区有1位老人的结对等待接替已超过7天：王秀兰。请尽快安排接替的志愿者。" {
		t.Errorf("%q", r.Text)
	}
	if r := got[day(2026, 11, 13)][0]; !strings.Contains(r.Text, "2位老人") || !strings.Contains(r.Text, "王秀兰、李建国") {
		t.Errorf("%q", r.Text)
	}
}

func TestNobodyToTellIsLeftOut(t *testing.T) {
	f := festival(t, 2026, calendar.CodeMidAutumn)
	facts := Facts{Occasions: []Occasion{{ElderID: 1, Elder: "x", Code: f.Code, Name: f.Name, Day: f.Date}}}
	if rs := Due(f.Date.AddDays(-3), facts, nil); len(rs) != 0 {
		t.Errorf("%+v", rs)
	}
}

func TestValidate(t *testing.T) {
	for _, i := range Kinds {
		if err := Validate(i.Kind, i.Default); err != nil {
			t.Errorf("default of %s: %v", i.Kind, err)
		}
	}
	field := func(err error) (string, string) {
		var e *care.Error
		if !errors.As(err, &e) || e.Code != care.EInvalid {
			return "", ""
		}
		for k, m := range e.Fields {
			return k, m.ZH
		}
		return "", ""
	}
	for _, tc := range []struct {
		kind      Kind
		text      string
		field, zh string
	}{
		{WeeklyChat, "  ", "text", "提醒内容不能为空"},
		{WeeklyChat, "请看望{festival}", "text", "未知的占位符 {festival}"},
		{FestivalVisit, "请看望{elder", "text", "花括号不成对"},
		{FestivalVisit, "请看望elder}", "text", "花括号不成对"},
		{FestivalVisit, strings.Repeat("字", MaxText+1), "text", "不能超过500个字"},
		{"nope", "x", "kind", "没有这种提醒"},
	} {
		f, zh := field(Validate(tc.kind, tc.text))
		if f != tc.field || !strings.Contains(zh, tc.zh) {
			t.Errorf("%s %q: field %q %q, want %q %q", tc.kind, tc.text, f, zh, tc.field, tc.zh)
		}
	}
	if err := Validate(WeeklyChat, "还差{count}次：{elder}"); err != nil {
		t.Error(err)
	}
}

func TestRenderAndLunarLabel(t *testing.T) {
	if got := Render("{a}和{b}{c}", map[string]string{"a": "1", "b": "2"}); got != "1和2{c}" {
		t.Error(got)
	}
	for _, tc := range []struct {
		m, d int
		leap bool
		want string
	}{{8, 15, false, "农历八月十五"}, {1, 1, false, "农历正月初一"}, {12, 29, false, "农历腊月廿九"}, {6, 10, true, "农历闰六月初十"},
		{9, 9, false, "农历九月初九"}, {11, 20, false, "农历冬月二十"}, {3, 30, false, "农历三月三十"}} {
		if got := LunarLabel(tc.m, tc.d, tc.leap); got != tc.want {
			t.Errorf("%d-%d: %s, want %s", tc.m, tc.d, got, tc.want)
		}
	}
}

func keys(m map[calendar.Date][]Reminder) []calendar.Date {
	var out []calendar.Date
	for d := range m {
		out = append(out, d)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
