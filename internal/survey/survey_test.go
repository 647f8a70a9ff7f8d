package survey

import (
	"slices"
	"testing"

	"carecircle/internal/care"
)

// TestProposed: only what differs from the record is proposed; a change
// proposal proposes only what it answers; need details count as a change.
func TestProposed(t *testing.T) {
	e := &care.Elder{LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []string{"life"}}
	p := Profile{NeedDetails: map[string]string{"life": "买菜"}}
	for _, c := range []struct {
		name string
		kind string
		a    Answers
		want []string
	}{
		{"agrees", KindSurvey, Answers{LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []Need{{"life", "买菜"}}}, nil},
		{"new detail", KindSurvey, Answers{LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []Need{{"life", "买菜做饭"}}}, []string{FieldNeeds}},
		{"survey with no needs proposes none", KindSurvey, Answers{LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}}, []string{FieldNeeds}},
		{"change of self-care only", KindChange, Answers{SelfCare: "partial"}, []string{FieldSelfCare}},
		{"declining pairing", KindSurvey, Answers{LivingSituation: "alone", SelfCare: "independent", Categories: []string{"empty_nest"}, Needs: []Need{{"life", "买菜"}},
			DeclinePairing: true, DeclineReason: "已雇保姆"}, []string{FieldWishes}},
	} {
		c.a.Normalize()
		if got := Proposed(c.kind, &c.a, e, p); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestValidate: a survey needs living situation and self-care; unknown
// codes and a decline without reason are named.
func TestValidate(t *testing.T) {
	a := Answers{SelfCare: "flying", Categories: []string{"rich"}, Needs: []Need{{Kind: "x"}}, DeclinePairing: true}
	a.Normalize()
	err := a.Validate(KindSurvey)
	ce, ok := err.(*care.Error)
	if !ok {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, f := range []string{"living_situation", "self_care", "categories", "needs", "decline_reason"} {
		if _, ok := ce.Fields[f]; !ok {
			t.Errorf("no reason at %s: %v", f, ce.Fields)
		}
	}
	if err := (&Answers{SelfCare: "partial"}).Validate(KindChange); err != nil {
		t.Errorf("a change of self-care: %v", err)
	}
}

// TestDecisionsAndApply: every proposed field is decided; a rejection
// needs a note; only accepted fields are applied.
func TestDecisionsAndApply(t *testing.T) {
	proposed := []string{FieldSelfCare, FieldNeeds}
	if err := ValidateDecisions(proposed, map[string]string{FieldSelfCare: Accept}, ""); err == nil {
		t.Error("an undecided field was allowed")
	}
	if err := ValidateDecisions(proposed, map[string]string{FieldSelfCare: Accept, FieldNeeds: Reject}, ""); err == nil {
		t.Error("a rejection without a note was allowed")
	}
	if err := ValidateDecisions(proposed, map[string]string{FieldSelfCare: Accept, FieldNeeds: Accept, FieldHealth: Accept}, ""); err == nil {
		t.Error("a decision on a field not proposed was allowed")
	}
	e := &care.Elder{SelfCare: "independent", Needs: []string{"life"}}
	p := &Profile{NeedDetails: map[string]string{}}
	a := &Answers{SelfCare: "partial", Needs: []Need{{"health", "量血压"}}}
	Apply(a, []string{FieldNeeds}, e, p)
	if e.SelfCare != "independent" || !slices.Equal(e.Needs, []string{"health"}) || p.NeedDetails["health"] != "量血压" {
		t.Errorf("applied: %+v %+v", e, p)
	}
}

// TestSkillKinds: skill words map to the kinds of need they serve.
func TestSkillKinds(t *testing.T) {
	k := SkillKinds([]string{"买菜", "陪诊", "法律咨询", "家电维修"})
	for _, want := range []string{"life", "health", "legal", "emergency"} {
		if !k[want] {
			t.Errorf("no %s in %v", want, k)
		}
	}
	if n := SkillMatch([]string{"life", "spirit", "health"}, k); n != 2 {
		t.Errorf("match %d, want 2", n)
	}
}
