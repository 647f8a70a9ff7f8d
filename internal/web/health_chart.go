package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/health"
)

// The health page's trend charts: one small inline SVG per measure over
// the last year, drawn on the server like the compliance chart (no
// script); each point carries its date and value in a <title>.

type healthPoint struct {
	Day time.Time
	V   float64
}

type healthSeries struct {
	Name, Colour string
	Points       []healthPoint
}

// healthCharts draws blood pressure (two lines), glucose, weight and heart
// rate for the year up to today; a measure never taken has no chart.
func healthCharts(ms []health.Measurement, today time.Time, lang string) []template.HTML {
	from := today.AddDate(-1, 0, 0)
	var sys, dia, glu, wt, hr []healthPoint
	for _, m := range ms {
		if m.Systolic != nil && m.Diastolic != nil {
			sys = append(sys, healthPoint{m.TakenOn, float64(*m.Systolic)})
			dia = append(dia, healthPoint{m.TakenOn, float64(*m.Diastolic)})
		}
		if m.Glucose != nil {
			glu = append(glu, healthPoint{m.TakenOn, *m.Glucose})
		}
		if m.Weight != nil {
			wt = append(wt, healthPoint{m.TakenOn, *m.Weight})
		}
		if m.HeartRate != nil {
			hr = append(hr, healthPoint{m.TakenOn, float64(*m.HeartRate)})
		}
	}
	var out []template.HTML
	for _, c := range []struct {
		key, title, unit string
		series           []healthSeries
	}{
		{"bp", "血压", "mmHg", []healthSeries{{translate(lang, "高压"), "#c0392b", sys}, {translate(lang, "低压"), "#1f5fa8", dia}}},
		{"glucose", "血糖", "mmol/L", []healthSeries{{translate(lang, "血糖"), "#8a3ab9", glu}}},
		{"weight", "体重", "kg", []healthSeries{{translate(lang, "体重"), "#2b7a4b", wt}}},
		{"heart_rate", "心率", "/min", []healthSeries{{translate(lang, "心率"), "#b35c00", hr}}},
	} {
		if svg := trendChart(c.key, translate(lang, c.title)+" ("+c.unit+")", from, today, c.series); svg != "" {
			out = append(out, svg)
		}
	}
	return out
}

// trendChart draws the series between from and to, the value axis spanning
// the values shown with a little room; "" when there is nothing to draw.
func trendChart(key, title string, from, to time.Time, series []healthSeries) template.HTML {
	const w, h, left, right, top, bottom = 320, 150, 40, 10, 24, 26
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, s := range series {
		for _, p := range s.Points {
			lo, hi, n = math.Min(lo, p.V), math.Max(hi, p.V), n+1
		}
	}
	if n == 0 {
		return ""
	}
	pad := math.Max((hi-lo)*0.15, math.Max(math.Abs(hi)*0.05, 1))
	lo, hi = math.Floor(lo-pad), math.Ceil(hi+pad)
	span := to.Sub(from).Hours()
	x := func(d time.Time) float64 {
		f := d.Sub(from).Hours() / span
		return left + math.Max(0, math.Min(1, f))*(w-left-right)
	}
	y := func(v float64) float64 { return top + (hi-v)*(h-top-bottom)/(hi-lo) }
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	var b strings.Builder
	esc := template.HTMLEscapeString(title)
	fmt.Fprintf(&b, `<svg class="health-chart" data-chart="%s" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, key, w, h, esc)
	fmt.Fprintf(&b, `<title>%s</title><text x="%d" y="15" font-size="13" fill="#222">%s</text>`, esc, left, esc)
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#555">%s</text>`, left-4, y(v)+4, num(math.Round(v)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#555">%s</text>`, left, h-8, from.Format("2006-01"))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end" fill="#555">%s</text>`, w-right, h-8, to.Format("2006-01"))
	if len(series) > 1 { // which line is which, between the dates below
		width := func(name string) float64 {
			n := 0.0
			for _, r := range name {
				n += 6.5
				if r >= 0x2e80 {
					n += 4.5
				}
			}
			return n
		}
		total := 0.0
		for _, s := range series {
			total += 14 + width(s.Name) + 8
		}
		lx := float64(left+w-right)/2 - total/2
		for _, s := range series {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="10" height="10" fill="%s"/><text x="%.1f" y="%d" font-size="11" fill="#555">%s</text>`,
				lx, h-17, s.Colour, lx+14, h-8, template.HTMLEscapeString(s.Name))
			lx += 14 + width(s.Name) + 8
		}
	}
	for _, s := range series {
		var pts []string
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.Day), y(p.V)))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, s.Colour, strings.Join(pts, " "))
		}
		name := template.HTMLEscapeString(s.Name)
		for _, p := range s.Points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s" data-day="%s" data-value="%s"><title>%s %s %s</title></circle>`,
				x(p.Day), y(p.V), s.Colour, p.Day.Format(time.DateOnly), num(p.V), name, p.Day.Format(time.DateOnly), num(p.V))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
