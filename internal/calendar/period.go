package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is a kind of period over which a service standard counts visits.
type Kind string

// The kinds of period. The fixed kinds tile time; festival windows do not:
// they leave gaps between festivals and may overlap one another.
const (
	KindDay       Kind = "day"
	KindISOWeek   Kind = "iso_week"
	KindHalfMonth Kind = "half_month" // 1st–15th, 16th–end of month
	KindMonth     Kind = "month"
	KindQuarter   Kind = "quarter"
	KindFestival  Kind = "festival" // a window around a festival or birthday
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k.Fixed() || k == KindFestival }

// Fixed reports whether k tiles time, so each date lies in exactly one period.
func (k Kind) Fixed() bool {
	switch k {
	case KindDay, KindISOWeek, KindHalfMonth, KindMonth, KindQuarter:
		return true
	}
	return false
}

// Period is a span of local days [From, Until) with its label, e.g.
// 2026-11-29, 2026-W48, 2026-11-H1, 2026-11, 2026-Q4, 2027-spring_festival.
type Period struct {
	Kind  Kind
	Label string
	From  Date // first day
	Until Date // day after the last day
	// OverdueFrom is the first day on which an unmet period is overdue: the
	// day after the festival for festival windows; Until for fixed kinds,
	// which are never overdue, only missed once they close.
	OverdueFrom Date
	Start       time.Time // local midnight of From
	End         time.Time // local midnight of Until
	Deadline    time.Time // local midnight of OverdueFrom
	Occasion    Festival  // the festival or birthday of a window; zero otherwise
}

// Days returns the number of days in the period.
func (p Period) Days() int { return int(p.Until - p.From) }

// Contains reports whether d lies in the period.
func (p Period) Contains(d Date) bool { return d >= p.From && d < p.Until }

// IndexOf numbers the periods of a fixed kind consecutively, so that state
// can be kept in dense arrays; it returns the index of the period holding d.
// It returns 0 for festival windows, which have no such numbering.
func IndexOf(k Kind, d Date) int {
	switch k {
	case KindDay:
		return int(d)
	case KindISOWeek:
		// 1969-12-29, a Monday, starts week 0.
		return floorDiv(int(d)+3, 7)
	case KindHalfMonth:
		y, m, dd := d.YMD()
		i := (y*12 + int(m) - 1) * 2
		if dd > 15 {
			i++
		}
		return i
	case KindMonth:
		y, m, _ := d.YMD()
		return y*12 + int(m) - 1
	case KindQuarter:
		y, m, _ := d.YMD()
		return y*4 + (int(m)-1)/3
	}
	return 0
}

// Bounds returns the days [from, until) of period i of a fixed kind.
func Bounds(k Kind, i int) (from, until Date) {
	switch k {
	case KindDay:
		return Date(i), Date(i + 1)
	case KindISOWeek:
		from = Date(i*7 - 3)
		return from, from + 7
	case KindHalfMonth:
		y, m := floorDiv(i/2, 12), time.Month(floorMod(i/2, 12)+1)
		if i%2 == 0 {
			return NewDate(y, m, 1), NewDate(y, m, 16)
		}
		return NewDate(y, m, 16), NewDate(y, m+1, 1)
	case KindMonth:
		y, m := floorDiv(i, 12), time.Month(floorMod(i, 12)+1)
		return NewDate(y, m, 1), NewDate(y, m+1, 1)
	case KindQuarter:
		y, q := floorDiv(i, 4), floorMod(i, 4)
		return NewDate(y, time.Month(q*3+1), 1), NewDate(y, time.Month(q*3+4), 1)
	}
	return 0, 0
}

// Label returns the label of period i of a fixed kind. ISO weeks are
// labelled by ISO year: 2027-01-01 lies in 2026-W53.
func Label(k Kind, i int) string {
	from, _ := Bounds(k, i)
	y, m, d := from.YMD()
	switch k {
	case KindDay:
		// The most common label by far, so no fmt: it is made per status.
		b := make([]byte, 0, 10)
		b = appendPadded(b, y, 4)
		b = appendPadded(append(b, '-'), int(m), 2)
		b = appendPadded(append(b, '-'), d, 2)
		return string(b)
	case KindISOWeek:
		thursday := from.AddDays(3)
		return fmt.Sprintf("%04d-W%02d", thursday.Year(), (thursday.YearDay()-1)/7+1)
	case KindHalfMonth:
		return fmt.Sprintf("%04d-%02d-H%d", y, int(m), i%2+1)
	case KindMonth:
		return fmt.Sprintf("%04d-%02d", y, int(m))
	case KindQuarter:
		return fmt.Sprintf("%04d-Q%d", y, (int(m)-1)/3+1)
	}
	return ""
}

// appendPadded appends n with leading zeros to width digits.
func appendPadded(b []byte, n, width int) []byte {
	digits := strconv.AppendInt(nil, int64(n), 10)
	for i := len(digits); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// ParseLabel is the inverse of Label.
func ParseLabel(k Kind, s string) (int, error) {
	// Made only when needed: a restart parses millions of good labels.
	bad := func() error { return fmt.Errorf("%q is not a %s period label", s, k) }
	year, rest, ok := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if !ok || err != nil || len(year) != 4 {
		return 0, bad()
	}
	switch k {
	case KindDay:
		d, err := ParseDate(s)
		if err != nil {
			return 0, bad()
		}
		return IndexOf(k, d), nil
	case KindISOWeek:
		w, err := strconv.Atoi(strings.TrimPrefix(rest, "W"))
		if err != nil || !strings.HasPrefix(rest, "W") || w < 1 || w > isoWeeksIn(y) {
			return 0, bad()
		}
		return isoWeek1(y) + w - 1, nil
	case KindHalfMonth:
		mon, half, ok := strings.Cut(rest, "-H")
		m, err1 := strconv.Atoi(mon)
		h, err2 := strconv.Atoi(half)
		if !ok || err1 != nil || err2 != nil || m < 1 || m > 12 || h < 1 || h > 2 {
			return 0, bad()
		}
		return (y*12+m-1)*2 + h - 1, nil
	case KindMonth:
		m, err := strconv.Atoi(rest)
		if err != nil || m < 1 || m > 12 {
			return 0, bad()
		}
		return y*12 + m - 1, nil
	case KindQuarter:
		q, err := strconv.Atoi(strings.TrimPrefix(rest, "Q"))
		if err != nil || !strings.HasPrefix(rest, "Q") || q < 1 || q > 4 {
			return 0, bad()
		}
		return y*4 + q - 1, nil
	}
	return 0, bad()
}

// isoWeek1 returns the index of week 1 of ISO year y: the week holding 4 January.
func isoWeek1(y int) int { return IndexOf(KindISOWeek, NewDate(y, time.January, 4)) }

func isoWeeksIn(y int) int { return isoWeek1(y+1) - isoWeek1(y) }

// PeriodAt returns period i of a fixed kind with its instants in the
// calendar's zone.
func (c *Calendar) PeriodAt(k Kind, i int) Period {
	from, until := Bounds(k, i)
	p := Period{Kind: k, Label: Label(k, i), From: from, Until: until, OverdueFrom: until}
	c.setInstants(&p)
	return p
}

func (c *Calendar) setInstants(p *Period) {
	p.Start, p.End, p.Deadline = c.Start(p.From), c.Start(p.Until), c.Start(p.OverdueFrom)
}

// PeriodOf returns the period of kind k holding t.
func (c *Calendar) PeriodOf(k Kind, t time.Time) (Period, error) {
	if !k.Fixed() {
		return Period{}, fmt.Errorf("period kind %q has no single period per moment", k)
	}
	return c.PeriodAt(k, IndexOf(k, c.DateOf(t))), nil
}

// Periods returns the periods of a fixed kind that overlap [from, to), in order.
func (c *Calendar) Periods(k Kind, from, to time.Time) ([]Period, error) {
	if !k.Fixed() {
		return nil, fmt.Errorf("period kind %q is not a fixed kind; use FestivalPeriods", k)
	}
	var out []Period
	for i := IndexOf(k, c.DateOf(from)); ; i++ {
		p := c.PeriodAt(k, i)
		if !p.Start.Before(to) {
			return out, nil
		}
		if p.End.After(from) {
			out = append(out, p)
		}
	}
}
