package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/health"
	"carecircle/internal/store"
)

// healthFromNotes are the conditions the demo's notes name, so that the
// clinic's record agrees with what the volunteers read.
var healthFromNotes = map[string]string{
	"高血压": "hypertension", "糖尿病": "diabetes", "脑梗": "stroke", "阿尔茨海默": "dementia",
	"慢阻肺": "copd", "冠心病": "coronary", "白内障": "cataract", "听力较差": "hearing",
}

// medicinesFor are a condition's usual medicines.
var medicinesFor = map[string][]string{
	"hypertension": {"硝苯地平控释片 30mg 每日一次", "氨氯地平 5mg 每日一次"},
	"diabetes":     {"二甲双胍 0.5g 每日三次", "阿卡波糖 50mg 随餐"},
	"coronary":     {"阿司匹林肠溶片 100mg 每日一次", "速效救心丸 必要时"},
	"stroke":       {"氯吡格雷 75mg 每日一次"},
	"copd":         {"噻托溴铵吸入剂 每日一次"},
	"dementia":     {"多奈哌齐 5mg 睡前"},
	"arthritis":    {"氨基葡萄糖 每日两次"},
}

var demoAllergies = []string{"青霉素", "磺胺类药物", "海鲜", "头孢类药物"}

var calloutCallers = []string{"本人", "老伴", "女儿（电话）", "儿子（电话）", "结对志愿者", "邻居"}

var calloutNotes = []string{
	"头晕乏力，测血压偏高，嘱卧床休息并调整用药",
	"夜间胸闷，含服速效救心丸后缓解，建议次日门诊复查",
	"在家中跌倒，右腕肿痛，送区医院拍片",
	"发热 38.5℃，上门查体，予退热处理",
	"血糖偏低，进食后缓解，交代家属注意",
}

// health gives the elders in service of the demo's clinic (the clinic1
// login's) a health record and a year of check-ups — monthly for those with
// high blood pressure or diabetes, quarterly for the others — and a few
// call-outs. Each elder draws from a source of their own, so the rest of
// the demo stays as it was.
func (f *filler) health() error {
	if len(f.clinics) == 0 {
		return nil
	}
	k := f.clinics[0]
	a := care.Actor{Role: care.RoleClinic, ClinicID: k.ID, StreetID: f.street.ID, Username: "clinic1"}
	now := f.db.Now().In(f.db.Loc)
	today := f.db.Today()
	// The clinic's elders as the store sees them: every elder registered
	// by the steps before, in the store's order.
	elders, _, err := f.db.ListElders(f.ctx, a, store.ElderFilter{Status: "active", Limit: 500})
	if err != nil {
		return err
	}
	slices.SortFunc(elders, func(x, y care.Elder) int { return cmp.Compare(x.ID, y.ID) })
	for _, e := range elders {
		rng := rand.New(rand.NewPCG(uint64(e.ID), 0x4ea1))
		rec := demoRecord(&e, rng)
		if err := f.db.SaveHealthRecord(f.ctx, a, rec); err != nil {
			return err
		}
		if err := f.db.AddMeasurements(f.ctx, a, e.ID, demoMeasurements(rec, rng, today)); err != nil {
			return err
		}
		if rng.Float64() < 0.12 {
			if err := f.db.AddCallout(f.ctx, a, demoCallout(e.ID, rng, now)); err != nil {
				return err
			}
		}
	}
	return nil
}

func demoRecord(e *care.Elder, rng *rand.Rand) *health.Record {
	rec := &health.Record{ElderID: e.ID}
	for word, code := range healthFromNotes {
		if strings.Contains(e.Notes, word) {
			rec.Conditions = append(rec.Conditions, code)
		}
	}
	// Most elders of that age have high blood pressure; many arthritis.
	if rng.Float64() < 0.45 {
		rec.Conditions = append(rec.Conditions, "hypertension")
	}
	if rng.Float64() < 0.15 {
		rec.Conditions = append(rec.Conditions, "diabetes")
	}
	if rng.Float64() < 0.2 {
		rec.Conditions = append(rec.Conditions, "arthritis")
	}
	if strings.Contains(e.Notes, "腰椎间盘突出") {
		rec.ConditionsOther = "腰椎间盘突出"
	}
	rec.Normalize() // the map's order is random: the list's order is not
	for _, c := range rec.Conditions {
		if ms := medicinesFor[c]; len(ms) > 0 {
			rec.Medicines = append(rec.Medicines, ms[rng.IntN(len(ms))])
		}
	}
	if rng.Float64() < 0.2 {
		rec.Allergies = append(rec.Allergies, demoAllergies[rng.IntN(len(demoAllergies))])
	}
	return rec
}

// demoMeasurements is a year of check-ups that drift a little: blood
// pressure that comes down under treatment, a weight that wanders.
func demoMeasurements(rec *health.Record, rng *rand.Rand, today time.Time) []*health.Measurement {
	has := func(c string) bool {
		for _, x := range rec.Conditions {
			if x == c {
				return true
			}
		}
		return false
	}
	hyper, diabetic := has("hypertension"), has("diabetes")
	step := 3
	if hyper || diabetic {
		step = 1
	}
	sys := 125 + rng.Float64()*15
	if hyper {
		sys = 150 + rng.Float64()*20
	}
	glu := 5.2 + rng.Float64()*0.8
	if diabetic {
		glu = 7.5 + rng.Float64()*2
	}
	weight := 48 + rng.Float64()*25
	pulse := 66 + rng.Float64()*14
	var out []*health.Measurement
	for m := 12; m >= 0; m -= step {
		day := today.AddDate(0, -m, 0).AddDate(0, 0, -rng.IntN(10))
		if day.Before(today.AddDate(-1, 0, 1)) || day.After(today) {
			continue
		}
		if hyper {
			sys -= rng.Float64() * 2.5 // treatment works, slowly
		}
		s := int(math.Round(sys + rng.NormFloat64()*6))
		d := int(math.Round(float64(s)*0.6 + rng.NormFloat64()*4))
		g := math.Round((glu+rng.NormFloat64()*0.6)*10) / 10
		w := math.Round((weight+rng.NormFloat64()*0.8)*10) / 10
		p := int(math.Round(pulse + rng.NormFloat64()*5))
		me := &health.Measurement{TakenOn: day, Systolic: &s, Diastolic: &d, Weight: &w, HeartRate: &p}
		if diabetic || m%3 == 0 {
			me.Glucose = &g
		}
		if hyper && s >= 160 {
			me.Note = "血压偏高，嘱按时服药、低盐饮食"
		}
		out = append(out, me)
	}
	return out
}

func demoCallout(elderID int64, rng *rand.Rand, now time.Time) *health.Callout {
	called := now.AddDate(0, 0, -1-rng.IntN(300)).Truncate(time.Hour).Add(time.Duration(rng.IntN(60)) * time.Minute)
	c := &health.Callout{ElderID: elderID, CalledAt: called, Caller: calloutCallers[rng.IntN(len(calloutCallers))]}
	switch rng.IntN(5) {
	case 0:
		c.Outcome = "advice"
	case 1:
		c.Outcome = "referred"
	default:
		c.Outcome = "treated"
	}
	if c.Outcome != "advice" {
		arrived := called.Add(time.Duration(8+rng.IntN(30)) * time.Minute)
		c.ArrivedAt = &arrived
	}
	c.Note = calloutNotes[rng.IntN(len(calloutNotes))]
	return c
}
