package compliance

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/calendar"
)

// Day bounds for "since always" and "until further notice"; far enough from
// the int32 limits that adding a day never overflows.
const (
	minDate calendar.Date = math.MinInt32 / 2
	maxDate calendar.Date = math.MaxInt32 / 2
)

// version is a Standard compiled for evaluation.
type version struct {
	Standard
	code      int           // position of the code in State.codes
	from      calendar.Date // periods starting in [from, until) are judged by this version
	until     calendar.Date
	reqs      []Requirement // the main requirement first, then Also
	occasions []string      // festival standards: the occasions, in index order
}

// mask returns the set of requirements a record counts towards, one bit each.
func (v *version) mask(r *Record) uint8 {
	var m uint8
	for i, req := range v.reqs {
		for _, c := range req.Counts {
			if c.matches(r) {
				m |= 1 << i
				break
			}
		}
	}
	return m
}

// governs reports whether a period starting on from is judged by v.
func (v *version) governs(from calendar.Date) bool { return from >= v.from && from < v.until }

// track is the state of one standard version for one pairing: a tally per
// requirement, indexed by period number - base. Fixed kinds number periods
// with calendar.IndexOf; festival windows as festival year ×
// len(occasions) + occasion position.
type track struct {
	v       *version
	base    int
	tallies []tally
}

func newTrack(v *version, first calendar.Date) *track {
	t := &track{v: v, tallies: make([]tally, len(v.reqs))}
	if v.Period == calendar.KindFestival {
		// An occasion of festival year Y is never later than spring of
		// Y+1, so no window holding a day of the pairing is older than this.
		t.base = (first.Year() - 1) * len(v.occasions)
	} else {
		t.base = calendar.IndexOf(v.Period, first)
	}
	return t
}

// indexesOn appends the numbers of the periods this version governs that
// hold day.
func (t *track) indexesOn(cal *calendar.Calendar, bday *calendar.Birthday, day calendar.Date, out []int) []int {
	v := t.v
	if v.Period != calendar.KindFestival {
		i := calendar.IndexOf(v.Period, day)
		if from, _ := calendar.Bounds(v.Period, i); v.governs(from) {
			out = append(out, i)
		}
		return out
	}
	for _, p := range cal.FestivalPeriods(day, day+1, v.Window, bday, v.occasions) {
		if v.governs(p.From) {
			out = append(out, t.festivalIndex(p.Occasion))
		}
	}
	return out
}

func (t *track) festivalIndex(f calendar.Festival) int {
	return f.Year*len(t.v.occasions) + slices.Index(t.v.occasions, f.Code)
}

// period returns period i of the track, or false for a birthday window of
// an elder whose birthday is unknown or a year outside the calendar.
func (t *track) period(cal *calendar.Calendar, bday *calendar.Birthday, i int) (calendar.Period, bool) {
	v := t.v
	if v.Period != calendar.KindFestival {
		return cal.PeriodAt(v.Period, i), true
	}
	n := len(v.occasions)
	year, code := i/n, v.occasions[i%n]
	var occ []calendar.Festival
	var err error
	if code == calendar.CodeBirthday {
		if bday == nil {
			return calendar.Period{}, false
		}
		var f calendar.Festival
		f, err = cal.BirthdayIn(*bday, year)
		occ = []calendar.Festival{f}
	} else {
		occ, err = cal.Festivals(year)
	}
	if err != nil {
		return calendar.Period{}, false
	}
	for _, f := range occ {
		if f.Code == code {
			return cal.WindowOf(f, v.Window), true
		}
	}
	return calendar.Period{}, false
}

// indexOfLabel is the inverse of period(…).Label.
func (t *track) indexOfLabel(label string) (int, error) {
	v := t.v
	if v.Period != calendar.KindFestival {
		return calendar.ParseLabel(v.Period, label)
	}
	year, code, _ := strings.Cut(label, "-")
	y, err := strconv.Atoi(year)
	pos := slices.Index(v.occasions, code)
	if err != nil || pos < 0 || calendar.CheckYear(y) != nil {
		return 0, fmt.Errorf("%q is not a window of standard %s", label, v.Code)
	}
	return y*len(v.occasions) + pos, nil
}

// reserve makes room in each empty tally for the periods up to day (fixed
// kinds only: festival windows are few).
func (t *track) reserve(day calendar.Date) {
	if t.v.Period == calendar.KindFestival || cap(t.tallies[0].first) != 0 && cap(t.tallies[len(t.tallies)-1].first) != 0 {
		return
	}
	n := calendar.IndexOf(t.v.Period, day) - t.base + 1
	if n <= 0 || n > 1<<16 {
		return
	}
	for r := range t.tallies {
		if cap(t.tallies[r].first) == 0 {
			t.tallies[r].first = make([]slot, 0, n)
		}
	}
}

// add counts e in period i for each requirement in mask, once.
func (t *track) add(i int, mask uint8, e entry) {
	if k := i - t.base; k >= 0 {
		for r := range t.tallies {
			if mask&(1<<r) != 0 {
				t.tallies[r].add(k, e)
			}
		}
	}
}

// remove uncounts record id from period i for each requirement in mask.
func (t *track) remove(i int, mask uint8, id RecordID) {
	for r := range t.tallies {
		if mask&(1<<r) != 0 {
			t.tallies[r].remove(i-t.base, id)
		}
	}
}

// cutAfter drops records dated after last from periods numbered from i on.
func (t *track) cutAfter(i int, last calendar.Date) {
	for r := range t.tallies {
		t.tallies[r].cutAfter(i-t.base, last)
	}
}

// at returns the records counted for requirement r in period i.
func (t *track) at(r, i int) []entry { return t.tallies[r].at(i - t.base) }
