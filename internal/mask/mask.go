// Package mask decides every number a viewer (a street's or a district's
// office) sees: the reports, the home page's tiles, table and charts, and
// GET /api/v1/stats/elders all put their numbers in a Set and show what it
// says.
//
// The rule: a count of one to four people is shown as "<5". Hiding it is
// not enough when a total is shown too, since the total minus the parts
// shown would give it back; so every sum the reader can see is declared,
// and more cells are hidden ("*") until, in each sum, the hidden parts are
// at least two and add up to at least 5, or the total is hidden too. A
// number computed from counts (a percentage, hours) rests on people as
// well: it is "<5" when its base is one to four, and hidden when any count
// it is computed from is hidden.
//
// A reader sees more than one table: a quarter and its months, a district
// and its streets. Those are decided finer first (a month before its
// quarter, a street before its district) and the finer numbers enter the
// coarser Set as fixed (Fix): the Set never changes them, never hides a
// number the fixed ones give back anyway, and hides the coarser numbers
// until no sum across the tables gives a hidden one back either.
package mask

import "strconv"

// Threshold is the smallest count a viewer may see; 1 to Threshold-1 read "<5".
const Threshold = 5

// State is how a number is shown.
type State uint8

const (
	// Shown is the number itself.
	Shown State = iota
	// Small is a count of 1 to 4 (or a number resting on 1 to 4 people): "<5".
	Small
	// Hidden is hidden so that no sum gives a small one back: "*".
	Hidden
)

// Text is the state's text for a hidden number: "<5" or "*".
func (s State) Text() string {
	switch s {
	case Small:
		return "<" + strconv.Itoa(Threshold)
	case Hidden:
		return "*"
	}
	return ""
}

// Set holds numbers by key, the sums among them and the numbers computed
// from them, and decides which are shown. The zero value is ready; keys
// are the caller's (the same key everywhere a number appears, so a number
// shown in two places is shown or hidden in both).
type Set struct {
	vals    map[string]number
	order   []string
	sums    []sum
	derived []derived
	fixed   map[string]State
	state   map[string]State
	known   map[string]bool // given back by fixed numbers: never worth hiding
}

type number struct {
	n     float64
	base  int64 // the people it rests on
	count bool  // a count, which may take part in sums
}

type sum struct {
	total string
	parts []string
}

type derived struct {
	key  string
	from []string
}

func (s *Set) put(key string, v number) {
	if s.vals == nil {
		s.vals = map[string]number{}
	}
	if _, ok := s.vals[key]; !ok {
		s.order = append(s.order, key)
	}
	s.vals[key] = v
	s.state = nil
}

// Count adds a count of people (or of things done for them) under key.
func (s *Set) Count(key string, n int64) {
	s.put(key, number{n: float64(n), base: n, count: true})
}

// Value adds a number that is not a count (hours, a percentage) resting
// on base people, computed from the counts from (hidden when any is).
func (s *Set) Value(key string, v float64, base int64, from ...string) {
	s.put(key, number{n: v, base: base})
	if len(from) > 0 {
		s.derived = append(s.derived, derived{key, from})
	}
}

// Sum declares that the parts add up to the total. Parts or totals not
// added as counts are left out of the sum.
func (s *Set) Sum(total string, parts ...string) {
	s.sums = append(s.sums, sum{total, parts})
	s.state = nil
}

// Fix says how the number under key is shown elsewhere already (decided
// in a finer table the reader also sees): the Set keeps that state and
// decides the other numbers around it.
func (s *Set) Fix(key string, st State) {
	if s.fixed == nil {
		s.fixed = map[string]State{}
	}
	s.fixed[key] = st
	s.state = nil
}

// Each calls fn with every count added, as decided, in the order added:
// what a coarser Set fixes.
func (s *Set) Each(fn func(key string, n int64, st State)) {
	s.decide()
	for _, k := range s.order {
		if v := s.vals[k]; v.count {
			fn(k, int64(v.n), s.state[k])
		}
	}
}

// Has reports whether key was added.
func (s *Set) Has(key string) bool { _, ok := s.vals[key]; return ok }

// State is how the number under key is shown; an unknown key is Shown.
func (s *Set) State(key string) State {
	s.decide()
	return s.state[key]
}

// Shown reports whether the number under key may be shown as it is.
func (s *Set) Shown(key string) bool { return s.State(key) == Shown }

// Text is the number under key as shown: the integer, "<5" or "*". Use
// State for numbers with decimals.
func (s *Set) Text(key string) string {
	if st := s.State(key); st != Shown {
		return st.Text()
	}
	return strconv.FormatFloat(s.vals[key].n, 'f', -1, 64)
}

// decide runs the rule once after the last change.
func (s *Set) decide() {
	if s.state != nil {
		return
	}
	s.state = map[string]State{}
	for _, k := range s.order {
		if st, ok := s.fixed[k]; ok {
			if st != Shown {
				s.state[k] = st
			}
		} else if v := s.vals[k]; v.base > 0 && v.base < Threshold {
			s.state[k] = Small
		}
	}
	s.giveBack()
	// Each round hides at least one more number or stops, so it ends.
	for changed := true; changed; {
		changed = false
		for _, rel := range s.sums {
			for s.hideMore(rel) {
				changed = true
			}
		}
	}
	for _, d := range s.derived {
		if s.state[d.key] != Shown {
			continue
		}
		for _, f := range d.from {
			if s.state[f] != Shown {
				s.state[d.key] = Hidden
				break
			}
		}
	}
}

// giveBack marks the numbers a reader works out from fixed numbers shown
// (a sum whose other numbers are all such): hiding them would hide
// nothing, so hideMore hides others instead.
func (s *Set) giveBack() {
	s.known = map[string]bool{}
	for k, st := range s.fixed {
		if st == Shown {
			s.known[k] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, rel := range s.sums {
			unknown := ""
			n := 0
			for _, k := range append([]string{rel.total}, rel.parts...) {
				if v, ok := s.vals[k]; ok && v.count && !s.known[k] {
					unknown, n = k, n+1
				}
			}
			if n == 1 && s.state[unknown] == Shown {
				s.known[unknown], changed = true, true
			}
		}
	}
}

func (s *Set) hidden(k string) bool { return s.state[k] != Shown }

// free reports whether k may still be hidden: shown now, not fixed and
// not given back by fixed numbers.
func (s *Set) free(k string) bool {
	_, fixed := s.fixed[k]
	return !s.hidden(k) && !fixed && !s.known[k]
}

// hideMore hides one more number of a sum that gives a hidden one back,
// and reports whether it did. A sum gives a number back when it is the
// only one hidden (the total minus the parts, or the parts added up), or
// when the total is shown and the hidden parts add up to less than 5. It
// hides the smallest part it may, else the total.
func (s *Set) hideMore(rel sum) bool {
	total, ok := s.vals[rel.total]
	if !ok || !total.count {
		return false
	}
	var n, present int
	var hiddenSum float64
	smallest, zero := "", ""
	for _, k := range rel.parts {
		v, ok := s.vals[k]
		if !ok || !v.count {
			continue
		}
		present++
		switch {
		case s.hidden(k):
			n++
			hiddenSum += v.n
		case !s.free(k):
		case v.n > 0 && (smallest == "" || v.n < s.vals[smallest].n):
			smallest = k
		case v.n == 0 && zero == "":
			zero = k
		}
	}
	if s.hidden(rel.total) {
		// The parts shown added up would give the total back.
		if n > 0 || present == 0 {
			return false
		}
	} else if n == 0 || (n >= 2 && hiddenSum >= Threshold) {
		return false
	}
	switch {
	case smallest != "":
		s.state[smallest] = Hidden
	case !s.hidden(rel.total) && s.free(rel.total):
		s.state[rel.total] = Hidden
	case n < 2 && zero != "":
		// Nothing else may be hidden: a second hidden number (a zero)
		// at least keeps the sum from giving the first one back.
		s.state[zero] = Hidden
	default:
		return false
	}
	return true
}
