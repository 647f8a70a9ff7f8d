package hours

import (
	"errors"
	"testing"
	"time"

	"carecircle/internal/care"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func TestMinutes(t *testing.T) {
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, shanghai)
	end := func(d time.Duration) *time.Time { e := at.Add(d); return &e }
	street := Policy{Earn: EarnConfirmed, Standard: map[string]int{"life/greeting": 5, "spirit/chat": 0}}
	for _, c := range []struct {
		name      string
		end       *time.Time
		kind, typ string
		p         Policy
		want      int
	}{
		{"timed", end(45 * time.Minute), "spirit", "chat", DefaultPolicy(), 45},
		{"timed rounds to the minute", end(29*time.Minute + 31*time.Second), "spirit", "chat", DefaultPolicy(), 30},
		{"timed wins over the standard", end(12 * time.Hour), "life", "greeting", street, 720},
		{"zero length", end(0), "life", "shopping", DefaultPolicy(), 0},
		{"an end before the start falls back to the standard", end(-time.Hour), "life", "shopping", DefaultPolicy(), 60},
		{"default standard", nil, "life", "greeting", DefaultPolicy(), 10},
		{"the street's standard", nil, "life", "greeting", street, 5},
		{"the street says timed only", nil, "spirit", "chat", street, 0},
		{"a donation earns nothing by itself", nil, "life", "donation", DefaultPolicy(), 0},
		{"unknown type", nil, "life", "juggling", DefaultPolicy(), 0},
	} {
		if got := Minutes(at, c.end, c.kind, c.typ, c.p); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestEveryServiceTypeHasADefault(t *testing.T) {
	for _, st := range care.ServiceTypes {
		if _, ok := DefaultStandard[TypeKey(st.Kind, st.Code)]; !ok {
			t.Errorf("%s/%s has no default standard", st.Kind, st.Code)
		}
	}
	if len(DefaultStandard) != len(care.ServiceTypes) {
		t.Errorf("%d defaults for %d types", len(DefaultStandard), len(care.ServiceTypes))
	}
}

func TestEarns(t *testing.T) {
	for _, c := range []struct {
		rule               string
		verified, staff, w bool
	}{
		{EarnConfirmed, false, false, false}, {EarnConfirmed, true, false, true}, {EarnConfirmed, false, true, true},
		{EarnRecorded, false, false, true},
	} {
		if got := Earns(c.rule, c.verified, c.staff); got != c.w {
			t.Errorf("%s verified=%v staff=%v: %v", c.rule, c.verified, c.staff, got)
		}
	}
}

func fields(err error) care.FieldErrors {
	var ce *care.Error
	if errors.As(err, &ce) {
		return ce.Fields
	}
	return nil
}

func TestPolicyValidate(t *testing.T) {
	if err := (Policy{Earn: EarnRecorded, Standard: map[string]int{"life/greeting": 0, "life/escort_doctor": 720}}).Validate(); err != nil {
		t.Fatal(err)
	}
	f := fields(Policy{Earn: "x", Standard: map[string]int{"life/greeting": 721, "life/juggling": 5, "spirit/chat": -1}}.Validate())
	for _, k := range []string{"earn", "standard.life/greeting", "standard", "standard.spirit/chat"} {
		if f[k].ZH == "" || f[k].EN == "" {
			t.Errorf("no reason for %s: %v", k, f)
		}
	}
}

func TestValidateDonation(t *testing.T) {
	ok := Donation{From: 1, To: Account{VolunteerID: 2}, Minutes: 60}
	if err := ValidateDonation(ok, 60, 7, 7); err != nil {
		t.Fatalf("the whole balance: %v", err)
	}
	if err := ValidateDonation(Donation{From: 1, To: Account{ElderID: 9}, Minutes: 1}, 1, 7, 7); err != nil {
		t.Fatalf("to an elder: %v", err)
	}
	for _, c := range []struct {
		d       Donation
		balance int
		street  int64
		field   string
	}{
		{Donation{From: 1, To: Account{VolunteerID: 2}, Minutes: 61}, 60, 7, "minutes"},
		{Donation{From: 1, To: Account{VolunteerID: 2}, Minutes: -5}, 60, 7, "minutes"},
		{Donation{From: 1, To: Account{VolunteerID: 2}, Minutes: 1}, -30, 7, "minutes"},
		{Donation{From: 1, To: Account{VolunteerID: 1}, Minutes: 1}, 60, 7, "to_volunteer_id"},
		{Donation{From: 1, To: Account{}, Minutes: 1}, 60, 7, "to"},
		{Donation{From: 1, To: Account{VolunteerID: 2, ElderID: 3}, Minutes: 1}, 60, 7, "to"},
		{Donation{From: 1, To: Account{VolunteerID: 2}, Minutes: 1}, 60, 8, "to"},
	} {
		if f := fields(ValidateDonation(c.d, c.balance, 7, c.street)); f[c.field].ZH == "" {
			t.Errorf("%+v balance %d street %d: %v, want a reason for %s", c.d, c.balance, c.street, f, c.field)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }
	for _, c := range []struct {
		in, label, zh string
		from, to      time.Time
	}{
		{"2026", "2026", "2026年", day(2026, 1, 1), day(2027, 1, 1)},
		{" 2026-q4 ", "2026-Q4", "2026年第4季度", day(2026, 10, 1), day(2027, 1, 1)},
		{"2026-Q1", "2026-Q1", "2026年第1季度", day(2026, 1, 1), day(2026, 4, 1)},
		{"2026-12", "2026-12", "2026年12月", day(2026, 12, 1), day(2027, 1, 1)},
		{"2024-02", "2024-02", "2024年2月", day(2024, 2, 1), day(2024, 3, 1)},
	} {
		p, err := ParsePeriod(c.in, shanghai)
		if err != nil || p.Label != c.label || !p.From.Equal(c.from) || !p.To.Equal(c.to) || p.LabelZH() != c.zh {
			t.Errorf("%q: %+v %q %v", c.in, p, p.LabelZH(), err)
		}
	}
	for _, bad := range []string{"", "26", "2026-13", "2026-00", "2026-Q5", "2026-1", "1999", "abcd", "2026-Q", "2026/11"} {
		if _, err := ParsePeriod(bad, shanghai); fields(err)["period"].ZH == "" {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

func TestFormat(t *testing.T) {
	for m, want := range map[int]string{0: "0.0", 90: "1.5", 13422: "223.7", -30: "-0.5", 1: "0.0", 3: "0.1"} {
		if got := Format(m); got != want {
			t.Errorf("Format(%d) = %q, want %q", m, got, want)
		}
	}
}
