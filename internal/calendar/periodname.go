package calendar

import (
	"fmt"
	"strconv"
	"strings"
)

// PeriodName is a period label as people read it (issue 14 point 5):
// 2026-12-H1 → 2026年12月上半月 (Dec 2026, first half), 2026-W48 → 2026年第48周,
// 2026-11 → 2026年11月, 2026-Q4 → 2026年第4季度, 2026-11-29 → 2026年11月29日,
// 2027-spring_festival → 2027年春节. Festivals not of the programme keep
// their code; a label it cannot read is returned as it is.
func PeriodName(label, lang string) string {
	en := lang == "en"
	y, rest, ok := strings.Cut(label, "-")
	year, err := strconv.Atoi(y)
	if !ok || err != nil || len(y) != 4 {
		return label
	}
	num := func(s string, lo, hi int) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && n >= lo && n <= hi && len(s) <= 2
	}
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	parts := strings.Split(rest, "-")
	switch {
	case len(parts) == 1 && strings.HasPrefix(rest, "W"):
		if w, ok := num(rest[1:], 1, 53); ok {
			if en {
				return fmt.Sprintf("week %d of %d", w, year)
			}
			return fmt.Sprintf("%d年第%d周", year, w)
		}
	case len(parts) == 1 && strings.HasPrefix(rest, "Q"):
		if q, ok := num(rest[1:], 1, 4); ok {
			if en {
				return fmt.Sprintf("Q%d %d", q, year)
			}
			return fmt.Sprintf("%d年第%d季度", year, q)
		}
	case len(parts) == 1:
		if m, ok := num(rest, 1, 12); ok && rest[0] >= '0' && rest[0] <= '9' {
			if en {
				return fmt.Sprintf("%s %d", months[m-1], year)
			}
			return fmt.Sprintf("%d年%d月", year, m)
		}
		for _, f := range MajorFestivals() {
			if f.Code == rest {
				if en {
					return fmt.Sprintf("%s %d", map[string]string{CodeSpringFestival: "Spring Festival", CodeLantern: "Lantern Festival",
						CodeMidAutumn: "Mid-Autumn Festival", CodeDoubleNinth: "Double Ninth Festival"}[f.Code], year)
				}
				return fmt.Sprintf("%d年%s", year, f.Name)
			}
		}
		if rest == CodeBirthday {
			if en {
				return fmt.Sprintf("birthday %d", year)
			}
			return fmt.Sprintf("%d年生日", year)
		}
	case len(parts) == 2:
		m, ok := num(parts[0], 1, 12)
		if !ok {
			break
		}
		switch parts[1] {
		case "H1", "H2":
			if en {
				return fmt.Sprintf("%s %d, %s half", months[m-1], year, map[string]string{"H1": "first", "H2": "second"}[parts[1]])
			}
			return fmt.Sprintf("%d年%d月%s", year, m, map[string]string{"H1": "上半月", "H2": "下半月"}[parts[1]])
		}
		if d, ok := num(parts[1], 1, 31); ok {
			if en {
				return fmt.Sprintf("%s %d, %d", months[m-1], d, year)
			}
			return fmt.Sprintf("%d年%d月%d日", year, m, d)
		}
	}
	return label
}
