package activity

import (
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
)

var shanghai = time.FixedZone("CST", 8*3600)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func fields(err error) map[string]care.Msg {
	if ce, ok := err.(*care.Error); ok {
		return ce.Fields
	}
	return nil
}

func TestMinutes(t *testing.T) {
	for _, c := range []struct {
		start, end string
		want       int
	}{
		{"14:00", "17:00", 180}, {"09:00", "11:30", 150}, {"09:00", "09:00", 0}, {"10:00", "09:00", 0},
		{"", "11:00", 0}, {"9:00", "11:00", 0}, {"24:00", "25:00", 0}, {"08:60", "09:00", 0},
	} {
		a := Activity{StartTime: c.start, EndTime: c.end}
		if got := a.Minutes(); got != c.want {
			t.Errorf("%s–%s: %d minutes, want %d", c.start, c.end, got, c.want)
		}
	}
	a := Activity{Date: d("2026-12-05"), StartTime: "14:00", EndTime: "17:00"}
	if s, e := a.Start(shanghai), a.End(shanghai); s.Hour() != 14 || e.Sub(s) != 3*time.Hour {
		t.Errorf("start %v end %v", s, e)
	}
}

func TestValidate(t *testing.T) {
	ok := Activity{Theme: "包饺子", Date: d("2026-12-05"), StartTime: "09:00", EndTime: "11:00"}
	ok.Normalize()
	if err := ok.Validate(); err != nil || ok.Status != StatusPlanned {
		t.Fatalf("valid activity: %v (%s)", err, ok.Status)
	}
	cases := []struct {
		name  string
		edit  func(*Activity)
		field string
	}{
		{"theme required", func(a *Activity) { a.Theme = "" }, "theme"},
		{"theme too long", func(a *Activity) { a.Theme = strings.Repeat("长", 101) }, "theme"},
		{"date required", func(a *Activity) { a.Date = time.Time{} }, "date"},
		{"start format", func(a *Activity) { a.StartTime = "9点" }, "start_time"},
		{"end required", func(a *Activity) { a.EndTime = "" }, "end_time"},
		{"end before start", func(a *Activity) { a.EndTime = "08:00" }, "end_time"},
		{"cap negative", func(a *Activity) { a.Cap = -1 }, "cap"},
		{"cap huge", func(a *Activity) { a.Cap = MaxCap + 1 }, "cap"},
		{"residents negative", func(a *Activity) { a.Residents = -3 }, "residents"},
		{"status", func(a *Activity) { a.Status = "done" }, "status"},
		{"template", func(a *Activity) { a.Template = "party" }, "template"},
		{"summary too long", func(a *Activity) { a.Summary = strings.Repeat("好", 4001) }, "summary"},
	}
	for _, c := range cases {
		a := ok
		c.edit(&a)
		f := fields(a.Validate())
		if _, has := f[c.field]; !has {
			t.Errorf("%s: want an error on %s, got %v", c.name, c.field, f)
		} else if f[c.field].ZH == "" || f[c.field].EN == "" {
			t.Errorf("%s: reason missing a language: %+v", c.name, f[c.field])
		}
	}
}

func TestSeriesValidate(t *testing.T) {
	s, _ := MonthlySeries(d("2026-12-10"))
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatalf("template series: %v", err)
	}
	s.Stages[2].EndTime = "07:00"
	if _, has := fields(s.Validate())["stages[2].end_time"]; !has {
		t.Fatalf("stage field not named: %v", fields(s.Validate()))
	}
	empty := Series{Theme: "x"}
	if _, has := fields(empty.Validate())["stages"]; !has {
		t.Fatal("a series without stages was accepted")
	}
}

func TestAttendance(t *testing.T) {
	if err := ValidateAttendance(true, 180); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		present bool
		minutes int
	}{{true, -1}, {true, MaxAttendanceMins + 1}, {false, 30}} {
		if _, has := fields(ValidateAttendance(c.present, c.minutes))["minutes"]; !has {
			t.Errorf("present %v minutes %d accepted", c.present, c.minutes)
		}
	}
}

func TestSignUpCheckInFinish(t *testing.T) {
	a := Activity{Theme: "x", Date: d("2026-12-05"), StartTime: "14:00", EndTime: "17:00", Status: StatusPlanned, Cap: 2}
	before := time.Date(2026, 12, 5, 13, 0, 0, 0, shanghai)
	if err := a.CanSignUp(before, shanghai, 1); err != nil {
		t.Fatal(err)
	}
	if _, has := fields(a.CanSignUp(before, shanghai, 2))["cap"]; !has {
		t.Fatal("a full activity took a sign-up")
	}
	if _, has := fields(a.CanSignUp(time.Date(2026, 12, 5, 14, 0, 0, 0, shanghai), shanghai, 0))["date"]; !has {
		t.Fatal("sign-up after the start")
	}
	noCap := a
	noCap.Cap = 0
	if err := noCap.CanSignUp(before, shanghai, 500); err != nil {
		t.Fatalf("no cap: %v", err)
	}
	// Check-in on the day, in the programme's zone: 00:30 on the 5th in
	// Shanghai is the 4th in UTC.
	if err := a.CanCheckIn(time.Date(2026, 12, 5, 0, 30, 0, 0, shanghai), shanghai); err != nil {
		t.Fatalf("check-in on the day: %v", err)
	}
	if _, has := fields(a.CanCheckIn(time.Date(2026, 12, 4, 23, 0, 0, 0, shanghai), shanghai))["date"]; !has {
		t.Fatal("check-in the day before")
	}
	cancelled := a
	cancelled.Status = StatusCancelled
	if _, has := fields(cancelled.CanCheckIn(before, shanghai))["status"]; !has {
		t.Fatal("check-in at a cancelled activity")
	}
	if _, has := fields(cancelled.CanSignUp(before, shanghai, 0))["status"]; !has {
		t.Fatal("sign-up at a cancelled activity")
	}
	if _, has := fields(a.CanFinish(before, shanghai, "好"))["date"]; !has {
		t.Fatal("finished before the start")
	}
	after := time.Date(2026, 12, 5, 18, 0, 0, 0, shanghai)
	if _, has := fields(a.CanFinish(after, shanghai, "  "))["summary"]; !has {
		t.Fatal("finished without a summary")
	}
	if err := a.CanFinish(after, shanghai, "老人们很开心"); err != nil {
		t.Fatal(err)
	}
}

func TestNursingHomeVisitTemplate(t *testing.T) {
	a, items := NursingHomeVisit(time.Date(2026, 12, 5, 15, 4, 0, 0, shanghai))
	a.Normalize()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Date != d("2026-12-05") || a.Minutes() != 180 || a.Template != TemplateNursingHome {
		t.Fatalf("visit %+v", a)
	}
	// The document's steps in order, and its conduct rules.
	order := []string{"检查携带物品", "打扫", "梳头", "剪指甲", "杂草", "表演", "互动", "合影"}
	at := -1
	for _, w := range order {
		i := strings.Index(a.Content, w)
		if i <= at {
			t.Fatalf("step %q missing or out of order in %q", w, a.Content)
		}
		at = i
	}
	for _, r := range []string{"听从指挥", "举止礼貌", "人身安全"} {
		if !strings.Contains(a.Safety, r) {
			t.Errorf("conduct rule %q missing", r)
		}
	}
	if len(items) < 5 {
		t.Fatalf("checklist %+v", items)
	}
	for _, it := range items {
		it.Normalize()
		if err := it.Validate(); err != nil || it.Due.After(a.Date) || it.Due.IsZero() {
			t.Errorf("item %+v: %v", it, err)
		}
	}
}

func TestMonthlySeriesTemplate(t *testing.T) {
	s, items := MonthlySeries(d("2027-01-31"))
	if len(s.Stages) != 5 || len(items) != 5 {
		t.Fatalf("%d stages, %d lists", len(s.Stages), len(items))
	}
	want := []struct{ theme, content, prep string }{
		{"小小爱心，暖暖冬日", "饺子", "饺子"},
		{"寒冬也温暖，浓浓敬老情", "整理被褥", "清洁用品"},
		{"志愿送温暖，文艺传真情", "感恩的心", "主持人"},
		{"爱心小讲堂，传递大温暖", "健康保健", "对志愿者进行相关培训"},
		{"冬阳很温暖，一路遍地花", "左右交叉", "预约好汽车"},
	}
	if !strings.Contains(s.Stages[0].Content, "“寿”字") || !strings.Contains(s.Stages[0].Content, "生日") {
		t.Errorf("stage 1: %s", s.Stages[0].Content)
	}
	if !strings.Contains(s.Stages[4].Safety, "人身安全") || s.Stages[4].Place != "公园" {
		t.Errorf("stage 5: %+v", s.Stages[4])
	}
	// A stage a month; the 31st falls back to the month's last day.
	days := []string{"2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"}
	for i, w := range want {
		st := s.Stages[i]
		if st.Stage != i+1 || st.Theme != w.theme || !strings.Contains(st.Content, w.content) || !strings.Contains(st.Preparation, w.prep) || st.Expected == "" {
			t.Errorf("stage %d: %+v", i+1, st)
		}
		if st.Date != d(days[i]) {
			t.Errorf("stage %d on %v, want %s", i+1, st.Date, days[i])
		}
		list := items[i+1]
		var found, after bool
		for _, it := range list {
			if strings.Contains(it.Item, w.prep) {
				found = true
				if it.Due.After(st.Date) {
					t.Errorf("stage %d: %q due after the stage", i+1, it.Item)
				}
			}
			if it.Item == "拍照留念" {
				after = it.Due.Equal(st.Date)
			}
		}
		if !found || !after {
			t.Errorf("stage %d checklist %+v", i+1, list)
		}
	}
	for _, it := range items[4] {
		if strings.Contains(it.Item, "培训") && !it.Due.Equal(s.Stages[3].Date.AddDate(0, 0, -14)) {
			t.Errorf("training the volunteers is due two weeks before: %v", it.Due)
		}
	}
}
