package api

import (
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/activity"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// routesActivities registers activities (活动, README "活动 (activities)").
// The attachments of an activity are in attachments.go.
func (s *Server) routesActivities() {
	m := s.mux
	m.HandleFunc("GET /api/v1/activities", s.handle(s.listActivities, true))
	m.HandleFunc("POST /api/v1/activities", s.handle(s.createActivity, true))
	m.HandleFunc("GET /api/v1/activities/{id}", s.handle(s.getActivity, true))
	m.HandleFunc("PUT /api/v1/activities/{id}", s.handle(s.putActivity, true))
	m.HandleFunc("POST /api/v1/activities/{id}/signups", s.handle(s.signUp, true))
	m.HandleFunc("DELETE /api/v1/activities/{id}/signups", s.handle(s.cancelSignup, true))
	m.HandleFunc("GET /api/v1/activities/{id}/attendance", s.handle(s.getAttendance, true))
	m.HandleFunc("POST /api/v1/activities/{id}/attendance", s.handle(s.postAttendance, true))
	m.HandleFunc("POST /api/v1/activities/{id}/checklist", s.handle(s.addChecklistItem, true))
	m.HandleFunc("POST /api/v1/activities/{id}/checklist/{item}/done", s.handle(s.checklistDone, true))
	m.HandleFunc("PUT /api/v1/activities/{id}/elders", s.handle(s.putActivityElders, true))
	m.HandleFunc("POST /api/v1/activities/{id}/finish", s.handle(s.finishActivity, true))
}

type activityJSON struct {
	ID           int64  `json:"id"`
	StreetID     int64  `json:"street_id"`
	CommunityID  int64  `json:"community_id"` // 0: street-wide
	Community    string `json:"community"`
	SeriesID     int64  `json:"series_id,omitempty"`
	Stage        int    `json:"stage,omitempty"`
	Template     string `json:"template"`
	Theme        string `json:"theme"`
	Background   string `json:"background"`
	Purposes     string `json:"purposes"`
	Organisers   string `json:"organisers"`
	Place        string `json:"place"`
	Participants string `json:"participants"`
	Safety       string `json:"safety"`
	Content      string `json:"content"`
	Preparation  string `json:"preparation"`
	Expected     string `json:"expected"`
	Date         string `json:"date"`
	StartTime    string `json:"start_time"`
	EndTime      string `json:"end_time"`
	Minutes      int    `json:"minutes"`
	Cap          int    `json:"cap"`
	SignedUp     int    `json:"signed_up"`
	Status       string `json:"status"`
	Summary      string `json:"summary"`
	Residents    int    `json:"residents"`
	CreatedBy    string `json:"created_by"`
	CreatedAt    string `json:"created_at"`
}

func (s *Server) activityOut(x *activity.Activity) activityJSON {
	return activityJSON{ID: x.ID, StreetID: x.StreetID, CommunityID: x.CommunityID, Community: x.Community, SeriesID: x.SeriesID, Stage: x.Stage,
		Template: x.Template, Theme: x.Theme, Background: x.Background, Purposes: x.Purposes, Organisers: x.Organisers, Place: x.Place,
		Participants: x.Participants, Safety: x.Safety, Content: x.Content, Preparation: x.Preparation, Expected: x.Expected,
		Date: date(x.Date), StartTime: x.StartTime, EndTime: x.EndTime, Minutes: x.Minutes(), Cap: x.Cap, SignedUp: x.SignedUp,
		Status: x.Status, Summary: x.Summary, Residents: x.Residents, CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt.In(s.db.Loc).Format(time.RFC3339)}
}

type checklistJSON struct {
	ID               int64   `json:"id"`
	Item             string  `json:"item"`
	OwnerVolunteerID int64   `json:"owner_volunteer_id,omitempty"`
	OwnerName        string  `json:"owner_name,omitempty"`
	Due              string  `json:"due,omitempty"`
	Done             bool    `json:"done"`
	DoneAt           *string `json:"done_at"`
	DoneBy           string  `json:"done_by,omitempty"`
}

func (s *Server) checklistOut(it *activity.ChecklistItem) checklistJSON {
	out := checklistJSON{ID: it.ID, Item: it.Item, OwnerVolunteerID: it.OwnerVolunteerID, OwnerName: it.OwnerName, Due: date(it.Due), Done: it.Done, DoneBy: it.DoneBy}
	if !it.DoneAt.IsZero() {
		t := it.DoneAt.In(s.db.Loc).Format(time.RFC3339)
		out.DoneAt = &t
	}
	return out
}

type signupJSON struct {
	VolunteerID   int64   `json:"volunteer_id"`
	VolunteerName string  `json:"volunteer_name"`
	SignedAt      string  `json:"signed_at"`
	Present       bool    `json:"present"`
	CheckedInAt   *string `json:"checked_in_at"`
	Minutes       int     `json:"minutes"`
	CorrectedBy   string  `json:"corrected_by,omitempty"`
}

func (s *Server) signupsOut(list []activity.Signup) []signupJSON {
	out := []signupJSON{}
	for _, su := range list {
		j := signupJSON{VolunteerID: su.VolunteerID, VolunteerName: su.VolunteerName, SignedAt: su.SignedAt.In(s.db.Loc).Format(time.RFC3339),
			Present: su.Present, Minutes: su.Minutes, CorrectedBy: su.CorrectedBy}
		if !su.CheckedInAt.IsZero() {
			t := su.CheckedInAt.In(s.db.Loc).Format(time.RFC3339)
			j.CheckedInAt = &t
		}
		out = append(out, j)
	}
	return out
}

type activityElderJSON struct {
	ElderID  int64  `json:"elder_id"`
	Name     string `json:"name"`
	RecordID int64  `json:"record_id,omitempty"`
}

type seriesJSON struct {
	ID          int64          `json:"id"`
	CommunityID int64          `json:"community_id"`
	Template    string         `json:"template"`
	Theme       string         `json:"theme"`
	Background  string         `json:"background"`
	Purposes    string         `json:"purposes"`
	Organisers  string         `json:"organisers"`
	Safety      string         `json:"safety"`
	Stages      []activityJSON `json:"stages"`
}

type activityDetailJSON struct {
	activityJSON
	Series    *seriesJSON         `json:"series"`
	Checklist []checklistJSON     `json:"checklist"`
	Signups   []signupJSON        `json:"signups"`
	Elders    []activityElderJSON `json:"elders"`
	CanEdit   bool                `json:"can_edit"`
}

func (s *Server) activityDetail(r *request, id int64) (*activityDetailJSON, error) {
	d, err := s.db.ActivityDetail(r.ctx, r.actor, id)
	if err != nil {
		return nil, err
	}
	out := &activityDetailJSON{activityJSON: s.activityOut(&d.Activity), Checklist: []checklistJSON{}, Signups: s.signupsOut(d.Signups),
		Elders: []activityElderJSON{}, CanEdit: d.CanEdit}
	if d.Series != nil {
		sj := &seriesJSON{ID: d.Series.ID, CommunityID: d.Series.CommunityID, Template: d.Series.Template, Theme: d.Series.Theme,
			Background: d.Series.Background, Purposes: d.Series.Purposes, Organisers: d.Series.Organisers, Safety: d.Series.Safety, Stages: []activityJSON{}}
		for i := range d.Series.Stages {
			sj.Stages = append(sj.Stages, s.activityOut(&d.Series.Stages[i]))
		}
		out.Series = sj
	}
	for i := range d.Checklist {
		out.Checklist = append(out.Checklist, s.checklistOut(&d.Checklist[i]))
	}
	for _, e := range d.Elders {
		out.Elders = append(out.Elders, activityElderJSON(e))
	}
	return out, nil
}

// activityRoles refuses roles that have nothing to do with activities
// before a body is read (clinics, viewers, the administrator).
func activityRoles(r *request) error {
	if r.actor.EditsRegistry() || r.actor.Role == care.RoleVolunteer {
		return nil
	}
	return care.ErrForbidden()
}

// activityID is the activity of the path, for the roles that take part.
func activityID(r *request) (int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, err
	}
	return id, activityRoles(r)
}

func (s *Server) listActivities(r *request) (int, any, error) {
	if err := activityRoles(r); err != nil {
		return 0, nil, err
	}
	fe := care.FieldErrors{}
	c, err := queryInt64(r, "community_id")
	if err != nil && !fe.Merge(err) {
		return 0, nil, err
	}
	q := r.URL.Query()
	f := store.ActivityFilter{CommunityID: c, Status: q.Get("status"), From: parseDateField(fe, "from", q.Get("from")), To: parseDateField(fe, "to", q.Get("to"))}
	if err := fe.Err(); err != nil {
		return 0, nil, err
	}
	items, err := s.db.Activities(r.ctx, r.actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := list[activityJSON]{Items: []activityJSON{}, Total: len(items), Limit: 500}
	for i := range items {
		out.Items = append(out.Items, s.activityOut(&items[i]))
	}
	return 0, out, nil
}

type checklistIn struct {
	Item             string `json:"item"`
	OwnerVolunteerID int64  `json:"owner_volunteer_id"`
	Due              string `json:"due"`
}

func (in checklistIn) item(fe care.FieldErrors, prefix string) activity.ChecklistItem {
	return activity.ChecklistItem{Item: in.Item, OwnerVolunteerID: in.OwnerVolunteerID, Due: parseDateField(fe, prefix+"due", in.Due)}
}

type stageIn struct {
	Theme        string        `json:"theme"`
	Place        string        `json:"place"`
	Participants string        `json:"participants"`
	Content      string        `json:"content"`
	Preparation  string        `json:"preparation"`
	Expected     string        `json:"expected"`
	Safety       string        `json:"safety"`
	Date         string        `json:"date"`
	StartTime    string        `json:"start_time"`
	EndTime      string        `json:"end_time"`
	Cap          int           `json:"cap"`
	Checklist    []checklistIn `json:"checklist"`
}

// activityIn is the body of POST (an activity, a series with stages, or a
// template) and of PUT (fields omitted keep their value).
type activityIn struct {
	Template     string        `json:"template"`
	CommunityID  int64         `json:"community_id"`
	Theme        string        `json:"theme"`
	Background   string        `json:"background"`
	Purposes     string        `json:"purposes"`
	Organisers   string        `json:"organisers"`
	Place        string        `json:"place"`
	Participants string        `json:"participants"`
	Safety       string        `json:"safety"`
	Content      string        `json:"content"`
	Preparation  string        `json:"preparation"`
	Expected     string        `json:"expected"`
	Date         string        `json:"date"`
	StartTime    string        `json:"start_time"`
	EndTime      string        `json:"end_time"`
	Cap          int           `json:"cap"`
	Status       string        `json:"status"`
	Summary      string        `json:"summary"`
	Residents    int           `json:"residents"`
	Checklist    []checklistIn `json:"checklist"`
	Stages       []stageIn     `json:"stages"`
}

func (in *activityIn) activity(fe care.FieldErrors) activity.Activity {
	return activity.Activity{CommunityID: in.CommunityID, Theme: in.Theme, Background: in.Background, Purposes: in.Purposes,
		Organisers: in.Organisers, Place: in.Place, Participants: in.Participants, Safety: in.Safety, Content: in.Content,
		Preparation: in.Preparation, Expected: in.Expected, Date: parseDateField(fe, "date", in.Date), StartTime: in.StartTime,
		EndTime: in.EndTime, Cap: in.Cap, Status: in.Status, Summary: in.Summary, Residents: in.Residents}
}

func (s *Server) createActivity(r *request) (int, any, error) {
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var in activityIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	fe := care.FieldErrors{}
	var id int64
	switch {
	case in.Template != "":
		d := parseDateField(fe, "date", in.Date)
		if in.Date == "" {
			fe.Add("date", care.MsgRequired)
		}
		if err := fe.Err(); err != nil {
			return 0, nil, err
		}
		_, first, err := s.db.CreateFromTemplate(r.ctx, r.actor, in.Template, in.CommunityID, d)
		if err != nil {
			return 0, nil, err
		}
		id = first
	case len(in.Stages) > 0:
		sr := &activity.Series{CommunityID: in.CommunityID, Theme: in.Theme, Background: in.Background, Purposes: in.Purposes,
			Organisers: in.Organisers, Safety: in.Safety}
		items := map[int][]activity.ChecklistItem{}
		for i, st := range in.Stages {
			p := "stages[" + strconv.Itoa(i) + "]."
			safety := st.Safety
			if safety == "" {
				safety = in.Safety
			}
			sr.Stages = append(sr.Stages, activity.Activity{Theme: st.Theme, Background: in.Background, Purposes: in.Purposes,
				Organisers: in.Organisers, Place: st.Place, Participants: st.Participants, Safety: safety, Content: st.Content,
				Preparation: st.Preparation, Expected: st.Expected, Date: parseDateField(fe, p+"date", st.Date), StartTime: st.StartTime,
				EndTime: st.EndTime, Cap: st.Cap})
			for _, c := range st.Checklist {
				items[i+1] = append(items[i+1], c.item(fe, p+"checklist."))
			}
		}
		if len(fe) > 0 {
			sr.Normalize()
			fe.Merge(sr.Validate())
			return 0, nil, fe.Err()
		}
		if err := s.db.CreateSeries(r.ctx, r.actor, sr, items); err != nil {
			return 0, nil, err
		}
		id = sr.Stages[0].ID
	default:
		x := in.activity(fe)
		var items []activity.ChecklistItem
		for _, c := range in.Checklist {
			items = append(items, c.item(fe, "checklist."))
		}
		if len(fe) > 0 {
			x.Normalize()
			fe.Merge(x.Validate())
			return 0, nil, fe.Err()
		}
		if err := s.db.CreateActivity(r.ctx, r.actor, &x, items); err != nil {
			return 0, nil, err
		}
		id = x.ID
	}
	out, err := s.activityDetail(r, id)
	if err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/activities/"+strconv.FormatInt(id, 10))
	return http.StatusCreated, out, nil
}

func (s *Server) getActivity(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	return s.detailAfter(r, id, activityRoles(r))
}

// putActivity changes an activity's plan; fields omitted keep their value.
func (s *Server) putActivity(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	d, err := s.db.ActivityDetail(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	cur := d.Activity
	in := activityIn{CommunityID: cur.CommunityID, Theme: cur.Theme, Background: cur.Background, Purposes: cur.Purposes, Organisers: cur.Organisers,
		Place: cur.Place, Participants: cur.Participants, Safety: cur.Safety, Content: cur.Content, Preparation: cur.Preparation, Expected: cur.Expected,
		Date: date(cur.Date), StartTime: cur.StartTime, EndTime: cur.EndTime, Cap: cur.Cap, Status: cur.Status, Summary: cur.Summary, Residents: cur.Residents}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	fe := care.FieldErrors{}
	if in.Template != "" {
		fe.Add("template", care.Msg{ZH: "模板只在新建时使用", EN: "a template is used when creating only"})
	}
	if in.Checklist != nil || in.Stages != nil {
		fe.Add("checklist", care.Msg{ZH: "准备清单和阶段请用各自的接口修改", EN: "change the checklist and stages through their own routes"})
	}
	if in.CommunityID != cur.CommunityID {
		fe.Add("community_id", care.Msg{ZH: "活动的社区不能修改", EN: "an activity's community cannot change"})
	}
	x := in.activity(fe)
	x.ID = id
	if len(fe) > 0 {
		x.Normalize()
		fe.Merge(x.Validate())
		return 0, nil, fe.Err()
	}
	return s.detailAfter(r, id, s.db.UpdateActivity(r.ctx, r.actor, &x))
}

type volunteerIn struct {
	VolunteerID int64 `json:"volunteer_id"`
}

// volunteerOf is the volunteer a sign-up is for: the volunteer themself
// (0 or their own id), or the one staff name.
func volunteerOf(r *request, id int64) (int64, error) {
	if r.actor.Role == care.RoleVolunteer && id == 0 {
		return r.actor.VolunteerID, nil
	}
	if id <= 0 {
		return 0, care.FieldErrors{"volunteer_id": care.MsgRequired}.Err()
	}
	return id, nil
}

// detailAfter answers a change to activity id with the activity as it
// now is, or with the change's error.
func (s *Server) detailAfter(r *request, id int64, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	out, err := s.activityDetail(r, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, out, nil
}

func (s *Server) signUp(r *request) (int, any, error) {
	id, err := activityID(r)
	if err != nil {
		return 0, nil, err
	}
	var in volunteerIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	vol, err := volunteerOf(r, in.VolunteerID)
	if err != nil {
		return 0, nil, err
	}
	return s.detailAfter(r, id, s.db.SignUp(r.ctx, r.actor, id, vol))
}

// cancelSignup withdraws a sign-up: ?volunteer_id= (a volunteer's own by
// default).
func (s *Server) cancelSignup(r *request) (int, any, error) {
	id, err := activityID(r)
	if err != nil {
		return 0, nil, err
	}
	v, err := queryInt64(r, "volunteer_id")
	if err != nil {
		return 0, nil, err
	}
	vol, err := volunteerOf(r, v)
	if err != nil {
		return 0, nil, err
	}
	return s.detailAfter(r, id, s.db.CancelSignup(r.ctx, r.actor, id, vol))
}

func (s *Server) getAttendance(r *request) (int, any, error) {
	id, err := activityID(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.db.ActivityDetail(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	items := s.signupsOut(d.Signups)
	return 0, list[signupJSON]{Items: items, Total: len(items), Limit: len(items)}, nil
}

type attendanceIn struct {
	VolunteerID int64 `json:"volunteer_id"`
	Present     *bool `json:"present"`
	Minutes     *int  `json:"minutes"`
}

// postAttendance is a volunteer's check-in (no body fields, or their own
// volunteer_id) or staff's correction {volunteer_id, present, minutes}
// (minutes defaults to the activity's when present, 0 when not).
func (s *Server) postAttendance(r *request) (int, any, error) {
	id, err := activityID(r)
	if err != nil {
		return 0, nil, err
	}
	var in attendanceIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if r.actor.Role == care.RoleVolunteer {
		if in.Present != nil || in.Minutes != nil {
			return 0, nil, care.FieldErrors{"present": care.Msg{ZH: "志愿者只能签到；更正出勤请找工作人员", EN: "a volunteer checks in only; staff correct attendance"}}.Err()
		}
		vol, err := volunteerOf(r, in.VolunteerID)
		if err != nil {
			return 0, nil, err
		}
		if err := s.db.CheckIn(r.ctx, r.actor, id, vol); err != nil {
			return 0, nil, err
		}
	} else {
		fe := care.FieldErrors{}
		if in.VolunteerID <= 0 {
			fe.Add("volunteer_id", care.MsgRequired)
		}
		if in.Present == nil {
			fe.Add("present", care.MsgRequired)
		}
		if err := fe.Err(); err != nil {
			return 0, nil, err
		}
		minutes := 0
		if in.Minutes != nil {
			minutes = *in.Minutes
		} else if *in.Present {
			d, err := s.db.ActivityDetail(r.ctx, r.actor, id)
			if err != nil {
				return 0, nil, err
			}
			minutes = d.Activity.Minutes()
		}
		if err := s.db.SetAttendance(r.ctx, r.actor, id, in.VolunteerID, *in.Present, minutes); err != nil {
			return 0, nil, err
		}
	}
	return s.getAttendance(r)
}

func (s *Server) addChecklistItem(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var in checklistIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	fe := care.FieldErrors{}
	it := in.item(fe, "")
	it.ActivityID = id
	if len(fe) > 0 {
		it.Normalize()
		fe.Merge(it.Validate())
		return 0, nil, fe.Err()
	}
	if err := s.db.AddChecklistItem(r.ctx, r.actor, &it); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.checklistOut(&it), nil
}

type doneIn struct {
	Done *bool `json:"done"`
}

// checklistDone ticks an item (done defaults to true; false unticks).
func (s *Server) checklistDone(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	item, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil || item <= 0 {
		return 0, nil, care.ErrNotFound("准备事项 / checklist item")
	}
	if err := activityRoles(r); err != nil {
		return 0, nil, err
	}
	var in doneIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	d, err := s.db.ActivityDetail(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	found := false
	for _, it := range d.Checklist {
		found = found || it.ID == item
	}
	if !found {
		return 0, nil, care.ErrNotFound("准备事项 / checklist item")
	}
	done := in.Done == nil || *in.Done
	if err := s.db.SetChecklistDone(r.ctx, r.actor, item, done); err != nil {
		return 0, nil, err
	}
	d, err = s.db.ActivityDetail(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	for i := range d.Checklist {
		if d.Checklist[i].ID == item {
			return 0, s.checklistOut(&d.Checklist[i]), nil
		}
	}
	return 0, nil, care.ErrNotFound("准备事项 / checklist item")
}

type eldersIn struct {
	ElderIDs  []int64 `json:"elder_ids"`
	Residents int     `json:"residents"`
}

func (s *Server) putActivityElders(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var in eldersIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.detailAfter(r, id, s.db.SetActivityElders(r.ctx, r.actor, id, in.ElderIDs, in.Residents))
}

type finishIn struct {
	Summary string `json:"summary"`
}

func (s *Server) finishActivity(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var in finishIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.detailAfter(r, id, s.db.FinishActivity(r.ctx, r.actor, id, in.Summary))
}
