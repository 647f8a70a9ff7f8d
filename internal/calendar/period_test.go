package calendar

import (
	"testing"
	"time"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func shanghai(t *testing.T) *Calendar {
	t.Helper()
	c, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDateAgreesWithTime checks the integer civil-date maths against the
// time package over two centuries, including every leap day.
func TestDateAgreesWithTime(t *testing.T) {
	start := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 200*366; i++ {
		tm := start.AddDate(0, 0, i)
		d := NewDate(tm.Year(), tm.Month(), tm.Day())
		if want := Date(tm.Unix() / 86400); d != want {
			t.Fatalf("%s: got day %d, want %d", tm.Format(time.DateOnly), d, want)
		}
		y, m, dd := d.YMD()
		if y != tm.Year() || m != tm.Month() || dd != tm.Day() || d.Weekday() != tm.Weekday() || d.YearDay() != tm.YearDay() {
			t.Fatalf("%s: round trip gave %d-%d-%d %s day %d", tm.Format(time.DateOnly), y, m, dd, d.Weekday(), d.YearDay())
		}
		isoY, isoW := tm.ISOWeek()
		if got, want := Label(KindISOWeek, IndexOf(KindISOWeek, d)), time.Date(isoY, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")+"-W"+twoDigits(isoW); got != want {
			t.Fatalf("%s: ISO week %s, want %s", tm.Format(time.DateOnly), got, want)
		}
	}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func TestParseDateRejectsImpossibleDates(t *testing.T) {
	for _, s := range []string{"2026-02-30", "2026-13-01", "2026-1-1", "", "2026-11-29T00:00:00Z", "2025-02-29"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	if d := mustDate(t, "2024-02-29"); d.String() != "2024-02-29" {
		t.Errorf("leap day round trip gave %s", d)
	}
	if d := NewDate(2026, 13, 1); d.String() != "2027-01-01" {
		t.Errorf("NewDate month roll-over gave %s", d)
	}
}

func TestPeriodOf(t *testing.T) {
	c := shanghai(t)
	tests := []struct {
		kind        Kind
		day         string
		label       string
		from, until string
	}{
		{KindDay, "2026-11-29", "2026-11-29", "2026-11-29", "2026-11-30"},
		{KindDay, "2024-02-29", "2024-02-29", "2024-02-29", "2024-03-01"},
		{KindISOWeek, "2026-11-29", "2026-W48", "2026-11-23", "2026-11-30"},
		{KindISOWeek, "2026-12-31", "2026-W53", "2026-12-28", "2027-01-04"},
		{KindISOWeek, "2027-01-01", "2026-W53", "2026-12-28", "2027-01-04"},
		{KindISOWeek, "2027-01-04", "2027-W01", "2027-01-04", "2027-01-11"},
		{KindISOWeek, "2020-12-31", "2020-W53", "2020-12-28", "2021-01-04"},
		{KindISOWeek, "2021-01-03", "2020-W53", "2020-12-28", "2021-01-04"},
		{KindISOWeek, "2024-12-30", "2025-W01", "2024-12-30", "2025-01-06"},
		{KindISOWeek, "1969-12-31", "1970-W01", "1969-12-29", "1970-01-05"},
		{KindHalfMonth, "2026-11-15", "2026-11-H1", "2026-11-01", "2026-11-16"},
		{KindHalfMonth, "2026-11-16", "2026-11-H2", "2026-11-16", "2026-12-01"},
		{KindHalfMonth, "2026-02-28", "2026-02-H2", "2026-02-16", "2026-03-01"},
		{KindHalfMonth, "2024-02-29", "2024-02-H2", "2024-02-16", "2024-03-01"},
		{KindHalfMonth, "2026-01-31", "2026-01-H2", "2026-01-16", "2026-02-01"},
		{KindHalfMonth, "2026-12-31", "2026-12-H2", "2026-12-16", "2027-01-01"},
		{KindMonth, "2026-11-29", "2026-11", "2026-11-01", "2026-12-01"},
		{KindMonth, "2026-12-31", "2026-12", "2026-12-01", "2027-01-01"},
		{KindMonth, "2024-02-01", "2024-02", "2024-02-01", "2024-03-01"},
		{KindQuarter, "2026-11-29", "2026-Q4", "2026-10-01", "2027-01-01"},
		{KindQuarter, "2026-03-31", "2026-Q1", "2026-01-01", "2026-04-01"},
		{KindQuarter, "2026-04-01", "2026-Q2", "2026-04-01", "2026-07-01"},
		{KindQuarter, "2026-09-30", "2026-Q3", "2026-07-01", "2026-10-01"},
	}
	for _, tt := range tests {
		at := c.Start(mustDate(t, tt.day)).Add(13 * time.Hour)
		p, err := c.PeriodOf(tt.kind, at)
		if err != nil {
			t.Fatal(err)
		}
		if p.Label != tt.label || p.From.String() != tt.from || p.Until.String() != tt.until {
			t.Errorf("%s of %s = %s [%s, %s), want %s [%s, %s)", tt.kind, tt.day, p.Label, p.From, p.Until, tt.label, tt.from, tt.until)
		}
		if !p.Start.Equal(c.Start(p.From)) || !p.End.Equal(c.Start(p.Until)) || !p.Deadline.Equal(p.End) {
			t.Errorf("%s of %s: instants %s %s %s", tt.kind, tt.day, p.Start, p.End, p.Deadline)
		}
		i, err := ParseLabel(tt.kind, tt.label)
		if err != nil || i != IndexOf(tt.kind, mustDate(t, tt.day)) {
			t.Errorf("ParseLabel(%s, %s) = %d, %v", tt.kind, tt.label, i, err)
		}
	}
}

func TestParseLabelRejects(t *testing.T) {
	for _, tt := range []struct {
		kind  Kind
		label string
	}{
		{KindISOWeek, "2027-W53"}, {KindISOWeek, "2026-W00"}, {KindISOWeek, "2026-48"},
		{KindHalfMonth, "2026-11-H3"}, {KindMonth, "2026-13"}, {KindQuarter, "2026-Q5"},
		{KindDay, "2026-02-30"}, {KindFestival, "2026-spring_festival"}, {KindMonth, "26-11"},
	} {
		if _, err := ParseLabel(tt.kind, tt.label); err == nil {
			t.Errorf("ParseLabel(%s, %q) accepted", tt.kind, tt.label)
		}
	}
	if _, err := ParseLabel(KindISOWeek, "2026-W53"); err != nil {
		t.Errorf("2026 has 53 ISO weeks: %v", err)
	}
}

// TestTimeZones: a visit late in the Shanghai evening is on that Shanghai
// day although the UTC date differs, and the same instant is the next day
// for a station configured in another zone.
func TestTimeZones(t *testing.T) {
	c := shanghai(t)
	at, _ := time.Parse(time.RFC3339, "2026-11-29T23:30:00+08:00")
	if got := c.DateOf(at).String(); got != "2026-11-29" {
		t.Errorf("23:30 Shanghai is %s", got)
	}
	if at.UTC().Format(time.DateOnly) != "2026-11-29" {
		t.Fatal("test premise")
	}
	utc, _ := time.Parse(time.RFC3339, "2026-11-29T16:30:00Z")
	if got := c.DateOf(utc).String(); got != "2026-11-30" {
		t.Errorf("16:30 UTC is %s in Shanghai, want 2026-11-30", got)
	}
	ny, _ := LoadLocation("America/New_York")
	cn, _ := New(ny, nil)
	if got := cn.DateOf(at).String(); got != "2026-11-29" {
		t.Errorf("in New York: %s", got)
	}
	p, _ := c.PeriodOf(KindDay, utc)
	if p.Start.Format(time.RFC3339) != "2026-11-30T00:00:00+08:00" {
		t.Errorf("day starts at %s", p.Start.Format(time.RFC3339))
	}
	if _, err := LoadLocation("Mars/Olympus"); err == nil {
		t.Error("unknown zone accepted")
	}
}

func TestPeriodsOverlapping(t *testing.T) {
	c := shanghai(t)
	from := c.Start(mustDate(t, "2026-12-30")).Add(10 * time.Hour)
	to := c.Start(mustDate(t, "2027-01-05"))
	ps, err := c.Periods(KindISOWeek, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Label != "2026-W53" || ps[1].Label != "2027-W01" {
		t.Errorf("weeks: %+v", ps)
	}
	ds, _ := c.Periods(KindDay, from, to)
	if len(ds) != 6 || ds[0].Label != "2026-12-30" || ds[5].Label != "2027-01-04" {
		t.Errorf("days: %d %v", len(ds), ds)
	}
	if _, err := c.Periods(KindFestival, from, to); err == nil {
		t.Error("festival kind accepted by Periods")
	}
	if _, err := c.PeriodOf(KindFestival, from); err == nil {
		t.Error("festival kind accepted by PeriodOf")
	}
}

// TestDayLabels: the day label is built by hand for speed; it must read
// as the date does, and parse back, on every day of a long span.
func TestDayLabels(t *testing.T) {
	for d := NewDate(1899, time.December, 25); d <= NewDate(2101, time.January, 5); d = d.AddDays(1) {
		i := IndexOf(KindDay, d)
		y, m, day := d.YMD()
		want := time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		if got := Label(KindDay, i); got != want {
			t.Fatalf("Label(%v) = %q, want %q", d, got, want)
		}
		if back, err := ParseLabel(KindDay, want); err != nil || back != i {
			t.Fatalf("ParseLabel(%q) = %d, %v; want %d", want, back, err, i)
		}
	}
	if _, err := ParseLabel(KindDay, "2026-13-01"); err == nil {
		t.Error("a bad label parsed")
	}
}
