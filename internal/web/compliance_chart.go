package web

import (
	"fmt"
	"html/template"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/tracker"
)

// roleColours tell the roles apart on the chart; presentation attributes,
// not styles, so the page's CSP needs nothing more.
var roleColours = map[string]string{"neighbour": "#2b7a4b", "social": "#1f5fa8", "committee": "#b35c00", "clinic": "#8a3ab9"}

// rateChart draws each role's compliance rate over the months as an
// inline SVG line chart: rendered on the server, no script, no CDN. A role
// with nothing judged in a month leaves a gap.
func rateChart(points []tracker.TrendPoint, lang string) template.HTML {
	const w, h, left, right, top, bottom = 640, 240, 44, 30, 16, 54
	var months []string
	for _, p := range points {
		if len(months) == 0 || months[len(months)-1] != p.Month {
			months = append(months, p.Month)
		}
	}
	if len(months) == 0 {
		return ""
	}
	x := func(i int) float64 {
		if len(months) == 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*float64(w-left-right)/float64(len(months)-1)
	}
	y := func(pct float64) float64 { return top + (100-pct)*float64(h-top-bottom)/100 }
	var b strings.Builder
	title := template.HTMLEscapeString(translate(lang, "各角色达标率"))
	fmt.Fprintf(&b, `<svg class="rate-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, title)
	fmt.Fprintf(&b, `<title>%s</title>`, title)
	axes(&b, months, x, y, left, w-right)
	legendX := float64(left)
	for _, role := range tracker.Roles {
		colour := roleColours[role]
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`, colour, strings.Join(seg, " "))
			}
			seg = nil
		}
		any := false
		for i, m := range months {
			c := countsOf(points, m, role)
			pct, ok := c.Rate()
			if !ok {
				flush()
				continue
			}
			any = true
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), y(pct)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s" data-role="%s" data-month="%s" data-rate="%.1f"><title>%s %s %.1f%% (%d/%d)</title></circle>`,
				x(i), y(pct), colour, role, m, pct, template.HTMLEscapeString(care.Label(care.VolunteerKinds, role, lang)), m, pct, c.Met, c.Judged())
		}
		flush()
		if any {
			label := template.HTMLEscapeString(care.Label(care.VolunteerKinds, role, lang))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="12" height="12" fill="%s"/><text x="%.1f" y="%d" font-size="14" fill="#222">%s</text>`,
				legendX, h-18, colour, legendX+16, h-8, label)
			legendX += 34 + float64(len([]rune(label)))*12
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// axes draws the rate grid and the month labels.
func axes(b *strings.Builder, months []string, x func(int) float64, y func(float64) float64, x0, x1 float64) {
	for _, pct := range []float64{0, 25, 50, 75, 100} {
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, x0, x1, y(pct), y(pct))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="14" text-anchor="end" fill="#555">%.0f%%</text>`, x0-6, y(pct)+4, pct)
	}
	for i, m := range months {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle" fill="#555">%s</text>`, x(i), y(0)+18, m)
	}
}

func countsOf(points []tracker.TrendPoint, month, role string) tracker.Counts {
	for _, p := range points {
		if p.Month == month && p.Role == role {
			return p.Counts
		}
	}
	return tracker.Counts{}
}
