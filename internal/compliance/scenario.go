package compliance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"carecircle/internal/calendar"
)

// compiled is a validated scenario.
type compiled struct {
	asOf     time.Time
	cfg      Config
	elders   []Elder
	pairings []Pairing
	records  []Record
}

// problems collects every input error, so that one run reports them all.
type problems []string

func (p *problems) add(format string, a ...any) { *p = append(*p, fmt.Sprintf(format, a...)) }

func (sc *Scenario) compile() (*compiled, error) {
	var bad problems
	in := &compiled{}
	var err error
	if in.asOf, err = time.Parse(time.RFC3339, sc.AsOf); err != nil {
		bad.add("as_of: %q is not an RFC 3339 time such as 2026-11-29T21:00:00+08:00", sc.AsOf)
	}
	loc, err := calendar.LoadLocation(sc.Timezone)
	if err != nil {
		bad.add("timezone: %v", err)
		loc = nil
	}
	cal, err := calendar.New(loc, sc.Festivals)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			bad.add("festivals: %s", line)
		}
		cal, _ = calendar.New(loc, nil)
	}
	in.cfg = Config{Calendar: cal, Standards: sc.standards(&bad)}
	if in.cfg.Standards != nil {
		if err := ValidateStandards(in.cfg.Standards, cal); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				bad.add("%s", line)
			}
		}
	}
	known := sc.compileElders(in, cal, &bad)
	sc.compilePairings(in, known, &bad)
	sc.compileRecords(in, &bad)
	if len(bad) > 0 {
		return nil, &InputError{bad}
	}
	return in, nil
}

func (sc *Scenario) standards(bad *problems) []Standard {
	raw := bytes.TrimSpace(sc.Standards)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return DefaultStandards()
	}
	if raw[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil || name != "default" {
			bad.add(`standards: unknown set %s (want "default" or a list of standards)`, raw)
			return nil
		}
		return DefaultStandards()
	}
	stds, err := ParseStandards(raw)
	if err != nil {
		bad.add("%v", err)
		return nil
	}
	if len(stds) == 0 {
		bad.add("standards: the list is empty")
	}
	return stds
}

func (sc *Scenario) compileElders(in *compiled, cal *calendar.Calendar, bad *problems) map[ID]bool {
	known := map[ID]bool{}
	for i, e := range sc.Elders {
		where := fmt.Sprintf("elders[%d]", i)
		if e.ID == "" {
			bad.add("%s: id is missing", where)
		} else if known[e.ID] {
			bad.add("%s: elder %q is listed twice", where, e.ID)
		}
		known[e.ID] = true
		birth, err := calendar.ParseDate(e.BirthDate)
		if err != nil {
			bad.add("%s.birth_date: %v", where, err)
			continue
		}
		if _, err := cal.BirthdayOf(birth, e.LunarBirthday); err != nil {
			bad.add("%s.birth_date: %v", where, err)
			continue
		}
		in.elders = append(in.elders, Elder{ID: string(e.ID), BirthDate: birth, LunarBirthday: e.LunarBirthday})
	}
	return known
}

func (sc *Scenario) compilePairings(in *compiled, elders map[ID]bool, bad *problems) {
	seen := map[ID]bool{}
	for i, p := range sc.Pairings {
		where := fmt.Sprintf("pairings[%d]", i)
		switch {
		case p.ID == "":
			bad.add("%s: id is missing", where)
		case seen[p.ID]:
			bad.add("%s: pairing %q is listed twice", where, p.ID)
		}
		seen[p.ID] = true
		if !elders[p.Elder] {
			bad.add("%s: unknown elder %q", where, p.Elder)
		}
		if p.Volunteer == "" {
			bad.add("%s: volunteer is missing", where)
		}
		if !p.Role.Valid() {
			bad.add("%s: unknown role %q (want neighbour, social, committee or clinic)", where, p.Role)
		}
		pr := Pairing{ID: string(p.ID), Elder: string(p.Elder), Volunteer: string(p.Volunteer), Role: p.Role}
		var err error
		if pr.From, err = calendar.ParseDate(p.From); err != nil {
			bad.add("%s.from: %v", where, err)
		}
		if p.To != nil {
			to, err := calendar.ParseDate(*p.To)
			switch {
			case err != nil:
				bad.add("%s.to: %v", where, err)
			case to < pr.From:
				bad.add("%s: ends (%s) before it starts (%s)", where, to, pr.From)
			}
			pr.To = &to
		}
		in.pairings = append(in.pairings, pr)
	}
}

func (sc *Scenario) compileRecords(in *compiled, bad *problems) {
	for i, r := range sc.Records {
		where := fmt.Sprintf("records[%d]", i)
		if r.Elder == "" || r.By == "" {
			bad.add("%s: elder and by are required", where)
		}
		if !isServiceKind(r.Kind) {
			bad.add("%s: unknown service kind %q", where, r.Kind)
		}
		if r.Amount < 0 {
			bad.add("%s: amount must not be negative", where)
		}
		at, err := time.Parse(time.RFC3339, r.At)
		if err != nil {
			bad.add("%s.at: %q is not an RFC 3339 time", where, r.At)
			continue
		}
		if at.After(in.asOf) {
			continue
		}
		in.records = append(in.records, Record{ID: RecordID(i), Elder: string(r.Elder), By: string(r.By),
			Kind: r.Kind, Type: r.Type, At: at, Amount: r.Amount})
	}
}
