package compliance

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"time"

	"carecircle/internal/calendar"
)

// Outcome is how a pairing stands against a standard in one period.
type Outcome string

// The outcomes. Fixed periods are due until they close and then missed;
// only festival windows are overdue: from the day after the festival until
// the window closes, a visit is late but still counts.
const (
	Met     Outcome = "met"
	Due     Outcome = "due"
	Overdue Outcome = "overdue"
	Missed  Outcome = "missed"
)

// Tally is the count of records towards one requirement in one period.
type Tally struct {
	Count int
	// Required is the standard's number scaled to the part of the period
	// the pairing covers, rounded up: a pairing that starts on a Saturday
	// needs one chat that week, not two. It is never below 1.
	Required int
	Records  []RecordID // the records counted, by id
}

// Status is the outcome of one standard for one pairing in one period.
type Status struct {
	Pairing  string
	Standard string
	Period   calendar.Period
	Outcome  Outcome
	Tally            // the main requirement
	Also     []Tally // the standard's further requirements, in order
	// Closes is when the period ends for this pairing: the period's end, or
	// the end of the pairing's last day if that is earlier.
	Closes time.Time
	// Deadline is when an unmet period becomes overdue; equal to Closes
	// except for festival windows.
	Deadline time.Time
}

// Query selects statuses.
type Query struct {
	AsOf time.Time
	// Since limits the answer to periods that end after this day, e.g. today
	// for a worklist; the zero Date gives the whole history.
	Since calendar.Date
	// Pairings limits the answer to these pairings; nil means all.
	Pairings []string
}

// Statuses returns every period of every standard that applies to each
// pairing, from the pairing's start to asOf: pairings in the order added,
// standards in configuration order, periods by start.
func (s *State) Statuses(asOf time.Time) []Status {
	out, _ := s.Query(Query{AsOf: asOf})
	return out
}

// Query returns the statuses q selects, in the order of Statuses. Its cost
// is proportional to the number of periods returned, not to the history.
func (s *State) Query(q Query) ([]Status, error) {
	var out []Status
	err := s.Each(q, func(st Status) { out = append(out, st) })
	return out, err
}

// Each calls fn with each status q selects, in the order of Statuses,
// without collecting them: a street's quarter is millions of periods, and
// a tally needs none of them kept.
func (s *State) Each(q Query, fn func(Status)) error {
	pairings := s.order
	if q.Pairings != nil {
		pairings = nil
		for _, id := range q.Pairings {
			p := s.pairings[id]
			if p == nil {
				return fmt.Errorf("unknown pairing %q", id)
			}
			pairings = append(pairings, p)
		}
	}
	asOfDay := s.cal.DateOf(q.AsOf)
	for _, p := range pairings {
		lo, hi := max(p.From, q.Since), min(p.last, asOfDay)
		if lo > hi {
			continue
		}
		for tracks := range groupByCode(p.tracks) {
			for _, tp := range s.periodsOf(p, tracks, lo, hi) {
				fn(s.status(p, tp, q.AsOf))
			}
		}
	}
	return nil
}

// groupByCode yields runs of tracks that belong to the same standard code.
func groupByCode(tracks []*track) iter.Seq[[]*track] {
	return func(yield func([]*track) bool) {
		for start := 0; start < len(tracks); {
			end := start + 1
			for end < len(tracks) && tracks[end].v.code == tracks[start].v.code {
				end++
			}
			if !yield(tracks[start:end]) {
				return
			}
			start = end
		}
	}
}

type trackPeriod struct {
	t *track
	i int
	p calendar.Period
}

// periodsOf lists the periods of a standard's versions that overlap the
// days [lo, hi], each judged by the version in force on its first day.
func (s *State) periodsOf(p *pairing, tracks []*track, lo, hi calendar.Date) []trackPeriod {
	var out []trackPeriod
	for _, t := range tracks {
		v := t.v
		if v.Period.Fixed() {
			for i, end := calendar.IndexOf(v.Period, lo), calendar.IndexOf(v.Period, hi); i <= end; i++ {
				if from, _ := calendar.Bounds(v.Period, i); v.governs(from) {
					out = append(out, trackPeriod{t, i, s.cal.PeriodAt(v.Period, i)})
				}
			}
			continue
		}
		for _, per := range s.cal.FestivalPeriods(lo, hi+1, v.Window, p.bday, v.occasions) {
			if v.governs(per.From) {
				out = append(out, trackPeriod{t, t.festivalIndex(per.Occasion), per})
			}
		}
	}
	if len(tracks) > 1 {
		slices.SortStableFunc(out, func(a, b trackPeriod) int {
			return cmp.Or(cmp.Compare(a.p.From, b.p.From), cmp.Compare(a.p.Label, b.p.Label))
		})
	}
	return out
}

func (s *State) status(p *pairing, tp trackPeriod, asOf time.Time) Status {
	per := tp.p
	covered := int(min(per.Until, p.last+1) - max(per.From, p.From))
	st := Status{Pairing: p.ID, Standard: tp.t.v.Code, Period: per}
	met := true
	for r, req := range tp.t.v.reqs {
		c := tp.t.at(r, tp.i)
		tally := Tally{Count: len(c), Required: ceilDiv(req.Required*covered, per.Days()), Records: ids(c)}
		met = met && tally.Count >= tally.Required
		if r == 0 {
			st.Tally = tally
		} else {
			st.Also = append(st.Also, tally)
		}
	}
	closes := min(per.Until, p.last+1)
	st.Closes, st.Deadline = s.cal.Start(closes), s.cal.Start(min(per.OverdueFrom, closes))
	switch {
	case met:
		st.Outcome = Met
	case !asOf.Before(st.Closes):
		st.Outcome = Missed
	case !asOf.Before(st.Deadline):
		st.Outcome = Overdue
	default:
		st.Outcome = Due
	}
	return st
}

func ids(c []entry) []RecordID {
	out := make([]RecordID, len(c))
	for i, e := range c {
		out[i] = e.id
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
