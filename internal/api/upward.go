package api

import (
	"net/http"
	"strconv"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/report"
	"carecircle/internal/store"
	"carecircle/internal/training"
	"carecircle/internal/upward"
)

// Work information upward and the volunteers' training and commendation
// (issue 15 points 5 and 6). Who may do what is the store's decision:
// community staff write and submit their community's experience reports
// and month reports; the station reads, receives and returns its street's;
// station and community staff record training sessions and commendations
// in their scope; a volunteer reads their own sessions and commendations.
func (s *Server) routesUpward() {
	m := s.mux
	m.HandleFunc("GET /api/v1/experiences", s.handle(s.listExperiences, true))
	m.HandleFunc("POST /api/v1/experiences", s.handle(s.createExperience, true))
	m.HandleFunc("GET /api/v1/experiences/{id}", s.handle(s.getExperience, true))
	m.HandleFunc("PATCH /api/v1/experiences/{id}", s.handle(s.patchExperience, true))
	m.HandleFunc("POST /api/v1/experiences/{id}/status", s.handle(s.moveExperience, true))
	m.HandleFunc("GET /api/v1/reports/{month}/submissions", s.handle(s.listSubmissions, true))
	m.HandleFunc("POST /api/v1/reports/{month}/submission", s.handle(s.moveSubmission, true))
	m.HandleFunc("GET /api/v1/trainings", s.handle(s.listTrainings, true))
	m.HandleFunc("POST /api/v1/trainings", s.handle(s.createTraining, true))
	m.HandleFunc("GET /api/v1/trainings/{id}", s.handle(s.getTraining, true))
	m.HandleFunc("PATCH /api/v1/trainings/{id}", s.handle(s.patchTraining, true))
	m.HandleFunc("GET /api/v1/volunteers/{id}/commendations", s.handle(s.listCommendations, true))
	m.HandleFunc("POST /api/v1/volunteers/{id}/commendations", s.handle(s.addCommendation, true))
}

type experienceJSON struct {
	ID          int64   `json:"id"`
	CommunityID int64   `json:"community_id"`
	Community   string  `json:"community"`
	Month       string  `json:"month"`
	Title       string  `json:"title"`
	Body        string  `json:"body"`
	PhotoIDs    []int64 `json:"photo_ids"`
	Status      string  `json:"status"`
	Reason      string  `json:"reason"`
	CreatedBy   string  `json:"created_by"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	SubmittedAt *string `json:"submitted_at"`
	SubmittedBy string  `json:"submitted_by"`
	ReadAt      *string `json:"read_at"`
	ReadBy      string  `json:"read_by"`
	DecidedAt   *string `json:"decided_at"`
	DecidedBy   string  `json:"decided_by"`
}

func (s *Server) stampOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := t.In(s.db.Loc).Format(time.RFC3339)
	return &v
}

func (s *Server) experienceOut(e *upward.Experience) experienceJSON {
	photos := e.PhotoIDs
	if photos == nil {
		photos = []int64{}
	}
	return experienceJSON{ID: e.ID, CommunityID: e.CommunityID, Community: e.Community, Month: e.Month, Title: e.Title, Body: e.Body,
		PhotoIDs: photos, Status: e.Status, Reason: e.Reason, CreatedBy: e.CreatedBy,
		CreatedAt: e.CreatedAt.In(s.db.Loc).Format(time.RFC3339), UpdatedAt: e.UpdatedAt.In(s.db.Loc).Format(time.RFC3339),
		SubmittedAt: s.stampOrNil(e.SubmittedAt), SubmittedBy: e.SubmittedBy, ReadAt: s.stampOrNil(e.ReadAt), ReadBy: e.ReadBy,
		DecidedAt: s.stampOrNil(e.DecidedAt), DecidedBy: e.DecidedBy}
}

func (s *Server) listExperiences(r *request) (int, any, error) {
	q := r.URL.Query()
	c, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	items, err := s.db.Experiences(r.ctx, r.actor, store.ExperienceFilter{CommunityID: c, Month: q.Get("month"), Status: q.Get("status")})
	if err != nil {
		return 0, nil, err
	}
	out := list[experienceJSON]{Items: []experienceJSON{}, Total: len(items), Limit: 500}
	for i := range items {
		out.Items = append(out.Items, s.experienceOut(&items[i]))
	}
	return 0, out, nil
}

type experienceIn struct {
	Month    string  `json:"month"`
	Title    string  `json:"title"`
	Body     string  `json:"body"`
	PhotoIDs []int64 `json:"photo_ids"`
}

func (s *Server) createExperience(r *request) (int, any, error) {
	var in experienceIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	e := &upward.Experience{Month: in.Month, Title: in.Title, Body: in.Body, PhotoIDs: in.PhotoIDs}
	if err := s.db.SaveExperience(r.ctx, r.actor, e); err != nil {
		return 0, nil, err
	}
	got, err := s.db.Experience(r.ctx, r.actor, e.ID)
	if err != nil {
		return 0, nil, err
	}
	r.w.Header().Set("Location", "/api/v1/experiences/"+strconv.FormatInt(e.ID, 10))
	return http.StatusCreated, s.experienceOut(got), nil
}

func (s *Server) getExperience(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	e, err := s.db.Experience(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.experienceOut(e), nil
}

// patchExperience changes the fields sent of a draft or returned report.
func (s *Server) patchExperience(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if r.actor.Role != care.RoleCommunity {
		return 0, nil, care.ErrForbidden()
	}
	cur, err := s.db.Experience(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	in := experienceIn{Month: cur.Month, Title: cur.Title, Body: cur.Body, PhotoIDs: cur.PhotoIDs}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	e := &upward.Experience{ID: id, Month: in.Month, Title: in.Title, Body: in.Body, PhotoIDs: in.PhotoIDs}
	if err := s.db.SaveExperience(r.ctx, r.actor, e); err != nil {
		return 0, nil, err
	}
	got, err := s.db.Experience(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.experienceOut(got), nil
}

type moveIn struct {
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	CommunityID int64  `json:"community_id"`
}

func (s *Server) moveExperience(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in moveIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	e, err := s.db.MoveExperience(r.ctx, r.actor, id, in.Status, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.experienceOut(e), nil
}

func (s *Server) listSubmissions(r *request) (int, any, error) {
	items, err := s.db.Submissions(r.ctx, r.actor, r.PathValue("month"))
	if err != nil {
		return 0, nil, err
	}
	out := list[any]{Items: []any{}, Total: len(items), Limit: 500}
	for _, it := range items {
		out.Items = append(out.Items, report.SubmissionJSON(it, s.db.Loc))
	}
	return 0, out, nil
}

// moveSubmission submits the caller's community's month report (community
// staff, status "submitted"), or receives or returns a community's
// (station, with community_id; a reason to return).
func (s *Server) moveSubmission(r *request) (int, any, error) {
	var in moveIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	sub, err := s.db.MoveSubmission(r.ctx, r.actor, in.CommunityID, r.PathValue("month"), in.Status, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return 0, report.SubmissionJSON(*sub, s.db.Loc), nil
}

type attendeeJSON struct {
	VolunteerID int64  `json:"volunteer_id"`
	Name        string `json:"name"`
	CommunityID int64  `json:"community_id"`
}

type trainingJSON struct {
	ID          int64          `json:"id"`
	CommunityID int64          `json:"community_id"`
	Community   string         `json:"community"`
	Topic       string         `json:"topic"`
	HeldOn      string         `json:"held_on"`
	Trainer     string         `json:"trainer"`
	Place       string         `json:"place"`
	Note        string         `json:"note"`
	Attendees   []attendeeJSON `json:"attendees"`
	CreatedBy   string         `json:"created_by"`
	CreatedAt   string         `json:"created_at"`
	UpdatedAt   string         `json:"updated_at"`
}

func (s *Server) trainingOut(t *training.Session) trainingJSON {
	out := trainingJSON{ID: t.ID, CommunityID: t.CommunityID, Community: t.Community, Topic: t.Topic, HeldOn: date(t.HeldOn), Trainer: t.Trainer,
		Place: t.Place, Note: t.Note, Attendees: []attendeeJSON{}, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.In(s.db.Loc).Format(time.RFC3339), UpdatedAt: t.UpdatedAt.In(s.db.Loc).Format(time.RFC3339)}
	for _, a := range t.Attendees {
		out.Attendees = append(out.Attendees, attendeeJSON(a))
	}
	return out
}

func (s *Server) listTrainings(r *request) (int, any, error) {
	fe := care.FieldErrors{}
	c, err := queryInt64(r, "community_id")
	if err != nil && !fe.Merge(err) {
		return 0, nil, err
	}
	v, err := queryInt64(r, "volunteer_id")
	if err != nil && !fe.Merge(err) {
		return 0, nil, err
	}
	q := r.URL.Query()
	f := store.TrainingFilter{CommunityID: c, VolunteerID: v, From: parseDateField(fe, "from", q.Get("from")), To: parseDateField(fe, "to", q.Get("to"))}
	if err := fe.Err(); err != nil {
		return 0, nil, err
	}
	items, err := s.db.Trainings(r.ctx, r.actor, f)
	if err != nil {
		return 0, nil, err
	}
	out := list[trainingJSON]{Items: []trainingJSON{}, Total: len(items), Limit: 500}
	for i := range items {
		out.Items = append(out.Items, s.trainingOut(&items[i]))
	}
	return 0, out, nil
}

type trainingIn struct {
	CommunityID int64   `json:"community_id"`
	Topic       string  `json:"topic"`
	HeldOn      string  `json:"held_on"`
	Trainer     string  `json:"trainer"`
	Place       string  `json:"place"`
	Note        string  `json:"note"`
	AttendeeIDs []int64 `json:"attendee_ids"`
}

func (in trainingIn) session(id int64, today time.Time) (*training.Session, error) {
	fe := care.FieldErrors{}
	t := &training.Session{ID: id, CommunityID: in.CommunityID, Topic: in.Topic, HeldOn: parseDateField(fe, "held_on", in.HeldOn),
		Trainer: in.Trainer, Place: in.Place, Note: in.Note}
	for _, v := range in.AttendeeIDs {
		t.Attendees = append(t.Attendees, training.Attendee{VolunteerID: v})
	}
	if len(fe) > 0 { // every field's reason at once
		t.Normalize()
		fe.Merge(t.Validate(today))
	}
	return t, fe.Err()
}

func (s *Server) saveTraining(r *request, t *training.Session, status int) (int, any, error) {
	if err := s.db.SaveTraining(r.ctx, r.actor, t); err != nil {
		return 0, nil, err
	}
	got, err := s.db.Training(r.ctx, r.actor, t.ID)
	if err != nil {
		return 0, nil, err
	}
	if status == http.StatusCreated {
		r.w.Header().Set("Location", "/api/v1/trainings/"+strconv.FormatInt(t.ID, 10))
	}
	return status, s.trainingOut(got), nil
}

func (s *Server) createTraining(r *request) (int, any, error) {
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var in trainingIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := in.session(0, s.db.Today())
	if err != nil {
		return 0, nil, err
	}
	return s.saveTraining(r, t, http.StatusCreated)
}

func (s *Server) getTraining(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	t, err := s.db.Training(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.trainingOut(t), nil
}

// patchTraining corrects the fields sent; attendee_ids, when sent, is the
// whole list.
func (s *Server) patchTraining(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	cur, err := s.db.Training(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	in := trainingIn{CommunityID: cur.CommunityID, Topic: cur.Topic, HeldOn: date(cur.HeldOn), Trainer: cur.Trainer, Place: cur.Place,
		Note: cur.Note, AttendeeIDs: cur.AttendeeIDs()}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := in.session(id, s.db.Today())
	if err != nil {
		return 0, nil, err
	}
	return s.saveTraining(r, t, http.StatusOK)
}

type commendationJSON struct {
	ID          int64  `json:"id"`
	VolunteerID int64  `json:"volunteer_id"`
	Title       string `json:"title"`
	AwardedOn   string `json:"awarded_on"`
	Reason      string `json:"reason"`
	AwardedBy   string `json:"awarded_by"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   string `json:"created_at"`
}

func (s *Server) commendationOut(c *training.Commendation) commendationJSON {
	return commendationJSON{ID: c.ID, VolunteerID: c.VolunteerID, Title: c.Title, AwardedOn: date(c.AwardedOn), Reason: c.Reason,
		AwardedBy: c.AwardedBy, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.In(s.db.Loc).Format(time.RFC3339)}
}

func (s *Server) listCommendations(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	items, err := s.db.Commendations(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := list[commendationJSON]{Items: []commendationJSON{}, Total: len(items), Limit: 500}
	for i := range items {
		out.Items = append(out.Items, s.commendationOut(&items[i]))
	}
	return 0, out, nil
}

func (s *Server) addCommendation(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	var in struct {
		Title     string `json:"title"`
		AwardedOn string `json:"awarded_on"`
		Reason    string `json:"reason"`
		AwardedBy string `json:"awarded_by"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	fe := care.FieldErrors{}
	c := &training.Commendation{VolunteerID: id, Title: in.Title, AwardedOn: parseDateField(fe, "awarded_on", in.AwardedOn), Reason: in.Reason, AwardedBy: in.AwardedBy}
	if len(fe) > 0 { // every field's reason at once
		c.Normalize()
		fe.Merge(c.Validate(s.db.Today()))
		return 0, nil, fe.Err()
	}
	if err := s.db.AddCommendation(r.ctx, r.actor, c); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.commendationOut(c), nil
}
