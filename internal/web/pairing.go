package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/pairplan"
	"carecircle/internal/store"
)

// pairingData is the community's pairing page: what waits for a successor,
// the matcher's suggestions to accept, edit or reject, the elders it could
// not place and why, and the volunteers with room left.
type pairingData struct {
	Communities []care.Community
	CommunityID int64
	Reach       float64
	Suggestions []suggestionRow // elders suggested for the first time
	Again       []suggestionRow // elders suggested again after a rejection, saying why
	Unmatched   []unmatchedRow
	Handovers   []handoverRow
	Free        []store.VolunteerLoad
	Paired      int // elders of the plan: suggested + unmatched
	Query       string
}

type suggestionRow struct {
	pairplan.Suggestion
	Elder    care.Elder
	Priority int
	Name     string // the suggested volunteer
	Options  []optionRow
	Checked  bool // only what staff ticked before a refused post: nothing is pre-ticked
	Error    string
	Rejected []store.Rejection // earlier rejections: why the elder is shown again
}

type optionRow struct {
	pairplan.Option
	Name     string
	Selected bool
}

type unmatchedRow struct {
	pairplan.Unmatched
	Elder    care.Elder
	Priority int
}

type handoverRow struct {
	store.Handover
	Candidates []store.VolunteerLoad
	Suggested  int64 // the plan's choice for this elder, preselected
}

func (s *Server) pairingPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showPairing(w, r, p, r.URL.Query(), nil, http.StatusOK)
}

// showPairing renders the pairing page for the community and reach in q;
// after a failed post q also holds the staff's choices (elder, pick,
// volunteer_ID) and rowErrs the reason for each refused row.
func (s *Server) showPairing(w http.ResponseWriter, r *http.Request, p *page, q url.Values, rowErrs map[int64]string, status int) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	ctx := r.Context()
	d := pairingData{Reach: pairplan.DefaultReachM}
	fe := care.FieldErrors{}
	d.CommunityID = queryID(q, "community_id", fe)
	if err := fe.Err(); err != nil {
		return err
	}
	if p.Actor.Role == care.RoleCommunity && d.CommunityID == 0 {
		d.CommunityID = p.Actor.CommunityID
	}
	if v, err := strconv.ParseFloat(q.Get("max"), 64); err == nil {
		d.Reach = v
	}
	m, err := s.db.SuggestPairings(ctx, p.Actor, store.MatchScope{CommunityID: d.CommunityID, MaxDistanceM: d.Reach})
	if ce, ok := err.(*care.Error); ok && ce.Code == care.EInvalid {
		// A reach out of range: say so and plan with the default.
		p.Error = ce.Fields["max_distance_m"].In(p.Lang)
		d.Reach = pairplan.DefaultReachM
		m, err = s.db.SuggestPairings(ctx, p.Actor, store.MatchScope{CommunityID: d.CommunityID})
	}
	if err != nil {
		return err
	}
	if d.Communities, err = s.db.Communities(ctx, p.Actor); err != nil {
		return err
	}
	if d.Free, err = s.db.FreeVolunteers(ctx, p.Actor, d.CommunityID); err != nil {
		return err
	}
	hs, err := s.db.Handovers(ctx, p.Actor, d.CommunityID)
	if err != nil {
		return err
	}
	d.fill(m, q, rowErrs, p.Lang)
	d.Handovers = handoverRows(hs, d.Free, append(append([]suggestionRow{}, d.Suggestions...), d.Again...))
	d.Query = fmt.Sprintf("community_id=%d&max=%g", d.CommunityID, d.Reach)
	switch {
	case q.Get("accepted") != "":
		p.Flash = p.T("已接受结对建议") + "：" + q.Get("accepted")
	case q.Get("rejected") != "":
		p.Flash = p.T("已否决结对建议") + "：" + q.Get("rejected")
	}
	p.Title, p.Active, p.Data = "结对", "pairing", d
	s.render(w, status, "pairing", p)
	return nil
}

// fill turns the plan into rows; after a failed post the staff's choices
// (q: pick, volunteer_ID) win over the plan's.
func (d *pairingData) fill(m *store.Matching, q url.Values, rowErrs map[int64]string, lang string) {
	posted := len(q["elder"]) > 0
	picked := map[string]bool{}
	for _, id := range q["pick"] {
		picked[id] = true
	}
	for _, sg := range m.Suggestions {
		e := m.Elders[sg.ElderID]
		key := strconv.FormatInt(e.ID, 10)
		row := suggestionRow{Suggestion: sg, Elder: e, Priority: e.Priority(localToday()), Name: m.Volunteers[sg.VolunteerID].Name,
			Checked: posted && picked[key], Error: rowErrs[e.ID], Rejected: m.Rejections[e.ID]}
		chosen := sg.VolunteerID
		if v, err := strconv.ParseInt(q.Get("volunteer_"+key), 10, 64); err == nil && posted {
			chosen = v
		}
		for _, o := range sg.Options {
			row.Options = append(row.Options, optionRow{Option: o, Name: m.Volunteers[o.VolunteerID].Name, Selected: o.VolunteerID == chosen})
		}
		if len(row.Rejected) > 0 {
			d.Again = append(d.Again, row)
		} else {
			d.Suggestions = append(d.Suggestions, row)
		}
	}
	for _, u := range m.Unmatched {
		e := m.Elders[u.ElderID]
		d.Unmatched = append(d.Unmatched, unmatchedRow{Unmatched: u, Elder: e, Priority: e.Priority(localToday())})
	}
	d.Paired = len(m.Suggestions) + len(m.Unmatched)
}

// handoverRows offers each waiting elder the volunteers with room who may
// serve them (their community's, or social volunteers of the street).
func handoverRows(hs []store.Handover, free []store.VolunteerLoad, sg []suggestionRow) []handoverRow {
	planned := map[int64]int64{}
	for _, s := range sg {
		planned[s.ElderID] = s.VolunteerID
	}
	var out []handoverRow
	for _, h := range hs {
		row := handoverRow{Handover: h, Suggested: planned[h.ElderID]}
		for _, v := range free {
			if v.ID != h.VolunteerID && v.Kind != "clinic" && (v.CommunityID == h.CommunityID || v.Kind == "social") {
				row.Candidates = append(row.Candidates, v)
			}
		}
		out = append(out, row)
	}
	return out
}

// picks reads the ticked suggestions with the volunteer chosen for each.
func picks(r *http.Request) ([]store.Pick, url.Values) {
	r.ParseForm()
	var out []store.Pick
	for _, id := range r.PostForm["pick"] {
		e, err1 := strconv.ParseInt(id, 10, 64)
		v, err2 := strconv.ParseInt(r.PostFormValue("volunteer_"+id), 10, 64)
		if err1 == nil && err2 == nil {
			out = append(out, store.Pick{ElderID: e, VolunteerID: v})
		}
	}
	return out, r.PostForm
}

// pairingAccept creates the ticked pairings in one go; when any is refused
// nothing is created and the page comes back with the reason on its row.
func (s *Server) pairingAccept(w http.ResponseWriter, r *http.Request, p *page) error {
	chosen, form := picks(r)
	if len(chosen) == 0 {
		p.Error = p.T("请勾选要接受的建议")
		return s.showPairing(w, r, p, form, nil, http.StatusUnprocessableEntity)
	}
	var ps []*store.Pairing
	for _, c := range chosen {
		ps = append(ps, &store.Pairing{ElderID: c.ElderID, VolunteerID: c.VolunteerID})
	}
	err := s.db.CreatePairings(r.Context(), p.Actor, ps)
	if care.ErrorCode(err) == care.EInvalid {
		rowErrs := map[int64]string{}
		for field, m := range err.(*care.Error).Fields {
			if i, ok := pairingIndex(field, len(chosen)); ok {
				rowErrs[chosen[i].ElderID] = m.In(p.Lang)
			}
		}
		p.Error = p.T("有建议无法接受，均未保存，请查看标出的行")
		return s.showPairing(w, r, p, form, rowErrs, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/pairing?"+backQuery(form)+"&accepted="+strconv.Itoa(len(ps)), http.StatusSeeOther)
	return nil
}

// pairingIndex reads N from "pairings.N.field", or 0 for a single pairing.
func pairingIndex(field string, n int) (int, bool) {
	if n == 1 {
		return 0, true
	}
	rest, ok := strings.CutPrefix(field, "pairings.")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, ".")
	i, err := strconv.Atoi(num)
	return i, err == nil && i < n
}

// pairingReject records the ticked suggestions as rejected, so the matcher
// stops making them.
func (s *Server) pairingReject(w http.ResponseWriter, r *http.Request, p *page) error {
	chosen, form := picks(r)
	if len(chosen) == 0 {
		p.Error = p.T("请勾选要否决的建议")
		return s.showPairing(w, r, p, form, nil, http.StatusUnprocessableEntity)
	}
	if err := s.db.RejectSuggestions(r.Context(), p.Actor, chosen, form.Get("reject_reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/pairing?"+backQuery(form)+"&rejected="+strconv.Itoa(len(chosen)), http.StatusSeeOther)
	return nil
}

// backQuery keeps the community and reach the staff were looking at.
func backQuery(form url.Values) string {
	q := url.Values{}
	for _, k := range []string{"community_id", "max"} {
		if v := form.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}
