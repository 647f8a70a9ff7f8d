package web

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"sync"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/mask"
	"carecircle/internal/report"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
)

// dashboardMonths is how far back the home page's charts look.
const dashboardMonths = 6

// homeDashboard is the top of the home page for the station, community
// staff and viewers: this month's numbers at a glance and the last six
// months as charts. A viewer gets aggregates only, small counts masked,
// and nothing of compliance (its pages are for the staff).
type homeDashboard struct {
	Month string
	// Services (recorded this month) and Greeted (elders greeted today)
	// as the reader may see them: for a viewer through package mask.
	Services, Greeted string
	// Rate is this month's compliance rate ("92.5%"), empty when nothing
	// was judged yet or the tracker is off.
	Rate string
	// Staff is true for the station and community staff: they see the
	// open alerts and cases and may follow the links to compliance.
	Staff                 bool
	OpenAlerts, OpenCases string
	// ServicesChart is the services per month, by community (station and
	// street viewers), by street (district viewers) or by kind (community).
	ServicesChart chart
	// RatesChart is the compliance rate per month, by community for the
	// station and by role for community staff.
	RatesChart template.HTML
	RatesTitle string
}

// dashboard gathers the home page's numbers and charts. stats are the
// communities the actor sees (already loaded for the tables); alerts and
// cases the open ones the staff's home lists.
func (s *Server) dashboard(ctx context.Context, p *page, stats []store.CommunityStats, alerts, cases int) (*homeDashboard, error) {
	a := p.Actor
	now := s.db.Now().In(s.db.Loc)
	month := now.Format("2006-01")
	months := monthsUpTo(month, dashboardMonths)
	d := &homeDashboard{Month: month, Staff: a.EditsRegistry()}
	rows, err := s.monthlyServices(ctx, a, months, month)
	if err != nil {
		return nil, err
	}
	greeted, err := s.db.GreetedOn(ctx, a, now)
	if err != nil {
		return nil, err
	}
	var g mask.Set // a number of its own, in no sum
	g.Count("greeted", int64(greeted))
	d.Greeted = strconv.Itoa(greeted)
	if a.Role == care.RoleViewer {
		d.Greeted = g.Text("greeted")
	}
	if d.Staff {
		d.OpenAlerts, d.OpenCases = atLeast(alerts, alertListLimit), atLeast(cases, caseListLimit)
	}
	if d.ServicesChart, err = s.servicesChart(ctx, p, months, rows, stats); err != nil {
		return nil, err
	}
	d.Services = d.ServicesChart.TotalText(month)
	if s.tracker == nil || !d.Staff {
		return d, nil
	}
	return d, s.ratesChart(ctx, p, d, months, stats)
}

// alertListLimit is how many open alerts the home page lists; the store
// lists at most caseListLimit cases.
const alertListLimit, caseListLimit = 50, 200

// atLeast writes a count read with a limit: "50+" when the limit was hit.
func atLeast(n, limit int) string {
	if n >= limit {
		return strconv.Itoa(limit) + "+"
	}
	return strconv.Itoa(n)
}

// servicesChart splits the services by what the actor oversees: the kinds
// for community staff, the streets for a district viewer, the communities
// for the station and a street's viewer.
func (s *Server) servicesChart(ctx context.Context, p *page, months []string, rows []store.MonthlyServices, stats []store.CommunityStats) (chart, error) {
	a, lang := p.Actor, p.Lang
	c := chart{Months: months, Masked: a.Role == care.RoleViewer, Lang: lang}
	monthIndex := map[string]int{}
	for i, m := range months {
		monthIndex[m] = i
	}
	index := map[string]int{} // series key → position
	add := func(key, name, colour string) {
		index[key] = len(c.Series)
		c.Series = append(c.Series, chartSeries{Key: key, Name: name, Colour: colour, Counts: make([]int, len(months))})
	}
	var keyOf func(r store.MonthlyServices) string
	unit := "c" // the series' units in the mask's keys: communities or streets
	switch {
	case a.Role == care.RoleCommunity:
		c.Title, c.By, c.Stacked = translate(lang, "近六个月服务次数（按服务类别）"), translate(lang, "服务类别"), true
		for _, k := range care.ServiceKinds {
			add(k.Code, k.Label.In(lang), kindColours[k.Code])
		}
		keyOf = func(r store.MonthlyServices) string { return r.Kind }
	case a.Role == care.RoleViewer && a.StreetID == 0:
		c.Title, c.By = translate(lang, "近六个月服务次数（按街道）"), translate(lang, "街道")
		unit = "s"
		streets, err := s.db.Streets(ctx, a)
		if err != nil {
			return c, err
		}
		comms, err := s.db.Communities(ctx, a)
		if err != nil {
			return c, err
		}
		for i, st := range streets {
			add(strconv.FormatInt(st.ID, 10), st.Name, seriesColour(i))
		}
		streetOf := map[int64]string{}
		for _, cm := range comms {
			streetOf[cm.ID] = strconv.FormatInt(cm.StreetID, 10)
		}
		keyOf = func(r store.MonthlyServices) string { return streetOf[r.CommunityID] }
	default:
		c.Title, c.By = translate(lang, "近六个月服务次数（按社区）"), translate(lang, "社区")
		for i, st := range stats {
			add(strconv.FormatInt(st.CommunityID, 10), st.Name, seriesColour(i))
		}
		keyOf = func(r store.MonthlyServices) string { return strconv.FormatInt(r.CommunityID, 10) }
	}
	for _, r := range rows {
		i, ok := index[keyOf(r)]
		m, in := monthIndex[r.Month]
		if ok && in {
			c.Series[i].Counts[m] += r.Count
		}
	}
	var shown *report.MonthlyMask
	if c.Masked {
		streets, err := s.db.Streets(ctx, a)
		if err != nil {
			return c, err
		}
		comms, err := s.db.Communities(ctx, a)
		if err != nil {
			return c, err
		}
		shown = report.NewMonthlyMask(streets, comms, a, months, rows)
	}
	c.mask(shown, func(series string) string { return unit + series })
	return c, nil
}

// ratesChart draws the compliance rates and fills this month's rate: the
// station sees its communities' lines, each point leading to the
// community's drill-down; community staff see their roles' lines.
func (s *Server) ratesChart(ctx context.Context, p *page, d *homeDashboard, months []string, stats []store.CommunityStats) error {
	a, lang := p.Actor, p.Lang
	var month tracker.Counts // this month, everything in scope
	if a.Role == care.RoleCommunity {
		trend, err := s.tracker.Trend(ctx, a, months, 0)
		if err != nil {
			return err
		}
		for _, pt := range trend {
			if pt.Month == d.Month {
				month = addCounts(month, pt.Counts)
			}
		}
		d.RatesTitle, d.RatesChart = translate(lang, "近六个月达标率（按角色）"), rateChart(trend, lang)
		d.Rate = rateText(month)
		return nil
	}
	c := chart{Title: translate(lang, "近六个月达标率（按社区）"), Months: months, Lang: lang,
		Link: func(key, m string) string { return "/compliance/communities/" + key + "?month=" + m }}
	index := map[int64]int{}
	for i, st := range stats {
		index[st.CommunityID] = i
		c.Series = append(c.Series, chartSeries{Key: strconv.FormatInt(st.CommunityID, 10), Name: st.Name,
			Colour: seriesColour(i), Rates: make([]tracker.Counts, len(months))})
	}
	for mi, m := range months {
		rows, err := s.tracker.Table(ctx, a, m, 0)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if i, ok := index[r.CommunityID]; ok {
				c.Series[i].Rates[mi] = addCounts(c.Series[i].Rates[mi], r.Counts)
			}
			if m == d.Month {
				month = addCounts(month, r.Counts)
			}
		}
	}
	d.RatesTitle, d.RatesChart = c.Title, c.Lines()
	d.Rate = rateText(month)
	return nil
}

func addCounts(a, b tracker.Counts) tracker.Counts {
	return tracker.Counts{Met: a.Met + b.Met, Due: a.Due + b.Due, Overdue: a.Overdue + b.Overdue, Missed: a.Missed + b.Missed}
}

// rateText is a rate as a tile shows it, empty when nothing was judged.
func rateText(c tracker.Counts) string {
	pct, ok := c.Rate()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.1f%%", pct)
}

// closedMonthTTL is how long a closed month's counts are kept. A month is
// closed once it has ended; only late paper records and corrections change
// it afterwards, so a few minutes' delay is fine.
const closedMonthTTL = 5 * time.Minute

// serviceCache keeps the service counts of closed months in memory, per
// actor scope and month. Counting is not free: a street of 20,000 elders
// records about 600,000 services a month, up to 0.6 s a month on SQLite,
// and six months on every load of the station's home page would be 4 s.
// The current month is always counted live. The zero value is ready.
type serviceCache struct {
	mu      sync.Mutex
	entries map[serviceKey]serviceEntry
}

type serviceKey struct {
	scope string // whose numbers: the role and its street or community
	month string
}

type serviceEntry struct {
	at   time.Time
	rows []store.MonthlyServices
}

// scopeKey names the numbers an actor sees; actors with the same key see
// the same numbers (the masking for viewers happens when drawing).
func scopeKey(a care.Actor) string {
	return fmt.Sprintf("%s/%d/%d", a.Role, a.StreetID, a.CommunityID)
}

// get returns the cached counts of a closed month, if fresh.
func (c *serviceCache) get(k serviceKey, now time.Time) ([]store.MonthlyServices, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || now.Sub(e.at) >= closedMonthTTL || now.Before(e.at) {
		return nil, false
	}
	return e.rows, true
}

// put stores the counts of closed months and drops the stale entries, so
// the map holds no more than the months recently asked for.
func (c *serviceCache) put(scope string, months []string, rows []store.MonthlyServices, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[serviceKey]serviceEntry{}
	}
	for k, e := range c.entries {
		if now.Sub(e.at) >= closedMonthTTL {
			delete(c.entries, k)
		}
	}
	byMonth := map[string][]store.MonthlyServices{}
	for _, r := range rows {
		byMonth[r.Month] = append(byMonth[r.Month], r)
	}
	for _, m := range months {
		c.entries[serviceKey{scope, m}] = serviceEntry{at: now, rows: byMonth[m]}
	}
}

// monthlyServices returns the service counts of months for the actor:
// closed months from the cache when fresh, the rest (and always current,
// this month) counted in one query.
func (s *Server) monthlyServices(ctx context.Context, a care.Actor, months []string, current string) ([]store.MonthlyServices, error) {
	now, scope := s.db.Now(), scopeKey(a)
	var out []store.MonthlyServices
	var closed, ask []string
	for _, m := range months {
		if m == current {
			ask = append(ask, m)
			continue
		}
		if rows, ok := s.services.get(serviceKey{scope, m}, now); ok {
			out = append(out, rows...)
			continue
		}
		closed, ask = append(closed, m), append(ask, m)
	}
	if len(ask) == 0 {
		return out, nil
	}
	rows, err := s.db.MonthlyServices(ctx, a, ask)
	if err != nil {
		return nil, err
	}
	var fresh []store.MonthlyServices
	for _, r := range rows {
		if r.Month != current {
			fresh = append(fresh, r)
		}
	}
	if len(closed) > 0 {
		s.services.put(scope, closed, fresh, now)
	}
	return append(out, rows...), nil
}
