package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Households (包户, README "包户 / Households"): community staff form a
// household from elders of one community, chosen by name, add and end
// members (with a reason; the history stays and is shown), and pair the
// whole household with one volunteer, the matcher's suggestion first. The
// station reads them and sets the street's rule whether a household counts
// once against a volunteer's capacity. The volunteer records one visit for
// the whole household from the record page (services_today.go).

var navHouseholds = []navItem{
	{"households", "/households", "包户", []string{"station", "community"}},
}

func (s *Server) routesHouseholds(m *http.ServeMux) {
	m.Handle("GET /households", s.auth(s.householdsPage))
	m.Handle("POST /households", s.auth(s.householdCreate))
	m.Handle("POST /households/policy", s.auth(s.householdPolicy))
	m.Handle("GET /households/{id}", s.auth(s.householdPage))
	m.Handle("POST /households/{id}/members", s.auth(s.householdAddMember))
	m.Handle("POST /households/{id}/members/{elder}/end", s.auth(s.householdEndMember))
	m.Handle("POST /households/{id}/pair", s.auth(s.householdPair))
}

// householdSlots is how many elders the form to form a household offers.
const householdSlots = 4

type householdsData struct {
	Items       []store.Household
	Communities []care.Community
	CommunityID int64
	All         bool
	Edit        bool // the actor may form and change households
	Station     bool
	CountsOnce  bool
	// Names are the elders the actor may put in a household, "名字 #id",
	// for the pickers' list.
	Names []string
	// The form, as typed.
	Name, Note string
	Slots      []string
	// PolicyNotice confirms the rule just saved.
	PolicyNotice string
}

func (s *Server) householdsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	switch r.URL.Query().Get("saved") {
	case "policy":
		p.Flash = p.T("已保存")
	}
	d := householdsData{Slots: make([]string, householdSlots)}
	// From an elder's page: that elder is the first of the new household.
	if id, err := strconv.ParseInt(r.URL.Query().Get("elder"), 10, 64); err == nil {
		if e, err := s.db.GetElder(r.Context(), p.Actor, id); err == nil {
			d.Slots[0] = e.Name + " #" + strconv.FormatInt(e.ID, 10)
		}
	}
	return s.showHouseholds(w, r, p, d, http.StatusOK)
}

func (s *Server) showHouseholds(w http.ResponseWriter, r *http.Request, p *page, d householdsData, status int) error {
	ctx := r.Context()
	q := r.URL.Query()
	d.CommunityID, _ = strconv.ParseInt(q.Get("community_id"), 10, 64)
	d.All = q.Get("all") == "1"
	d.Edit, d.Station = p.Actor.EditsRegistry(), p.Actor.Role == care.RoleStation
	var err error
	if d.Items, err = s.db.Households(ctx, p.Actor, d.CommunityID, d.All); err != nil {
		return err
	}
	if d.Communities, err = s.db.Communities(ctx, p.Actor); err != nil {
		return err
	}
	if d.CountsOnce, err = s.db.HouseholdCountsOnce(ctx, p.Actor); err != nil {
		return err
	}
	if d.Names, err = s.householdNames(ctx, p.Actor, d.CommunityID, nil); err != nil {
		return err
	}
	for len(d.Slots) < householdSlots {
		d.Slots = append(d.Slots, "")
	}
	p.Title, p.Active, p.Data = p.T("包户"), "households", d
	s.render(w, status, "households", p)
	return nil
}

// householdNames lists the active elders of a community (0: the actor's
// scope) not in a current household, as "名字 #id", for the pickers.
func (s *Server) householdNames(ctx context.Context, a care.Actor, communityID int64, skip map[int64]bool) ([]string, error) {
	es, _, err := s.db.ListElders(ctx, a, store.ElderFilter{CommunityID: communityID, Status: "active", Limit: 500})
	if err != nil {
		return nil, err
	}
	hs, err := s.db.Households(ctx, a, communityID, false)
	if err != nil {
		return nil, err
	}
	in := map[int64]bool{}
	for _, h := range hs {
		for _, m := range h.CurrentMembers() {
			in[m.ElderID] = true
		}
	}
	var out []string
	for _, e := range es {
		if !in[e.ID] && !skip[e.ID] {
			out = append(out, e.Name+" #"+strconv.FormatInt(e.ID, 10))
		}
	}
	return out, nil
}

// pickElder reads an elder typed in field: "name #id", a bare record
// number, or a name only one elder of the community (0: the actor's scope)
// bears. A problem is added to the form under errField.
func (s *Server) pickElder(ctx context.Context, a care.Actor, f *form, typed, errField string, communityID int64) int64 {
	t := strings.TrimSpace(typed)
	if m := pickNumber.FindStringSubmatch(t); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	if id, err := strconv.ParseInt(t, 10, 64); err == nil {
		return id
	}
	es, _, err := s.db.ListElders(ctx, a, store.ElderFilter{CommunityID: communityID, Q: t, Limit: 50})
	if err != nil {
		f.errs.Add(errField, care.Msg{ZH: "无法查找老人", EN: "could not look elders up"})
		return 0
	}
	var same []int64
	for _, e := range es {
		if e.Name == t {
			same = append(same, e.ID)
		}
	}
	switch len(same) {
	case 1:
		return same[0]
	case 0:
		f.errs.Add(errField, care.Msg{ZH: fmt.Sprintf("没有名叫“%s”的老人，请输入姓名后从列表中选择", t),
			EN: fmt.Sprintf("no elder named %q; type a name and choose from the list", t)})
	default:
		f.errs.Add(errField, care.Msg{ZH: fmt.Sprintf("有 %d 位老人名叫“%s”，请从列表中选择其中一位", len(same), t),
			EN: fmt.Sprintf("%d elders are named %q; choose one from the list", len(same), t)})
	}
	return 0
}

// householdCreate forms a household of the elders typed in the slots.
func (s *Server) householdCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	ctx := r.Context()
	f := newForm(r)
	h := &store.Household{Name: f.str("name"), Note: f.str("note")}
	d := householdsData{Name: h.Name, Note: h.Note}
	var ids []int64
	var slot []int // the form's slot of each id
	for i := range householdSlots {
		field := "elder." + strconv.Itoa(i)
		typed := f.str(field)
		d.Slots = append(d.Slots, typed)
		if typed == "" {
			continue
		}
		if id := s.pickElder(ctx, p.Actor, f, typed, "elder_ids."+strconv.Itoa(i), 0); id > 0 {
			ids, slot = append(ids, id), append(slot, i)
		}
	}
	err := f.errs.Err()
	if err == nil {
		err = s.db.CreateHousehold(ctx, p.Actor, h, ids, f.date("from"))
		// The store names each elder by its place in the list; the
		// form by its slot.
		if ce, ok := err.(*care.Error); ok && ce.Fields != nil {
			moved := care.FieldErrors{}
			for k, m := range ce.Fields {
				if n, ok := strings.CutPrefix(k, "elder_ids."); ok {
					if i, err := strconv.Atoi(n); err == nil && i < len(slot) {
						k = "elder_ids." + strconv.Itoa(slot[i])
					}
				}
				moved[k] = m
			}
			ce.Fields = moved
		}
	}
	if err == nil {
		http.Redirect(w, r, "/households/"+strconv.FormatInt(h.ID, 10)+"?done=created", http.StatusSeeOther)
		return nil
	}
	if !refusable(err) {
		return err
	}
	p.setError(err)
	return s.showHouseholds(w, r, p, d, refusalStatus(err))
}

// householdPolicy sets the street's rule: a household takes one place of
// its volunteer, or one per member. The answer replaces the section.
func (s *Server) householdPolicy(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f := newForm(r)
	v := f.str("counts_once")
	if v != "1" && v != "0" {
		f.errs.Add("counts_once", care.Msg{ZH: "请选择计为一户或按人数计", EN: "choose once per household or per member"})
	}
	err := f.errs.Err()
	if err == nil {
		err = s.db.SetHouseholdCountsOnce(r.Context(), p.Actor, v == "1")
	}
	if err != nil && !refusable(err) {
		return err
	}
	if r.Header.Get("HX-Request") != "true" {
		if err == nil {
			http.Redirect(w, r, "/households?saved=policy#household-policy", http.StatusSeeOther)
			return nil
		}
		p.setError(err)
		return s.showHouseholds(w, r, p, householdsData{}, refusalStatus(err))
	}
	d := householdsData{Station: true}
	status := http.StatusOK
	if err != nil {
		p.setError(err)
		status = refusalStatus(err)
	} else {
		d.PolicyNotice = p.T("已保存")
	}
	if d.CountsOnce, err = s.db.HouseholdCountsOnce(r.Context(), p.Actor); err != nil {
		return err
	}
	s.renderFragmentData(w, status, "households", "household-policy", map[string]any{"Page": p, "Item": d})
	return nil
}

type householdData struct {
	H          *store.Household
	Edit       bool
	CountsOnce bool
	// Teams are each current member's neighbour volunteers now.
	Teams map[int64][]store.TeamMember
	// Suggested are the volunteers the matcher proposes for the
	// household's waiting members, the household kept together.
	Suggested []householdSuggestion
	Names     []string // elders who may join, for the picker
	// Done confirms what was just stored.
	Done string
}

type householdSuggestion struct {
	VolunteerID int64
	Name        string
	DistanceM   float64
	Reason      string
	Members     []string
}

func (s *Server) householdFromPath(r *http.Request, p *page) (*store.Household, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, care.ErrNotFound("户 / household")
	}
	return s.db.GetHousehold(r.Context(), p.Actor, id)
}

func (s *Server) householdPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	h, err := s.householdFromPath(r, p)
	if err != nil {
		return err
	}
	return s.showHousehold(w, r, p, h, http.StatusOK)
}

var householdDone = map[string]string{
	"created": "已建立包户",
	"added":   "已加入本户",
	"ended":   "已移出本户，记录保留在历史中",
	"paired":  "已与全户结对",
}

func (s *Server) showHousehold(w http.ResponseWriter, r *http.Request, p *page, h *store.Household, status int) error {
	ctx := r.Context()
	d := householdData{H: h, Edit: p.Actor.EditsRegistry(), Teams: map[int64][]store.TeamMember{}, CountsOnce: h.CountsOnce}
	if msg, ok := householdDone[r.URL.Query().Get("done")]; ok && status == http.StatusOK {
		d.Done = p.T(msg)
		if n := r.URL.Query().Get("n"); n != "" {
			d.Done += p.T("：") + n + " " + p.T("位老人")
		}
	}
	cur := map[int64]bool{}
	for _, m := range h.CurrentMembers() {
		cur[m.ElderID] = true
		team, err := s.db.ElderTeam(ctx, p.Actor, m.ElderID)
		if err != nil {
			return err
		}
		for _, t := range team {
			if t.EndedOn == nil {
				d.Teams[m.ElderID] = append(d.Teams[m.ElderID], t)
			}
		}
	}
	if d.Edit && len(cur) >= 2 {
		if m, err := s.db.SuggestPairings(ctx, p.Actor, store.MatchScope{CommunityID: h.CommunityID}); err == nil {
			d.Suggested = householdSuggestions(m, h, p.Lang)
		} else if !refusable(err) {
			return err
		}
	}
	if d.Edit {
		var err error
		if d.Names, err = s.householdNames(ctx, p.Actor, h.CommunityID, cur); err != nil {
			return err
		}
	}
	p.Title, p.Active, p.Data = p.T("包户")+" · "+householdTitle(h, p), "households", d
	s.render(w, status, "household", p)
	return nil
}

// householdTitle is the household's name, else its current members'.
func householdTitle(h *store.Household, p *page) string {
	if h.Name != "" {
		return h.Name
	}
	var names []string
	for _, m := range h.CurrentMembers() {
		names = append(names, m.ElderName)
	}
	if len(names) == 0 {
		return "#" + strconv.FormatInt(h.ID, 10)
	}
	return strings.Join(names, p.T("、"))
}

// householdSuggestions are the matcher's volunteers for the household's
// current members, one row per volunteer with the members it would serve.
func householdSuggestions(m *store.Matching, h *store.Household, lang string) []householdSuggestion {
	names := map[int64]string{}
	for _, mb := range h.CurrentMembers() {
		names[mb.ElderID] = mb.ElderName
	}
	var out []householdSuggestion
	for _, sg := range m.Suggestions {
		name, ok := names[sg.ElderID]
		if !ok {
			continue
		}
		i := slices.IndexFunc(out, func(x householdSuggestion) bool { return x.VolunteerID == sg.VolunteerID })
		if i < 0 {
			out = append(out, householdSuggestion{VolunteerID: sg.VolunteerID, Name: m.Volunteers[sg.VolunteerID].Name,
				DistanceM: sg.DistanceM, Reason: sg.Reason.In(lang)})
			i = len(out) - 1
		}
		out[i].Members = append(out[i].Members, name)
	}
	return out
}

func (s *Server) householdRefused(w http.ResponseWriter, r *http.Request, p *page, h *store.Household, err error) error {
	if !refusable(err) {
		return err
	}
	p.setError(err)
	// Show the household as it is now.
	if fresh, ferr := s.db.GetHousehold(r.Context(), p.Actor, h.ID); ferr == nil {
		h = fresh
	}
	return s.showHousehold(w, r, p, h, refusalStatus(err))
}

func (s *Server) householdAddMember(w http.ResponseWriter, r *http.Request, p *page) error {
	h, err := s.householdFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	var id int64
	if typed := f.str("elder"); typed == "" {
		f.errs.Add("elder_id", care.Msg{ZH: "请输入老人姓名后从列表中选择", EN: "type a name and choose from the list"})
	} else {
		id = s.pickElder(r.Context(), p.Actor, f, typed, "elder_id", h.CommunityID)
	}
	from := f.date("from")
	err = f.errs.Err()
	if err == nil {
		err = s.db.AddHouseholdMember(r.Context(), p.Actor, h.ID, id, from)
	}
	if err != nil {
		return s.householdRefused(w, r, p, h, err)
	}
	http.Redirect(w, r, "/households/"+strconv.FormatInt(h.ID, 10)+"?done=added", http.StatusSeeOther)
	return nil
}

func (s *Server) householdEndMember(w http.ResponseWriter, r *http.Request, p *page) error {
	h, err := s.householdFromPath(r, p)
	if err != nil {
		return err
	}
	elder, err := strconv.ParseInt(r.PathValue("elder"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	f := newForm(r)
	to := f.date("to")
	err = f.errs.Err()
	if err == nil {
		err = s.db.EndHouseholdMember(r.Context(), p.Actor, h.ID, elder, to, f.str("reason"))
	}
	if err != nil {
		return s.householdRefused(w, r, p, h, err)
	}
	http.Redirect(w, r, "/households/"+strconv.FormatInt(h.ID, 10)+"?done=ended", http.StatusSeeOther)
	return nil
}

// householdPair pairs every current member with one volunteer: a
// suggestion's button (volunteer_id) or a volunteer typed by name.
func (s *Server) householdPair(w http.ResponseWriter, r *http.Request, p *page) error {
	h, err := s.householdFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	vid := f.int64("volunteer_id")
	if vid == 0 {
		if ids := s.pickVolunteers(r.Context(), p.Actor, f, "volunteer"); len(ids) == 1 {
			vid = ids[0]
		} else if len(ids) > 1 {
			f.errs.Add("volunteer", care.Msg{ZH: "全户只与一位志愿者结对", EN: "a household is paired with one volunteer"})
		} else if f.str("volunteer") == "" {
			f.errs.Add("volunteer", care.Msg{ZH: "请输入志愿者姓名后从列表中选择", EN: "type a volunteer's name and choose from the list"})
		}
	}
	from := f.date("started_on")
	err = f.errs.Err()
	var made []*store.Pairing
	if err == nil {
		made, err = s.db.PairHousehold(r.Context(), p.Actor, h.ID, vid, from)
	}
	if err != nil {
		return s.householdRefused(w, r, p, h, err)
	}
	http.Redirect(w, r, "/households/"+strconv.FormatInt(h.ID, 10)+"?done=paired&n="+url.QueryEscape(strconv.Itoa(len(made))), http.StatusSeeOther)
	return nil
}
