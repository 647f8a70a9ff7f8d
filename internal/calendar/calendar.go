package calendar

import (
	"fmt"
	"sync"
	"time"
	// Embedded zone data: the programme runs on small community servers
	// that may lack /usr/share/zoneinfo, and Asia/Shanghai must still load.
	_ "time/tzdata"
)

// DefaultTimeZone is the zone of the programme's communities.
const DefaultTimeZone = "Asia/Shanghai"

// MinYear and MaxYear bound the festival years the lunar tables are
// trusted for; lunar year MinYear-1 is still used for early-January dates.
const (
	MinYear = 1901
	MaxYear = 2099
)

// Calendar answers date questions in one time zone, with the station's own
// festivals. It caches lunar year tables because computing one takes about
// a millisecond in lunar-go. It is safe for concurrent use.
type Calendar struct {
	loc   *time.Location
	extra []FestivalDef

	mu        sync.Mutex
	lunar     map[int]*lunarYear
	festivals map[int][]Festival
}

// New returns a calendar in loc (Asia/Shanghai when nil) that also keeps
// the station's extra festivals.
func New(loc *time.Location, extra []FestivalDef) (*Calendar, error) {
	if loc == nil {
		var err error
		if loc, err = LoadLocation(""); err != nil {
			return nil, err
		}
	}
	if err := ValidateFestivalDefs(extra); err != nil {
		return nil, err
	}
	return &Calendar{
		loc:       loc,
		extra:     append([]FestivalDef(nil), extra...),
		lunar:     make(map[int]*lunarYear),
		festivals: make(map[int][]Festival),
	}, nil
}

// LoadLocation loads an IANA zone; the empty name means DefaultTimeZone.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Extra returns the station's festivals the calendar was made with.
func (c *Calendar) Extra() []FestivalDef { return append([]FestivalDef(nil), c.extra...) }

// DateOf returns the local date of t: a visit at 23:30 in Shanghai belongs
// to that Shanghai day even though it is the afternoon in UTC.
func (c *Calendar) DateOf(t time.Time) Date {
	y, m, d := t.In(c.loc).Date()
	return NewDate(y, m, d)
}

// Start returns the local midnight that begins d.
func (c *Calendar) Start(d Date) time.Time {
	y, m, dd := d.YMD()
	return time.Date(y, m, dd, 0, 0, 0, 0, c.loc)
}

// CheckYear reports whether festival dates can be computed for year.
func CheckYear(year int) error {
	if year < MinYear || year > MaxYear {
		return fmt.Errorf("year %d is outside the supported range %d–%d", year, MinYear, MaxYear)
	}
	return nil
}
