package calendar

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"text/tabwriter"
	"time"
)

// Codes of the programme's major festivals and of the elder's birthday.
const (
	CodeSpringFestival = "spring_festival" // 春节, lunar 1-1
	CodeLantern        = "lantern"         // 元宵, lunar 1-15
	CodeMidAutumn      = "mid_autumn"      // 中秋, lunar 8-15
	CodeDoubleNinth    = "double_ninth"    // 重阳, lunar 9-9
	CodeBirthday       = "birthday"        // 生日, per elder
)

// FestivalDef defines a festival kept every year on a lunar or solar
// month-day. Lunar day 30 falls on day 29 in years when that month is short,
// so 除夕 can be defined as lunar 12-30; solar 2-29 falls on 2-28 in common years.
type FestivalDef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Lunar bool   `json:"lunar"`
	Month int    `json:"month"`
	Day   int    `json:"day"`
}

// MajorFestivals returns the four festivals of the programme documents.
func MajorFestivals() []FestivalDef {
	return []FestivalDef{
		{Code: CodeSpringFestival, Name: "春节", Lunar: true, Month: 1, Day: 1},
		{Code: CodeLantern, Name: "元宵", Lunar: true, Month: 1, Day: 15},
		{Code: CodeMidAutumn, Name: "中秋", Lunar: true, Month: 8, Day: 15},
		{Code: CodeDoubleNinth, Name: "重阳", Lunar: true, Month: 9, Day: 9},
	}
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ValidateFestivalDefs checks the station's extra festivals and reports
// every problem at once.
func ValidateFestivalDefs(defs []FestivalDef) error {
	var errs []error
	seen := map[string]bool{CodeBirthday: true}
	for _, d := range MajorFestivals() {
		seen[d.Code] = true
	}
	for i, d := range defs {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("festival %d (%q): %s", i+1, d.Code, fmt.Sprintf(format, a...)))
		}
		switch {
		case !codePattern.MatchString(d.Code):
			bad("code must be lower-case letters, digits and _")
		case seen[d.Code]:
			bad("code is already used")
		}
		seen[d.Code] = true
		if d.Name == "" {
			bad("name is missing")
		}
		maxDay := 30
		if !d.Lunar && d.Month >= 1 && d.Month <= 12 {
			maxDay = daysInMonth(2000, time.Month(d.Month)) // a leap year, so 2-29 is allowed
		}
		if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > maxDay {
			bad("month-day %d-%d does not exist", d.Month, d.Day)
		}
	}
	return errors.Join(errs...)
}

// Festival is one occasion in one year: a festival or an elder's birthday.
type Festival struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Date Date   `json:"date"`
	// Year is the festival year that labels the occasion: the solar year for
	// solar occasions, the lunar year for lunar ones. They agree for the
	// major festivals; a lunar 12th-month occasion of lunar year Y can fall
	// in January of Y+1 and is still labelled Y, so every year has exactly
	// one of each occasion.
	Year int `json:"-"`
}

// Label returns the period label of the occasion, e.g. 2027-spring_festival.
func (f Festival) Label() string { return fmt.Sprintf("%04d-%s", f.Year, f.Code) }

// Festivals returns the major festivals and the extra ones of festival year
// year, in date order. It returns nil when the year is outside
// MinYear–MaxYear or extra is invalid; check with CheckYear and
// ValidateFestivalDefs to learn why.
func Festivals(year int, extra []FestivalDef) []Festival {
	c, err := New(nil, extra)
	if err != nil {
		return nil
	}
	fs, err := c.Festivals(year)
	if err != nil {
		return nil
	}
	return fs
}

// Festivals returns the major and the station's festivals of festival year
// year, in date order.
func (c *Calendar) Festivals(year int) ([]Festival, error) {
	if err := CheckYear(year); err != nil {
		return nil, err
	}
	c.mu.Lock()
	fs, ok := c.festivals[year]
	c.mu.Unlock()
	if !ok {
		for _, d := range append(MajorFestivals(), c.extra...) {
			fs = append(fs, Festival{Code: d.Code, Name: d.Name, Year: year, Date: c.keep(d.Lunar, year, d.Month, d.Day, false)})
		}
		slices.SortStableFunc(fs, func(a, b Festival) int { return int(a.Date - b.Date) })
		c.mu.Lock()
		c.festivals[year] = fs
		c.mu.Unlock()
	}
	return slices.Clone(fs), nil
}

// keep returns the date on which a yearly month-day is kept in year, with
// the fallbacks for days and leap months the year lacks.
func (c *Calendar) keep(isLunar bool, year, month, day int, leap bool) Date {
	if isLunar {
		d, _ := c.SolarOf(LunarDate{Year: year, Month: month, Day: day, Leap: leap})
		return d
	}
	return NewDate(year, time.Month(month), min(day, daysInMonth(year, time.Month(month))))
}

// Birthday is the yearly month-day on which an elder's birthday is kept.
type Birthday struct {
	Lunar bool
	Month int
	Day   int
	// Leap marks a birth in an intercalary month. Such a birthday is kept
	// in the leap month in years that have it, and otherwise in the
	// ordinary month of the same number, as families usually do.
	Leap bool
}

// BirthdayOf returns the birthday of someone born on birth who keeps it by
// the lunar calendar or not.
func (c *Calendar) BirthdayOf(birth Date, isLunar bool) (Birthday, error) {
	if !isLunar {
		return Birthday{Month: int(birth.Month()), Day: birth.Day()}, nil
	}
	l, err := c.LunarOf(birth)
	if err != nil {
		return Birthday{}, err
	}
	return Birthday{Lunar: true, Month: l.Month, Day: l.Day, Leap: l.Leap}, nil
}

// BirthdayIn returns the birthday occasion of festival year year.
func (c *Calendar) BirthdayIn(b Birthday, year int) (Festival, error) {
	if err := CheckYear(year); err != nil {
		return Festival{}, err
	}
	return Festival{Code: CodeBirthday, Name: "生日", Year: year, Date: c.keep(b.Lunar, year, b.Month, b.Day, b.Leap)}, nil
}

// Window is how many days before and after an occasion a visit counts for it.
type Window struct {
	Before int `json:"window_before_days"`
	After  int `json:"window_after_days"`
}

// The default window runs from seven days before to three days after.
const (
	DefaultWindowBefore = 7
	DefaultWindowAfter  = 3
	// MaxWindowDays keeps a window within one festival season, so that a
	// date is only ever near occasions of adjacent festival years.
	MaxWindowDays = 60
)

// DefaultWindow returns the programme's default window.
func DefaultWindow() Window { return Window{Before: DefaultWindowBefore, After: DefaultWindowAfter} }

// Validate checks the window's bounds.
func (w Window) Validate() error {
	if w.Before < 0 || w.After < 0 || w.Before > MaxWindowDays || w.After > MaxWindowDays {
		return fmt.Errorf("window days must be between 0 and %d", MaxWindowDays)
	}
	return nil
}

// WindowOf returns the visiting window of an occasion: local days
// [date-Before, date+After] inclusive. Its deadline is the end of the
// occasion's day; after that an unmet window is overdue until it closes.
func (c *Calendar) WindowOf(f Festival, w Window) Period {
	p := Period{Kind: KindFestival, Label: f.Label(), Occasion: f,
		From: f.Date.AddDays(-w.Before), Until: f.Date.AddDays(w.After + 1), OverdueFrom: f.Date.AddDays(1)}
	c.setInstants(&p)
	return p
}

// Occasions returns the festivals of festival year year and, when b is not
// nil, the birthday, in date order.
func (c *Calendar) Occasions(year int, b *Birthday) ([]Festival, error) {
	fs, err := c.Festivals(year)
	if err != nil {
		return nil, err
	}
	if b != nil {
		bd, _ := c.BirthdayIn(*b, year)
		fs = append(fs, bd)
		slices.SortStableFunc(fs, func(a, b Festival) int { return int(a.Date - b.Date) })
	}
	return fs, nil
}

// FestivalPeriods returns the windows that overlap the days [from, until),
// ordered by start and label. codes limits the occasions (nil: all);
// b adds the birthday when not nil.
func (c *Calendar) FestivalPeriods(from, until Date, w Window, b *Birthday, codes []string) []Period {
	var out []Period
	// Windows are at most MaxWindowDays wide and an occasion of festival year
	// Y lies between late January of Y and February of Y+1.
	for y := max(from.Year()-1, MinYear); y <= min((until-1).Year()+1, MaxYear); y++ {
		fs, _ := c.Occasions(y, b)
		for _, f := range fs {
			if codes != nil && !slices.Contains(codes, f.Code) {
				continue
			}
			if f.Date.AddDays(w.After+1) > from && f.Date.AddDays(-w.Before) < until {
				out = append(out, c.WindowOf(f, w))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Period) int {
		if a.From != b.From {
			return int(a.From - b.From)
		}
		return cmp.Compare(a.Label, b.Label)
	})
	return out
}

// WriteFestivals prints the festivals of a year: as a JSON array of
// {code, name, date} for machines, or as a table for people.
func WriteFestivals(w io.Writer, fs []Festival, asJSON bool) error {
	if asJSON {
		if fs == nil {
			fs = []Festival{}
		}
		b, err := json.MarshalIndent(fs, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range fs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Date, weekdayZH[f.Date.Weekday()], f.Name, f.Code)
	}
	return tw.Flush()
}

var weekdayZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}
