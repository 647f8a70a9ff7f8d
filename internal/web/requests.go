package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/request"
	"carecircle/internal/store"
)

// Requests for help (按需服务, issue 16 point 1; README "按需服务
// (requests)"). Community staff see their community's requests by status,
// the overdue ones flagged 超时, record a request (from a phone call, or the
// family through them), dispatch it to a suggested volunteer and follow it
// to the service record that fulfilled it. A volunteer's phone shows the
// requests dispatched to them with big buttons: accept, decline with a
// reason, done (record the service, and the request links to it). The
// elder's page lists the elder's requests. The rules are the store's.

var navRequests = []navItem{
	{"requests", "/requests", "按需服务", []string{"station", "community", "volunteer"}},
}

// routesRequests registers the requests pages.
func (s *Server) routesRequests(m *http.ServeMux) {
	m.Handle("GET /requests", s.auth(s.requestsPage))
	m.Handle("GET /requests/new", s.auth(s.requestNew))
	m.Handle("POST /requests", s.auth(s.requestCreate))
	m.Handle("GET /requests/{id}", s.auth(s.requestPage))
	m.Handle("POST /requests/{id}/dispatch", s.auth(s.requestDispatch))
	m.Handle("POST /requests/{id}/accept", s.auth(s.requestAccept))
	m.Handle("POST /requests/{id}/decline", s.auth(s.requestDecline))
	m.Handle("POST /requests/{id}/done", s.auth(s.requestDone))
	m.Handle("POST /requests/{id}/cancel", s.auth(s.requestCancel))
	m.Handle("GET /elders/{id}/requests", s.auth(s.elderRequests))
}

// requestRow is a request as the pages show it.
type requestRow struct {
	ID, ElderID          int64
	Elder, Address       string
	Phone                string
	What                 string // kind · type
	Kind, Type           string
	Urgency, UrgencyCode string
	Wanted               string
	Note                 string
	Channel              string
	Status, StatusLabel  string
	Assignee             string
	AssigneeID           int64
	Overdue              string // the flag's text, "" when in time
	Created              string
	CreatedBy            string
	Mine                 bool // dispatched to the volunteer looking
	ServiceID            int64
	ServiceLink          string // the record on the elder's card, when the viewer may see it
	Open                 bool   // not done nor cancelled
}

func (s *Server) toRequestRow(rq *store.Request, p *page) requestRow {
	what := care.Label(care.ServiceKinds, rq.Kind, p.Lang)
	if rq.Type != "" {
		what += " · " + care.ServiceTypeLabel(rq.Kind, rq.Type, p.Lang)
	}
	row := requestRow{ID: rq.ID, ElderID: rq.ElderID, Elder: rq.ElderName, Address: rq.ElderAddress, Phone: rq.ElderPhone, What: what,
		Kind: rq.Kind, Type: rq.Type, Urgency: request.Label(request.Urgencies, rq.Urgency).In(p.Lang), UrgencyCode: rq.Urgency,
		Wanted: rq.WantedBy.In(s.db.Loc).Format("01-02 15:04"), Note: rq.Note, Channel: request.Label(request.Channels, rq.Channel).In(p.Lang),
		Status: rq.Status, StatusLabel: request.Label(request.Statuses, rq.Status).In(p.Lang), Assignee: rq.AssigneeName,
		AssigneeID: rq.AssigneeID, Created: rq.CreatedAt.In(s.db.Loc).Format("2006-01-02 15:04"), CreatedBy: rq.CreatedBy,
		Mine: p.Actor.Role == care.RoleVolunteer && rq.AssigneeID == p.Actor.VolunteerID, ServiceID: rq.ServiceID,
		Open: rq.Status != request.Done && rq.Status != request.Cancelled}
	if rq.Overdue != "" {
		row.Overdue = request.Label(request.OverdueReasons, rq.Overdue).In(p.Lang)
	}
	return row
}

// requestFilters are the staff list's tabs.
var requestFilters = []care.Choice{
	{Code: "active", Label: care.Msg{ZH: "进行中", EN: "In progress"}},
	{Code: "overdue", Label: care.Msg{ZH: "超时", EN: "Overdue"}},
	{Code: request.Open, Label: care.Msg{ZH: "待派单", EN: "Open"}},
	{Code: request.Dispatched, Label: care.Msg{ZH: "待接单", EN: "Dispatched"}},
	{Code: request.Accepted, Label: care.Msg{ZH: "已接单", EN: "Accepted"}},
	{Code: request.Declined, Label: care.Msg{ZH: "被婉拒", EN: "Declined"}},
	{Code: request.Done, Label: care.Msg{ZH: "已完成", EN: "Done"}},
	{Code: request.Cancelled, Label: care.Msg{ZH: "已取消", EN: "Cancelled"}},
	{Code: "all", Label: care.Msg{ZH: "全部", EN: "All"}},
}

type requestTab struct {
	Code, Label string
	On          bool
}

type requestsPageData struct {
	Staff   bool
	Tabs    []requestTab
	Rows    []requestRow
	Mine    []requestRow // a volunteer's: dispatched to them, not done
	Circle  []requestRow // a volunteer's: of the elders of their circle
	Overdue int
}

// okText is the result line after an action (?ok=...).
var okText = map[string]string{
	"created": "已登记求助", "dispatched": "已派单，已通知志愿者", "accepted": "已接单，请按时上门", "declined": "已婉拒，社区将改派他人",
	"done": "已完成，已关联服务记录", "cancelled": "已取消",
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	d := &requestsPageData{Staff: p.Actor.EditsRegistry()}
	if msg, ok := okText[r.URL.Query().Get("ok")]; ok {
		p.Flash = p.T(msg)
	}
	if d.Staff {
		status := r.URL.Query().Get("status")
		if status == "" {
			status = "active"
		}
		filter := status
		if filter == "all" {
			filter = ""
		}
		for _, c := range requestFilters {
			d.Tabs = append(d.Tabs, requestTab{Code: c.Code, Label: c.Label.In(p.Lang), On: c.Code == status})
		}
		rs, err := s.db.Requests(ctx, p.Actor, store.RequestFilter{Status: filter})
		if err != nil {
			return err
		}
		for i := range rs {
			d.Rows = append(d.Rows, s.toRequestRow(&rs[i], p))
		}
		over, err := s.db.Requests(ctx, p.Actor, store.RequestFilter{Status: "overdue"})
		if err != nil {
			return err
		}
		d.Overdue = len(over)
	} else {
		rs, err := s.db.Requests(ctx, p.Actor, store.RequestFilter{Status: "active"})
		if err != nil {
			return err
		}
		for i := range rs {
			row := s.toRequestRow(&rs[i], p)
			if row.Mine {
				d.Mine = append(d.Mine, row)
			} else {
				d.Circle = append(d.Circle, row)
			}
		}
	}
	p.Title, p.Active, p.Data = p.T("按需服务"), "requests", d
	s.render(w, http.StatusOK, "requests", p)
	return nil
}

type elderOption struct {
	ID       int64
	Name     string
	Selected bool
}

type typeGroup struct {
	Kind, Label string
	Types       []care.Choice
}

type requestFormData struct {
	Elders    []elderOption
	Fixed     *elderOption // the elder, when the form came from their page
	Kinds     []care.Choice
	Groups    []typeGroup
	Urgencies []care.Choice
	Channels  []care.Choice
	Volunteer bool
	Wanted    string // default: two hours from now
	Now       string
}

func (s *Server) requestForm(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	ctx := r.Context()
	if !p.Actor.EditsRegistry() && p.Actor.Role != care.RoleVolunteer {
		return care.ErrForbidden()
	}
	now := s.db.Now().In(s.db.Loc)
	d := &requestFormData{Kinds: care.ServiceKinds, Urgencies: request.Urgencies, Volunteer: p.Actor.Role == care.RoleVolunteer,
		Wanted: now.Add(2 * time.Hour).Format("2006-01-02T15:04"), Now: now.Format("2006-01-02T15:04")}
	for _, c := range request.Channels {
		if !d.Volunteer || c.Code == "volunteer" {
			d.Channels = append(d.Channels, c)
		}
	}
	for _, k := range care.ServiceKinds {
		g := typeGroup{Kind: k.Code, Label: k.Label.In(p.Lang)}
		for _, t := range care.ServiceTypes {
			if t.Kind == k.Code {
				g.Types = append(g.Types, care.Choice{Code: t.Code, Label: t.Label})
			}
		}
		d.Groups = append(d.Groups, g)
	}
	chosen := r.URL.Query().Get("elder")
	if r.Method == http.MethodPost {
		chosen = r.PostFormValue("elder_id")
	}
	if id, err := strconv.ParseInt(chosen, 10, 64); err == nil && id > 0 && r.Method == http.MethodGet {
		e, err := s.db.GetElder(ctx, p.Actor, id)
		if err != nil {
			return err
		}
		d.Fixed = &elderOption{ID: e.ID, Name: e.Name, Selected: true}
	} else {
		es, _, err := s.db.ListElders(ctx, p.Actor, store.ElderFilter{Status: "active", Limit: 500})
		if err != nil {
			return err
		}
		for _, e := range es {
			d.Elders = append(d.Elders, elderOption{ID: e.ID, Name: e.Name + " " + strings.TrimSpace(e.Building+e.Unit+e.Room),
				Selected: strconv.FormatInt(e.ID, 10) == chosen})
		}
	}
	p.Title, p.Active, p.Data = p.T("记录求助"), "requests", d
	s.render(w, status, "request_form", p)
	return nil
}

func (s *Server) requestNew(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.requestForm(w, r, p, http.StatusOK)
}

func (s *Server) requestCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	bad := care.FieldErrors{}
	rq := &store.Request{Kind: r.PostFormValue("kind"), Type: r.PostFormValue("type"), Urgency: r.PostFormValue("urgency"),
		Channel: r.PostFormValue("channel"), Note: r.PostFormValue("note")}
	if v := strings.TrimSpace(r.PostFormValue("elder_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad.Add("elder_id", care.MsgBadChoice)
		}
		rq.ElderID = id
	}
	if t := s.formTime(r, "wanted_by", bad); t != nil {
		rq.WantedBy = *t
	}
	err := bad.Err()
	if err == nil {
		if err = s.db.CreateRequest(r.Context(), p.Actor, rq); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/requests/%d?ok=created", rq.ID), http.StatusSeeOther)
			return nil
		}
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
	}
	p.setError(err)
	return s.requestForm(w, r, p, http.StatusUnprocessableEntity)
}

type candidateRow struct {
	VolunteerID int64
	Name        string
	Why         []string
	First       bool
}

type recordOption struct {
	ID    int64
	Label string
}

type requestPageData struct {
	Req                                                    requestRow
	Events                                                 []requestEventRow
	Staff                                                  bool
	Candidates                                             []candidateRow
	Records                                                []recordOption // records of the elder that may complete it
	Types                                                  []care.Choice  // the kind's service types, for the volunteer's record
	CanRecord                                              bool           // the volunteer may record a service for the elder (their circle)
	CanDispatch, CanAccept, CanDecline, CanDone, CanCancel bool
	Now                                                    string
}

type requestEventRow struct {
	At, Status, Who, Volunteer, Reason string
}

func requestID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, care.ErrNotFound("求助 / request")
	}
	return id, nil
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showRequest(w, r, p, http.StatusOK)
}

func (s *Server) showRequest(w http.ResponseWriter, r *http.Request, p *page, status int) error {
	ctx := r.Context()
	id, err := requestID(r)
	if err != nil {
		return err
	}
	rq, err := s.db.GetRequest(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	if msg, ok := okText[r.URL.Query().Get("ok")]; ok && status == http.StatusOK {
		p.Flash = p.T(msg)
	}
	d := &requestPageData{Req: s.toRequestRow(rq, p), Staff: p.Actor.EditsRegistry(), Now: s.db.Now().In(s.db.Loc).Format("2006-01-02T15:04")}
	for _, e := range rq.Events {
		st := request.Label(request.Statuses, e.Status).In(p.Lang)
		if e.Status == "overdue" {
			st = p.T("超时")
		}
		reason := e.Reason
		if e.Status == "overdue" {
			reason = request.Label(request.OverdueReasons, e.Reason).In(p.Lang)
		}
		who := e.Actor
		if who == "system" {
			who = p.T("系统")
		}
		d.Events = append(d.Events, requestEventRow{At: e.At.In(s.db.Loc).Format("2006-01-02 15:04"), Status: st, Who: who,
			Volunteer: e.VolunteerName, Reason: reason})
	}
	open := rq.Status != request.Done && rq.Status != request.Cancelled
	if d.Staff {
		d.CanDispatch = request.CanMove(rq.Status, request.Dispatched)
		d.CanCancel = open
		d.CanDone = rq.Status == request.Accepted
		if d.CanDispatch {
			cs, err := s.db.RequestCandidates(ctx, p.Actor, id, 12)
			if err != nil {
				return err
			}
			for i, c := range cs {
				d.Candidates = append(d.Candidates, candidateRow{VolunteerID: c.VolunteerID, Name: c.Name, Why: candidateWhy(c, p), First: i == 0})
			}
		}
	} else if d.Req.Mine {
		d.CanAccept = rq.Status == request.Dispatched
		d.CanDecline = rq.Status == request.Dispatched
		d.CanDone = rq.Status == request.Accepted
		if d.CanDone {
			// Whether of the circle or dispatched from nearby, the
			// assignee records the service (the store allows it while
			// the request is accepted).
			d.CanRecord = true
			for _, t := range care.ServiceTypes {
				if t.Kind == rq.Kind {
					d.Types = append(d.Types, care.Choice{Code: t.Code, Label: t.Label})
				}
			}
		}
	}
	if d.CanDone && (d.Staff || d.CanRecord) {
		d.Records = s.fulfilling(r, p, rq)
	}
	if rq.ServiceID > 0 {
		if rec, err := s.db.GetRecord(ctx, p.Actor, rq.ServiceID); err == nil {
			d.Req.ServiceLink = fmt.Sprintf("/elders/%d/card?month=%s#record-%d", rec.ElderID, rec.Month, rec.ID)
		}
	}
	p.Title, p.Active, p.Data = p.T("求助")+" · "+rq.ElderName, "requests", d
	s.render(w, status, "request", p)
	return nil
}

// candidateWhy says why a volunteer is suggested: 圈内, the skills that
// suit the kind, the distance, the current load.
func candidateWhy(c store.RequestCandidate, p *page) []string {
	var why []string
	if c.InCircle {
		why = append(why, p.T("圈内"))
	}
	if len(c.Fits) > 0 {
		why = append(why, p.T("技能")+"："+strings.Join(c.Fits, "、"))
	}
	if c.Metres >= 0 {
		if c.Metres < 1000 {
			why = append(why, p.T("距离")+" "+strconv.Itoa(int(c.Metres+0.5))+" "+p.T("米"))
		} else {
			why = append(why, p.T("距离")+" "+strconv.FormatFloat(c.Metres/1000, 'f', 1, 64)+" "+p.T("公里"))
		}
	}
	why = append(why, p.T("当前负担")+" "+strconv.Itoa(c.Load)+" "+p.T("件"))
	if c.Declined {
		why = append(why, p.T("曾婉拒本求助"))
	}
	return why
}

// fulfilling lists the elder's records that may complete the request:
// from the day it was made, not amendments nor struck out; a volunteer's
// own only.
func (s *Server) fulfilling(r *http.Request, p *page, rq *store.Request) []recordOption {
	var out []recordOption
	made := rq.CreatedAt.In(s.db.Loc)
	day := time.Date(made.Year(), made.Month(), made.Day(), 0, 0, 0, 0, s.db.Loc)
	now := s.db.Now().In(s.db.Loc)
	for m := time.Date(made.Year(), made.Month(), 1, 0, 0, 0, 0, s.db.Loc); !m.After(now); m = m.AddDate(0, 1, 0) {
		c, err := s.db.GetCard(r.Context(), p.Actor, rq.ElderID, m.Format("2006-01"))
		if err != nil {
			return out
		}
		for _, e := range c.Entries {
			if e.Voided || e.Amends != nil || e.At.Before(day) {
				continue
			}
			if p.Actor.Role == care.RoleVolunteer && (e.VolunteerID == nil || *e.VolunteerID != p.Actor.VolunteerID) {
				continue
			}
			out = append(out, recordOption{ID: e.ID, Label: e.At.In(s.db.Loc).Format("01-02 15:04") + " " +
				care.ServiceTypeLabel(e.Kind, e.Type, p.Lang) + " · " + e.ServedBy})
		}
	}
	return out
}

// requestRefused shows the request again with the reasons at the form's
// fields, or returns an error that is not the form's.
func (s *Server) requestRefused(w http.ResponseWriter, r *http.Request, p *page, err error) error {
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	p.setError(err)
	return s.showRequest(w, r, p, http.StatusUnprocessableEntity)
}

func (s *Server) requestAction(w http.ResponseWriter, r *http.Request, p *page, ok string, act func(id int64) error) error {
	id, err := requestID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := act(id); err != nil {
		return s.requestRefused(w, r, p, err)
	}
	target := fmt.Sprintf("/requests/%d?ok=%s", id, ok)
	if ok == "declined" && p.Actor.Role == care.RoleVolunteer {
		target = "/requests?ok=declined" // no longer theirs to see, unless of their circle
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) requestDispatch(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.requestAction(w, r, p, "dispatched", func(id int64) error {
		v, err := strconv.ParseInt(r.PostFormValue("volunteer_id"), 10, 64)
		if err != nil || v <= 0 {
			return care.FieldErrors{"volunteer_id": {ZH: "请选择一位志愿者", EN: "choose a volunteer"}}.Err()
		}
		return s.db.Dispatch(r.Context(), p.Actor, id, v)
	})
}

func (s *Server) requestAccept(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.requestAction(w, r, p, "accepted", func(id int64) error { return s.db.AcceptRequest(r.Context(), p.Actor, id) })
}

func (s *Server) requestDecline(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.requestAction(w, r, p, "declined", func(id int64) error {
		return s.db.DeclineRequest(r.Context(), p.Actor, id, r.PostFormValue("reason"))
	})
}

func (s *Server) requestCancel(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.requestAction(w, r, p, "cancelled", func(id int64) error {
		return s.db.CancelRequest(r.Context(), p.Actor, id, r.PostFormValue("reason"))
	})
}

// requestDone completes a request with a record chosen (service_id) or,
// for the volunteer, one recorded now from the form (type, time, note):
// the record is stored, then the request is linked to it.
func (s *Server) requestDone(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.requestAction(w, r, p, "done", func(id int64) error {
		ctx := r.Context()
		if v := strings.TrimSpace(r.PostFormValue("service_id")); v != "" || p.Actor.Role != care.RoleVolunteer {
			sid, err := strconv.ParseInt(v, 10, 64)
			if err != nil || sid <= 0 {
				return care.FieldErrors{"service_id": {ZH: "请选择完成本求助的服务记录", EN: "choose the service record that fulfilled it"}}.Err()
			}
			return s.db.DoneRequest(ctx, p.Actor, id, sid)
		}
		rq, err := s.db.GetRequest(ctx, p.Actor, id)
		if err != nil {
			return err
		}
		if rq.Status != request.Accepted {
			return care.FieldErrors{"status": {ZH: "请先接单", EN: "accept it first"}}.Err()
		}
		bad := care.FieldErrors{}
		rec := &care.ServiceRecord{ElderID: rq.ElderID, Kind: rq.Kind, Type: r.PostFormValue("type"), Note: r.PostFormValue("note"), At: s.db.Now()}
		if t := s.formTime(r, "at", bad); t != nil {
			rec.At = *t
		}
		rec.EndAt = s.formTime(r, "end_at", bad)
		if err := bad.Err(); err != nil {
			return err
		}
		if err := s.db.AddService(ctx, p.Actor, rec, store.Proof{}); err != nil {
			return err
		}
		return s.db.DoneRequest(ctx, p.Actor, id, rec.ID)
	})
}

// elderRequests is the elder's page's list of their requests (a fragment).
func (s *Server) elderRequests(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	var rows []requestRow
	if p.Actor.EditsRegistry() || p.Actor.Role == care.RoleVolunteer {
		rs, err := s.db.Requests(r.Context(), p.Actor, store.RequestFilter{ElderID: e.ID, Limit: 20})
		if err != nil {
			return err
		}
		for i := range rs {
			rows = append(rows, s.toRequestRow(&rs[i], p))
		}
	}
	s.renderFragmentData(w, http.StatusOK, "requests", "elder-requests-list", map[string]any{"Page": p, "Rows": rows, "ElderID": e.ID})
	return nil
}
