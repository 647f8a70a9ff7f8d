package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/activity"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Activities (活动, issue 15 point 1, README "活动 (activities)"): staff
// plan an activity or a series — from scratch or from the documents' two
// templates (敬老院一日探访, 五个阶段系列活动（每月一次）) —, tick the preparation
// checklist, correct attendance, name the elders who took part, keep
// photos and files, and finish it with a summary (活动结束), which credits
// the present volunteers' hours. Volunteers see the activities open to them
// on the phone (activities_phone.go): 报名 / 取消报名, 签到 on the day, and
// the checklist items they own.

var navActivities = []navItem{
	{"activities", "/activities", "活动", []string{"station", "community", "volunteer"}},
}

func (s *Server) routesActivities(m *http.ServeMux) {
	m.Handle("GET /activities", s.auth(s.activitiesPage))
	m.Handle("GET /activities/new", s.auth(s.activityNew))
	m.Handle("POST /activities", s.auth(s.activityCreate))
	m.Handle("GET /activities/{id}", s.auth(s.activityPage))
	m.Handle("POST /activities/{id}/checklist", s.auth(s.activityAddItem))
	m.Handle("POST /activities/{id}/checklist/{item}", s.auth(s.activityTick))
	m.Handle("POST /activities/{id}/attendance", s.auth(s.activityAddAttendance))
	m.Handle("POST /activities/{id}/attendance/{volunteer}", s.auth(s.activityAttendance))
	m.Handle("POST /activities/{id}/elders", s.auth(s.activityElders))
	m.Handle("POST /activities/{id}/finish", s.auth(s.activityFinish))
	m.Handle("POST /activities/{id}/signup", s.auth(s.activitySignUp))
	m.Handle("POST /activities/{id}/cancel-signup", s.auth(s.activityCancelSignup))
	m.Handle("POST /activities/{id}/checkin", s.auth(s.activityCheckIn))
	s.routesActivityEdit(m)
}

type activitiesData struct {
	Statuses    []care.Choice
	Upcoming    []activity.Activity // planned, from today on, soonest first
	Past        []activity.Activity // held, cancelled, or planned days gone by
	Communities []care.Community
	CommunityID int64
	CanPlan     bool
}

func (s *Server) activitiesPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role == care.RoleVolunteer {
		return s.volunteerActivitiesPage(w, r, p)
	}
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	ctx := r.Context()
	d := activitiesData{CanPlan: true, Statuses: activity.Statuses}
	d.CommunityID, _ = strconv.ParseInt(r.URL.Query().Get("community_id"), 10, 64)
	list, err := s.db.Activities(ctx, p.Actor, store.ActivityFilter{CommunityID: d.CommunityID})
	if err != nil {
		return err
	}
	today := s.db.Today()
	for _, x := range list {
		if x.Status == activity.StatusPlanned && !x.Date.Before(today) {
			d.Upcoming = append([]activity.Activity{x}, d.Upcoming...) // the list is newest first
		} else {
			d.Past = append(d.Past, x)
		}
	}
	if d.Communities, err = s.db.Communities(ctx, p.Actor); err != nil {
		return err
	}
	p.Title, p.Active, p.Data = p.T("活动"), "activities", d
	s.render(w, http.StatusOK, "activities", p)
	return nil
}

type activityNewData struct {
	Communities []care.Community
	Station     bool
	Templates   []care.Choice
	Mode        string
	CommunityID string
	Typed       map[string]string
	EditID      int64 // Mode "edit": the activity changed (activities_edit.go)
}

var activityFields = []string{"theme", "date", "start_time", "end_time", "place", "cap", "organisers", "participants",
	"background", "purposes", "safety", "content", "preparation", "expected", "checklist", "stages"}

func (s *Server) activityNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	mode := r.URL.Query().Get("mode")
	if mode == "" {
		mode = "single"
	}
	return s.showActivityNew(w, r, p, activityNewData{Mode: mode, Typed: map[string]string{"start_time": "09:00", "end_time": "11:00"}}, http.StatusOK)
}

func (s *Server) showActivityNew(w http.ResponseWriter, r *http.Request, p *page, d activityNewData, status int) error {
	var err error
	if d.Communities, err = s.db.Communities(r.Context(), p.Actor); err != nil {
		return err
	}
	d.Station, d.Templates = p.Actor.Role == care.RoleStation, activity.Templates
	p.Title, p.Active, p.Data = p.T("策划活动"), "activities", d
	s.render(w, status, "activity_new", p)
	return nil
}

// activityCreate plans an activity: from a template (the documents' steps,
// rules and checklists, on the date given), from scratch (one activity
// with its checklist, one item a line) or a series from scratch (one stage
// a line: "2026-01-10 主题").
func (s *Server) activityCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	ctx := r.Context()
	f := newForm(r)
	d := activityNewData{Mode: f.str("mode"), CommunityID: f.str("community_id"), Typed: map[string]string{}}
	for _, k := range activityFields {
		d.Typed[k] = f.str(k)
	}
	community := p.Actor.CommunityID
	if p.Actor.Role == care.RoleStation {
		community = f.int64("community_id")
	}
	date := f.date("date")
	var id int64
	var err error
	switch d.Mode {
	case activity.TemplateNursingHome, activity.TemplateMonthlySeries:
		if err = f.errs.Err(); err == nil {
			_, id, err = s.db.CreateFromTemplate(ctx, p.Actor, d.Mode, community, date)
		}
	case "single", "series":
		x := activity.Activity{CommunityID: community, Theme: f.str("theme"), Date: date, StartTime: f.str("start_time"), EndTime: f.str("end_time"),
			Place: f.str("place"), Cap: f.int("cap"), Organisers: f.str("organisers"), Participants: f.str("participants"),
			Background: f.str("background"), Purposes: f.str("purposes"), Safety: f.str("safety"), Content: f.str("content"),
			Preparation: f.str("preparation"), Expected: f.str("expected"), Status: activity.StatusPlanned}
		var items []activity.ChecklistItem
		for _, line := range strings.Split(f.str("checklist"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, activity.ChecklistItem{Item: line})
			}
		}
		if d.Mode == "single" {
			if err = f.errs.Err(); err == nil {
				err = s.db.CreateActivity(ctx, p.Actor, &x, items)
				id = x.ID
			}
			break
		}
		sr := activity.Series{CommunityID: community, Theme: x.Theme, Background: x.Background, Purposes: x.Purposes,
			Organisers: x.Organisers, Safety: x.Safety}
		byStage := map[int][]activity.ChecklistItem{}
		for _, line := range strings.Split(f.str("stages"), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			day, theme, _ := strings.Cut(line, " ")
			st := x
			st.Theme = strings.TrimSpace(theme)
			if st.Theme == "" {
				st.Theme = x.Theme
			}
			t, perr := time.Parse("2006-01-02", strings.TrimSpace(day))
			if perr != nil {
				f.errs.Add("stages", care.Msg{ZH: "每行一个阶段：日期 主题，例如 2026-01-10 健康讲座（“" + line + "”有误）",
					EN: "one stage a line: date theme, e.g. 2026-01-10 Health talk (\"" + line + "\" is not)"})
				continue
			}
			st.Date = t
			sr.Stages = append(sr.Stages, st)
			byStage[len(sr.Stages)] = items
		}
		if err = f.errs.Err(); err == nil {
			err = s.db.CreateSeries(ctx, p.Actor, &sr, byStage)
			if err == nil && len(sr.Stages) > 0 {
				id = sr.Stages[0].ID
			}
		}
	default:
		err = care.FieldErrors{"mode": care.MsgBadChoice}.Err()
	}
	if err == nil {
		http.Redirect(w, r, "/activities/"+strconv.FormatInt(id, 10)+"?done=created", http.StatusSeeOther)
		return nil
	}
	if !refusable(err) {
		return err
	}
	p.setError(err)
	return s.showActivityNew(w, r, p, d, refusalStatus(err))
}

// itemRow is a checklist item as a page shows it: whether this user may
// tick it, and the answer to a tick.
type itemRow struct {
	activity.ChecklistItem
	CanTick         bool
	Notice, Refusal string
}

func itemRowOf(p *page, it activity.ChecklistItem, canEdit bool) itemRow {
	return itemRow{ChecklistItem: it, CanTick: canEdit || (p.Actor.Role == care.RoleVolunteer && it.OwnerVolunteerID == p.Actor.VolunteerID)}
}

// signupRow is a sign-up with staff's correction form and its answer.
type signupRow struct {
	activity.Signup
	CanEdit         bool
	Notice, Refusal string
}

type activityData struct {
	Statuses    []care.Choice
	Items       []itemRow
	Signups     []signupRow
	D           *store.ActivityDetail
	Today       bool             // the activity is today
	Minutes     int              // its standard attendance minutes
	Attachments *attachmentsView // photos and files (attachments.go), nil when not readable
	// Own is the volunteer's own sign-up, if any.
	Own     *activity.Signup
	Done    string
	Elders  string   // the elders who took part, as the field shows them
	Names   []string // elders for the picker
	Back    string
	IsStaff bool
}

var activityDone = map[string]string{
	"created":   "已策划活动",
	"elders":    "已保存参加的老人",
	"finished":  "活动已结束，志愿者时长已记入",
	"item":      "已添加准备事项",
	"updated":   "已保存修改",
	"cancelled": "活动已取消",
}

func (s *Server) activityFromPath(r *http.Request, p *page) (*store.ActivityDetail, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, care.ErrNotFound("活动 / activity")
	}
	return s.db.ActivityDetail(r.Context(), p.Actor, id)
}

func (s *Server) activityPage(w http.ResponseWriter, r *http.Request, p *page) error {
	d, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	return s.showActivity(w, r, p, d, http.StatusOK)
}

func (s *Server) showActivity(w http.ResponseWriter, r *http.Request, p *page, det *store.ActivityDetail, status int) error {
	ctx := r.Context()
	x := &det.Activity
	d := activityData{Statuses: activity.Statuses, D: det, Today: x.Date.Equal(s.db.Today()), Minutes: x.Minutes(), IsStaff: p.Actor.EditsRegistry(),
		Back: "/activities/" + strconv.FormatInt(x.ID, 10)}
	if msg, ok := activityDone[r.URL.Query().Get("done")]; ok && status == http.StatusOK {
		d.Done = p.T(msg)
	}
	for i := range det.Signups {
		if p.Actor.Role == care.RoleVolunteer && det.Signups[i].VolunteerID == p.Actor.VolunteerID {
			d.Own = &det.Signups[i]
		}
		d.Signups = append(d.Signups, signupRow{Signup: det.Signups[i], CanEdit: det.CanEdit})
	}
	for _, it := range det.Checklist {
		d.Items = append(d.Items, itemRowOf(p, it, det.CanEdit))
	}
	var names []string
	for _, e := range det.Elders {
		names = append(names, e.Name+" #"+strconv.FormatInt(e.ElderID, 10))
	}
	d.Elders = strings.Join(names, "，")
	if det.CanEdit {
		es, _, err := s.db.ListElders(ctx, p.Actor, store.ElderFilter{CommunityID: x.CommunityID, Status: "active", Limit: 500})
		if err != nil {
			return err
		}
		for _, e := range es {
			d.Names = append(d.Names, e.Name+" #"+strconv.FormatInt(e.ID, 10))
		}
	}
	d.Attachments = s.attachmentsView(r, p, store.OwnerActivity, x.ID, d.Back)
	p.Title, p.Active, p.Data = x.Theme, "activities", d
	s.render(w, status, "activity", p)
	return nil
}

func (s *Server) activityRefused(w http.ResponseWriter, r *http.Request, p *page, err error) error {
	if !refusable(err) {
		return err
	}
	p.setError(err)
	det, derr := s.activityFromPath(r, p)
	if derr != nil {
		return derr
	}
	return s.showActivity(w, r, p, det, refusalStatus(err))
}

func (s *Server) activityAddItem(w http.ResponseWriter, r *http.Request, p *page) error {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	it := &activity.ChecklistItem{ActivityID: det.Activity.ID, Item: f.str("item"), Due: f.date("due")}
	if f.str("owner") != "" {
		if ids := s.pickVolunteers(r.Context(), p.Actor, f, "owner"); len(ids) == 1 {
			it.OwnerVolunteerID = ids[0]
		} else if len(ids) > 1 {
			f.errs.Add("owner", care.Msg{ZH: "每项只由一位志愿者负责", EN: "one volunteer owns an item"})
		}
	}
	err = f.errs.Err()
	if err == nil {
		err = s.db.AddChecklistItem(r.Context(), p.Actor, it)
	}
	if err != nil {
		if ce, ok := err.(*care.Error); ok && ce.Fields != nil {
			if m, ok := ce.Fields["owner_volunteer_id"]; ok {
				ce.Fields["owner"] = m
				delete(ce.Fields, "owner_volunteer_id")
			}
		}
		return s.activityRefused(w, r, p, err)
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(det.Activity.ID, 10)+"?done=item#checklist", http.StatusSeeOther)
	return nil
}

// activityTick ticks or unticks a checklist item (staff, or the item's
// owner on the phone); the answer is the item itself, in place.
func (s *Server) activityTick(w http.ResponseWriter, r *http.Request, p *page) error {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	itemID, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil {
		return care.ErrNotFound("准备事项 / item")
	}
	f := newForm(r)
	err = s.db.SetChecklistDone(r.Context(), p.Actor, itemID, f.bool("done"))
	if err != nil && !refusable(err) {
		return err
	}
	back := "/activities/" + strconv.FormatInt(det.Activity.ID, 10) + "#item-" + strconv.FormatInt(itemID, 10)
	if p.Actor.Role == care.RoleVolunteer {
		back = "/activities#activity-" + strconv.FormatInt(det.Activity.ID, 10)
	}
	if r.Header.Get("HX-Request") != "true" {
		if err != nil {
			return err
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	// The item as it is now, read back through the actor's scope.
	fresh, ferr := s.activityFromPath(r, p)
	if ferr != nil {
		return ferr
	}
	i := slices.IndexFunc(fresh.Checklist, func(it activity.ChecklistItem) bool { return it.ID == itemID })
	if i < 0 {
		return care.ErrNotFound("准备事项 / item")
	}
	row := itemRowOf(p, fresh.Checklist[i], fresh.CanEdit)
	status := http.StatusOK
	if err != nil {
		status, row.Refusal = refusalStatus(err), reason(p, err)
	} else if row.Done {
		row.Notice = p.T("已完成")
	} else {
		row.Notice = p.T("已改为未完成")
	}
	s.renderFragmentData(w, status, "activity", "activity-item", map[string]any{"Page": p, "Item": row})
	return nil
}

// activityAttendance is staff's correction of one volunteer's attendance;
// the answer is the row, in place.
func (s *Server) activityAttendance(w http.ResponseWriter, r *http.Request, p *page) error {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	vid, err := strconv.ParseInt(r.PathValue("volunteer"), 10, 64)
	if err != nil {
		return care.ErrNotFound("志愿者 / volunteer")
	}
	f := newForm(r)
	present := f.bool("present")
	minutes := f.int("minutes")
	err = f.errs.Err()
	if err == nil {
		err = s.db.SetAttendance(r.Context(), p.Actor, det.Activity.ID, vid, present, minutes)
	}
	if r.Header.Get("HX-Request") != "true" {
		if err != nil {
			return s.activityRefused(w, r, p, err)
		}
		http.Redirect(w, r, "/activities/"+strconv.FormatInt(det.Activity.ID, 10)+"#signup-"+strconv.FormatInt(vid, 10), http.StatusSeeOther)
		return nil
	}
	if err != nil && !refusable(err) {
		return err
	}
	fresh, ferr := s.activityFromPath(r, p)
	if ferr != nil {
		return ferr
	}
	i := slices.IndexFunc(fresh.Signups, func(su activity.Signup) bool { return su.VolunteerID == vid })
	if i < 0 {
		return care.ErrNotFound("报名 / sign-up")
	}
	row := signupRow{Signup: fresh.Signups[i], CanEdit: fresh.CanEdit}
	status := http.StatusOK
	if err != nil {
		status, row.Refusal = refusalStatus(err), reason(p, err)
	} else {
		row.Notice = p.T("已保存")
	}
	s.renderFragmentData(w, status, "activity", "activity-signup", map[string]any{"Page": p, "Item": row})
	return nil
}

// activityAddAttendance records a volunteer who came without signing up
// (by name), present for the minutes given (the activity's by default).
func (s *Server) activityAddAttendance(w http.ResponseWriter, r *http.Request, p *page) error {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	var vid int64
	if ids := s.pickVolunteers(r.Context(), p.Actor, f, "volunteer"); len(ids) == 1 {
		vid = ids[0]
	} else if len(ids) > 1 {
		f.errs.Add("volunteer", care.Msg{ZH: "每次添加一位志愿者", EN: "add one volunteer at a time"})
	} else if f.str("volunteer") == "" {
		f.errs.Add("volunteer", care.Msg{ZH: "请输入志愿者姓名后从列表中选择", EN: "type a volunteer's name and choose from the list"})
	}
	minutes := det.Activity.Minutes()
	if f.str("minutes") != "" {
		minutes = f.int("minutes")
	}
	err = f.errs.Err()
	if err == nil {
		err = s.db.SetAttendance(r.Context(), p.Actor, det.Activity.ID, vid, true, minutes)
	}
	if err != nil {
		if ce, ok := err.(*care.Error); ok && ce.Fields != nil {
			if m, ok := ce.Fields["volunteer_id"]; ok {
				ce.Fields["volunteer"] = m
				delete(ce.Fields, "volunteer_id")
			}
		}
		return s.activityRefused(w, r, p, err)
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(det.Activity.ID, 10)+"#signup-"+strconv.FormatInt(vid, 10), http.StatusSeeOther)
	return nil
}

// activityElders names the registered elders who took part (by name) and
// the nursing home's residents (a count).
func (s *Server) activityElders(w http.ResponseWriter, r *http.Request, p *page) error {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	var ids []int64
	for _, t := range pickTokens(f.str("elders")) {
		if id := s.pickElder(r.Context(), p.Actor, f, t, "elder_ids", det.Activity.CommunityID); id > 0 {
			ids = append(ids, id)
		}
	}
	residents := f.int("residents")
	err = f.errs.Err()
	if err == nil {
		err = s.db.SetActivityElders(r.Context(), p.Actor, det.Activity.ID, ids, residents)
	}
	if err != nil {
		return s.activityRefused(w, r, p, err)
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(det.Activity.ID, 10)+"?done=elders#elders", http.StatusSeeOther)
	return nil
}

// activityFinish marks the activity held with its summary (活动结束):
// the present volunteers' hours are credited.
func (s *Server) activityFinish(w http.ResponseWriter, r *http.Request, p *page) error {
	det, err := s.activityFromPath(r, p)
	if err != nil {
		return err
	}
	f := newForm(r)
	if err := s.db.FinishActivity(r.Context(), p.Actor, det.Activity.ID, f.str("summary")); err != nil {
		return s.activityRefused(w, r, p, err)
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(det.Activity.ID, 10)+"?done=finished#summary", http.StatusSeeOther)
	return nil
}

// homeActivities is the staff home's line of coming activities.
type homeActivities struct {
	Total int
	Items []activity.Activity
}

func (s *Server) homeActivities(r *http.Request, p *page) (*homeActivities, error) {
	n, list, err := s.db.UpcomingActivities(r.Context(), p.Actor, 5)
	if err != nil {
		return nil, err
	}
	return &homeActivities{Total: n, Items: list}, nil
}
