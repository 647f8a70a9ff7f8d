package api

import (
	"net/http"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/health"
)

// The clinic's health record and call-outs (issue 16 point 2). Who may
// read what is the store's decision: clinic staff the whole record of
// their elders; station and community staff a summary (audited); others
// 403.
func (s *Server) routesHealth() {
	m := s.mux
	m.HandleFunc("GET /api/v1/elders/{id}/health", s.handle(s.getHealth, true))
	m.HandleFunc("PUT /api/v1/elders/{id}/health", s.handle(s.putHealth, true))
	m.HandleFunc("GET /api/v1/elders/{id}/health/measurements", s.handle(s.listMeasurements, true))
	m.HandleFunc("POST /api/v1/elders/{id}/health/measurements", s.handle(s.addMeasurement, true))
	m.HandleFunc("GET /api/v1/elders/{id}/callouts", s.handle(s.listCallouts, true))
	m.HandleFunc("POST /api/v1/elders/{id}/callouts", s.handle(s.addCallout, true))
}

// healthJSON is the record (clinic staff) or its summary (scope
// "summary": no medicines, allergies or values).
type healthJSON struct {
	ElderID         int64     `json:"elder_id"`
	Scope           string    `json:"scope"`
	Conditions      []string  `json:"conditions"`
	ConditionsOther string    `json:"conditions_other"`
	Medicines       *[]string `json:"medicines,omitempty"`
	Allergies       *[]string `json:"allergies,omitempty"`
	UpdatedAt       *string   `json:"updated_at,omitempty"`
	UpdatedBy       string    `json:"updated_by,omitempty"`
	LastCheckup     *string   `json:"last_checkup"`
	Measurements    int       `json:"measurements_last_year"`
	LastCallout     *string   `json:"last_callout"`
	Callouts        int       `json:"callouts_last_year"`
}

func (s *Server) healthOut(sum *health.Summary, rec *health.Record) healthJSON {
	out := healthJSON{ElderID: sum.ElderID, Scope: "summary", Conditions: orEmpty(sum.Conditions), ConditionsOther: sum.ConditionsOther,
		Measurements: sum.Measurements, Callouts: sum.Callouts}
	if !sum.LastCheckup.IsZero() {
		d := sum.LastCheckup.Format(time.DateOnly)
		out.LastCheckup = &d
	}
	if !sum.LastCallout.IsZero() {
		t := sum.LastCallout.In(s.db.Loc).Format(time.RFC3339)
		out.LastCallout = &t
	}
	if rec != nil {
		out.Scope = "full"
		out.Medicines, out.Allergies, out.UpdatedBy = &rec.Medicines, &rec.Allergies, rec.UpdatedBy
		if !rec.UpdatedAt.IsZero() {
			t := rec.UpdatedAt.In(s.db.Loc).Format(time.RFC3339)
			out.UpdatedAt = &t
		}
	}
	return out
}

// health answers the record to the clinic, the summary to station and
// community staff.
func (s *Server) health(r *request, id int64) (healthJSON, error) {
	sum, err := s.db.HealthSummary(r.ctx, r.actor, id)
	if err != nil {
		return healthJSON{}, err
	}
	var rec *health.Record
	if r.actor.Role == care.RoleClinic {
		if rec, err = s.db.HealthRecord(r.ctx, r.actor, id); err != nil {
			return healthJSON{}, err
		}
	}
	return s.healthOut(sum, rec), nil
}

func (s *Server) getHealth(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.health(r, id)
	return 0, out, err
}

func (s *Server) putHealth(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Conditions      []string `json:"conditions"`
		ConditionsOther string   `json:"conditions_other"`
		Medicines       []string `json:"medicines"`
		Allergies       []string `json:"allergies"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	rec := &health.Record{ElderID: id, Conditions: in.Conditions, ConditionsOther: in.ConditionsOther, Medicines: in.Medicines, Allergies: in.Allergies}
	if err := s.db.SaveHealthRecord(r.ctx, r.actor, rec); err != nil {
		return 0, nil, err
	}
	out, err := s.health(r, id)
	return 0, out, err
}

type measurementJSON struct {
	health.Measurement
	TakenOn   string `json:"taken_on"`
	CreatedAt string `json:"created_at"`
	CreatedBy string `json:"created_by"`
}

func (s *Server) measurementOut(m health.Measurement) measurementJSON {
	return measurementJSON{Measurement: m, TakenOn: m.TakenOn.Format(time.DateOnly),
		CreatedAt: m.CreatedAt.In(s.db.Loc).Format(time.RFC3339), CreatedBy: m.CreatedBy}
}

// queryDate reads an optional YYYY-MM-DD query parameter.
func queryDate(r *request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, care.FieldErrors{name: care.MsgBadDate}.Err()
	}
	return d, nil
}

func (s *Server) listMeasurements(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	from, err := queryDate(r, "from")
	if err != nil {
		return 0, nil, err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return 0, nil, err
	}
	list, err := s.db.Measurements(r.ctx, r.actor, id, from, to)
	if err != nil {
		return 0, nil, err
	}
	out := []measurementJSON{}
	for _, m := range list {
		out = append(out, s.measurementOut(m))
	}
	return 0, map[string]any{"elder_id": id, "items": out}, nil
}

func (s *Server) addMeasurement(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		TakenOn   string   `json:"taken_on"`
		Systolic  *int     `json:"systolic"`
		Diastolic *int     `json:"diastolic"`
		Glucose   *float64 `json:"glucose"`
		Weight    *float64 `json:"weight"`
		HeartRate *int     `json:"heart_rate"`
		Note      string   `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	m := &health.Measurement{ElderID: id, Systolic: in.Systolic, Diastolic: in.Diastolic, Glucose: in.Glucose, Weight: in.Weight, HeartRate: in.HeartRate, Note: in.Note}
	if in.TakenOn != "" {
		d, err := time.Parse(time.DateOnly, in.TakenOn)
		if err != nil {
			return 0, nil, care.FieldErrors{"taken_on": care.MsgBadDate}.Err()
		}
		m.TakenOn = d
	}
	if err := s.db.AddMeasurement(r.ctx, r.actor, m); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.measurementOut(*m), nil
}

type calloutJSON struct {
	health.Callout
	CalledAt  string  `json:"called_at"`
	ArrivedAt *string `json:"arrived_at"`
	Minutes   *int    `json:"minutes_to_arrive"`
	CreatedAt string  `json:"created_at"`
	CreatedBy string  `json:"created_by"`
}

func (s *Server) calloutOut(c health.Callout) calloutJSON {
	out := calloutJSON{Callout: c, CalledAt: c.CalledAt.In(s.db.Loc).Format(time.RFC3339),
		CreatedAt: c.CreatedAt.In(s.db.Loc).Format(time.RFC3339), CreatedBy: c.CreatedBy}
	if c.ArrivedAt != nil {
		t, n := c.ArrivedAt.In(s.db.Loc).Format(time.RFC3339), c.Minutes()
		out.ArrivedAt, out.Minutes = &t, &n
	}
	return out
}

func (s *Server) listCallouts(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := s.db.Callouts(r.ctx, r.actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := []calloutJSON{}
	for _, c := range list {
		out = append(out, s.calloutOut(c))
	}
	return 0, map[string]any{"elder_id": id, "items": out}, nil
}

func (s *Server) addCallout(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		CalledAt  string `json:"called_at"`
		Caller    string `json:"caller"`
		ArrivedAt string `json:"arrived_at"`
		Outcome   string `json:"outcome"`
		Note      string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c := &health.Callout{ElderID: id, Caller: in.Caller, Outcome: in.Outcome, Note: in.Note}
	bad := care.FieldErrors{}
	if in.CalledAt != "" {
		if t, err := time.Parse(time.RFC3339, in.CalledAt); err != nil {
			bad.Add("called_at", msgBadTime)
		} else {
			c.CalledAt = t
		}
	}
	if in.ArrivedAt != "" {
		if t, err := time.Parse(time.RFC3339, in.ArrivedAt); err != nil {
			bad.Add("arrived_at", msgBadTime)
		} else {
			c.ArrivedAt = &t
		}
	}
	if err := bad.Err(); err != nil {
		return 0, nil, err
	}
	if err := s.db.AddCallout(r.ctx, r.actor, c); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.calloutOut(*c), nil
}

var msgBadTime = care.Msg{ZH: "时间格式应为 2026-11-29T21:05:00+08:00", EN: "must be a time like 2026-11-29T21:05:00+08:00"}
