package compliance

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"carecircle/internal/calendar"
)

var testCal = func() *calendar.Calendar {
	c, err := calendar.New(nil, nil)
	if err != nil {
		panic(err)
	}
	return c
}()

// at reads "2026-11-29 08:00" as Shanghai time.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, testCal.Location())
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayPtr(s string) *calendar.Date { d := day(s); return &d }

func rec(id RecordID, elder, by, kindType, when string) Record {
	kind, typ, _ := strings.Cut(kindType, "/")
	return Record{ID: id, Elder: elder, By: by, Kind: kind, Type: typ, At: at(when)}
}

// build makes a state with the default standards (or stds) for one elder
// born 1941-03-05 and the given pairings and records.
func build(t *testing.T, stds []Standard, pairings []Pairing, records ...Record) *State {
	t.Helper()
	if stds == nil {
		stds = DefaultStandards()
	}
	s, err := Rebuild(Config{Calendar: testCal, Standards: stds},
		[]Elder{{ID: "e1", BirthDate: day("1941-03-05")}, {ID: "e2", BirthDate: day("1942-01-17"), LunarBirthday: true}},
		pairings, slices.Values(records))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// brief renders statuses of one standard as "label:outcome:count/required[ids]".
func brief(sts []Status, pairing, standard string) string {
	var out []string
	for _, s := range sts {
		if s.Pairing == pairing && s.Standard == standard {
			out = append(out, fmt.Sprintf("%s:%s:%d/%d%v", s.Period.Label, s.Outcome, s.Count, s.Required, s.Records))
		}
	}
	return strings.Join(out, " ")
}

func find(t *testing.T, sts []Status, pairing, standard, label string) Status {
	t.Helper()
	for _, s := range sts {
		if s.Pairing == pairing && s.Standard == standard && s.Period.Label == label {
			return s
		}
	}
	t.Fatalf("no status for %s %s %s", pairing, standard, label)
	return Status{}
}
