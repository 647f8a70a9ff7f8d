package duty

import (
	"slices"
	"testing"
	"time"

	"carecircle/internal/care"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// The week of 2026-11-30 (Monday) to 2026-12-06 (Sunday).
func TestOnDuty(t *testing.T) {
	const a, b, c, d = 11, 12, 13, 14
	weekly := []Shift{
		{Weekday: 1, From: "08:00", To: "18:00", UserID: a},
		{Weekday: 1, From: "18:00", To: "08:00", UserID: b}, // Monday night into Tuesday
		{Weekday: 2, From: "08:00", To: "18:00", UserID: a},
		{Weekday: 2, From: "12:00", To: "20:00", UserID: c}, // overlaps a
		{Weekday: 7, From: "00:00", To: "24:00", UserID: d}, // all Sunday
	}
	for _, tc := range []struct {
		name       string
		exceptions []Exception
		at         string
		want       []int64
	}{
		{"Monday day", nil, "2026-11-30 08:00", []int64{a}},
		{"Monday before the day shift", nil, "2026-11-30 07:59", nil},
		{"the day shift ends at its end", nil, "2026-11-30 18:00", []int64{b}},
		{"Monday night after midnight is Tuesday morning", nil, "2026-12-01 03:00", []int64{b}},
		{"the night shift ends at 08:00 and the day one begins", nil, "2026-12-01 08:00", []int64{a}},
		{"two at once", nil, "2026-12-01 13:00", []int64{a, c}},
		{"nobody on Wednesday", nil, "2026-12-02 10:00", nil},
		{"all Sunday, to its last minute", nil, "2026-12-06 23:59", []int64{d}},
		{"Sunday's 24:00 is Monday", nil, "2026-12-07 00:00", nil},
		{"a on leave, c covers", []Exception{{FromDay: day("2026-11-30"), ToDay: day("2026-12-01"), Replaces: a, UserID: c}}, "2026-11-30 09:00", []int64{c}},
		{"a on leave without cover: c still there", []Exception{{FromDay: day("2026-12-01"), ToDay: day("2026-12-01"), Replaces: a}}, "2026-12-01 13:00", []int64{c}},
		{"a on leave without cover and alone: nobody", []Exception{{FromDay: day("2026-12-01"), ToDay: day("2026-12-01"), Replaces: a}}, "2026-12-01 09:00", nil},
		{"leave ends: back on the roster", []Exception{{FromDay: day("2026-11-23"), ToDay: day("2026-11-29"), Replaces: a, UserID: c}}, "2026-11-30 09:00", []int64{a}},
		{"a night shift belongs to the day it starts", []Exception{{FromDay: day("2026-11-30"), ToDay: day("2026-11-30"), Replaces: b, UserID: d}}, "2026-12-01 03:00", []int64{d}},
		{"holiday: d all day, even when nobody is rostered", []Exception{{FromDay: day("2026-12-02"), ToDay: day("2026-12-03"), UserID: d}}, "2026-12-02 02:00", []int64{d}},
		{"holiday replaces the roster", []Exception{{FromDay: day("2026-11-30"), ToDay: day("2026-11-30"), UserID: d}}, "2026-11-30 09:00", []int64{d}},
		{"a holiday's eve night shift is replaced too", []Exception{{FromDay: day("2026-11-30"), ToDay: day("2026-11-30"), UserID: d}}, "2026-12-01 03:00", nil},
		{"holiday with nobody: nobody (the store tells everyone)", []Exception{{FromDay: day("2026-12-06"), ToDay: day("2026-12-06")}}, "2026-12-06 12:00", nil},
		{"the later exception wins", []Exception{
			{ID: 2, FromDay: day("2026-11-30"), ToDay: day("2026-11-30"), Replaces: a, UserID: d},
			{ID: 1, FromDay: day("2026-11-30"), ToDay: day("2026-11-30"), Replaces: a, UserID: c}}, "2026-11-30 09:00", []int64{d}},
		{"the roster is read in the programme's zone", nil, "2026-11-30 08:30", []int64{a}},
	} {
		r := Roster{Shifts: weekly, Exceptions: tc.exceptions}
		if got := r.OnDuty(at(tc.at), shanghai); !slices.Equal(got, tc.want) {
			t.Errorf("%s: at %s on duty %v, want %v", tc.name, tc.at, got, tc.want)
		}
	}
	// The same moment given in UTC answers the same.
	r := Roster{Shifts: weekly}
	if got := r.OnDuty(at("2026-11-30 08:30").UTC(), shanghai); !slices.Equal(got, []int64{a}) {
		t.Errorf("a UTC time: %v", got)
	}
}

func TestValidate(t *testing.T) {
	r := Roster{
		Shifts: []Shift{
			{Weekday: 0, From: "8:00", To: "25:00"},
			{Weekday: 3, From: "08:00", To: "08:00", UserID: 1},
			{Weekday: 7, From: "00:00", To: "24:00", UserID: 1},
		},
		Exceptions: []Exception{
			{FromDay: day("2026-12-05"), ToDay: day("2026-12-01"), Replaces: 3, UserID: 3},
			{FromDay: day("2026-01-01"), ToDay: day("2027-01-02")},
			{},
		},
	}
	err := r.Validate()
	ce, ok := err.(*care.Error)
	if !ok {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, f := range []string{"shifts[0].weekday", "shifts[0].from", "shifts[0].to", "shifts[0].user_id", "shifts[1].to",
		"exceptions[0].to", "exceptions[0].user_id", "exceptions[1].to", "exceptions[2].from", "exceptions[2].to"} {
		if _, ok := ce.Fields[f]; !ok {
			t.Errorf("no error on %s: %v", f, ce.Fields)
		}
	}
	for _, f := range []string{"shifts[2].to", "shifts[2].from"} {
		if _, ok := ce.Fields[f]; ok {
			t.Errorf("00:00-24:00 is a whole day, not an error: %s", f)
		}
	}
	if m := ce.Fields["shifts[1].to"]; m.ZH == "" {
		t.Error("field errors carry Chinese")
	}
	ok366 := Roster{Exceptions: []Exception{{FromDay: day("2026-01-01"), ToDay: day("2026-12-31")}}}
	if err := ok366.Validate(); err != nil {
		t.Errorf("a year is allowed: %v", err)
	}
}
