package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

type inspectionCommunity struct {
	Community care.Community
	Total     int
	Signed    int
	Clean     int
	Greetings int // unsigned cards whose only flag is greetings without proof
}

type inspectionData struct {
	Month       string
	MonthLabel  string
	Prev, Next  string
	Communities []inspectionCommunity
	Filter      store.InspectionFilter
	Flags       []care.Choice
	Sorts       []care.Choice
	// Rows are the page of the queue; Total its length.
	Rows        []store.InspectionRow
	Total       int
	Page, Pages int
	// Query is the page's query (pager links); QueueQuery the queue's
	// filters that a card link carries (cardQueue).
	Query      url.Values
	QueueQuery string
	Names      map[int64]string // community names
	// Ended tells whether Month has ended: only then are its cards signed.
	Ended     bool
	LastEnded string
	// Corrections are amendments made to signed months lately: the
	// signature stands, so the station reviews them here.
	Corrections []store.Correction
	Greetings   int // unsigned greetings-only cards of the filter's communities
}

// reviewDays is how far back the inspection page lists corrections made
// to signed months.
const reviewDays = 62

// inspectionPerPage is the length of a page of the inspection queue.
const inspectionPerPage = 20

// monthLabel reads 2026-11 as 2026年11月.
func monthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月"
}

// inspectionFilter reads the queue's filters from a query: month, community,
// flag, signed and sort; a malformed one is 422 naming it.
func (s *Server) inspectionFilter(q url.Values) (store.InspectionFilter, error) {
	f := store.InspectionFilter{Month: q.Get("month"), Flag: q.Get("flag"), Signed: q.Get("signed"), Sort: q.Get("sort")}
	if store.ValidMonth(f.Month) != nil {
		f.Month = s.db.LastEndedMonth()
	}
	fe := care.FieldErrors{}
	f.CommunityID = queryID(q, "community_id", fe)
	if err := fe.Err(); err != nil {
		return f, err
	}
	return f, f.Check()
}

// queueQuery is the filter a card opened from the queue carries, so that
// signing it opens the next card of the same queue.
func queueQuery(f store.InspectionFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"flag": f.Flag, "signed": f.Signed, "sort": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.CommunityID != 0 {
		q.Set("community_id", strconv.FormatInt(f.CommunityID, 10))
	}
	return q
}

// inspectionPage is the station's monthly inspection (每月检查): the
// month's cards as a queue — filtered by flag, community and signing, sorted,
// 20 to a page — with each community's progress. It opens on the last month
// that has ended, the one to sign.
func (s *Server) inspectionPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f, err := s.inspectionFilter(r.URL.Query())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Get("bulk") != "":
		p.Flash = p.T("已签署") + " " + q.Get("bulk") + " " + p.T("张服务卡")
	case q.Get("signed_elder") != "":
		p.Flash = s.signedNotice(r, p, q.Get("signed_elder"), f.Month)
		if q.Get("done") == "1" {
			p.Flash += p.T("；本队列的服务卡已全部签署")
		}
	}
	return s.showInspection(w, r, p, f, http.StatusOK)
}

// signedNotice confirms a signature in place: 已签署 王秀英 的 2026年11月服务卡.
func (s *Server) signedNotice(r *http.Request, p *page, elder, month string) string {
	id, err := strconv.ParseInt(elder, 10, 64)
	if err != nil {
		return ""
	}
	e, err := s.db.GetElder(r.Context(), p.Actor, id)
	if err != nil {
		return ""
	}
	if p.Lang == "en" {
		return "Signed " + e.Name + "'s card of " + month
	}
	return "已签署 " + e.Name + " 的" + monthLabel(month) + "服务卡"
}

func (s *Server) showInspection(w http.ResponseWriter, r *http.Request, p *page, f store.InspectionFilter, status int) error {
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	rows, err := s.db.Inspection(r.Context(), p.Actor, f.Month, f.CommunityID)
	if err != nil {
		return err
	}
	queue := f.Queue(rows)
	q := r.URL.Query()
	pg, _ := strconv.Atoi(q.Get("page"))
	pages := max((len(queue)+inspectionPerPage-1)/inspectionPerPage, 1)
	pg = min(max(pg, 1), pages)
	d := inspectionData{Month: f.Month, MonthLabel: monthLabel(f.Month), Prev: shiftMonth(f.Month, -1), Next: shiftMonth(f.Month, 1),
		Filter: f, Flags: store.InspectionFlags, Sorts: store.InspectionSorts, Total: len(queue), Page: pg, Pages: pages,
		Query: q, QueueQuery: queueQuery(f).Encode(), Names: map[int64]string{},
		Ended: s.monthEnded(f.Month), LastEnded: s.db.LastEndedMonth()}
	d.Rows = queue[min((pg-1)*inspectionPerPage, len(queue)):min(pg*inspectionPerPage, len(queue))]
	for _, c := range comms {
		d.Names[c.ID] = c.Name
		if f.CommunityID != 0 && c.ID != f.CommunityID {
			continue
		}
		ic := inspectionCommunity{Community: c}
		for _, row := range rows {
			if row.CommunityID != c.ID {
				continue
			}
			ic.Total++
			switch fl := row.Flags(); {
			case row.Signed:
				ic.Signed++
			case fl.Clean():
				ic.Clean++
			case fl.GreetingsOnly():
				ic.Greetings++
			}
		}
		d.Greetings += ic.Greetings
		d.Communities = append(d.Communities, ic)
	}
	if d.Corrections, err = s.db.CorrectionsAfterSigning(r.Context(), p.Actor, s.db.Now().AddDate(0, 0, -reviewDays)); err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "每月检查", "inspection", d
	s.render(w, status, "inspection", p)
	return nil
}

// inspectionSignClean signs every clean card of a community's month at
// once; each signature is audited on its own. A month that has not ended
// is refused with its reason on the page.
func (s *Server) inspectionSignClean(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	fm := newForm(r)
	month, only := fm.str("month"), fm.int64("community_id")
	if err := fm.errs.Err(); err != nil {
		// A malformed community is refused, never read as every community.
		return err
	}
	refuse := func(err error) error {
		p.setError(err)
		p.Error = reason(p, err)
		f := store.InspectionFilter{Month: month, CommunityID: only}
		if store.ValidMonth(month) != nil {
			f.Month = s.db.LastEndedMonth()
		}
		return s.showInspection(w, r, p, f, api.Status(err))
	}
	if err := store.ValidMonth(month); err != nil {
		return refuse(err)
	}
	rows, err := s.db.Inspection(r.Context(), p.Actor, month, only)
	if err != nil {
		return err
	}
	var ids []int64
	for _, row := range rows {
		if !row.Signed && row.Flags().Clean() {
			ids = append(ids, row.ElderID)
		}
	}
	n, err := s.db.SignCleanCards(r.Context(), p.Actor, ids, month, fm.str("comment"))
	if err != nil {
		switch care.ErrorCode(err) {
		case care.EInvalid, care.EMonthNotEnded, care.EConflict:
			return refuse(err)
		}
		return err
	}
	back := url.Values{"month": {month}, "bulk": {strconv.Itoa(n)}}
	if only != 0 {
		back.Set("community_id", strconv.FormatInt(only, 10))
	}
	http.Redirect(w, r, "/inspection?"+back.Encode(), http.StatusSeeOther)
	return nil
}

// cardQueue is the inspection queue a card was opened from: its place in
// the queue (第 12/97 张), how many are signed, the next unsigned card and
// the way back to the queue with its filters.
type cardQueue struct {
	Query      string // the queue's filters, carried by the sign form
	Pos, Total int
	Signed     int
	NextURL    string // the next unsigned card after this one, or ""
	BackURL    string
}

// queueOf places the card of elder id in the queue named by query (a card
// link's queue parameter), for the station only. The queue's order and
// filters are kept, but not its "signed" filter, so the count stays put
// while its cards are signed.
func (s *Server) queueOf(r *http.Request, p *page, query string, id int64, month string) (*cardQueue, error) {
	if p.Actor.Role != care.RoleStation || query == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, nil
	}
	q.Set("month", month)
	f, err := s.inspectionFilter(q)
	if err != nil {
		return nil, nil
	}
	back := queueQuery(f)
	back.Set("month", month)
	cq := &cardQueue{Query: query, BackURL: "/inspection?" + back.Encode()}
	f.Signed = ""
	rows, err := s.db.InspectionQueue(r.Context(), p.Actor, f)
	if err != nil {
		return nil, err
	}
	at := slices.IndexFunc(rows, func(row store.InspectionRow) bool { return row.ElderID == id })
	cq.Total = len(rows)
	cq.Pos = at + 1
	for _, row := range rows {
		if row.Signed {
			cq.Signed++
		}
	}
	for i := 1; i <= len(rows); i++ {
		row := rows[(at+i+len(rows))%len(rows)]
		if !row.Signed && row.ElderID != id {
			cq.NextURL = cardURL(row.ElderID, month, query)
			break
		}
	}
	return cq, nil
}

// cardURL opens an elder's card of month within an inspection queue.
func cardURL(id int64, month, queue string) string {
	v := url.Values{"month": {month}}
	if queue != "" {
		v.Set("queue", queue)
	}
	return "/elders/" + strconv.FormatInt(id, 10) + "/card?" + v.Encode()
}

// afterSigning is where a signature made on a card leads: within a queue,
// the next unsigned card with the signature confirmed on it (or the queue
// when every card is signed); otherwise the card itself, confirmed.
func (s *Server) afterSigning(r *http.Request, p *page, id int64, month, queue string) string {
	done := "&signed_elder=" + strconv.FormatInt(id, 10)
	cq, err := s.queueOf(r, p, queue, id, month)
	if err != nil || cq == nil {
		return cardURL(id, month, "") + done
	}
	if cq.NextURL != "" {
		return cq.NextURL + done
	}
	return cq.BackURL + done + "&done=1"
}

// bulkGreetingsData is the summary shown before the greetings-only cards are
// signed in bulk.
type bulkGreetingsData struct {
	Month, MonthLabel string
	CommunityID       int64
	Summary           []store.GreetingsSummary
	Names             map[int64]string
	Cards, Greetings  int
	Ended             bool
}

// greetingsOnlyCards are the unsigned cards of the month (and community)
// whose only flag is daily greetings without proof.
func (s *Server) greetingsOnlyCards(r *http.Request, p *page, month string, community int64) ([]store.InspectionRow, error) {
	rows, err := s.db.Inspection(r.Context(), p.Actor, month, community)
	if err != nil {
		return nil, err
	}
	return store.InspectionFilter{Flag: "greetings", Signed: "no"}.Queue(rows), nil
}

// inspectionGreetings shows what 签署仅问候未核验的服务卡 will sign: the
// cards per community, how many greetings lack proof, what the flag means;
// the station confirms it with a post.
func (s *Server) inspectionGreetings(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f, err := s.inspectionFilter(r.URL.Query())
	if err != nil {
		return err
	}
	return s.showGreetings(w, r, p, f.Month, f.CommunityID, http.StatusOK)
}

func (s *Server) showGreetings(w http.ResponseWriter, r *http.Request, p *page, month string, community int64, status int) error {
	rows, err := s.greetingsOnlyCards(r, p, month, community)
	if err != nil {
		return err
	}
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d := bulkGreetingsData{Month: month, MonthLabel: monthLabel(month), CommunityID: community, Summary: store.SummariseGreetingsOnly(rows),
		Names: map[int64]string{}, Ended: s.monthEnded(month)}
	for _, c := range comms {
		d.Names[c.ID] = c.Name
	}
	for _, sm := range d.Summary {
		d.Cards += sm.Cards
		d.Greetings += sm.Greetings
	}
	p.Title, p.Active, p.Data = "签署仅问候未核验的服务卡", "inspection", d
	s.render(w, status, "inspection_greetings", p)
	return nil
}

// inspectionSignGreetings signs, after the summary, the month's cards whose
// only flag is greetings without proof (one audit entry each; each card is
// judged again as it stands when signed).
func (s *Server) inspectionSignGreetings(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	fm := newForm(r)
	month, only := fm.str("month"), fm.int64("community_id")
	if err := fm.errs.Err(); err != nil {
		return err
	}
	if err := store.ValidMonth(month); err != nil {
		return err
	}
	rows, err := s.greetingsOnlyCards(r, p, month, only)
	if err != nil {
		return err
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ElderID
	}
	n, err := s.db.SignGreetingsOnlyCards(r.Context(), p.Actor, ids, month)
	if err != nil {
		if care.ErrorCode(err) != care.EMonthNotEnded {
			return err
		}
		p.setError(err)
		p.Error = reason(p, err)
		return s.showGreetings(w, r, p, month, only, api.Status(err))
	}
	back := url.Values{"month": {month}, "bulk": {strconv.Itoa(n)}}
	if only != 0 {
		back.Set("community_id", strconv.FormatInt(only, 10))
	}
	http.Redirect(w, r, "/inspection?"+back.Encode(), http.StatusSeeOther)
	return nil
}
