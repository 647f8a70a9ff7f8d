package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// The clinic's home (issue 14 point 7): 本期待办, the clinic's half-month
// inquiry calls and quarterly check-ups due or overdue, one row per elder,
// filterable by community, searchable by name or phone, in pages. The
// duties come from the tracker, which scopes them to the actor's clinic;
// only elders in service are tracked, so moved and deceased elders never
// appear.

var englishClinic = map[string]string{
	"本期待办":        "Due this period",
	"健康问讯":        "Health inquiry",
	"季度体检":        "Quarterly check-up",
	"待办事项":        "To do",
	"位老人":         "elders",
	"项逾期":         "overdue",
	"项待办":         "due",
	"本期待办已全部完成":   "Nothing is due this period",
	"记录服务":        "Record a service",
	"达标情况暂不可用":    "Compliance is not available right now",
	"全部服务对象":      "All elders",
	"搜索姓名或电话（待办）": "Search name or phone",
	"展开名单":        "Show the list",
	"独居老人在前":      "those living alone first",
	"开":           "on",
	"关":           "off",
	"字更大、按钮更大，适合老花眼": "larger type and buttons, easier to read",
}

func init() { catalogs = append(catalogs, englishClinic) }

// clinicDue is one elder's row on the clinic's home.
type clinicDue struct {
	Elder     care.Elder
	Community string
	Duties    []duty
	Overdue   bool
}

type clinicHomeData struct {
	Items        []clinicDue
	Total        int // elders with something due, after the filters
	Due, Overdue int // duties, after the filters
	Page, Pages  int
	Query        url.Values
	Communities  []care.Community
	NoTracker    bool
	// Callouts are the last 30 days' call-outs (随叫随到) of the clinic's
	// elders, newest first (issue 16 point 2).
	Callouts []calloutRow
}

// clinicHome builds the clinic's worklist page.
func (s *Server) clinicHome(r *http.Request, p *page) (*clinicHomeData, error) {
	q := r.URL.Query()
	d := &clinicHomeData{Query: q, Page: 1}
	if pg, _ := strconv.Atoi(q.Get("page")); pg > 1 {
		d.Page = pg
	}
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	d.Communities = comms
	community, err := queryCommunity(r)
	if err != nil {
		return nil, err
	}
	if d.Callouts, err = s.recentCallouts(r, p); err != nil {
		return nil, err
	}
	if s.tracker == nil {
		d.NoTracker = true
		return d, nil
	}
	duties, err := s.tracker.Today(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	// The elders the clinic sees in service, with the filters: the store
	// answers a community the actor may not see with 404.
	elders := map[int64]care.Elder{}
	f := store.ElderFilter{Status: "active", CommunityID: community, Q: strings.TrimSpace(q.Get("q")), Limit: 500}
	for {
		items, total, err := s.db.ListElders(r.Context(), p.Actor, f)
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			elders[e.ID] = e
		}
		f.Offset += len(items)
		if len(items) == 0 || f.Offset >= total {
			break
		}
	}
	names := map[int64]string{}
	for _, c := range comms {
		names[c.ID] = c.Name
	}
	today := s.db.Now().In(s.db.Loc)
	var rows []*clinicDue
	byElder := map[int64]*clinicDue{}
	for _, du := range duties {
		e, ok := elders[du.ElderID]
		if !ok {
			continue
		}
		row := byElder[du.ElderID]
		if row == nil {
			row = &clinicDue{Elder: e, Community: names[e.CommunityID]}
			byElder[du.ElderID] = row
			rows = append(rows, row)
		}
		row.Duties = append(row.Duties, newDuty(du, e.Name, p.Lang, today))
		if du.Outcome == "overdue" {
			row.Overdue = true
			d.Overdue++
		} else {
			d.Due++
		}
	}
	// Overdue first; otherwise in the tracker's order (nearest deadline).
	slices.SortStableFunc(rows, func(a, b *clinicDue) int {
		switch {
		case a.Overdue && !b.Overdue:
			return -1
		case b.Overdue && !a.Overdue:
			return 1
		}
		return 0
	})
	d.Total = len(rows)
	d.Pages = max((d.Total+perPage-1)/perPage, 1)
	d.Page = min(d.Page, d.Pages)
	for _, row := range rows[min((d.Page-1)*perPage, len(rows)):min(d.Page*perPage, len(rows))] {
		d.Items = append(d.Items, *row)
	}
	return d, nil
}

// backFrom is where 取消 leads: the page the user came from — a "back"
// field or parameter the page carried along, else the Referer of the same
// host — or fallback. Only local paths are followed, and never the page
// itself.
func backFrom(r *http.Request, fallback string) string {
	back := r.FormValue("back")
	if back == "" {
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
			back = ref.RequestURI()
		}
	}
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		return fallback
	}
	// The form page itself (a reload) is no way back; a post comes from
	// the form, whose path may be the list's (POST /elders).
	if u, err := url.Parse(back); err != nil || (r.Method == http.MethodGet && u.Path == r.URL.Path) {
		return fallback
	}
	return back
}
