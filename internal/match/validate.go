package match

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// maxListedProblems keeps error messages readable on badly broken input.
const maxListedProblems = 20

// ValidationError lists every problem found in an instance, so a coordinator
// can fix the data in one pass instead of one error per run.
type ValidationError struct {
	Problems []string
}

// Error joins the first problems into one line-per-problem message.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid instance:")
	for i, p := range e.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	return b.String()
}

type problems []string

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}

// Validate reports everything that would make the instance ambiguous or
// meaningless: missing or duplicate ids, coordinates out of range, negative
// capacity or slots, priority outside [1, MaxPriority], an unknown kind, or a
// negative or non-finite MaxDistanceM. It returns nil or a *ValidationError.
func (in Instance) Validate() error {
	var p problems
	in.validate(&p)
	return p.err()
}

func (in *Instance) validate(p *problems) {
	if !(in.MaxDistanceM >= 0) || math.IsInf(in.MaxDistanceM, 1) {
		p.addf("max_distance_m: %v must be a finite number >= 0", in.MaxDistanceM)
	}
	seen := make(map[string]int, len(in.Elders))
	for i := range in.Elders {
		e := &in.Elders[i]
		at := fmt.Sprintf("elders[%d]", i)
		checkID(p, at, e.ID, seen, i)
		checkCoords(p, at, e.Lat, e.Lon)
		if e.Priority < 1 || e.Priority > MaxPriority {
			p.addf("%s.priority: %d must be between 1 and %d", at, e.Priority, MaxPriority)
		}
		if e.Slots < 0 {
			p.addf("%s.slots: %d must not be negative", at, e.Slots)
		}
	}
	clear(seen)
	for i := range in.Volunteers {
		v := &in.Volunteers[i]
		at := fmt.Sprintf("volunteers[%d]", i)
		checkID(p, at, v.ID, seen, i)
		checkCoords(p, at, v.Lat, v.Lon)
		if v.Capacity < 0 {
			p.addf("%s.capacity: %d must not be negative", at, v.Capacity)
		}
		switch v.Kind {
		case KindNeighbour, KindSocial, KindCommittee, KindClinic:
		default:
			p.addf("%s.kind: %q is not one of neighbour, social, committee, clinic", at, v.Kind)
		}
	}
}

func checkID(p *problems, at, id string, seen map[string]int, i int) {
	if id == "" {
		p.addf("%s.id: missing", at)
		return
	}
	if j, dup := seen[id]; dup {
		p.addf("%s.id: %q duplicates entry %d", at, id, j)
		return
	}
	seen[id] = i
}

func checkCoords(p *problems, at string, lat, lon float64) {
	// Written as negated ranges so NaN fails too.
	if !(lat >= -90 && lat <= 90) {
		p.addf("%s.lat: %v out of range [-90, 90]", at, lat)
	}
	if !(lon >= -180 && lon <= 180) {
		p.addf("%s.lon: %v out of range [-180, 180]", at, lon)
	}
}

// wireInstance mirrors Instance with pointers where JSON absence must be
// told apart from a legitimate zero (a latitude of 0, a capacity of 0).
type wireInstance struct {
	MaxDistanceM *float64        `json:"max_distance_m"`
	Elders       []wireElder     `json:"elders"`
	Volunteers   []wireVolunteer `json:"volunteers"`
}

type wireElder struct {
	ID       string   `json:"id"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Priority int      `json:"priority"`
	Slots    int      `json:"slots"`
	Refuse   []string `json:"refuse"`
	Prefer   []string `json:"prefer"`
}

type wireVolunteer struct {
	ID       string   `json:"id"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Capacity *int     `json:"capacity"`
	Kind     Kind     `json:"kind"`
}

// DecodeInstance reads one JSON instance and validates it. Unknown fields and
// trailing data are rejected, because a misspelt "slots" or "capacity" would
// otherwise silently change the plan; max_distance_m, lat, lon and capacity
// are required, slots may be omitted. Errors are *ValidationError or describe
// malformed JSON; either way the input, not the program, is at fault.
func DecodeInstance(r io.Reader) (Instance, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var w wireInstance
	if err := dec.Decode(&w); err != nil {
		return Instance{}, fmt.Errorf("malformed JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Instance{}, errors.New("malformed JSON: trailing data after the instance object")
	}
	var p problems
	in := w.convert(&p)
	in.validate(&p)
	return in, p.err()
}

func (w *wireInstance) convert(p *problems) Instance {
	in := Instance{
		Elders:     make([]Elder, len(w.Elders)),
		Volunteers: make([]Volunteer, len(w.Volunteers)),
	}
	if w.MaxDistanceM == nil {
		p.addf("max_distance_m: missing")
	} else {
		in.MaxDistanceM = *w.MaxDistanceM
	}
	for i, e := range w.Elders {
		at := fmt.Sprintf("elders[%d]", i)
		in.Elders[i] = Elder{
			ID: e.ID, Priority: e.Priority, Slots: e.Slots,
			Lat: required(p, at+".lat", e.Lat), Lon: required(p, at+".lon", e.Lon),
			Refuse: e.Refuse, Prefer: e.Prefer,
		}
	}
	for i, v := range w.Volunteers {
		at := fmt.Sprintf("volunteers[%d]", i)
		in.Volunteers[i] = Volunteer{
			ID: v.ID, Kind: v.Kind,
			Lat: required(p, at+".lat", v.Lat), Lon: required(p, at+".lon", v.Lon),
			Capacity: required(p, at+".capacity", v.Capacity),
		}
	}
	return in
}

func required[T any](p *problems, at string, v *T) T {
	if v == nil {
		p.addf("%s: missing", at)
		var zero T
		return zero
	}
	return *v
}

// EncodeResult writes r as one line of JSON, without HTML escaping so ids
// containing <, > or & stay readable.
func EncodeResult(w io.Writer, r Result) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
