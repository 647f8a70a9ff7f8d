package calendar

import (
	"fmt"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// lunarMonth is one month of a lunar year: its number, whether it is the
// intercalary (闰) month, its length (29 or 30) and its first solar day.
type lunarMonth struct {
	month int
	leap  bool
	days  int
	first Date
}

// lunarYear lists the months of one lunar year in order, from 正月 to 腊月.
type lunarYear struct {
	year   int
	months []lunarMonth
}

// lunarYear returns the cached table of lunar year y, computing it once.
func (c *Calendar) lunarYear(y int) *lunarYear {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ly, ok := c.lunar[y]; ok {
		return ly
	}
	ly := computeLunarYear(y)
	c.lunar[y] = ly
	return ly
}

func computeLunarYear(y int) *lunarYear {
	ly := &lunarYear{year: y}
	for e := lunar.NewLunarYear(y).GetMonthsInYear().Front(); e != nil; e = e.Next() {
		m := e.Value.(*lunar.LunarMonth)
		s := lunar.NewSolarFromJulianDay(m.GetFirstJulianDay())
		lm := lunarMonth{month: m.GetMonth(), days: m.GetDayCount(),
			first: NewDate(s.GetYear(), time.Month(s.GetMonth()), s.GetDay())}
		if lm.month < 0 {
			lm.month, lm.leap = -lm.month, true
		}
		ly.months = append(ly.months, lm)
	}
	return ly
}

// leapMonth returns the number of the year's intercalary month, or 0.
func (ly *lunarYear) leapMonth() int {
	for _, m := range ly.months {
		if m.leap {
			return m.month
		}
	}
	return 0
}

// find returns month m of the year, the intercalary one when leap is set.
func (ly *lunarYear) find(m int, leap bool) (lunarMonth, bool) {
	for _, lm := range ly.months {
		if lm.month == m && lm.leap == leap {
			return lm, true
		}
	}
	return lunarMonth{}, false
}

// LunarDate is a date of the Chinese lunar calendar.
type LunarDate struct {
	Year, Month, Day int
	Leap             bool // the intercalary month of that number
}

// String formats the lunar date, e.g. 2025-闰6-01.
func (l LunarDate) String() string {
	leap := ""
	if l.Leap {
		leap = "闰"
	}
	return fmt.Sprintf("%04d-%s%d-%02d", l.Year, leap, l.Month, l.Day)
}

// LunarOf converts a solar date to the lunar calendar.
func (c *Calendar) LunarOf(d Date) (LunarDate, error) {
	y := d.Year()
	if y < MinYear-1 || y > MaxYear+1 {
		return LunarDate{}, fmt.Errorf("date %s is outside the supported lunar range", d)
	}
	// A January date may still belong to the previous lunar year.
	for _, ly := range []int{y, y - 1} {
		if ly < MinYear-1 {
			continue
		}
		for _, m := range c.lunarYear(ly).months {
			if d >= m.first && int(d-m.first) < m.days {
				return LunarDate{Year: ly, Month: m.month, Day: int(d-m.first) + 1, Leap: m.leap}, nil
			}
		}
	}
	return LunarDate{}, fmt.Errorf("date %s is outside the supported lunar range", d)
}

// SolarOf returns the solar date on which the lunar date l is kept, falling
// back where l does not exist: a leap month that the year lacks is kept in
// the ordinary month of that number, and day 30 of a 29-day month on day 29.
func (c *Calendar) SolarOf(l LunarDate) (Date, error) {
	if l.Year < MinYear-1 || l.Year > MaxYear || l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return 0, fmt.Errorf("lunar date %s is outside the supported range", l)
	}
	ly := c.lunarYear(l.Year)
	m, ok := ly.find(l.Month, l.Leap)
	if !ok {
		m, _ = ly.find(l.Month, false)
	}
	day := min(l.Day, m.days)
	return m.first.AddDays(day - 1), nil
}

// LeapMonth returns the intercalary month of lunar year y, or 0 if none.
func (c *Calendar) LeapMonth(y int) int { return c.lunarYear(y).leapMonth() }
