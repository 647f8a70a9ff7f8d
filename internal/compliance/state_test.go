package compliance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"carecircle/internal/calendar"
)

var neighbour = Pairing{ID: "p1", Elder: "e1", Volunteer: "v1", Role: RoleNeighbour, From: day("2026-11-23")}

func TestDailyGreeting(t *testing.T) {
	s := build(t, nil, []Pairing{neighbour},
		rec(1, "e1", "v1", "life/greeting", "2026-11-23 08:00"),
		rec(2, "e1", "v1", "life/greeting", "2026-11-23 18:00"), // a second greeting is listed, not needed
		rec(3, "e1", "v1", "life/greeting", "2026-11-25 23:30"), // late evening is still that day
		rec(4, "e1", "v1", "life/shopping", "2026-11-26 09:00"), // not a greeting
		rec(5, "e1", "v2", "life/greeting", "2026-11-27 09:00"), // another volunteer's visit
		rec(6, "e9", "v1", "life/greeting", "2026-11-27 09:00"), // another elder
	)
	got := brief(s.Statuses(at("2026-11-27 21:00")), "p1", "neighbour_daily_greeting")
	want := "2026-11-23:met:2/1[1 2] 2026-11-24:missed:0/1[] 2026-11-25:met:1/1[3] 2026-11-26:missed:0/1[] 2026-11-27:due:0/1[]"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Midnight closes the day: at 00:00 the 27th is missed and the 28th due.
	got = brief(s.Statuses(at("2026-11-28 00:00")), "p1", "neighbour_daily_greeting")
	if want := "2026-11-27:missed:0/1[] 2026-11-28:due:0/1[]"; !strings.HasSuffix(got, want) {
		t.Errorf("at midnight: %s", got)
	}
}

func TestWeeklyChatNeedsTwo(t *testing.T) {
	p := neighbour
	p.From = day("2026-11-09") // a Monday: whole weeks
	s := build(t, nil, []Pairing{p},
		rec(1, "e1", "v1", "spirit/chat", "2026-11-10 10:00"),
		rec(2, "e1", "v1", "spirit/chat", "2026-11-16 10:00"),
		rec(3, "e1", "v1", "spirit/chat", "2026-11-22 23:59"),
		rec(4, "e1", "v1", "spirit/chat", "2026-11-24 10:00"),
	)
	got := brief(s.Statuses(at("2026-11-25 12:00")), "p1", "neighbour_weekly_chat")
	want := "2026-W46:missed:1/2[1] 2026-W47:met:2/2[2 3] 2026-W48:due:1/2[4]"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestPairingStartsMidPeriod: the partly covered first period counts, with
// the requirement scaled to the days covered, rounded up.
func TestPairingStartsMidPeriod(t *testing.T) {
	p := neighbour
	p.From = day("2026-11-28") // Saturday: two days of W48
	clinic := Pairing{ID: "c1", Elder: "e1", Volunteer: "doc", Role: RoleClinic, From: day("2026-11-20")}
	s := build(t, nil, []Pairing{p, clinic})
	sts := s.Statuses(at("2026-11-29 12:00"))
	if got := brief(sts, "p1", "neighbour_weekly_chat"); got != "2026-W48:due:0/1[]" {
		t.Errorf("partial week: %s", got)
	}
	if got := brief(sts, "c1", "clinic_halfmonth_inquiry"); got != "2026-11-H2:due:0/1[]" {
		t.Errorf("partial half-month: %s", got)
	}
	if got := brief(sts, "c1", "clinic_quarterly_checkup"); got != "2026-Q4:due:0/1[]" {
		t.Errorf("partial quarter: %s", got)
	}
	// Nothing before the pairing, and no standard of another role.
	if got := brief(sts, "p1", "neighbour_daily_greeting"); got != "2026-11-28:missed:0/1[] 2026-11-29:due:0/1[]" {
		t.Errorf("days: %s", got)
	}
	if got := brief(sts, "p1", "clinic_quarterly_checkup"); got != "" {
		t.Errorf("neighbour judged by a clinic standard: %s", got)
	}
}

func TestPairingEnded(t *testing.T) {
	p := neighbour
	p.From, p.To = day("2026-11-16"), dayPtr("2026-11-25") // ends on a Wednesday
	s := build(t, nil, []Pairing{p},
		rec(1, "e1", "v1", "spirit/chat", "2026-11-24 10:00"),
		rec(2, "e1", "v1", "spirit/chat", "2026-11-26 10:00"), // after the end: not counted
		rec(3, "e1", "v1", "life/greeting", "2026-11-25 10:00"),
	)
	sts := s.Statuses(at("2026-11-29 12:00"))
	// W48 is still open, but closed for this pairing at the end of the 25th:
	// three days of seven need ceil(2×3/7) = 1 chat.
	w48 := find(t, sts, "p1", "neighbour_weekly_chat", "2026-W48")
	if w48.Outcome != Met || w48.Required != 1 || !slices.Equal(w48.Records, []RecordID{1}) ||
		w48.Closes.Format("2006-01-02") != "2026-11-26" {
		t.Errorf("W48: %+v", w48)
	}
	if got := brief(sts, "p1", "neighbour_daily_greeting"); !strings.HasSuffix(got, "2026-11-24:missed:0/1[] 2026-11-25:met:1/1[3]") {
		t.Errorf("greetings end with the pairing: %s", got)
	}
	// Before the end, an unmet partial week that closes early is missed.
	s2 := build(t, nil, []Pairing{p})
	w := find(t, s2.Statuses(at("2026-11-27 12:00")), "p1", "neighbour_weekly_chat", "2026-W48")
	if w.Outcome != Missed {
		t.Errorf("W48 after the pairing ended: %s", w.Outcome)
	}
}

// TestStandardChange: a new version applies from its date; periods that
// started earlier keep the old rule, even when the period kind changes.
func TestStandardChange(t *testing.T) {
	stds := DefaultStandards()
	chat3 := stds[1]
	chat3.Required, chat3.EffectiveFrom = 3, day("2026-11-18") // a Wednesday
	weekly := stds[0]
	weekly.Period, weekly.Required, weekly.EffectiveFrom = calendar.KindISOWeek, 5, day("2026-11-23")
	stds = append(stds, chat3, weekly)
	p := neighbour
	p.From = day("2026-11-09")
	var recs []Record
	for i, d := range []string{"2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-23", "2026-11-24"} {
		recs = append(recs, rec(RecordID(i), "e1", "v1", "life/greeting", d+" 09:00"))
	}
	s := build(t, stds, []Pairing{p}, recs...)
	sts := s.Statuses(at("2026-12-01 09:00"))
	if got := brief(sts, "p1", "neighbour_weekly_chat"); got != "2026-W46:missed:0/2[] 2026-W47:missed:0/2[] 2026-W48:missed:0/3[] 2026-W49:due:0/3[]" {
		t.Errorf("chat versions: %s", got)
	}
	greet := brief(sts, "p1", "neighbour_daily_greeting")
	if !strings.HasSuffix(greet, "2026-11-21:met:1/1[4] 2026-11-22:missed:0/1[] 2026-W48:missed:2/5[5 6] 2026-W49:due:0/5[]") {
		t.Errorf("greeting versions: %s", greet)
	}
}

func TestFestivalWindow(t *testing.T) {
	// 中秋 2026 is 2026-09-25: window 09-18 … 09-28, overdue from 09-26.
	social := Pairing{ID: "s1", Elder: "e1", Volunteer: "v5", Role: RoleSocial, From: day("2026-09-01"), To: dayPtr("2026-10-05")}
	s := build(t, nil, []Pairing{social})
	for _, tt := range []struct {
		when, outcome string
	}{
		{"2026-09-18 00:00", "due"}, {"2026-09-25 23:59", "due"}, {"2026-09-26 00:00", "overdue"},
		{"2026-09-28 20:00", "overdue"}, {"2026-09-29 00:00", "missed"},
	} {
		st := find(t, s.Statuses(at(tt.when)), "s1", "social_festival_visit", "2026-mid_autumn")
		if string(st.Outcome) != tt.outcome {
			t.Errorf("at %s: %s, want %s", tt.when, st.Outcome, tt.outcome)
		}
		if st.Deadline.Format("2006-01-02") != "2026-09-26" || st.Period.Occasion.Date.String() != "2026-09-25" {
			t.Errorf("deadline %s occasion %s", st.Deadline, st.Period.Occasion.Date)
		}
	}
	if sts := s.Statuses(at("2026-09-17 23:00")); brief(sts, "s1", "social_festival_visit") != "" {
		t.Errorf("window listed before it opens: %s", brief(sts, "s1", "social_festival_visit"))
	}
	late := build(t, nil, []Pairing{social}, rec(1, "e1", "v5", "festival/festival_visit", "2026-09-27 15:00"))
	if st := find(t, late.Statuses(at("2026-10-05 12:00")), "s1", "social_festival_visit", "2026-mid_autumn"); st.Outcome != Met {
		t.Errorf("a late visit within the window counts: %s", st.Outcome)
	}
	// 重阳 (10-18) has a window from 10-11; the pairing ends 10-05, so it is not listed.
	if got := brief(late.Statuses(at("2026-10-20 12:00")), "s1", "social_festival_visit"); got != "2026-mid_autumn:met:1/1[1]" {
		t.Errorf("windows of an ended pairing: %s", got)
	}
}

func TestBirthdayWindows(t *testing.T) {
	// e2 keeps lunar 12-1: lunar 2025's is 2026-01-19, lunar 2026's 2027-01-08.
	p := Pairing{ID: "s2", Elder: "e2", Volunteer: "v6", Role: RoleSocial, From: day("2026-01-01")}
	s := build(t, nil, []Pairing{p}, rec(1, "e2", "v6", "festival/festival_visit", "2027-01-09 10:00"))
	got := brief(s.Statuses(at("2027-01-10 12:00")), "s2", "social_festival_visit")
	want := "2025-birthday:missed:0/1[] 2026-spring_festival:missed:0/1[] 2026-lantern:missed:0/1[] " +
		"2026-mid_autumn:missed:0/1[] 2026-double_ninth:missed:0/1[] 2026-birthday:met:1/1[1]"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// withDonation is the default standards of a street that requires the
// committee's goods or money at its festival visits.
func withDonation() []Standard {
	stds := DefaultStandards()
	for i := range stds {
		if stds[i].Code == "committee_festival_visit" {
			stds[i].Also = []Requirement{DonationRequirement()}
		}
	}
	return stds
}

// TestCommitteeFestivalDuties: by default the committee visits at the
// major festivals, with a donation recorded when given but not required,
// and not on birthdays; a street can require the donation.
func TestCommitteeFestivalDuties(t *testing.T) {
	c := Pairing{ID: "k1", Elder: "e1", Volunteer: "staff", Role: RoleCommittee, From: day("2026-01-01")}
	visit := rec(1, "e1", "staff", "festival/festival_visit", "2026-09-24 10:00")
	s := build(t, nil, []Pairing{c}, visit)
	if st := find(t, s.Statuses(at("2026-09-25 08:00")), "k1", "committee_festival_visit", "2026-mid_autumn"); st.Outcome != Met || len(st.Also) != 0 {
		t.Errorf("a visit without a gift meets the default: %s %+v", st.Outcome, st.Also)
	}
	if got := brief(s.Statuses(at("2026-12-31 08:00")), "k1", "committee_festival_visit"); strings.Contains(got, "birthday") {
		t.Errorf("the committee's default festivals hold the birthday: %s", got)
	}
}

func TestCommitteeNeedsDonation(t *testing.T) {
	c := Pairing{ID: "k1", Elder: "e1", Volunteer: "staff", Role: RoleCommittee, From: day("2026-09-01")}
	visit := rec(1, "e1", "staff", "festival/festival_visit", "2026-09-24 10:00")
	withMoney := visit
	withMoney.ID, withMoney.Amount = 2, 200
	goods := rec(3, "e1", "staff", "life/donation", "2026-09-24 10:05")
	for _, tt := range []struct {
		name    string
		records []Record
		outcome Outcome
		also    string
	}{
		{"visit only", []Record{visit}, Due, "0/1"},
		{"visit with money", []Record{withMoney}, Met, "1/1"},
		{"visit and goods", []Record{visit, goods}, Met, "1/1"},
		{"goods only", []Record{goods}, Due, "1/1"},
	} {
		s := build(t, withDonation(), []Pairing{c}, tt.records...)
		st := find(t, s.Statuses(at("2026-09-25 08:00")), "k1", "committee_festival_visit", "2026-mid_autumn")
		if st.Outcome != tt.outcome || len(st.Also) != 1 || fmtTally(st.Also[0]) != tt.also {
			t.Errorf("%s: %s also %+v", tt.name, st.Outcome, st.Also)
		}
	}
	// Every home visit counts for the monthly visit.
	s := build(t, nil, []Pairing{c}, goods)
	if st := find(t, s.Statuses(at("2026-09-25 08:00")), "k1", "committee_monthly_visit", "2026-09"); st.Outcome != Met {
		t.Errorf("monthly visit: %s", st.Outcome)
	}
}

func fmtTally(t Tally) string { return fmt.Sprintf("%d/%d", t.Count, t.Required) }

func TestRemoveAndPairingEndChanges(t *testing.T) {
	r1 := rec(1, "e1", "v1", "life/greeting", "2026-11-24 09:00")
	r2 := rec(2, "e1", "v1", "life/greeting", "2026-11-26 09:00")
	s := build(t, nil, []Pairing{neighbour}, r1, r2)
	if err := s.Remove(r1); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(r2); err != nil { // applying twice changes nothing
		t.Fatal(err)
	}
	asOf := at("2026-11-27 09:00")
	if got := brief(s.Statuses(asOf), "p1", "neighbour_daily_greeting"); got != "2026-11-23:missed:0/1[] 2026-11-24:missed:0/1[] 2026-11-25:missed:0/1[] 2026-11-26:met:1/1[2] 2026-11-27:due:0/1[]" {
		t.Errorf("after remove: %s", got)
	}
	if _, replay, err := s.SetPairingEnd("p1", dayPtr("2026-11-25")); err != nil || replay {
		t.Fatal(replay, err)
	}
	if got := brief(s.Statuses(asOf), "p1", "neighbour_daily_greeting"); got != "2026-11-23:missed:0/1[] 2026-11-24:missed:0/1[] 2026-11-25:missed:0/1[]" {
		t.Errorf("after shortening: %s", got)
	}
	from, replay, err := s.SetPairingEnd("p1", nil)
	if err != nil || !replay || from != day("2026-11-26") {
		t.Fatalf("lengthening: %s %v %v", from, replay, err)
	}
	if err := s.Apply(r2); err != nil {
		t.Fatal(err)
	}
	if got := brief(s.Statuses(asOf), "p1", "neighbour_daily_greeting"); !strings.HasSuffix(got, "2026-11-26:met:1/1[2] 2026-11-27:due:0/1[]") {
		t.Errorf("after replay: %s", got)
	}
	if _, _, err := s.SetPairingEnd("p1", dayPtr("2026-11-01")); err == nil {
		t.Error("end before start accepted")
	}
	if _, _, err := s.SetPairingEnd("nope", nil); err == nil {
		t.Error("unknown pairing accepted")
	}
}

func TestRowsRoundTrip(t *testing.T) {
	k := Pairing{ID: "k1", Elder: "e1", Volunteer: "staff", Role: RoleCommittee, From: day("2026-09-01")}
	r := rec(3, "e1", "staff", "festival/festival_visit", "2026-09-24 10:00")
	r.Amount = 50
	recs := []Record{rec(1, "e1", "v1", "life/greeting", "2026-11-24 09:00"), rec(2, "e1", "v1", "spirit/chat", "2026-11-24 10:00"), r}
	s := build(t, withDonation(), []Pairing{neighbour, k}, recs...)
	data, err := json.Marshal(s.Rows())
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	fresh := build(t, withDonation(), []Pairing{neighbour, k})
	if err := fresh.LoadRows(rows); err != nil {
		t.Fatal(err)
	}
	asOf := at("2026-11-29 12:00")
	if !reflect.DeepEqual(s.Statuses(asOf), fresh.Statuses(asOf)) {
		t.Error("statuses differ after a rows round trip")
	}
	// The visit with money counts for the monthly visit, the festival visit
	// and the festival's donation requirement.
	touched, err := s.RowsOf(r)
	if err != nil || len(touched) != 3 {
		t.Errorf("rows of the committee visit: %+v %v", touched, err)
	}
	for _, row := range touched {
		if row.Pairing != "k1" || len(row.Entries) != 1 || row.Entries[0].Record != 3 {
			t.Errorf("row %+v", row)
		}
	}
	if err := fresh.LoadRows([]Row{{Pairing: "p1", Standard: "neighbour_daily_greeting", Period: "2026-W48"}}); err == nil {
		t.Error("label of the wrong period kind accepted")
	}
}

func TestQuerySince(t *testing.T) {
	s := build(t, nil, []Pairing{neighbour, {ID: "c1", Elder: "e1", Volunteer: "doc", Role: RoleClinic, From: day("2026-10-01")}})
	sts, err := s.Query(Query{AsOf: at("2026-11-29 12:00"), Since: day("2026-11-29"), Pairings: []string{"p1"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sts {
		got = append(got, st.Standard+" "+st.Period.Label)
	}
	if want := []string{"neighbour_daily_greeting 2026-11-29", "neighbour_weekly_chat 2026-W48"}; !slices.Equal(got, want) {
		t.Errorf("today's worklist: %v", got)
	}
	if _, err := s.Query(Query{Pairings: []string{"zz"}}); err == nil {
		t.Error("unknown pairing accepted")
	}
}

func TestStateRejects(t *testing.T) {
	s, err := NewState(Config{Calendar: testCal, Standards: DefaultStandards()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddElder(Elder{ID: "e1", BirthDate: day("1941-03-05")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []Pairing{
		{ID: "x", Elder: "nobody", Volunteer: "v", Role: RoleSocial},
		{ID: "x", Elder: "e1", Volunteer: "v", Role: "station"},
		{ID: "x", Elder: "e1", Volunteer: "v", Role: RoleSocial, From: day("2026-02-02"), To: dayPtr("2026-02-01")},
		{ID: "", Elder: "e1", Volunteer: "v", Role: RoleSocial},
	} {
		if err := s.AddPairing(p); err == nil {
			t.Errorf("pairing %+v accepted", p)
		}
	}
	if err := s.AddElder(Elder{ID: "e1"}); err == nil {
		t.Error("duplicate elder accepted")
	}
	if err := s.Apply(Record{ID: 1, Elder: "e1", By: "v", Kind: "life"}); err == nil {
		t.Error("record without time accepted")
	}
	if _, err := NewState(Config{Standards: DefaultStandards()}); err == nil {
		t.Error("state without calendar accepted")
	}
}
