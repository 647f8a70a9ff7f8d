package calendar

import "testing"

func TestPeriodName(t *testing.T) {
	for label, want := range map[string][2]string{
		"2026-12-H1":           {"2026年12月上半月", "Dec 2026, first half"},
		"2026-12-H2":           {"2026年12月下半月", "Dec 2026, second half"},
		"2026-W48":             {"2026年第48周", "week 48 of 2026"},
		"2026-11":              {"2026年11月", "Nov 2026"},
		"2026-Q4":              {"2026年第4季度", "Q4 2026"},
		"2026-11-29":           {"2026年11月29日", "Nov 29, 2026"},
		"2027-spring_festival": {"2027年春节", "Spring Festival 2027"},
		"2026-double_ninth":    {"2026年重阳", "Double Ninth Festival 2026"},
		"2026-qingming":        {"2026-qingming", "2026-qingming"},
		"default":              {"default", "default"},
		"2026-13":              {"2026-13", "2026-13"},
	} {
		if got := PeriodName(label, "zh"); got != want[0] {
			t.Errorf("%s: %q, want %q", label, got, want[0])
		}
		if got := PeriodName(label, "en"); got != want[1] {
			t.Errorf("%s (en): %q, want %q", label, got, want[1])
		}
	}
}
