package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/health"
)

// The elder's health page (issue 16 point 2): the clinic's record
// (conditions, medicines, allergies), its check-up measurements with small
// trend charts, and the call-outs (随叫随到). Clinic staff see and edit it
// all; station and community staff see the summary the store gives them
// (audited) and may log a call they took; other roles are refused by the
// store.

var englishHealth = map[string]string{
	"健康档案":    "Health record",
	"健康状况":    "Health conditions",
	"慢性病":     "Chronic conditions",
	"其他疾病":    "Other conditions",
	"用药":      "Medicines",
	"过敏":      "Allergies",
	"每行一项":    "one a line",
	"保存健康档案":  "Save the health record",
	"体检记录":    "Check-ups",
	"记录体检结果":  "Record a check-up",
	"体检日期":    "Date of the check-up",
	"收缩压":     "Systolic pressure",
	"舒张压":     "Diastolic pressure",
	"血压":      "Blood pressure",
	"血糖":      "Blood glucose",
	"体重":      "Weight",
	"心率":      "Heart rate",
	"说明":      "Note",
	"近一年趋势":   "The last year",
	"随叫随到":    "Call-outs",
	"记录一次呼叫":  "Log a call",
	"呼叫时间":    "Called at",
	"呼叫人":     "Caller",
	"到达时间":    "Arrived at",
	"用时":      "Took",
	"分钟":      "min",
	"处置结果":    "Outcome",
	"上次体检":    "Last check-up",
	"近一年体检次数": "Check-ups in the last year",
	"上次呼叫":    "Last call-out",
	"近一年呼叫次数": "Call-outs in the last year",
	"健康档案摘要":  "Health summary",
	"摘要仅含疾病名称和日期，查看已记入审计日志": "The summary holds only the conditions' names and dates; your reading it is in the audit log",
	"应为数字":             "must be a number",
	"时间格式应为 年-月-日 时:分": "must be a time like 2026-11-29 21:05",
	"最近更新":             "Last updated",
	"近期随叫随到":           "Recent call-outs",
	"近30天无呼叫记录":        "No call-outs in the last 30 days",
	"电话指导时可不填":         "may stay empty for advice by phone",
	"未到达":              "not arrived",
	"次/分":              "a minute",
	"高压":               "systolic",
	"低压":               "diastolic",
}

func init() { catalogs = append(catalogs, englishHealth) }

// routesHealth registers the health page and its forms.
func (s *Server) routesHealth(m *http.ServeMux) {
	m.Handle("GET /elders/{id}/health", s.auth(s.healthShow))
	m.Handle("POST /elders/{id}/health", s.auth(s.healthSave))
	m.Handle("POST /elders/{id}/health/measurements", s.auth(s.measurementAdd))
	m.Handle("POST /elders/{id}/callouts", s.auth(s.calloutAdd))
}

type conditionBox struct {
	Code, Label string
	Checked     bool
}

type measurementRow struct {
	TakenOn                              string
	BP, Glucose, Weight, HeartRate, Note string
}

type calloutRow struct {
	ElderID             int64
	Elder               string
	CalledAt, ArrivedAt string
	Minutes             int
	Caller, Outcome     string
	Note                string
}

type healthPageData struct {
	Elder        *care.Elder
	Full         bool // the clinic's whole record
	Summary      *health.Summary
	Conditions   []string // labels, for the summary
	Boxes        []conditionBox
	Record       *health.Record
	Medicines    string
	Allergies    string
	Measurements []measurementRow // newest first
	Charts       []template.HTML
	Callouts     []calloutRow
	Outcomes     []conditionBox
	Today, Now   string
}

func (s *Server) healthShow(w http.ResponseWriter, r *http.Request, p *page) error {
	e, err := s.elderFromPath(r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := &healthPageData{Elder: e, Full: p.Actor.Role == care.RoleClinic}
	now := s.db.Now().In(s.db.Loc)
	d.Today, d.Now = now.Format(time.DateOnly), now.Format("2006-01-02T15:04")
	if d.Summary, err = s.db.HealthSummary(ctx, p.Actor, e.ID); err != nil {
		return err
	}
	for _, c := range d.Summary.Conditions {
		d.Conditions = append(d.Conditions, health.ConditionLabel(c, p.Lang))
	}
	for _, o := range health.Outcomes {
		d.Outcomes = append(d.Outcomes, conditionBox{Code: o.Code, Label: o.Label.In(p.Lang)})
	}
	if d.Full {
		if d.Record, err = s.db.HealthRecord(ctx, p.Actor, e.ID); err != nil {
			return err
		}
		for _, c := range health.Conditions {
			d.Boxes = append(d.Boxes, conditionBox{Code: c.Code, Label: c.Label.In(p.Lang), Checked: slices.Contains(d.Record.Conditions, c.Code)})
		}
		d.Medicines, d.Allergies = strings.Join(d.Record.Medicines, "\n"), strings.Join(d.Record.Allergies, "\n")
		ms, err := s.db.Measurements(ctx, p.Actor, e.ID, s.db.Today().AddDate(-1, 0, 0), time.Time{})
		if err != nil {
			return err
		}
		d.Charts = healthCharts(ms, s.db.Today(), p.Lang)
		for i := len(ms) - 1; i >= 0; i-- {
			d.Measurements = append(d.Measurements, toMeasurementRow(ms[i]))
		}
	}
	cs, err := s.db.Callouts(ctx, p.Actor, e.ID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		d.Callouts = append(d.Callouts, s.toCalloutRow(c, e.Name, p.Lang))
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = p.T("已保存")
	}
	p.Title, p.Active, p.Data = e.Name+" · "+p.T("健康档案"), "elders", d
	s.render(w, http.StatusOK, "health", p)
	return nil
}

func toMeasurementRow(m health.Measurement) measurementRow {
	row := measurementRow{TakenOn: m.TakenOn.Format(time.DateOnly), Note: m.Note}
	if m.Systolic != nil && m.Diastolic != nil {
		row.BP = strconv.Itoa(*m.Systolic) + "/" + strconv.Itoa(*m.Diastolic)
	}
	if m.Glucose != nil {
		row.Glucose = strconv.FormatFloat(*m.Glucose, 'f', 1, 64)
	}
	if m.Weight != nil {
		row.Weight = strconv.FormatFloat(*m.Weight, 'f', 1, 64)
	}
	if m.HeartRate != nil {
		row.HeartRate = strconv.Itoa(*m.HeartRate)
	}
	return row
}

func (s *Server) toCalloutRow(c health.Callout, elder, lang string) calloutRow {
	row := calloutRow{ElderID: c.ElderID, Elder: elder, CalledAt: c.CalledAt.In(s.db.Loc).Format("2006-01-02 15:04"), Minutes: c.Minutes(),
		Caller: c.Caller, Outcome: health.OutcomeLabel(c.Outcome, lang), Note: c.Note}
	if c.ArrivedAt != nil {
		row.ArrivedAt = c.ArrivedAt.In(s.db.Loc).Format("2006-01-02 15:04")
	}
	return row
}

// refused shows the page again with a refused form's reasons at its
// fields, or returns an error that is not the form's.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, p *page, err error) error {
	if care.ErrorCode(err) != care.EInvalid {
		return err
	}
	p.setError(err)
	return s.healthShow(w, r, p)
}

func (s *Server) healthDone(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/elders/"+r.PathValue("id")+"/health?saved=1", http.StatusSeeOther)
	return nil
}

func elderID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, care.ErrNotFound("服务对象 / elder")
	}
	return id, nil
}

func lines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }

func (s *Server) healthSave(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := elderID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	rec := &health.Record{ElderID: id, Conditions: r.PostForm["conditions"], ConditionsOther: r.PostFormValue("conditions_other"),
		Medicines: lines(r.PostFormValue("medicines")), Allergies: lines(r.PostFormValue("allergies"))}
	if err := s.db.SaveHealthRecord(r.Context(), p.Actor, rec); err != nil {
		return s.refused(w, r, p, err)
	}
	return s.healthDone(w, r)
}

func formInt(r *http.Request, name string, bad care.FieldErrors) *int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		bad.Add(name, msgNumber)
		return nil
	}
	return &n
}

func formFloat(r *http.Request, name string, bad care.FieldErrors) *float64 {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		bad.Add(name, msgNumber)
		return nil
	}
	return &n
}

func (s *Server) measurementAdd(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := elderID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	bad := care.FieldErrors{}
	m := &health.Measurement{ElderID: id, Systolic: formInt(r, "systolic", bad), Diastolic: formInt(r, "diastolic", bad),
		Glucose: formFloat(r, "glucose", bad), Weight: formFloat(r, "weight", bad), HeartRate: formInt(r, "heart_rate", bad), Note: r.PostFormValue("note")}
	if v := strings.TrimSpace(r.PostFormValue("taken_on")); v != "" {
		if m.TakenOn, err = time.Parse(time.DateOnly, v); err != nil {
			bad.Add("taken_on", care.MsgBadDate)
		}
	}
	if err := bad.Err(); err != nil {
		return s.refused(w, r, p, err)
	}
	if err := s.db.AddMeasurement(r.Context(), p.Actor, m); err != nil {
		return s.refused(w, r, p, err)
	}
	return s.healthDone(w, r)
}

var msgLocalTime = care.Msg{ZH: "时间格式应为 年-月-日 时:分", EN: "must be a time like 2026-11-29 21:05"}

func (s *Server) formTime(r *http.Request, name string, bad care.FieldErrors) *time.Time {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, s.db.Loc); err == nil {
			return &t
		}
	}
	bad.Add(name, msgLocalTime)
	return nil
}

func (s *Server) calloutAdd(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := elderID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	bad := care.FieldErrors{}
	c := &health.Callout{ElderID: id, Caller: r.PostFormValue("caller"), Outcome: r.PostFormValue("outcome"), Note: r.PostFormValue("note"),
		ArrivedAt: s.formTime(r, "arrived_at", bad)}
	if t := s.formTime(r, "called_at", bad); t != nil {
		c.CalledAt = *t
	}
	if err := bad.Err(); err != nil {
		return s.refused(w, r, p, err)
	}
	if err := s.db.AddCallout(r.Context(), p.Actor, c); err != nil {
		return s.refused(w, r, p, err)
	}
	return s.healthDone(w, r)
}

// recentCallouts are the clinic's call-outs of the last 30 days, for its
// home page.
func (s *Server) recentCallouts(r *http.Request, p *page) ([]calloutRow, error) {
	cs, err := s.db.ClinicCallouts(r.Context(), p.Actor, s.db.Now().AddDate(0, 0, -30), 20)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var out []calloutRow
	for _, c := range cs {
		name, ok := names[c.ElderID]
		if !ok {
			if e, err := s.db.GetElder(r.Context(), p.Actor, c.ElderID); err == nil {
				name = e.Name
			}
			names[c.ElderID] = name
		}
		out = append(out, s.toCalloutRow(c, name, p.Lang))
	}
	return out, nil
}
