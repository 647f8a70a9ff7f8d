package request

import (
	"testing"
	"time"
)

func TestValidateNamesFields(t *testing.T) {
	f := Validate(&Request{Kind: "shopping", Urgency: "x", Channel: "fax"})
	for _, k := range []string{"elder_id", "kind", "urgency", "channel", "wanted_by"} {
		if _, ok := f[k]; !ok {
			t.Errorf("no error for %s: %v", k, f)
		}
	}
	ok := &Request{Elder: "e1", Kind: "life", Urgency: "urgent", Channel: "phone", WantedBy: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	if f := Validate(ok); len(f) != 0 {
		t.Errorf("valid request refused: %v", f)
	}
}

func TestStatusChanges(t *testing.T) {
	allowed := [][2]string{{Open, Dispatched}, {Dispatched, Accepted}, {Dispatched, Declined}, {Declined, Dispatched}, {Accepted, Done}, {Open, Cancelled}}
	for _, m := range allowed {
		if !CanMove(m[0], m[1]) {
			t.Errorf("%s → %s refused", m[0], m[1])
		}
	}
	refused := [][2]string{{Open, Done}, {Open, Accepted}, {Done, Cancelled}, {Cancelled, Open}, {Declined, Done}}
	for _, m := range refused {
		if CanMove(m[0], m[1]) {
			t.Errorf("%s → %s allowed", m[0], m[1])
		}
	}
}

func TestOverdue(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	r := &Request{Status: Dispatched, Dispatched: t0, WantedBy: t0.Add(24 * time.Hour)}
	if got := Overdue(r, t0.Add(time.Hour)); got != "" {
		t.Errorf("1h after dispatch: %q", got)
	}
	if got := Overdue(r, t0.Add(2*time.Hour+time.Minute)); got != "not_accepted" {
		t.Errorf("2h01 after dispatch: %q", got)
	}
	r.Status = Accepted
	if got := Overdue(r, t0.Add(3*time.Hour)); got != "" {
		t.Errorf("accepted in time: %q", got)
	}
	if got := Overdue(r, t0.Add(25*time.Hour)); got != "not_done" {
		t.Errorf("past wanted time: %q", got)
	}
	r.Status = Done
	if got := Overdue(r, t0.Add(25*time.Hour)); got != "" {
		t.Errorf("done: %q", got)
	}
}

func TestRankCircleSkillLoadDistance(t *testing.T) {
	got := Rank("life", []Candidate{
		{ID: "far", Metres: 3000},
		{ID: "busy", Metres: 100, Load: 3},
		{ID: "near", Metres: 200},
		{ID: "unknown", Metres: -1},
		{ID: "skilled", Metres: 5000, Skills: []string{"life"}},
		{ID: "circle", Metres: 9000, InCircle: true, Load: 5},
	})
	want := []string{"circle", "skilled", "near", "far", "unknown", "busy"}
	for i, c := range got {
		if c.ID != want[i] {
			t.Fatalf("order %d = %s, want %v (got %v)", i, c.ID, want, got)
		}
	}
}

func TestOverdueNeverDispatched(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	r := &Request{Status: Open, Created: t0, WantedBy: t0.Add(24 * time.Hour)}
	if got := Overdue(r, t0.Add(time.Hour)); got != "" {
		t.Errorf("open 1h: %q", got)
	}
	if got := Overdue(r, t0.Add(2*time.Hour+time.Minute)); got != "not_accepted" {
		t.Errorf("open 2h01: %q", got)
	}
	r.Status = Declined
	if got := Overdue(r, t0.Add(3*time.Hour)); got != "not_accepted" {
		t.Errorf("declined 3h: %q", got)
	}
}

func TestSkillFits(t *testing.T) {
	for _, c := range []struct {
		kind, typ, skill string
		want             bool
	}{
		{"life", "shopping", "买菜", true},
		{"life", "", "打扫卫生", true},
		{"health", "", "测血压", true},
		{"health", "", "陪诊", true},
		{"legal", "", "法律咨询", true},
		{"life", "", "法律咨询", false},
		{"spirit", "", "", false},
		{"life", "", "life", true},
	} {
		if got := SkillFits(c.kind, c.typ, c.skill); got != c.want {
			t.Errorf("SkillFits(%s, %s, %s) = %v", c.kind, c.typ, c.skill, got)
		}
	}
}
