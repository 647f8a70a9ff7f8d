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

type elderListData struct {
	Items       []care.Elder
	Total       int
	Query       url.Values
	Communities []care.Community
	Page, Pages int
	// ExportURL exports exactly the rows of the list: its filters, no page.
	ExportURL string
}

const perPage = 30

// elderFilterKeys are the query parameters of the elder list's filters.
var elderFilterKeys = []string{"q", "community_id", "category", "self_care", "status", "priority"}

// exportURL is the link that exports a list as filtered: each of keys
// that the list's query sets, encoded as a whole URL so that the template
// keeps its = and & (a value spliced after "?" in a template is escaped as
// one query value, and the export then ignored every filter).
func exportURL(path string, q url.Values, keys []string) string {
	out := url.Values{}
	for _, k := range keys {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	if len(out) == 0 {
		return path
	}
	return path + "?" + out.Encode()
}

// checkExportQuery refuses a parameter an export does not know (422 naming
// it): a mangled link such as ?category%3Dthree_no must not export
// everyone as if there were no filter.
func checkExportQuery(q url.Values, keys []string) error {
	fe := care.FieldErrors{}
	for k := range q {
		if !slices.Contains(keys, k) && k != "page" && k != "reveal_ids" && k != "csrf" {
			fe.Add(k, care.Msg{ZH: "不是可用的筛选条件", EN: "is not a filter of this list"})
		}
	}
	return fe.Err()
}

// elderFilter reads the elder list's filters, which the export takes
// too: a malformed number is refused (422), never read as "no filter".
func elderFilter(q url.Values) (store.ElderFilter, error) {
	f := store.ElderFilter{Category: q.Get("category"), SelfCare: q.Get("self_care"), Status: q.Get("status"), Q: q.Get("q")}
	if f.Status == "" {
		f.Status = store.StatusInService // the deceased and the moved only when asked for
	}
	fe := care.FieldErrors{}
	f.CommunityID = queryID(q, "community_id", fe)
	f.Priority = int(queryID(q, "priority", fe))
	return f, fe.Err()
}

// queryID reads an optional whole number of a query; a malformed one is
// named in fe.
func queryID(q url.Values, name string, fe care.FieldErrors) int64 {
	s := q.Get(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fe.Add(name, msgNumber)
	}
	return v
}

// queryCommunity reads a page's community_id filter as the API's lists
// do: empty is every community the actor sees, a malformed one is 422
// naming it (never "no filter"); one the actor may not see is the store's
// 404.
func queryCommunity(r *http.Request) (int64, error) {
	fe := care.FieldErrors{}
	id := queryID(r.URL.Query(), "community_id", fe)
	return id, fe.Err()
}

func (s *Server) elderList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	f, err := elderFilter(q)
	if err != nil {
		return err
	}
	f.Limit = perPage
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = max(pg, 1)
	f.Offset = (pg - 1) * perPage
	items, total, err := s.db.ListElders(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	p.Title, p.Active = "服务对象", "elders"
	p.Data = elderListData{Items: items, Total: total, Query: q, Communities: comms, Page: pg, Pages: (total + perPage - 1) / perPage,
		ExportURL: exportURL("/register/export/elders.xlsx", q, elderFilterKeys)}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "elder-results" {
		s.renderFragment(w, http.StatusOK, "elders", "elder-results", p)
		return nil
	}
	s.render(w, http.StatusOK, "elders", p)
	return nil
}

type elderFormData struct {
	Elder       *care.Elder
	Communities []care.Community
	Clinics     []care.Clinic
	New         bool
	Computed    int
	Contacts    []care.Contact
	// PreferText and RefuseText are the volunteer fields as shown: names
	// with their numbers, or the text typed before a refused post.
	PreferText, RefuseText string
	// Back is where 取消 leads: the page the user came from.
	Back string
}

func (s *Server) showElderForm(w http.ResponseWriter, r *http.Request, p *page, e *care.Elder, isNew bool, status int) error {
	comms, err := s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	if p.Actor.Role == care.RoleCommunity {
		comms = onlyCommunity(comms, p.Actor.CommunityID)
	}
	clinics, err := s.db.Clinics(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	contacts := append([]care.Contact{}, e.EmergencyContacts...)
	for len(contacts) < 2 {
		contacts = append(contacts, care.Contact{})
	}
	computed, _ := e.ComputePriority(s.db.Today())
	p.Active = "elders"
	p.Title = "登记服务对象"
	if !isNew {
		p.Title = "编辑"
	}
	back := "/elders"
	if !isNew {
		back += "/" + strconv.FormatInt(e.ID, 10)
	}
	p.Data = elderFormData{Elder: e, Communities: comms, Clinics: clinics, New: isNew, Computed: computed, Contacts: contacts,
		PreferText: s.pickText(r, p.Actor, "prefer", e.Wishes.Prefer), RefuseText: s.pickText(r, p.Actor, "refuse", e.Wishes.Refuse),
		Back: backFrom(r, back)}
	s.render(w, status, "elder_form", p)
	return nil
}

func onlyCommunity(cs []care.Community, id int64) []care.Community {
	for _, c := range cs {
		if c.ID == id {
			return []care.Community{c}
		}
	}
	return nil
}

func (s *Server) elderNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	e := &care.Elder{Status: "active", CommunityID: p.Actor.CommunityID} // consent is ticked by the person, never in advance
	return s.showElderForm(w, r, p, e, true, http.StatusOK)
}

// formFailed shows the form again with every field error: those of values
// that could not even be read (a malformed date) and those of validation.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, p *page, f *form, err error, show func(status int) error) error {
	if ce, ok := err.(*care.Error); ok && ce.Code != care.EInvalid {
		return err
	}
	if err == nil && len(f.errs) == 0 {
		return nil
	}
	merged := care.FieldErrors{}
	if ce, ok := err.(*care.Error); ok {
		for k, v := range ce.Fields {
			merged.Add(k, v)
		}
	} else if err != nil {
		return err
	}
	for k, v := range f.errs {
		merged[k] = v // the read error is the precise one
	}
	p.setError(merged.Err())
	return show(http.StatusUnprocessableEntity)
}

func (s *Server) elderCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	e := elderFromForm(f, s.db.Today())
	e.Wishes.Prefer, e.Wishes.Refuse = s.pickVolunteers(r.Context(), p.Actor, f, "prefer"), s.pickVolunteers(r.Context(), p.Actor, f, "refuse")
	var err error
	if len(f.errs) == 0 {
		err = s.db.CreateElder(r.Context(), p.Actor, e)
	} else {
		e.Normalize()
		err = e.Validate(s.db.Today(), true)
	}
	if err != nil || len(f.errs) > 0 {
		return s.formFailed(w, r, p, f, err, func(status int) error { return s.showElderForm(w, r, p, e, true, status) })
	}
	http.Redirect(w, r, "/elders/"+strconv.FormatInt(e.ID, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) elderEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	return s.showElderForm(w, r, p, e, false, http.StatusOK)
}

func (s *Server) elderFromPath(r *http.Request, p *page) (*care.Elder, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, care.ErrNotFound("服务对象 / elder")
	}
	return s.db.GetElder(r.Context(), p.Actor, id)
}

func (s *Server) elderUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	old, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	e := elderFromForm(f, s.db.Today())
	e.Wishes.Prefer, e.Wishes.Refuse = s.pickVolunteers(r.Context(), p.Actor, f, "prefer"), s.pickVolunteers(r.Context(), p.Actor, f, "refuse")
	e.ID, e.IDMasked = old.ID, old.IDMasked
	if len(f.errs) == 0 {
		err = s.db.UpdateElder(r.Context(), p.Actor, e, f.str("status_reason"))
	} else {
		e.Normalize()
		err = e.Validate(s.db.Today(), false)
	}
	if err != nil || len(f.errs) > 0 {
		return s.formFailed(w, r, p, f, err, func(status int) error { return s.showElderForm(w, r, p, e, false, status) })
	}
	http.Redirect(w, r, "/elders/"+strconv.FormatInt(e.ID, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

type elderPageData struct {
	Elder      *care.Elder
	Categories []string
	Age        int
	Priority   int
	Why        []care.Msg
	Team       []store.TeamMember
	History    []care.StatusChange
	Community  string
	Clinic     string
	Committee  *store.Committee // the community committee, in every circle
	Household  *store.Household // the current household (包户), if any
}

func (s *Server) elderShow(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	today := s.db.Today()
	d := elderPageData{Elder: e, Categories: e.AllCategories(today)}
	if !e.BirthDate.IsZero() {
		d.Age = care.Age(e.BirthDate, today)
	}
	d.Priority, d.Why = e.ComputePriority(today)
	if e.PriorityOverride != nil {
		d.Priority = *e.PriorityOverride
		d.Why = []care.Msg{{ZH: "人工调整：" + e.PriorityReason, EN: "set by staff: " + e.PriorityReason}}
	}
	if d.Team, err = s.db.ElderTeam(r.Context(), p.Actor, e.ID); err != nil {
		return err
	}
	d.Team = teamTimeline(d.Team) // who served when, relays in order
	if d.History, err = s.db.ElderStatusHistory(r.Context(), p.Actor, e.ID); err != nil {
		return err
	}
	if c, err := s.db.GetCommunity(r.Context(), p.Actor, e.CommunityID); err == nil {
		d.Community = c.Name
	}
	if c, err := s.db.CommitteeOf(r.Context(), p.Actor, e.CommunityID); err == nil {
		d.Committee = c
	}
	if d.Household, err = s.db.ElderHousehold(r.Context(), p.Actor, e.ID); err != nil {
		return err
	}
	if e.ClinicID != nil {
		if c, err := s.db.GetClinic(r.Context(), p.Actor, *e.ClinicID); err == nil {
			d.Clinic = c.Name
		}
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = p.T("已保存")
	}
	p.Title, p.Active, p.Data = e.Name, "elders", d
	s.render(w, http.StatusOK, "elder", p)
	return nil
}

// elderRevealID answers the full ID number as an htmx fragment; the store
// writes the reveal to the audit log.
func (s *Server) elderRevealID(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	plain, err := s.db.RevealElderID(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(`<span class="revealed" id="id-number">` + templateEscape(plain) + `</span>`))
	return nil
}

// queryFields name the fields of pages' queries for the error page.
var queryFields = map[string]care.Msg{
	"community_id": {ZH: "社区", EN: "community"},
	"street_id":    {ZH: "街道", EN: "street"},
	"priority":     {ZH: "优先级", EN: "priority"},
}

// invalidText is a 422 without a form to mark, as the error page says
// it: every field with its reason, "输入有误：社区（community_id）应为数字".
func invalidText(err error, lang string) string {
	ce, ok := err.(*care.Error)
	if !ok || len(ce.Fields) == 0 {
		return care.MessageIn(err, lang)
	}
	names := make([]string, 0, len(ce.Fields))
	for k := range ce.Fields {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		label := k
		if m, ok := queryFields[k]; ok {
			label = m.In(lang) + "（" + k + "）"
			if lang == "en" {
				label = m.In(lang) + " (" + k + ")"
			}
		}
		sep := ""
		if lang == "en" {
			sep = " "
		}
		parts[i] = label + sep + ce.Fields[k].In(lang)
	}
	if lang == "en" {
		return "Invalid input: " + strings.Join(parts, "; ")
	}
	return "输入有误：" + strings.Join(parts, "；")
}
