// Package survey holds the needs survey (调查摸底) and its review (审核):
// the answers a surveyor gives for one elder, the proposal they make
// against the elder's record (only the fields that differ), and how the
// fields staff accept change the record. It is pure: no SQL, no HTTP.
package survey

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Kinds of proposal: a survey of the whole form, or a later change of
// category, self-care or needs that goes through the same review.
const (
	KindSurvey = "survey"
	KindChange = "change"
)

// Statuses of a proposal.
const (
	StatusPending   = "pending"   // waiting for community staff's review
	StatusReviewed  = "reviewed"  // every field decided
	StatusUnchanged = "unchanged" // the answers agreed with the record: nothing to review
)

// Statuses names the statuses.
var Statuses = []care.Choice{
	{Code: StatusPending, Label: care.Msg{ZH: "待审核", EN: "awaiting review"}},
	{Code: StatusReviewed, Label: care.Msg{ZH: "已审核", EN: "reviewed"}},
	{Code: StatusUnchanged, Label: care.Msg{ZH: "与档案一致", EN: "agrees with the record"}},
}

// Fields a proposal may change, in the form's order.
const (
	FieldLiving     = "living_situation"
	FieldSelfCare   = "self_care"
	FieldCategories = "categories"
	FieldNeeds      = "needs"
	FieldHealth     = "health"
	FieldWishes     = "wishes"
)

// Fields names the fields.
var Fields = []care.Choice{
	{Code: FieldLiving, Label: care.Msg{ZH: "居住情况", EN: "living situation"}},
	{Code: FieldSelfCare, Label: care.Msg{ZH: "自理能力", EN: "self-care"}},
	{Code: FieldCategories, Label: care.Msg{ZH: "老人类别", EN: "categories"}},
	{Code: FieldNeeds, Label: care.Msg{ZH: "服务需求", EN: "needs"}},
	{Code: FieldHealth, Label: care.Msg{ZH: "健康状况", EN: "health conditions"}},
	{Code: FieldWishes, Label: care.Msg{ZH: "本人意愿", EN: "wishes"}},
}

// Decisions on a field.
const (
	Accept = "accept"
	Reject = "reject"
)

// Need is one of the six kinds of need with what exactly is needed.
type Need struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

// Answers are what a surveyor records for one elder. Empty fields of a
// change proposal are left as they are.
type Answers struct {
	LivingSituation string   `json:"living_situation,omitempty"`
	SelfCare        string   `json:"self_care,omitempty"`
	Categories      []string `json:"categories"`
	Needs           []Need   `json:"needs"`
	Health          string   `json:"health,omitempty"`
	DeclinePairing  bool     `json:"decline_pairing"`
	DeclineReason   string   `json:"decline_reason,omitempty"`
	Wishes          string   `json:"wishes,omitempty"`
}

// Profile is what surveys add to the elder's record beyond the elders
// table: each need's detail, health conditions and wishes in words.
type Profile struct {
	NeedDetails map[string]string
	Health      string
	Wishes      string
}

// Normalize trims, orders needs by the six kinds and drops 高龄 (computed
// from the birth date, never recorded) and repeated entries.
func (a *Answers) Normalize() {
	a.Health, a.Wishes, a.DeclineReason = strings.TrimSpace(a.Health), strings.TrimSpace(a.Wishes), strings.TrimSpace(a.DeclineReason)
	var cats []string
	for _, c := range care.Categories {
		if c.Code != "advanced_age" && slices.Contains(a.Categories, c.Code) {
			cats = append(cats, c.Code)
		}
	}
	for _, c := range a.Categories {
		if !slices.ContainsFunc(care.Categories, func(x care.Choice) bool { return x.Code == c }) && !slices.Contains(cats, c) {
			cats = append(cats, c) // unknown: kept so Validate names it
		}
	}
	a.Categories = cats
	var needs []Need
	for _, k := range care.ServiceKinds {
		for _, n := range a.Needs {
			if n.Kind == k.Code && !slices.ContainsFunc(needs, func(x Need) bool { return x.Kind == n.Kind }) {
				needs = append(needs, Need{Kind: n.Kind, Detail: strings.TrimSpace(n.Detail)})
			}
		}
	}
	for _, n := range a.Needs {
		if !isKind(n.Kind) {
			needs = append(needs, n)
		}
	}
	a.Needs = needs
	if !a.DeclinePairing {
		a.DeclineReason = ""
	}
}

func isKind(k string) bool {
	return slices.ContainsFunc(care.ServiceKinds, func(x care.Choice) bool { return x.Code == k })
}

func isChoice(cs []care.Choice, v string) bool {
	return slices.ContainsFunc(cs, func(x care.Choice) bool { return x.Code == v })
}

// Validate checks the answers; a survey must answer living situation and
// self-care, a change proposal only what it changes.
func (a *Answers) Validate(kind string) error {
	f := care.FieldErrors{}
	if kind != KindSurvey && kind != KindChange {
		f.Add("kind", care.MsgBadChoice)
	}
	choice := func(field string, cs []care.Choice, v string) {
		switch {
		case v == "" && kind == KindSurvey:
			f.Add(field, care.MsgRequired)
		case v != "" && !isChoice(cs, v):
			f.Add(field, care.MsgBadChoice)
		}
	}
	choice(FieldLiving, care.LivingSituations, a.LivingSituation)
	choice(FieldSelfCare, care.SelfCareLevels, a.SelfCare)
	for _, c := range a.Categories {
		if !isChoice(care.Categories, c) {
			f.Add(FieldCategories, care.MsgBadChoice)
		}
	}
	for _, n := range a.Needs {
		if !isKind(n.Kind) {
			f.Add(FieldNeeds, care.MsgBadChoice)
		} else if utf8.RuneCountInString(n.Detail) > 500 {
			f.Add("needs."+n.Kind, care.MsgTooLong)
		}
	}
	if utf8.RuneCountInString(a.Health) > 2000 {
		f.Add(FieldHealth, care.MsgTooLong)
	}
	if utf8.RuneCountInString(a.Wishes) > 1000 {
		f.Add(FieldWishes, care.MsgTooLong)
	}
	if a.DeclinePairing && a.DeclineReason == "" {
		f.Add("decline_reason", care.Msg{ZH: "不愿结对时请写明原因（如已雇人照料）", EN: "give a reason when the elder declines pairing (e.g. has a hired carer)"})
	}
	return f.Err()
}

// NeedKinds are the kinds of the answers' needs.
func (a *Answers) NeedKinds() []string {
	out := []string{}
	for _, n := range a.Needs {
		out = append(out, n.Kind)
	}
	return out
}

// Proposed lists the fields whose answers differ from the elder's record
// and profile, in the order of Fields. A change proposal proposes only
// what it answers (a field left empty stays as it is); a survey answers
// every field, so an empty list of needs proposes "no needs".
func Proposed(kind string, a *Answers, e *care.Elder, p Profile) []string {
	var out []string
	if a.LivingSituation != "" && a.LivingSituation != e.LivingSituation {
		out = append(out, FieldLiving)
	}
	if a.SelfCare != "" && a.SelfCare != e.SelfCare {
		out = append(out, FieldSelfCare)
	}
	if (kind == KindSurvey || a.Categories != nil) && !sameSet(a.Categories, e.Categories) {
		out = append(out, FieldCategories)
	}
	if kind == KindSurvey || a.Needs != nil {
		changed := !sameSet(a.NeedKinds(), e.Needs)
		for _, n := range a.Needs {
			changed = changed || n.Detail != p.NeedDetails[n.Kind]
		}
		if changed {
			out = append(out, FieldNeeds)
		}
	}
	if a.Health != "" && a.Health != p.Health {
		out = append(out, FieldHealth)
	}
	if (a.Wishes != "" && a.Wishes != p.Wishes) || (kind == KindSurvey && (a.DeclinePairing != e.Wishes.DeclinePairing ||
		(a.DeclinePairing && a.DeclineReason != e.Wishes.DeclineReason))) {
		out = append(out, FieldWishes)
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// ValidateDecisions checks that every proposed field has a decision, and
// nothing else does; note is required when something is rejected.
func ValidateDecisions(proposed []string, decisions map[string]string, note string) error {
	f := care.FieldErrors{}
	rejected := false
	for _, field := range proposed {
		switch decisions[field] {
		case Accept:
		case Reject:
			rejected = true
		case "":
			f.Add("decisions."+field, care.Msg{ZH: "请选择采纳或不采纳", EN: "choose accept or reject"})
		default:
			f.Add("decisions."+field, care.MsgBadChoice)
		}
	}
	for field := range decisions {
		if !slices.Contains(proposed, field) {
			f.Add("decisions."+field, care.Msg{ZH: "该项不在本次调查的变更中", EN: "not a field this proposal changes"})
		}
	}
	if rejected && strings.TrimSpace(note) == "" {
		f.Add("note", care.Msg{ZH: "不采纳时请写明理由", EN: "give a reason when rejecting a field"})
	}
	if utf8.RuneCountInString(note) > 1000 {
		f.Add("note", care.MsgTooLong)
	}
	return f.Err()
}

// Apply writes the accepted fields of a into the elder e and profile p
// (both changed in place). The surveyor's words on wishes go to the
// profile; declining pairing goes to the elder's wishes, which matching
// honours.
func Apply(a *Answers, accepted []string, e *care.Elder, p *Profile) {
	for _, field := range accepted {
		switch field {
		case FieldLiving:
			e.LivingSituation = a.LivingSituation
		case FieldSelfCare:
			e.SelfCare = a.SelfCare
		case FieldCategories:
			e.Categories = slices.Clone(a.Categories)
		case FieldNeeds:
			e.Needs = a.NeedKinds()
			p.NeedDetails = map[string]string{}
			for _, n := range a.Needs {
				if n.Detail != "" {
					p.NeedDetails[n.Kind] = n.Detail
				}
			}
		case FieldHealth:
			p.Health = a.Health
		case FieldWishes:
			if a.Wishes != "" {
				p.Wishes = a.Wishes
			}
			e.Wishes.DeclinePairing, e.Wishes.DeclineReason = a.DeclinePairing, a.DeclineReason
		}
	}
}

// Show renders a field's value of an elder and profile as the history of
// needs keeps it (codes, in the record's order).
func Show(field string, e *care.Elder, p Profile) string {
	switch field {
	case FieldLiving:
		return e.LivingSituation
	case FieldSelfCare:
		return e.SelfCare
	case FieldCategories:
		return strings.Join(e.Categories, ",")
	case FieldNeeds:
		var parts []string
		for _, k := range e.Needs {
			if d := p.NeedDetails[k]; d != "" {
				parts = append(parts, k+":"+d)
			} else {
				parts = append(parts, k)
			}
		}
		return strings.Join(parts, "; ")
	case FieldWishes:
		s := p.Wishes
		if e.Wishes.DeclinePairing {
			s = strings.TrimSpace(s + " decline_pairing:" + e.Wishes.DeclineReason)
		}
		return s
	}
	return "" // health conditions are not copied into the history
}

// Tracked are the fields whose changes the history of needs keeps.
var Tracked = []string{FieldLiving, FieldSelfCare, FieldCategories, FieldNeeds, FieldWishes}

// CheckDay refuses a survey day in the future or missing.
func CheckDay(d, today time.Time) error {
	switch {
	case d.IsZero():
		return care.FieldErrors{"surveyed_on": care.MsgRequired}.Err()
	case d.After(today):
		return care.FieldErrors{"surveyed_on": care.MsgFutureDate}.Err()
	}
	return nil
}
