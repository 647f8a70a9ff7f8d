// Package calendar answers the date questions of the care programme: which
// day, ISO week, half-month, month or quarter a moment falls in, when the
// lunar festivals and each elder's birthday fall, and the visiting windows
// around them. It is pure: no I/O, no clock; the time zone is a parameter.
//
// Occasions are labelled by festival year: the solar year for solar ones,
// the lunar year for lunar ones. Labelling lunar occasions by the solar year
// of their date cannot give one per year: lunar 12-1 fell on 2022-01-03 and
// 2022-12-23, and not at all in 2023. For 春节, 元宵, 中秋 and 重阳 the two
// years always agree (2027-spring_festival is on 2027-02-06).
package calendar

import (
	"fmt"
	"time"
)

// Date is a civil date counted in days since 1970-01-01. A plain day count
// keeps compliance state small and makes period arithmetic integer maths;
// it has no time zone, the Calendar maps it to instants.
type Date int32

// NewDate returns the date y-m-d. Days past the end of the month roll over
// into the next, as with time.Date.
func NewDate(y int, m time.Month, d int) Date {
	mm := int(m) - 1
	y += floorDiv(mm, 12)
	mm = mm - floorDiv(mm, 12)*12 + 1
	return Date(daysFromCivil(y, mm, 1) + d - 1)
}

// ParseDate reads a date written YYYY-MM-DD and rejects impossible dates
// such as 2026-02-30 rather than rolling them over.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q is not a valid YYYY-MM-DD date", s)
	}
	return NewDate(t.Year(), t.Month(), t.Day()), nil
}

// YMD returns the year, month and day of d.
func (d Date) YMD() (int, time.Month, int) {
	y, m, dd := civilFromDays(int(d))
	return y, time.Month(m), dd
}

// Year returns the year of d.
func (d Date) Year() int { y, _, _ := d.YMD(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.YMD(); return m }

// Day returns the day of the month of d.
func (d Date) Day() int { _, _, dd := d.YMD(); return dd }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(int(d)+4, 7))
}

// YearDay returns the day of the year of d, 1 for 1 January.
func (d Date) YearDay() int { return int(d-NewDate(d.Year(), time.January, 1)) + 1 }

// AddDays returns the date n days after d (before, when n is negative).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	y, m, dd := d.YMD()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// MarshalText writes d as YYYY-MM-DD so that dates read naturally in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// daysInMonth returns the length of month m of year y.
func daysInMonth(y int, m time.Month) int {
	return int(NewDate(y, m+1, 1) - NewDate(y, m, 1))
}

// daysFromCivil and civilFromDays are Howard Hinnant's proleptic Gregorian
// conversions; they avoid allocating a time.Time for every record.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (int, int, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
