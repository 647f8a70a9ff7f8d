package calendar

import (
	"fmt"
	"strings"
	"testing"
)

// TestMajorFestivals checks lunar-go's dates against published calendars.
func TestMajorFestivals(t *testing.T) {
	want := map[int][4]string{
		2022: {"2022-02-01", "2022-02-15", "2022-09-10", "2022-10-04"},
		2023: {"2023-01-22", "2023-02-05", "2023-09-29", "2023-10-23"},
		2024: {"2024-02-10", "2024-02-24", "2024-09-17", "2024-10-11"},
		2025: {"2025-01-29", "2025-02-12", "2025-10-06", "2025-10-29"},
		2026: {"2026-02-17", "2026-03-03", "2026-09-25", "2026-10-18"},
		2027: {"2027-02-06", "2027-02-20", "2027-09-15", "2027-10-08"},
	}
	codes := []string{CodeSpringFestival, CodeLantern, CodeMidAutumn, CodeDoubleNinth}
	for year, dates := range want {
		fs := Festivals(year, nil)
		if len(fs) != 4 {
			t.Fatalf("%d: %v", year, fs)
		}
		for i, f := range fs {
			if f.Code != codes[i] || f.Date.String() != dates[i] || f.Year != year {
				t.Errorf("%d: festival %d is %s %s (%d), want %s %s", year, i, f.Code, f.Date, f.Year, codes[i], dates[i])
			}
		}
	}
	if fs := Festivals(2026, nil); fs[0].Name != "春节" || fs[0].Label() != "2026-spring_festival" {
		t.Errorf("names and labels: %+v", fs[0])
	}
}

func TestFestivalYearRange(t *testing.T) {
	for _, y := range []int{1900, 2100, 0, -5} {
		if fs := Festivals(y, nil); fs != nil {
			t.Errorf("Festivals(%d) = %v", y, fs)
		}
		if CheckYear(y) == nil {
			t.Errorf("CheckYear(%d) accepted", y)
		}
	}
	for _, y := range []int{MinYear, MaxYear} {
		if fs := Festivals(y, nil); len(fs) != 4 {
			t.Errorf("Festivals(%d) = %v", y, fs)
		}
	}
}

func TestExtraFestivals(t *testing.T) {
	extra := []FestivalDef{
		{Code: "new_year_eve", Name: "除夕", Lunar: true, Month: 12, Day: 30},
		{Code: "laba", Name: "腊八", Lunar: true, Month: 12, Day: 8},
		{Code: "elders_day", Name: "敬老日", Month: 2, Day: 29},
	}
	fs := Festivals(2026, extra)
	got := map[string]string{}
	for i, f := range fs {
		got[f.Code] = f.Date.String()
		if i > 0 && fs[i-1].Date > f.Date {
			t.Errorf("not in date order: %v", fs)
		}
	}
	// Lunar 2026's 12th month has 29 days, so 除夕 is 12-29; both fall in
	// January 2027 but belong to festival year 2026.
	want := map[string]string{"new_year_eve": "2027-02-05", "laba": "2027-01-15", "elders_day": "2026-02-28", CodeSpringFestival: "2026-02-17"}
	for code, d := range want {
		if got[code] != d {
			t.Errorf("%s: %s, want %s", code, got[code], d)
		}
	}
	if f := Festivals(2028, extra); f[2].Code != "elders_day" || f[2].Date.String() != "2028-02-29" {
		t.Errorf("2028: %v", f)
	}
	bad := []FestivalDef{
		{Code: CodeLantern, Name: "x", Lunar: true, Month: 1, Day: 1},
		{Code: "Bad-Code", Name: "x", Month: 1, Day: 1},
		{Code: "no_name", Lunar: true, Month: 1, Day: 1},
		{Code: "thirteenth", Name: "x", Lunar: true, Month: 13, Day: 1},
		{Code: "apr31", Name: "x", Month: 4, Day: 31},
		{Code: "day31", Name: "x", Lunar: true, Month: 1, Day: 31},
		{Code: CodeBirthday, Name: "x", Month: 1, Day: 1},
	}
	err := ValidateFestivalDefs(bad)
	if err == nil || strings.Count(err.Error(), "\n") != len(bad)-1 {
		t.Errorf("want one error per bad festival, got %v", err)
	}
	if Festivals(2026, bad) != nil {
		t.Error("Festivals accepted bad extras")
	}
}

func TestBirthdays(t *testing.T) {
	c := shanghai(t)
	tests := []struct {
		name  string
		birth string
		lunar bool
		year  int
		want  string
	}{
		{"solar", "1941-03-05", false, 2026, "2026-03-05"},
		{"solar Feb 29 in a common year", "1940-02-29", false, 2026, "2026-02-28"},
		{"solar Feb 29 in a leap year", "1940-02-29", false, 2028, "2028-02-29"},
		// 1941-07-10 is lunar 1941-6-16, the ordinary 6th month.
		{"ordinary month in a year with that leap month", "1941-07-10", true, 2025, "2025-07-10"},
		// 1941-08-10 is lunar 1941-闰6-18; 2025 has a leap 6th month.
		{"leap-month birth, year with the leap month", "1941-08-10", true, 2025, "2025-08-11"},
		{"leap-month birth, year without it", "1941-08-10", true, 2026, "2026-07-31"},
		// 1947-04-10 is lunar 1947-闰2-19; 2023 has a leap 2nd month.
		{"leap 2nd month, 2023", "1947-04-10", true, 2023, "2023-04-09"},
		{"leap 2nd month, 2024", "1947-04-10", true, 2024, "2024-03-28"},
		// 1941-03-27 is lunar 1941-2-30.
		{"day 30 in a 30-day month", "1941-03-27", true, 2024, "2024-04-08"},
		{"day 30 in a 29-day month", "1941-03-27", true, 2025, "2025-03-28"},
		// 1941-08-22 is lunar 1941-闰6-30; 2025's leap 6th month has 29 days.
		{"leap day 30, short leap month", "1941-08-22", true, 2025, "2025-08-22"},
		{"leap day 30, year without leap", "1941-08-22", true, 2026, "2026-08-12"},
		// 1942-01-17 is lunar 1941-12-1: lunar 2022's falls in December
		// 2022, lunar 2023's in January 2024, so solar 2023 has none.
		{"12th month, same solar year", "1942-01-17", true, 2022, "2022-12-23"},
		{"12th month, next solar year", "1942-01-17", true, 2023, "2024-01-11"},
		{"12th month, 2026", "1942-01-17", true, 2026, "2027-01-08"},
		{"12th month, 2027", "1942-01-17", true, 2027, "2027-12-28"},
	}
	for _, tt := range tests {
		b, err := c.BirthdayOf(mustDate(t, tt.birth), tt.lunar)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		f, err := c.BirthdayIn(b, tt.year)
		if err != nil {
			t.Fatal(err)
		}
		if f.Date.String() != tt.want || f.Year != tt.year || f.Label() != fmt.Sprintf("%d-birthday", tt.year) {
			t.Errorf("%s: birthday %d is %s (%s), want %s", tt.name, tt.year, f.Date, f.Label(), tt.want)
		}
	}
	if _, err := c.BirthdayOf(mustDate(t, "1899-06-01"), true); err == nil {
		t.Error("lunar birthday before the supported range accepted")
	}
}

func TestLunarRoundTrip(t *testing.T) {
	c := shanghai(t)
	for d := mustDate(t, "1901-01-01"); d < mustDate(t, "2100-01-01"); d += 7 {
		l, err := c.LunarOf(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.SolarOf(l)
		if err != nil || back != d {
			t.Fatalf("%s → %s → %s (%v)", d, l, back, err)
		}
	}
	if l, _ := c.LunarOf(mustDate(t, "2025-07-25")); l.String() != "2025-闰6-01" {
		t.Errorf("2025-07-25 is %s", l)
	}
}

func TestWindows(t *testing.T) {
	c := shanghai(t)
	fs, _ := c.Festivals(2027)
	p := c.WindowOf(fs[0], DefaultWindow())
	if p.Label != "2027-spring_festival" || p.From.String() != "2027-01-30" || p.Until.String() != "2027-02-10" ||
		p.OverdueFrom.String() != "2027-02-07" || p.Kind != KindFestival || p.Days() != 11 {
		t.Errorf("spring festival 2027 window: %+v", p)
	}
	if p.Deadline.Format("2006-01-02T15:04Z07:00") != "2027-02-07T00:00+08:00" {
		t.Errorf("deadline %s", p.Deadline)
	}
	b, _ := c.BirthdayOf(mustDate(t, "1942-01-17"), true)
	// Solar 2027 holds two windows of this lunar 12th-month birthday, each
	// with its own festival-year label.
	ps := c.FestivalPeriods(mustDate(t, "2027-01-01"), mustDate(t, "2028-01-01"), DefaultWindow(), &b, []string{CodeBirthday})
	if len(ps) != 2 || ps[0].Label != "2026-birthday" || ps[1].Label != "2027-birthday" {
		t.Errorf("birthday windows in 2027: %v", labels(ps))
	}
	// A day near both 春节 and 元宵 with wide windows lies in both.
	wide := Window{Before: 10, After: 10}
	on := c.FestivalPeriods(mustDate(t, "2027-02-12"), mustDate(t, "2027-02-13"), wide, nil, nil)
	if got := labels(on); got != "2027-spring_festival 2027-lantern" {
		t.Errorf("windows holding 2027-02-12: %s", got)
	}
	// 2026-birthday is 2027-01-08, its window opens 2027-01-01: not in 2026.
	all := c.FestivalPeriods(mustDate(t, "2026-01-01"), mustDate(t, "2027-01-01"), DefaultWindow(), &b, nil)
	if got := labels(all); got != "2025-birthday 2026-spring_festival 2026-lantern 2026-mid_autumn 2026-double_ninth" {
		t.Errorf("2026 windows: %s", got)
	}
	if (Window{Before: -1}).Validate() == nil || (Window{After: MaxWindowDays + 1}).Validate() == nil || DefaultWindow().Validate() != nil {
		t.Error("window validation")
	}
}

func labels(ps []Period) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Label)
	}
	return strings.Join(s, " ")
}

// TestConcurrentUse backs the claim that a Calendar may be shared: run it
// with -race.
func TestConcurrentUse(t *testing.T) {
	c := shanghai(t)
	b, _ := c.BirthdayOf(mustDate(t, "1941-08-10"), true)
	done := make(chan string)
	for g := range 8 {
		go func() {
			var last string
			for y := 2020 + g; y < 2040; y++ {
				ps := c.FestivalPeriods(NewDate(y, 1, 1), NewDate(y+1, 1, 1), DefaultWindow(), &b, nil)
				last = ps[len(ps)-1].Label
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; !strings.HasPrefix(got, "2039-") {
			t.Errorf("last window %s", got)
		}
	}
}
