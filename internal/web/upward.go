package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/training"
	"carecircle/internal/upward"
)

// Work information upward and the volunteers' training and commendation
// (issue 15 points 5 and 6): 典型经验 (community staff write and submit,
// the station reads, receives or returns), the month report's 上报/接收 on
// the report page, 培训记录, and 表彰 on the volunteer's page. Every form
// answers in place: the page again with the result, or with the reasons at
// the fields.

var englishUpward = map[string]string{
	"典型经验":       "Typical experience",
	"写典型经验":      "Write a report",
	"标题":         "Title",
	"内容":         "Text",
	"月份":         "Month",
	"所属月份":       "Month it tells of",
	"社区":         "Community",
	"状态":         "Status",
	"草稿":         "Draft",
	"已上报":        "Submitted",
	"街道已接收":      "Received",
	"已退回":        "Returned",
	"未上报":        "Not submitted",
	"已阅":         "Read",
	"未阅":         "Not read",
	"保存草稿":       "Save the draft",
	"保存修改":       "Save the changes",
	"上报街道":       "Submit to the station",
	"接收":         "Receive",
	"退回":         "Return",
	"退回原因":       "Why it is returned",
	"上报时间":       "Submitted",
	"接收时间":       "Received",
	"经办人":        "By",
	"已上报，等待街道接收": "Submitted; waiting for the station",
	"已保存为草稿，写好后请上报街道": "Saved as a draft; submit it to the station when it is ready",
	"已上报街道":  "Submitted to the station",
	"已接收":    "Received",
	"已退回社区":  "Returned to the community",
	"暂无典型经验": "No reports yet",
	"社区撰写的典型经验，上报后由街道阅读、接收或退回；街道已接收的写入当月统计报表。": "Communities write these; once submitted the station reads, receives or returns them; received ones go into the month's statistics report.",
	"月报上报":      "Monthly report submission",
	"本月报表上报":    "Submit this month's report",
	"上报本社区本月报表": "Submit the community's report for the month",
	"接收报表":      "Receive the report",
	"退回报表":      "Return the report",
	"报表已上报街道":   "The report has been submitted to the station",
	"报表已接收":     "The report has been received",
	"报表已退回社区":   "The report has been returned to the community",
	"月报在月底后上报；街道接收或退回（写明原因），退回后可再次上报。": "A month's report is submitted after the month ends; the station receives it or returns it with a reason, and a returned report is submitted again.",
	"培训记录":        "Training",
	"记录培训":        "Record a training session",
	"培训主题":        "Topic",
	"培训日期":        "Date",
	"授课人":         "Trainer",
	"地点":          "Place",
	"备注":          "Note",
	"参训志愿者":       "Volunteers who attended",
	"举办社区":        "Held by",
	"人数":          "Attendees",
	"暂无培训记录":      "No training recorded",
	"保存培训记录":      "Save the session",
	"培训记录已保存":     "Session saved",
	"修改培训记录":      "Correct the session",
	"原登记培训情况（只读）": "Training on the paper register (read-only)",
	"参加的培训":       "Training attended",
	"表彰":          "Commendations",
	"表彰名称":        "Title",
	"表彰日期":        "Date",
	"表彰原因":        "Reason",
	"表彰单位":        "Awarded by",
	"记录表彰":        "Record a commendation",
	"表彰已记录":       "Commendation recorded",
	"暂无表彰":        "No commendations",
	"新的培训请在“培训记录”中登记": "Record new training under Training",
	"查询":       "Show",
	"上报待办":     "Reports going upward",
	"待接收的典型经验": "Experience reports to receive",
	"月报待接收的社区": "reports waiting to be received",
	"被退回的典型经验": "Experience reports returned",
	"月报":       "report",
}

func init() { catalogs = append(catalogs, englishUpward) }

// navUpward are this feature's header links.
var navUpward = []navItem{
	{"experiences", "/experiences", "典型经验", []string{"station", "community"}},
	{"trainings", "/trainings", "培训记录", []string{"station", "community"}},
}

// routesUpward registers the pages and forms.
func (s *Server) routesUpward(m *http.ServeMux) {
	m.Handle("GET /experiences", s.auth(s.experiencesPage))
	m.Handle("POST /experiences", s.auth(s.experienceCreate))
	m.Handle("GET /experiences/{id}", s.auth(s.experiencePage))
	m.Handle("POST /experiences/{id}", s.auth(s.experienceUpdate))
	m.Handle("POST /experiences/{id}/status", s.auth(s.experienceMove))
	m.Handle("POST /reports/submission", s.auth(s.reportSubmission))
	m.Handle("GET /trainings", s.auth(s.trainingsPage))
	m.Handle("POST /trainings", s.auth(s.trainingSave))
	m.Handle("GET /trainings/{id}", s.auth(s.trainingsPage))
	m.Handle("POST /trainings/{id}", s.auth(s.trainingSave))
	m.Handle("POST /volunteers/{id}/commendations", s.auth(s.commendationAdd))
}

// StateLabel names an experience report's or a submission's state.
func (p *page) StateLabel(code string) string {
	if code == "" {
		return p.T("未上报")
	}
	return care.Label(upward.States, code, p.Lang)
}

type experiencesData struct {
	Items    []upward.Experience
	Writes   bool // community staff
	Draft    upward.Experience
	Month    string
	Status   string
	Statuses []care.Choice
}

func (s *Server) experiencesPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showExperiences(w, r, p, nil, http.StatusOK)
}

func (s *Server) showExperiences(w http.ResponseWriter, r *http.Request, p *page, draft *upward.Experience, status int) error {
	q := r.URL.Query()
	d := &experiencesData{Writes: p.Actor.Role == care.RoleCommunity, Month: q.Get("month"), Status: q.Get("status"), Statuses: upward.States}
	items, err := s.db.Experiences(r.Context(), p.Actor, store.ExperienceFilter{Month: d.Month, Status: d.Status})
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		items, err = s.db.Experiences(r.Context(), p.Actor, store.ExperienceFilter{})
	}
	if err != nil {
		return err
	}
	d.Items = items
	if draft != nil {
		d.Draft = *draft
	} else {
		d.Draft.Month = s.db.Now().In(s.db.Loc).Format("2006-01")
	}
	p.Title, p.Active, p.Data = "典型经验", "experiences", d
	s.render(w, status, "experiences", p)
	return nil
}

func experienceFromForm(r *http.Request, id int64) *upward.Experience {
	f := newForm(r)
	return &upward.Experience{ID: id, Month: f.str("month"), Title: f.str("title"), Body: strings.TrimSpace(r.PostFormValue("body"))}
}

func (s *Server) experienceCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	e := experienceFromForm(r, 0)
	err := s.db.SaveExperience(r.Context(), p.Actor, e)
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		return s.showExperiences(w, r, p, e, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experiences/"+strconv.FormatInt(e.ID, 10)+"?done=saved", http.StatusSeeOther)
	return nil
}

type experienceData struct {
	E        *upward.Experience
	Edit     upward.Experience // the form's values
	Editable bool              // community staff, a draft or a returned report
	Decides  bool              // the station, a submitted report
	// Paragraphs are the report's lines, each shown as a paragraph.
	Paragraphs []string
	// Attachments is the report's photos and files block (nil when the
	// actor may not read them); Photo tells which are the report's photos.
	Attachments *attachmentsView
	Photo       map[int64]bool
}

func (s *Server) experiencePage(w http.ResponseWriter, r *http.Request, p *page) error {
	switch r.URL.Query().Get("done") {
	case "saved":
		p.Flash = p.T("已保存为草稿，写好后请上报街道")
	case upward.Submitted:
		p.Flash = p.T("已上报街道")
	case upward.Received:
		p.Flash = p.T("已接收")
	case upward.Returned:
		p.Flash = p.T("已退回社区")
	}
	return s.showExperience(w, r, p, nil, http.StatusOK)
}

func (s *Server) showExperience(w http.ResponseWriter, r *http.Request, p *page, edit *upward.Experience, status int) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("典型经验 / experience report")
	}
	e, err := s.db.Experience(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	d := &experienceData{E: e, Edit: *e, Editable: p.Actor.Role == care.RoleCommunity && e.Editable(),
		Decides: p.Actor.Role == care.RoleStation && e.Status == upward.Submitted}
	for _, l := range lines(e.Body) {
		if l = strings.TrimSpace(l); l != "" {
			d.Paragraphs = append(d.Paragraphs, l)
		}
	}
	if edit != nil {
		d.Edit = *edit
	}
	d.Attachments = s.attachmentsView(r, p, store.OwnerExperience, e.ID, "/experiences/"+strconv.FormatInt(e.ID, 10))
	d.Photo = map[int64]bool{}
	for _, id := range d.Edit.PhotoIDs {
		d.Photo[id] = true
	}
	p.Title, p.Active, p.Data = e.Title, "experiences", d
	s.render(w, status, "experience", p)
	return nil
}

func (s *Server) experienceUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("典型经验 / experience report")
	}
	if p.Actor.Role != care.RoleCommunity {
		return care.ErrForbidden()
	}
	cur, err := s.db.Experience(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	e := experienceFromForm(r, id)
	e.PhotoIDs = cur.PhotoIDs
	if r.PostFormValue("photos_shown") == "1" {
		// The form lists the report's pictures: the ticked ones are its photos.
		e.PhotoIDs = []int64{}
		for _, v := range r.PostForm["photo_ids"] {
			if pid, err := strconv.ParseInt(v, 10, 64); err == nil {
				e.PhotoIDs = append(e.PhotoIDs, pid)
			}
		}
	}
	err = s.db.SaveExperience(r.Context(), p.Actor, e)
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		return s.showExperience(w, r, p, e, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experiences/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
	return nil
}

func (s *Server) experienceMove(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("典型经验 / experience report")
	}
	f := newForm(r)
	to := f.str("status")
	_, err = s.db.MoveExperience(r.Context(), p.Actor, id, to, f.str("reason"))
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		return s.showExperience(w, r, p, nil, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experiences/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(to), http.StatusSeeOther)
	return nil
}

// reportSubmission submits, receives or returns a month's report from the
// report page (whose unit and period the form's action carries), and
// shows the report page again with the result or the reason.
func (s *Server) reportSubmission(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	to := f.str("status")
	_, err := s.db.MoveSubmission(r.Context(), p.Actor, f.int64("community_id"), r.URL.Query().Get("period"), to, f.str("reason"))
	switch {
	case care.ErrorCode(err) == care.EInvalid:
		p.setError(err)
		if msg, ok := p.Errors["reason"]; ok {
			p.Error = p.T("退回原因") + "：" + msg
		} else if msg, ok := p.Errors["period"]; ok {
			p.Error = msg
		} else if msg, ok := p.Errors["status"]; ok {
			p.Error = msg
		}
	case err != nil:
		return err
	default:
		p.Flash = map[string]string{upward.Submitted: p.T("报表已上报街道"), upward.Received: p.T("报表已接收"), upward.Returned: p.T("报表已退回社区")}[to]
	}
	return s.reportPage(w, r, p)
}

// volunteerOption is a volunteer to tick as an attendee.
type volunteerOption struct {
	ID              int64
	Name, Community string
}

type trainingsData struct {
	Items       []training.Session
	Form        training.Session
	AttendeeSet map[int64]bool
	Volunteers  []volunteerOption
	Communities []care.Community
	Station     bool
	Today       string
}

func (s *Server) trainingsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if r.URL.Query().Get("done") == "saved" {
		p.Flash = p.T("培训记录已保存")
	}
	var form *training.Session
	if id := r.PathValue("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return care.ErrNotFound("培训 / training session")
		}
		if form, err = s.db.Training(r.Context(), p.Actor, n); err != nil {
			return err
		}
	}
	return s.showTrainings(w, r, p, form, http.StatusOK)
}

func (s *Server) showTrainings(w http.ResponseWriter, r *http.Request, p *page, form *training.Session, status int) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	ctx := r.Context()
	d := &trainingsData{Station: p.Actor.Role == care.RoleStation, Today: s.db.Today().Format("2006-01-02"), AttendeeSet: map[int64]bool{}}
	var err error
	if d.Items, err = s.db.Trainings(ctx, p.Actor, store.TrainingFilter{}); err != nil {
		return err
	}
	if d.Communities, err = s.db.Communities(ctx, p.Actor); err != nil {
		return err
	}
	vols, _, err := s.db.ListVolunteers(ctx, p.Actor, store.VolunteerFilter{Status: "active", Limit: 500})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, c := range d.Communities {
		names[c.ID] = c.Name
	}
	for _, v := range vols {
		o := volunteerOption{ID: v.ID, Name: v.Name}
		if d.Station { // the station ticks across its communities
			o.Community = names[v.CommunityID]
		}
		d.Volunteers = append(d.Volunteers, o)
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form.HeldOn = s.db.Today()
		d.Form.CommunityID = p.Actor.CommunityID
	}
	for _, a := range d.Form.Attendees {
		d.AttendeeSet[a.VolunteerID] = true
	}
	p.Title, p.Active, p.Data = "培训记录", "trainings", d
	s.render(w, status, "trainings", p)
	return nil
}

func (s *Server) trainingSave(w http.ResponseWriter, r *http.Request, p *page) error {
	var id int64
	if v := r.PathValue("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return care.ErrNotFound("培训 / training session")
		}
		id = n
	}
	f := newForm(r)
	t := &training.Session{ID: id, CommunityID: f.int64("community_id"), Topic: f.str("topic"), HeldOn: f.date("held_on"),
		Trainer: f.str("trainer"), Place: f.str("place"), Note: f.str("note")}
	for _, v := range f.list("attendee_ids") {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.errs.Add("attendee_ids", msgNumber)
			continue
		}
		t.Attendees = append(t.Attendees, training.Attendee{VolunteerID: n})
	}
	err := f.errs.Err()
	if err == nil {
		err = s.db.SaveTraining(r.Context(), p.Actor, t)
	} else {
		t.Normalize()
		f.errs.Merge(t.Validate(s.db.Today()))
		err = f.errs.Err()
	}
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		return s.showTrainings(w, r, p, t, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/trainings?done=saved#training-"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
	return nil
}

// recognition is the volunteer page's training and commendations.
type recognition struct {
	Trainings     []training.Session
	Commendations []training.Commendation
	History       string // the register's free-text training, read-only
	Staff         bool
	Form          training.Commendation
	Today         string
}

func (s *Server) recognitionOf(r *http.Request, p *page, v *care.Volunteer) (*recognition, error) {
	rc := &recognition{History: v.Training, Staff: p.Actor.EditsRegistry(), Today: s.db.Today().Format("2006-01-02")}
	rc.Form.AwardedOn = s.db.Today()
	var err error
	if rc.Trainings, err = s.db.Trainings(r.Context(), p.Actor, store.TrainingFilter{VolunteerID: v.ID}); err != nil {
		return nil, err
	}
	if rc.Commendations, err = s.db.Commendations(r.Context(), p.Actor, v.ID); err != nil {
		return nil, err
	}
	return rc, nil
}

func (s *Server) commendationAdd(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("志愿者 / volunteer")
	}
	f := newForm(r)
	c := &training.Commendation{VolunteerID: id, Title: f.str("title"), AwardedOn: f.date("awarded_on"), Reason: f.str("reason"), AwardedBy: f.str("awarded_by")}
	if len(f.errs) > 0 {
		c.Normalize()
		f.errs.Merge(c.Validate(s.db.Today()))
		err = f.errs.Err()
	} else {
		err = s.db.AddCommendation(r.Context(), p.Actor, c)
	}
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		v, verr := s.volunteerFromPath(r, p)
		if verr != nil {
			return verr
		}
		d, derr := s.volunteerPage(r, p, v)
		if derr != nil {
			return derr
		}
		d.Recognition.Form = *c
		p.Title, p.Active, p.Data = v.Name, "volunteers", d
		s.render(w, http.StatusUnprocessableEntity, "volunteer", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/volunteers/"+strconv.FormatInt(id, 10)+"?saved=1#commendations", http.StatusSeeOther)
	return nil
}

// upwardHome is what staff's home page says is waiting in the work going
// upward: for the station, experience reports to receive and last month's
// reports submitted and not yet received; for community staff, returned
// experience reports and last month's report if it is not submitted or
// was returned.
type upwardHome struct {
	LastMonth, ReportURL      string
	ToReceive, ReportsWaiting int
	Returned                  int
	LastMonthStatus           string
	LastMonthNeedsSubmission  bool
}

func (s *Server) upwardHome(r *http.Request, p *page) (*upwardHome, error) {
	ctx := r.Context()
	now := s.db.Now().In(s.db.Loc)
	last := now.AddDate(0, 0, -now.Day()).Format("2006-01")
	h := &upwardHome{LastMonth: last}
	subs, err := s.db.Submissions(ctx, p.Actor, last)
	if err != nil {
		return nil, err
	}
	switch p.Actor.Role {
	case care.RoleStation:
		xs, err := s.db.Experiences(ctx, p.Actor, store.ExperienceFilter{Status: upward.Submitted})
		if err != nil {
			return nil, err
		}
		h.ToReceive = len(xs)
		for _, sub := range subs {
			if sub.Status == upward.Submitted {
				h.ReportsWaiting++
			}
		}
		streets, err := s.db.Streets(ctx, p.Actor)
		if err != nil || len(streets) == 0 {
			return h, err
		}
		h.ReportURL = "/reports?" + url.Values{"unit": {streets[0].Name}, "period": {last}}.Encode()
	case care.RoleCommunity:
		xs, err := s.db.Experiences(ctx, p.Actor, store.ExperienceFilter{Status: upward.Returned})
		if err != nil {
			return nil, err
		}
		h.Returned = len(xs)
		if len(subs) == 1 {
			h.LastMonthStatus = subs[0].Status
			h.LastMonthNeedsSubmission = subs[0].Status == "" || subs[0].Status == upward.Returned
			h.ReportURL = "/reports?" + url.Values{"unit": {subs[0].Community}, "period": {last}}.Encode()
		}
	}
	if h.ToReceive+h.ReportsWaiting+h.Returned == 0 && !h.LastMonthNeedsSubmission {
		return nil, nil
	}
	return h, nil
}
