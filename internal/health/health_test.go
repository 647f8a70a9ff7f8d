package health

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
)

func fields(err error) []string {
	var ce *care.Error
	if !errors.As(err, &ce) {
		return nil
	}
	var out []string
	for k := range ce.Fields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func ip(n int) *int         { return &n }
func fp(f float64) *float64 { return &f }

func TestMeasurementBounds(t *testing.T) {
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	born := time.Date(1938, 2, 3, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		m    Measurement
		want string // the fields refused, comma-separated
	}{
		{"a usual check-up", Measurement{TakenOn: today, Systolic: ip(138), Diastolic: ip(86), Glucose: fp(6.1), Weight: fp(58.5), HeartRate: ip(72)}, ""},
		{"weight only", Measurement{TakenOn: today, Weight: fp(58.5)}, ""},
		{"the bounds themselves", Measurement{TakenOn: today, Systolic: ip(260), Diastolic: ip(160), Glucose: fp(1), Weight: fp(200), HeartRate: ip(25)}, ""},
		{"nothing measured", Measurement{TakenOn: today}, "systolic"},
		{"no date", Measurement{Weight: fp(58)}, "taken_on"},
		{"tomorrow", Measurement{TakenOn: today.AddDate(0, 0, 1), Weight: fp(58)}, "taken_on"},
		{"before birth", Measurement{TakenOn: born.AddDate(0, 0, -1), Weight: fp(58)}, "taken_on"},
		{"systolic alone", Measurement{TakenOn: today, Systolic: ip(120)}, "diastolic"},
		{"diastolic alone", Measurement{TakenOn: today, Diastolic: ip(80)}, "systolic"},
		{"diastolic above systolic", Measurement{TakenOn: today, Systolic: ip(90), Diastolic: ip(95)}, "diastolic"},
		{"a pressure of 1200", Measurement{TakenOn: today, Systolic: ip(1200), Diastolic: ip(80)}, "systolic"},
		{"a diastolic of 20", Measurement{TakenOn: today, Systolic: ip(100), Diastolic: ip(20)}, "diastolic"},
		{"glucose in mg/dL", Measurement{TakenOn: today, Glucose: fp(110)}, "glucose"},
		{"a weight in jin", Measurement{TakenOn: today, Weight: fp(650)}, "weight"},
		{"every value wrong at once", Measurement{TakenOn: today, Glucose: fp(0), Weight: fp(5), HeartRate: ip(400)}, "glucose,heart_rate,weight"},
		{"a long note", Measurement{TakenOn: today, Weight: fp(58), Note: strings.Repeat("好", 501)}, "note"},
	} {
		got := strings.Join(fields(tc.m.Validate(today, born)), ",")
		if got != tc.want {
			t.Errorf("%s: refused %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCalloutTimes(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	at := func(h, m int) *time.Time { t := time.Date(2026, 11, 29, h, m, 0, 0, time.UTC); return &t }
	for _, tc := range []struct {
		name string
		c    Callout
		want string
	}{
		{"answered in 25 minutes", Callout{CalledAt: *at(8, 0), ArrivedAt: at(8, 25), Caller: "老伴", Outcome: "treated"}, ""},
		{"advice by phone", Callout{CalledAt: *at(8, 0), Caller: "本人", Outcome: "advice"}, ""},
		{"arrived the minute of the call", Callout{CalledAt: *at(8, 0), ArrivedAt: at(8, 0), Caller: "本人", Outcome: "false_alarm"}, ""},
		{"arrival before the call", Callout{CalledAt: *at(8, 0), ArrivedAt: at(7, 59), Caller: "本人", Outcome: "treated"}, "arrived_at"},
		{"arrival in the future", Callout{CalledAt: *at(9, 50), ArrivedAt: at(10, 5), Caller: "本人", Outcome: "treated"}, "arrived_at"},
		{"a call in the future", Callout{CalledAt: *at(11, 0), Caller: "本人", Outcome: "advice"}, "called_at"},
		{"treated without arriving", Callout{CalledAt: *at(8, 0), Caller: "本人", Outcome: "treated"}, "arrived_at"},
		{"nothing given", Callout{}, "called_at,caller,outcome"},
		{"an unknown outcome", Callout{CalledAt: *at(8, 0), Caller: "本人", Outcome: "cured"}, "outcome"},
	} {
		got := strings.Join(fields(tc.c.Validate(now)), ",")
		if got != tc.want {
			t.Errorf("%s: refused %q, want %q", tc.name, got, tc.want)
		}
	}
	c := Callout{CalledAt: *at(8, 0), ArrivedAt: at(8, 25)}
	if c.Minutes() != 25 || (&Callout{}).Minutes() != -1 {
		t.Fatalf("minutes: %d", c.Minutes())
	}
}

func TestRecordNormalizeAndValidate(t *testing.T) {
	r := Record{Conditions: []string{"diabetes", " ", "hypertension", "diabetes"}, Medicines: []string{" 二甲双胍 ", "", "二甲双胍"}, Allergies: nil}
	r.Normalize()
	if strings.Join(r.Conditions, ",") != "hypertension,diabetes" || len(r.Medicines) != 1 || r.Allergies == nil {
		t.Fatalf("normalised: %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	long := make([]string, 31)
	for i := range long {
		long[i] = string(rune('a' + i%26))
	}
	bad := Record{Conditions: []string{"flu"}, Medicines: long, Allergies: []string{strings.Repeat("x", 101)}, ConditionsOther: strings.Repeat("x", 501)}
	if got := strings.Join(fields(bad.Validate()), ","); got != "allergies,conditions,conditions_other,medicines" {
		t.Fatalf("refused %q", got)
	}
	if ConditionLabel("hypertension", "zh") != "高血压" || OutcomeLabel("advice", "en") != "advice by phone" || ConditionLabel("x", "zh") != "x" {
		t.Fatal("labels")
	}
}
