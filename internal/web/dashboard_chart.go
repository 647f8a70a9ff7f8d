package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"carecircle/internal/mask"
	"carecircle/internal/report"
	"carecircle/internal/tracker"
)

// The dashboards' charts are inline SVG drawn on the server, like the
// compliance chart: no script, no CDN, colours as presentation attributes
// so the page's CSP needs nothing more. Every mark carries a <title> (the
// browser's tooltip) and the charts have a table beside them for readers
// who cannot see them.

// seriesColours tell communities (or streets) apart; after ten they repeat.
var seriesColours = []string{"#1f5fa8", "#2b7a4b", "#b35c00", "#8a3ab9", "#c0392b", "#00838f", "#7a6a00", "#d6336c", "#4b5563", "#6d4c41"}

// kindColours give each of the six kinds of service its colour.
var kindColours = map[string]string{"life": "#2b7a4b", "spirit": "#1f5fa8", "festival": "#c0392b", "health": "#8a3ab9", "legal": "#7a6a00", "emergency": "#b35c00"}

func seriesColour(i int) string { return seriesColours[i%len(seriesColours)] }

// chartSeries is one line or one colour of bars: a community, a street or
// a kind of service, with a value per month of the chart.
type chartSeries struct {
	Key    string // the community or street id, or the kind's code
	Name   string
	Colour string
	Counts []int // services, per month
	// Texts are the counts as the reader may see them ("<5", "*" for a
	// viewer), set by mask.
	Texts []string
	Rates []tracker.Counts
}

// chart is what both dashboard charts are drawn from.
type chart struct {
	Title  string // already in the page's language
	By     string // what the series are: community, street, kind
	Months []string
	Series []chartSeries
	// Stacked piles the series of a month into one bar; otherwise they
	// stand side by side.
	Stacked bool
	// Masked hides what a viewer may not see (see mask): the counts 1 to
	// 4 read "<5", and a count that a month's total would give back "*",
	// in tooltips and tables alike; their bars are drawn as tall as 5 and
	// pale, so the drawing says no more than the text.
	Masked bool
	// TotalTexts are the months' totals as the reader may see them.
	TotalTexts []string
	// Link, when set, makes a compliance point a link to its drill-down.
	Link func(key, month string) string
	Lang string
}

// chart geometry: the plot sits between the margins, the legend below it.
const chartW, chartLeft, chartRight, chartTop, plotH = 640, 52, 16, 16, 180

// mask fills the texts of the counts and the months' totals: for a viewer
// as the months' reports show them (report.MonthlyMask), so no total minus
// the bars shown gives a "<5" back, here or across the reports.
func (c *chart) mask(shown *report.MonthlyMask, unit func(series string) string) {
	text := func(si, mi, n int) string {
		if !c.Masked {
			return strconv.Itoa(n)
		}
		if si < 0 {
			return shown.Text("", c.Months[mi], n)
		}
		return shown.Text(unit(c.Series[si].Key), c.Months[mi], n)
	}
	c.TotalTexts = make([]string, len(c.Months))
	for mi := range c.Months {
		total := 0
		for si := range c.Series {
			s := &c.Series[si]
			if mi == 0 {
				s.Texts = make([]string, len(c.Months))
			}
			s.Texts[mi] = text(si, mi, s.Counts[mi])
			total += s.Counts[mi]
		}
		c.TotalTexts[mi] = text(-1, mi, total)
	}
}

// TotalText is the total of month (yyyy-mm) as the reader may see it.
func (c chart) TotalText(month string) string {
	for i, m := range c.Months {
		if m == month && i < len(c.TotalTexts) {
			return c.TotalTexts[i]
		}
	}
	return "0"
}

// niceStep returns a round step (1, 2 or 5 times a power of ten) that
// divides top into at most four parts; for a masked chart the step is at
// least 5, so the axis says nothing finer than the cells do.
func niceStep(top int, masked bool) int {
	lo := 1
	if masked {
		lo = 5
	}
	raw := float64(top) / 4
	if raw <= float64(lo) {
		return lo
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return max(int(m*p), lo)
		}
	}
	return max(int(10*p), lo)
}

// labelWidth guesses a label's width in pixels at font-size 14: CJK
// characters are square, Latin ones about half as wide. Chart text is 14
// units and a chart is never drawn narrower than 560 px (app.css), so it
// reads at 12 px or more (issue 14 point 10).
func labelWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 14
		} else {
			w += 8
		}
	}
	return w
}

// legend lays the series' names out in rows below the plot and returns
// the SVG and the height it takes.
func (c chart) legend(y0 float64) (string, float64) {
	var b strings.Builder
	x, y := float64(chartLeft), y0
	for _, s := range c.Series {
		w := 16 + labelWidth(s.Name) + 18
		if x+w > chartW-chartRight && x > chartLeft {
			x, y = chartLeft, y+22
		}
		fmt.Fprintf(&b, `<g class="legend-item" data-series="%s"><rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/><text x="%.1f" y="%.1f" font-size="14" fill="#222">%s</text></g>`,
			esc(s.Key), x, y, s.Colour, x+16, y+10, esc(s.Name))
		x += w
	}
	return b.String(), y + 22 - y0
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// colon separates a tooltip's subject from its number.
func colon(lang string) string {
	if lang == "en" {
		return ": "
	}
	return "："
}

// open starts the SVG with its accessible name, once the height is known.
func (c chart) open(b *strings.Builder, class string, h float64) {
	title := esc(c.Title)
	fmt.Fprintf(b, `<svg class="dash-chart %s" viewBox="0 0 %d %.0f" width="100%%" role="%s" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		class, chartW, h, c.role(), title, title)
}

// monthX is the centre of a month's slot on the x axis.
func (c chart) monthX(i int) float64 {
	slot := float64(chartW-chartLeft-chartRight) / float64(len(c.Months))
	return chartLeft + slot*(float64(i)+0.5)
}

// yTitle writes an axis title up the left side.
func yTitle(b *strings.Builder, s string) {
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" fill="#555" text-anchor="middle" transform="rotate(-90 %d %d)">%s</text>`,
		12, chartTop+plotH/2, 12, chartTop+plotH/2, esc(s))
}

// monthLabels writes the months under the plot and the x axis' title.
func (c chart) monthLabels(b *strings.Builder) {
	base := float64(chartTop + plotH)
	for i, m := range c.Months {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle" fill="#555">%s</text>`, c.monthX(i), base+16, m)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle" fill="#555">%s</text>`,
		float64(chartLeft+(chartW-chartLeft-chartRight)/2), base+32, esc(translate(c.Lang, "月份")))
}

// Bars draws the services per month: one bar per series side by side, or
// stacked. Each bar's tooltip names the series, the month and the count.
func (c chart) Bars() template.HTML {
	if len(c.Months) == 0 || len(c.Series) == 0 {
		return ""
	}
	shown := func(s chartSeries, i int) int { // the height a count is drawn at
		if s.Texts != nil && s.Texts[i] != strconv.Itoa(s.Counts[i]) {
			return mask.Threshold
		}
		return s.Counts[i]
	}
	top := 0
	for i := range c.Months {
		sum := 0
		for _, s := range c.Series {
			if c.Stacked {
				sum += shown(s, i)
			} else {
				sum = max(sum, shown(s, i))
			}
		}
		top = max(top, sum)
	}
	step := niceStep(top, c.Masked)
	axisMax := step * 4
	for axisMax < top {
		axisMax += step
	}
	y := func(v int) float64 { return chartTop + plotH - float64(v)*plotH/float64(axisMax) }
	legend, lh := c.legend(chartTop + plotH + 44)
	var b strings.Builder
	c.open(&b, "services-chart", chartTop+plotH+44+lh)
	for v := 0; v <= axisMax; v += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, chartLeft, chartW-chartRight, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="14" text-anchor="end" fill="#555">%d</text>`, chartLeft-6, y(v)+4, v)
	}
	yTitle(&b, translate(c.Lang, "服务次数"))
	c.monthLabels(&b)
	slot := float64(chartW-chartLeft-chartRight) / float64(len(c.Months))
	group := slot * 0.8
	barW := group
	if !c.Stacked {
		barW = group / float64(len(c.Series))
	}
	for i, m := range c.Months {
		x0 := c.monthX(i) - group/2
		base := 0
		for j, s := range c.Series {
			if s.Counts[i] == 0 {
				continue
			}
			x, h := x0+float64(j)*barW, shown(s, i)
			lo := 0
			if c.Stacked {
				x, lo = x0, base
				base += h
			}
			opacity, n := "", s.Texts[i]
			if h != s.Counts[i] {
				opacity = ` fill-opacity="0.45"`
			}
			tip := s.Name + " " + m + "：" + n + " 次"
			if c.Lang == "en" {
				tip = s.Name + ", " + m + ": " + n + " services"
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"%s data-series="%s" data-month="%s" data-count="%s"><title>%s</title></rect>`,
				x, y(lo+h), math.Max(barW-1, 1), y(lo)-y(lo+h), s.Colour, opacity, esc(s.Key), m, esc(n), esc(tip))
		}
	}
	b.WriteString(legend)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Lines draws each series' compliance rate (met over judged) per month; a
// month with nothing judged leaves a gap in the line.
func (c chart) Lines() template.HTML {
	if len(c.Months) == 0 || len(c.Series) == 0 {
		return ""
	}
	y := func(pct float64) float64 { return chartTop + (100-pct)*plotH/100 }
	legend, lh := c.legend(chartTop + plotH + 44)
	var b strings.Builder
	c.open(&b, "rates-chart", chartTop+plotH+44+lh)
	for _, pct := range []float64{0, 25, 50, 75, 100} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, chartLeft, chartW-chartRight, y(pct), y(pct))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="14" text-anchor="end" fill="#555">%.0f%%</text>`, chartLeft-6, y(pct)+4, pct)
	}
	yTitle(&b, translate(c.Lang, "达标率"))
	c.monthLabels(&b)
	var points strings.Builder // drawn over the lines
	for _, s := range c.Series {
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`, s.Colour, strings.Join(seg, " "))
			}
			seg = nil
		}
		for i, m := range c.Months {
			counts := s.Rates[i]
			pct, ok := counts.Rate()
			if !ok {
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", c.monthX(i), y(pct)))
			point := fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="4" fill="%s" data-series="%s" data-month="%s" data-rate="%.1f"><title>%s %s%s%.1f%% (%d/%d)</title></circle>`,
				c.monthX(i), y(pct), s.Colour, esc(s.Key), m, pct, esc(s.Name), m, colon(c.Lang), pct, counts.Met, counts.Judged())
			if c.Link != nil {
				point = fmt.Sprintf(`<a href="%s">%s</a>`, esc(c.Link(s.Key, m)), point)
			}
			points.WriteString(point)
		}
		flush()
	}
	b.WriteString(points.String())
	b.WriteString(legend)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// role is the chart's ARIA role: an image, or a group when its points are
// links (an image holds no controls; axe: nested-interactive).
func (c chart) role() string {
	if c.Link != nil {
		return "group"
	}
	return "img"
}
