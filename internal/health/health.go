// Package health is the clinic's structured health record of an elder
// (issue 16 point 2): conditions from a list with free text, medicines,
// allergies, check-up measurements with plausible bounds, and call-outs
// (随叫随到). It validates and describes; it knows nothing of SQL or HTTP.
package health

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Condition is one entry of the list of chronic conditions a record picks from.
type Condition struct {
	Code  string
	Label care.Msg
}

// Conditions are the chronic conditions common among the programme's elders.
var Conditions = []Condition{
	{"hypertension", care.Msg{ZH: "高血压", EN: "hypertension"}},
	{"diabetes", care.Msg{ZH: "糖尿病", EN: "diabetes"}},
	{"coronary", care.Msg{ZH: "冠心病", EN: "coronary heart disease"}},
	{"stroke", care.Msg{ZH: "脑卒中（中风）", EN: "stroke"}},
	{"copd", care.Msg{ZH: "慢性阻塞性肺病", EN: "COPD"}},
	{"arthritis", care.Msg{ZH: "关节炎", EN: "arthritis"}},
	{"osteoporosis", care.Msg{ZH: "骨质疏松", EN: "osteoporosis"}},
	{"dementia", care.Msg{ZH: "认知障碍", EN: "dementia"}},
	{"parkinsons", care.Msg{ZH: "帕金森病", EN: "Parkinson's disease"}},
	{"cataract", care.Msg{ZH: "白内障", EN: "cataract"}},
	{"hearing", care.Msg{ZH: "听力障碍", EN: "hearing loss"}},
	{"kidney", care.Msg{ZH: "慢性肾病", EN: "chronic kidney disease"}},
	{"cancer", care.Msg{ZH: "肿瘤", EN: "cancer"}},
}

// ConditionLabel is the label of a condition code in lang, or the code.
func ConditionLabel(code, lang string) string {
	for _, c := range Conditions {
		if c.Code == code {
			return c.Label.In(lang)
		}
	}
	return code
}

// Record is an elder's health record: what the clinic knows of the elder's
// conditions, medicines and allergies. The measurements are kept apart.
type Record struct {
	ElderID         int64     `json:"elder_id"`
	Conditions      []string  `json:"conditions"`
	ConditionsOther string    `json:"conditions_other"`
	Medicines       []string  `json:"medicines"`
	Allergies       []string  `json:"allergies"`
	UpdatedAt       time.Time `json:"-"`
	UpdatedBy       string    `json:"-"`
}

// Limits of the record's free text.
const (
	maxText  = 500
	maxItems = 30
	maxItem  = 100
)

var (
	msgTooMany      = care.Msg{ZH: "条目过多（最多30条）", EN: "too many entries (at most 30)"}
	msgItemTooLong  = care.Msg{ZH: "有一条过长（最多100字）", EN: "an entry is too long (at most 100 characters)"}
	msgNoValue      = care.Msg{ZH: "请至少填写一项测量值", EN: "give at least one measurement"}
	msgDiaOverSys   = care.Msg{ZH: "舒张压应低于收缩压", EN: "must be lower than the systolic pressure"}
	msgBPPair       = care.Msg{ZH: "收缩压和舒张压须同时填写", EN: "systolic and diastolic go together"}
	msgArriveBefore = care.Msg{ZH: "到达时间不能早于呼叫时间", EN: "cannot be before the call"}
	msgFutureTime   = care.Msg{ZH: "不能是将来的时间", EN: "cannot be in the future"}
	msgArriveNeeded = care.Msg{ZH: "上门处置须填写到达时间", EN: "is required unless the call was answered by phone"}
)

// Normalize trims the record's text, drops empty and repeated entries and
// orders the conditions as the list does.
func (r *Record) Normalize() {
	r.Conditions = cleanList(r.Conditions)
	slices.SortStableFunc(r.Conditions, func(a, b string) int { return conditionIndex(a) - conditionIndex(b) })
	r.ConditionsOther = strings.TrimSpace(r.ConditionsOther)
	r.Medicines, r.Allergies = cleanList(r.Medicines), cleanList(r.Allergies)
}

func conditionIndex(code string) int {
	return slices.IndexFunc(Conditions, func(c Condition) bool { return c.Code == code })
}

func cleanList(in []string) []string {
	out := []string{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Validate returns every field's reason at once.
func (r *Record) Validate() error {
	f := care.FieldErrors{}
	for _, c := range r.Conditions {
		if conditionIndex(c) < 0 {
			f.Add("conditions", care.MsgBadChoice)
		}
	}
	if utf8.RuneCountInString(r.ConditionsOther) > maxText {
		f.Add("conditions_other", care.MsgTooLong)
	}
	for name, list := range map[string][]string{"medicines": r.Medicines, "allergies": r.Allergies} {
		if len(list) > maxItems {
			f.Add(name, msgTooMany)
		}
		for _, s := range list {
			if utf8.RuneCountInString(s) > maxItem {
				f.Add(name, msgItemTooLong)
			}
		}
	}
	return f.Err()
}

// Measurement is one check-up's results. A value not measured is nil.
type Measurement struct {
	ID        int64     `json:"id"`
	ElderID   int64     `json:"elder_id"`
	TakenOn   time.Time `json:"-"`
	Systolic  *int      `json:"systolic"`   // mmHg
	Diastolic *int      `json:"diastolic"`  // mmHg
	Glucose   *float64  `json:"glucose"`    // mmol/L
	Weight    *float64  `json:"weight"`     // kg
	HeartRate *int      `json:"heart_rate"` // beats a minute
	Note      string    `json:"note"`       // the clinic's remark
	CreatedAt time.Time `json:"-"`
	CreatedBy string    `json:"-"`
}

// bound is the plausible range of a measurement: a value outside it is a
// typing mistake (a weight of 650 kg, a pressure of 1200), not a finding.
type bound struct {
	lo, hi float64
	msg    care.Msg
}

// Bounds are the plausible ranges, by JSON field.
var Bounds = map[string]bound{
	"systolic":   {60, 260, care.Msg{ZH: "收缩压应在 60 到 260 mmHg 之间", EN: "systolic pressure must be between 60 and 260 mmHg"}},
	"diastolic":  {30, 160, care.Msg{ZH: "舒张压应在 30 到 160 mmHg 之间", EN: "diastolic pressure must be between 30 and 160 mmHg"}},
	"glucose":    {1, 35, care.Msg{ZH: "血糖应在 1 到 35 mmol/L 之间", EN: "blood glucose must be between 1 and 35 mmol/L"}},
	"weight":     {20, 200, care.Msg{ZH: "体重应在 20 到 200 kg 之间", EN: "weight must be between 20 and 200 kg"}},
	"heart_rate": {25, 220, care.Msg{ZH: "心率应在 25 到 220 次/分 之间", EN: "heart rate must be between 25 and 220 a minute"}},
}

func check(f care.FieldErrors, field string, v float64) {
	b := Bounds[field]
	if math.IsNaN(v) || v < b.lo || v > b.hi {
		f.Add(field, b.msg)
	}
}

// Validate checks the measurement against its bounds, its date against
// today (a UTC-midnight date) and the elder's birth; every reason at once.
func (m *Measurement) Validate(today, born time.Time) error {
	f := care.FieldErrors{}
	m.Note = strings.TrimSpace(m.Note)
	switch {
	case m.TakenOn.IsZero():
		f.Add("taken_on", care.MsgRequired)
	case m.TakenOn.After(today):
		f.Add("taken_on", care.MsgFutureDate)
	case !born.IsZero() && m.TakenOn.Before(born):
		f.Add("taken_on", care.Msg{ZH: "不能早于出生日期", EN: "cannot be before the elder's birth"})
	}
	if m.Systolic == nil && m.Diastolic == nil && m.Glucose == nil && m.Weight == nil && m.HeartRate == nil {
		f.Add("systolic", msgNoValue)
	}
	if (m.Systolic == nil) != (m.Diastolic == nil) {
		if m.Systolic == nil {
			f.Add("systolic", msgBPPair)
		} else {
			f.Add("diastolic", msgBPPair)
		}
	}
	if m.Systolic != nil {
		check(f, "systolic", float64(*m.Systolic))
	}
	if m.Diastolic != nil {
		check(f, "diastolic", float64(*m.Diastolic))
	}
	if m.Systolic != nil && m.Diastolic != nil && *m.Diastolic >= *m.Systolic {
		f.Add("diastolic", msgDiaOverSys)
	}
	if m.Glucose != nil {
		check(f, "glucose", *m.Glucose)
	}
	if m.Weight != nil {
		check(f, "weight", *m.Weight)
	}
	if m.HeartRate != nil {
		check(f, "heart_rate", float64(*m.HeartRate))
	}
	if utf8.RuneCountInString(m.Note) > maxText {
		f.Add("note", care.MsgTooLong)
	}
	return f.Err()
}

// Outcomes of a call-out.
var Outcomes = []Condition{
	{"treated", care.Msg{ZH: "上门处置", EN: "treated at home"}},
	{"referred", care.Msg{ZH: "转诊就医", EN: "referred to hospital"}},
	{"ambulance", care.Msg{ZH: "呼叫急救送医", EN: "sent by ambulance"}},
	{"advice", care.Msg{ZH: "电话指导", EN: "advice by phone"}},
	{"false_alarm", care.Msg{ZH: "到场无需处置", EN: "no treatment needed"}},
}

// OutcomeLabel is the label of an outcome code in lang, or the code.
func OutcomeLabel(code, lang string) string {
	for _, o := range Outcomes {
		if o.Code == code {
			return o.Label.In(lang)
		}
	}
	return code
}

// Callout is a call to the clinic (随叫随到): when it came, who called,
// when the clinic arrived, and the outcome.
type Callout struct {
	ID        int64      `json:"id"`
	ElderID   int64      `json:"elder_id"`
	CalledAt  time.Time  `json:"-"`
	Caller    string     `json:"caller"` // who called: 本人, 老伴, 子女, a volunteer…
	ArrivedAt *time.Time `json:"-"`
	Outcome   string     `json:"outcome"`
	Note      string     `json:"note"`
	CreatedAt time.Time  `json:"-"`
	CreatedBy string     `json:"-"`
}

// Minutes is how long the clinic took to arrive, or -1.
func (c *Callout) Minutes() int {
	if c.ArrivedAt == nil {
		return -1
	}
	return int(c.ArrivedAt.Sub(c.CalledAt).Minutes())
}

// Validate checks a call-out against now: the call and the arrival not in
// the future, the arrival not before the call, an arrival for every outcome
// but advice by phone.
func (c *Callout) Validate(now time.Time) error {
	f := care.FieldErrors{}
	c.Caller, c.Note = strings.TrimSpace(c.Caller), strings.TrimSpace(c.Note)
	if c.CalledAt.IsZero() {
		f.Add("called_at", care.MsgRequired)
	} else if c.CalledAt.After(now) {
		f.Add("called_at", msgFutureTime)
	}
	if c.Caller == "" {
		f.Add("caller", care.MsgRequired)
	} else if utf8.RuneCountInString(c.Caller) > maxItem {
		f.Add("caller", care.MsgTooLong)
	}
	known := slices.ContainsFunc(Outcomes, func(o Condition) bool { return o.Code == c.Outcome })
	if c.Outcome == "" {
		f.Add("outcome", care.MsgRequired)
	} else if !known {
		f.Add("outcome", care.MsgBadChoice)
	}
	switch {
	case c.ArrivedAt == nil:
		if known && c.Outcome != "advice" {
			f.Add("arrived_at", msgArriveNeeded)
		}
	case c.ArrivedAt.After(now):
		f.Add("arrived_at", msgFutureTime)
	case !c.CalledAt.IsZero() && c.ArrivedAt.Before(c.CalledAt):
		f.Add("arrived_at", msgArriveBefore)
	}
	if utf8.RuneCountInString(c.Note) > maxText {
		f.Add("note", care.MsgTooLong)
	}
	return f.Err()
}

// Summary is what the community may read of an elder's health (the
// conditions without values, when the last check-up and call-out were): it
// lets staff plan care without seeing the clinic's findings.
type Summary struct {
	ElderID         int64
	Conditions      []string
	ConditionsOther string
	LastCheckup     time.Time // zero: none
	Measurements    int       // in the last year
	LastCallout     time.Time // zero: none
	Callouts        int       // in the last year
}
