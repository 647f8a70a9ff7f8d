package compliance

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"carecircle/internal/calendar"
)

// scenario is a random world for the property test.
type scenario struct {
	cal      *calendar.Calendar
	stds     []Standard
	elders   []Elder
	pairings []Pairing
	records  []Record
	asOf     time.Time
}

var serviceChoices = []string{"life/greeting", "life/greeting", "life/greeting", "spirit/chat", "spirit/chat",
	"festival/festival_visit", "life/donation", "health/health_inquiry", "health/checkup", "life/shopping", "legal/complaint"}

func randomScenario(rng *rand.Rand) scenario {
	cal, err := calendar.New(nil, []calendar.FestivalDef{
		{Code: "national_day", Name: "国庆", Month: 10, Day: 1},
		{Code: "new_year_eve", Name: "除夕", Lunar: true, Month: 12, Day: 30},
	})
	if err != nil {
		panic(err)
	}
	base := day("2025-12-01")
	randDay := func(span int) calendar.Date { return base.AddDays(rng.IntN(span)) }
	sc := scenario{cal: cal, stds: DefaultStandards()}
	// Later versions: a same-kind change, a change of period kind, a new window.
	chat := sc.stds[1]
	chat.Required, chat.EffectiveFrom = 1+rng.IntN(4), randDay(400)
	social := sc.stds[2]
	social.Period, social.Required, social.EffectiveFrom = calendar.KindHalfMonth, 2, randDay(400)
	fest := sc.stds[3]
	fest.Window, fest.Festivals, fest.EffectiveFrom = calendar.Window{Before: rng.IntN(20), After: rng.IntN(20)},
		[]string{calendar.CodeBirthday, "national_day", calendar.CodeSpringFestival, "new_year_eve"}, randDay(400)
	sc.stds = append(sc.stds, chat, social, fest)
	for i := range 5 {
		sc.elders = append(sc.elders, Elder{ID: fmt.Sprintf("e%d", i),
			BirthDate: day("1935-01-01").AddDays(rng.IntN(20 * 365)), LunarBirthday: rng.IntN(2) == 0})
	}
	roles := []Role{RoleNeighbour, RoleSocial, RoleCommittee, RoleClinic}
	for i := range 8 {
		p := Pairing{ID: fmt.Sprintf("p%d", i), Elder: fmt.Sprintf("e%d", rng.IntN(5)),
			Volunteer: fmt.Sprintf("v%d", rng.IntN(4)), Role: roles[rng.IntN(4)], From: randDay(200)}
		if rng.IntN(2) == 0 {
			to := p.From.AddDays(rng.IntN(300))
			p.To = &to
		}
		sc.pairings = append(sc.pairings, p)
	}
	for i := range 500 {
		kind, typ, _ := strings.Cut(serviceChoices[rng.IntN(len(serviceChoices))], "/")
		zone := time.FixedZone("", []int{0, 8 * 3600, -5 * 3600}[rng.IntN(3)])
		d := randDay(480)
		y, m, dd := d.YMD()
		r := Record{ID: RecordID(i), Elder: fmt.Sprintf("e%d", rng.IntN(5)), By: fmt.Sprintf("v%d", rng.IntN(5)),
			Kind: kind, Type: typ, At: time.Date(y, m, dd, rng.IntN(24), rng.IntN(60), 0, 0, zone)}
		if rng.IntN(3) == 0 {
			r.Amount = 100
		}
		sc.records = append(sc.records, r)
	}
	// as_of after every pairing has started, so that no scenario is empty.
	sc.asOf = cal.Start(base.AddDays(200 + rng.IntN(280))).Add(time.Duration(rng.IntN(86400)) * time.Second)
	return sc
}

// TestIncrementalMatchesRebuildAndReference applies records one at a time
// in random order, with voided records and pairing ends that change midway,
// and checks the result against Rebuild and a naive evaluator that scans
// every record for every period.
func TestIncrementalMatchesRebuildAndReference(t *testing.T) {
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 7))
		sc := randomScenario(rng)
		cfg := Config{Calendar: sc.cal, Standards: sc.stds}
		rebuilt, err := Rebuild(cfg, sc.elders, sc.pairings, slices.Values(sc.records))
		if err != nil {
			t.Fatal(err)
		}
		inc := incremental(t, rng, sc)
		want := reference(sc)
		if got := project(rebuilt.Statuses(sc.asOf)); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: Rebuild differs from the reference:\n%s", seed, firstDiff(got, want))
		}
		if got := project(inc.Statuses(sc.asOf)); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: incremental differs from the reference:\n%s", seed, firstDiff(got, want))
		}
		if len(want) == 0 {
			t.Fatalf("seed %d: empty scenario", seed)
		}
		if !reflect.DeepEqual(rebuilt.Rows(), inc.Rows()) {
			t.Fatalf("seed %d: rows differ", seed)
		}
	}
}

// incremental builds the state the way a server would: pairings start with
// a different end, records arrive shuffled with strays that are voided
// later, and the ends are corrected midway with replays.
func incremental(t *testing.T, rng *rand.Rand, sc scenario) *State {
	t.Helper()
	s, err := NewState(Config{Calendar: sc.cal, Standards: sc.stds})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sc.elders {
		must(t, s.AddElder(e))
	}
	for _, p := range sc.pairings {
		q := p
		switch rng.IntN(3) {
		case 0:
			q.To = nil
		case 1:
			to := p.From.AddDays(rng.IntN(60))
			q.To = &to
		}
		must(t, s.AddPairing(q))
	}
	live := map[RecordID]Record{}
	var strays []Record
	order := rng.Perm(len(sc.records))
	fixAt := map[int]bool{len(order) / 3: true, 2 * len(order) / 3: true}
	for n, i := range order {
		r := sc.records[i]
		must(t, s.Apply(r))
		live[r.ID] = r
		if rng.IntN(4) == 0 {
			stray := sc.records[rng.IntN(len(sc.records))]
			stray.ID += 100000
			must(t, s.Apply(stray))
			live[stray.ID] = stray
			strays = append(strays, stray)
		}
		if fixAt[n] {
			for _, p := range sc.pairings {
				from, replay, err := s.SetPairingEnd(p.ID, p.To)
				must(t, err)
				if replay {
					for _, r := range live {
						if r.Elder == p.Elder && r.By == p.Volunteer && sc.cal.DateOf(r.At) >= from {
							must(t, s.Apply(r))
						}
					}
				}
			}
		}
	}
	for _, r := range strays {
		must(t, s.Remove(r))
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type projected struct {
	Pairing, Standard, Period string
	Outcome                   Outcome
	Count, Required           int
	Records                   []RecordID
	Also                      []Tally
}

func project(sts []Status) []projected {
	var out []projected
	for _, s := range sts {
		out = append(out, projected{s.Pairing, s.Standard, s.Period.Label, s.Outcome, s.Count, s.Required, s.Records, s.Also})
	}
	return out
}

func firstDiff(got, want []projected) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("at %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(got), len(want))
}

// reference evaluates the scenario straight from the definitions: for each
// pairing, standard and period, scan all records.
func reference(sc scenario) []projected {
	var codes []string
	for _, s := range sc.stds {
		if !slices.Contains(codes, s.Code) {
			codes = append(codes, s.Code)
		}
	}
	asOfDay := sc.cal.DateOf(sc.asOf)
	var out []projected
	for _, p := range sc.pairings {
		last := maxDate
		if p.To != nil {
			last = *p.To
		}
		lo, hi := p.From, min(last, asOfDay)
		if lo > hi {
			continue
		}
		for _, code := range codes {
			for _, per := range referencePeriods(sc, p, code, lo, hi) {
				out = append(out, referenceStatus(sc, p, last, per))
			}
		}
	}
	return out
}

type refPeriod struct {
	calendar.Period
	std Standard
}

func referencePeriods(sc scenario, p Pairing, code string, lo, hi calendar.Date) []refPeriod {
	var versions []Standard
	for _, s := range sc.stds {
		if s.Code == code && s.Role == p.Role {
			versions = append(versions, s)
		}
	}
	slices.SortFunc(versions, func(a, b Standard) int { return cmp.Compare(a.EffectiveFrom, b.EffectiveFrom) })
	inForce := func(from calendar.Date) (Standard, bool) {
		var v Standard
		found := false
		for _, s := range versions {
			if s.EffectiveFrom == 0 || s.EffectiveFrom <= from {
				v, found = s, true
			}
		}
		return v, found
	}
	var out []refPeriod
	for _, v := range versions {
		var ps []calendar.Period
		if v.Period == calendar.KindFestival {
			var bday *calendar.Birthday
			for _, e := range sc.elders {
				if e.ID == p.Elder {
					b, _ := sc.cal.BirthdayOf(e.BirthDate, e.LunarBirthday)
					bday = &b
				}
			}
			codes := v.Festivals
			if codes == nil {
				codes = occasionCodes(sc.cal)
			}
			ps = sc.cal.FestivalPeriods(lo, hi+1, v.Window, bday, codes)
		} else {
			ps, _ = sc.cal.Periods(v.Period, sc.cal.Start(lo), sc.cal.Start(hi+1))
		}
		for _, per := range ps {
			if cur, ok := inForce(per.From); ok && reflect.DeepEqual(cur, v) {
				out = append(out, refPeriod{per, v})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b refPeriod) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Label, b.Label))
	})
	return out
}

func referenceStatus(sc scenario, p Pairing, last calendar.Date, per refPeriod) projected {
	covered := int(min(per.Until, last+1) - max(per.From, p.From))
	st := projected{Pairing: p.ID, Standard: per.std.Code, Period: per.Label}
	met := true
	for n, req := range append([]Requirement{{Counts: per.std.Counts, Required: per.std.Required}}, per.std.Also...) {
		tally := Tally{Records: []RecordID{}, Required: (req.Required*covered + per.Days() - 1) / per.Days()}
		for _, r := range sc.records {
			d := sc.cal.DateOf(r.At)
			if r.By != p.Volunteer || r.Elder != p.Elder || d < p.From || d > last || !per.Contains(d) {
				continue
			}
			if slices.ContainsFunc(req.Counts, func(m Match) bool { return m.matches(&r) }) {
				tally.Records = append(tally.Records, r.ID)
			}
		}
		slices.Sort(tally.Records)
		tally.Count = len(tally.Records)
		met = met && tally.Count >= tally.Required
		if n == 0 {
			st.Count, st.Required, st.Records = tally.Count, tally.Required, tally.Records
		} else {
			st.Also = append(st.Also, tally)
		}
	}
	closes := sc.cal.Start(min(per.Until, last+1))
	deadline := sc.cal.Start(min(per.OverdueFrom, last+1))
	switch {
	case met:
		st.Outcome = Met
	case !sc.asOf.Before(closes):
		st.Outcome = Missed
	case !sc.asOf.Before(deadline):
		st.Outcome = Overdue
	default:
		st.Outcome = Due
	}
	return st
}
