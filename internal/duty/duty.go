// Package duty answers who of a community's staff is on duty at a moment
// (SPEC §9, issue 13): a weekly roster (weekday and hours → an account)
// with exceptions for date ranges (leave, holidays). It is pure: the store
// loads a community's roster and asks Roster.OnDuty; when nobody is on
// duty the store falls back to all of the community's staff accounts, so
// an alert always reaches a person.
package duty

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Shift is one line of the weekly roster: every Weekday (1 Monday … 7
// Sunday) from From to To ("HH:MM", To may be "24:00"), UserID is on
// duty. A To at or before From runs into the next day (20:00–08:00).
type Shift struct {
	ID      int64  `json:"id"`
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
	UserID  int64  `json:"user_id"`
}

// Exception changes the roster on the days From to To (inclusive):
//   - Replaces > 0: that person's shifts starting on those days go to
//     UserID, or to nobody when UserID is 0 (leave, with no cover);
//   - Replaces 0: the weekly roster does not apply on those days; UserID
//     is on duty all day, or nobody is (then everyone is told: the
//     store's fallback).
//
// Where several exceptions cover a day, the last saved (highest ID, or
// the later in the list) wins.
type Exception struct {
	ID       int64
	FromDay  time.Time // a date (UTC midnight)
	ToDay    time.Time
	Replaces int64
	UserID   int64
	Note     string
}

// Roster is a community's weekly roster and its exceptions.
type Roster struct {
	CommunityID int64
	Shifts      []Shift
	Exceptions  []Exception
}

// Limits of a roster, so a form cannot grow it without end.
const (
	MaxShifts     = 200
	MaxExceptions = 200
	MaxSpan       = 366 // days one exception may cover
)

// Weekdays are the roster's days with their labels, Monday first.
var Weekdays = []care.Choice{
	{Code: "1", Label: care.Msg{ZH: "周一", EN: "Monday"}}, {Code: "2", Label: care.Msg{ZH: "周二", EN: "Tuesday"}},
	{Code: "3", Label: care.Msg{ZH: "周三", EN: "Wednesday"}}, {Code: "4", Label: care.Msg{ZH: "周四", EN: "Thursday"}},
	{Code: "5", Label: care.Msg{ZH: "周五", EN: "Friday"}}, {Code: "6", Label: care.Msg{ZH: "周六", EN: "Saturday"}},
	{Code: "7", Label: care.Msg{ZH: "周日", EN: "Sunday"}},
}

var (
	msgWeekday = care.Msg{ZH: "请选择星期一至星期日", EN: "choose a day from Monday to Sunday"}
	msgClock   = care.Msg{ZH: "时间格式应为 时:分，例如 08:30", EN: "must be a time like 08:30"}
	msgSame    = care.Msg{ZH: "结束时间不能与开始时间相同", EN: "cannot end when it starts"}
	msgWho     = care.Msg{ZH: "请选择值班人员", EN: "choose who is on duty"}
	msgToDay   = care.Msg{ZH: "结束日期不能早于开始日期", EN: "cannot end before it starts"}
	msgSpan    = care.Msg{ZH: "一条例外最长366天", EN: "an exception covers at most 366 days"}
	msgTooMany = care.Msg{ZH: "条目过多", EN: "too many lines"}
	msgSelf    = care.Msg{ZH: "替班人员不能是被替换的人", EN: "the cover cannot be the person replaced"}
)

// Validate checks the roster's form and reports every line's problem at
// once, by field names like shifts[0].from and exceptions[1].to (whether
// the accounts belong to the community is the store's check).
func (r *Roster) Validate() error {
	f := care.FieldErrors{}
	if len(r.Shifts) > MaxShifts {
		f.Add("shifts", msgTooMany)
	}
	if len(r.Exceptions) > MaxExceptions {
		f.Add("exceptions", msgTooMany)
	}
	for i := range r.Shifts {
		s := &r.Shifts[i]
		p := fmt.Sprintf("shifts[%d].", i)
		s.From, s.To = strings.TrimSpace(s.From), strings.TrimSpace(s.To)
		if s.Weekday < 1 || s.Weekday > 7 {
			f.Add(p+"weekday", msgWeekday)
		}
		from, ok1 := parseClock(s.From, false)
		to, ok2 := parseClock(s.To, true)
		if !ok1 {
			f.Add(p+"from", msgClock)
		}
		if !ok2 {
			f.Add(p+"to", msgClock)
		} else if ok1 && from == to {
			f.Add(p+"to", msgSame)
		}
		if s.UserID <= 0 {
			f.Add(p+"user_id", msgWho)
		}
	}
	for i := range r.Exceptions {
		e := &r.Exceptions[i]
		p := fmt.Sprintf("exceptions[%d].", i)
		e.Note = strings.TrimSpace(e.Note)
		if e.FromDay.IsZero() {
			f.Add(p+"from", care.MsgBadDate)
		}
		if e.ToDay.IsZero() {
			f.Add(p+"to", care.MsgBadDate)
		}
		if !e.FromDay.IsZero() && !e.ToDay.IsZero() {
			if e.ToDay.Before(e.FromDay) {
				f.Add(p+"to", msgToDay)
			} else if e.ToDay.Sub(e.FromDay) > (MaxSpan-1)*24*time.Hour {
				f.Add(p+"to", msgSpan)
			}
		}
		if e.Replaces < 0 || e.UserID < 0 {
			f.Add(p+"user_id", msgWho)
		}
		if e.Replaces > 0 && e.Replaces == e.UserID {
			f.Add(p+"user_id", msgSelf)
		}
		if utf8.RuneCountInString(e.Note) > 200 {
			f.Add(p+"note", care.MsgTooLong)
		}
	}
	return f.Err()
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" only where
// an end may be.
func parseClock(s string, end bool) (int, bool) {
	if end && s == "24:00" {
		return 24 * 60, true
	}
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// isoWeekday is 1 for Monday … 7 for Sunday.
func isoWeekday(t time.Time) int {
	if t.Weekday() == time.Sunday {
		return 7
	}
	return int(t.Weekday())
}

// OnDuty returns the accounts on duty at the moment at, read in loc
// (sorted, each once). An empty answer means nobody is rostered then:
// the caller falls back to every staff account of the community.
func (r Roster) OnDuty(at time.Time, loc *time.Location) []int64 {
	l := at.In(loc)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	var out []int64
	// A whole-roster exception on today's date decides the day alone.
	if e, ok := r.wholeDay(today); ok {
		if e.UserID > 0 {
			out = append(out, e.UserID)
		}
	} else {
		// A shift that started yesterday may still run (a night shift).
		for _, back := range []int{1, 0} {
			day := today.AddDate(0, 0, -back)
			if _, covered := r.wholeDay(day); covered {
				continue // yesterday's roster was replaced; its night shift too
			}
			start := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
			for _, s := range r.Shifts {
				if s.Weekday != isoWeekday(day) || !s.runs(start, at) {
					continue
				}
				if who := r.cover(day, s.UserID); who > 0 {
					out = append(out, who)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// runs reports whether the shift starting on the day that begins at
// midnight covers at.
func (s Shift) runs(midnight, at time.Time) bool {
	from, ok1 := parseClock(s.From, false)
	to, ok2 := parseClock(s.To, true)
	if !ok1 || !ok2 || from == to {
		return false
	}
	y, m, d := midnight.Date()
	loc := midnight.Location()
	begin := time.Date(y, m, d, from/60, from%60, 0, 0, loc)
	endDay := d
	if to <= from {
		endDay++
	}
	end := time.Date(y, m, endDay, to/60, to%60, 0, 0, loc) // 24:00 normalises to the next midnight
	return !at.Before(begin) && at.Before(end)
}

// wholeDay is the whole-roster exception that covers day, if any.
func (r Roster) wholeDay(day time.Time) (Exception, bool) {
	var found Exception
	ok := false
	for _, e := range r.ordered() {
		if e.Replaces == 0 && covers(e, day) {
			found, ok = e, true
		}
	}
	return found, ok
}

// cover is who takes a shift of user that starts on day: the user, the
// person of the last exception replacing them that day, or 0 for nobody.
func (r Roster) cover(day time.Time, user int64) int64 {
	who := user
	for _, e := range r.ordered() {
		if e.Replaces == user && covers(e, day) {
			who = e.UserID
		}
	}
	return who
}

// ordered is the exceptions oldest first: by ID, unsaved ones (ID 0) in
// list order after the saved.
func (r Roster) ordered() []Exception {
	out := slices.Clone(r.Exceptions)
	slices.SortStableFunc(out, func(a, b Exception) int {
		ka, kb := a.ID, b.ID
		if ka == 0 {
			ka = 1 << 62
		}
		if kb == 0 {
			kb = 1 << 62
		}
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	return out
}

func covers(e Exception, day time.Time) bool {
	return !day.Before(e.FromDay) && !day.After(e.ToDay)
}
