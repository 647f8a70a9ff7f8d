package compliance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/calendar"
)

// Scenario is the input of `carecircle compliance evaluate`.
type Scenario struct {
	AsOf     string `json:"as_of"`
	Timezone string `json:"timezone,omitempty"` // default Asia/Shanghai
	// Standards is "default" or a list in the station's form; omitted means
	// "default".
	Standards json.RawMessage        `json:"standards,omitempty"`
	Festivals []calendar.FestivalDef `json:"festivals,omitempty"` // the station's extra festivals
	Elders    []ScenarioElder        `json:"elders"`
	Pairings  []ScenarioPairing      `json:"pairings"`
	// Records are identified by their position in this list, from 0.
	// Records after as_of are ignored.
	Records []ScenarioRecord `json:"records"`
}

// ScenarioElder is an elder in a scenario.
type ScenarioElder struct {
	ID            ID     `json:"id"`
	BirthDate     string `json:"birth_date"`
	LunarBirthday bool   `json:"lunar_birthday"`
}

// ScenarioPairing is a pairing in a scenario; To is the last day, inclusive.
type ScenarioPairing struct {
	ID        ID      `json:"id"`
	Elder     ID      `json:"elder"`
	Volunteer ID      `json:"volunteer"`
	Role      Role    `json:"role"`
	From      string  `json:"from"`
	To        *string `json:"to"`
}

// ScenarioRecord is a service record in a scenario.
type ScenarioRecord struct {
	Elder  ID      `json:"elder"`
	By     ID      `json:"by"`
	Kind   string  `json:"kind"`
	Type   string  `json:"type"`
	At     string  `json:"at"`
	Amount float64 `json:"amount,omitempty"`
}

// ID is an identifier that may be written as a JSON string or integer, as
// exports from the store write row ids as numbers.
type ID string

// UnmarshalJSON accepts "e1" and 17 alike.
func (id *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("an id must be a string or a number")
	}
	if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
		return errors.New("a numeric id must be an integer")
	}
	*id = ID(n)
	return nil
}

// InputError lists every problem found in a scenario.
type InputError struct{ Problems []string }

func (e *InputError) Error() string { return strings.Join(e.Problems, "\n") }

// StatusJSON is one line of the evaluation's output.
type StatusJSON struct {
	Pairing  string        `json:"pairing"`
	Standard string        `json:"standard"`
	Period   string        `json:"period"`
	Status   Outcome       `json:"status"`
	Count    int           `json:"count"`
	Required int           `json:"required"`
	Records  []RecordID    `json:"records"`
	Also     []TallyJSON   `json:"also,omitempty"`
	Kind     calendar.Kind `json:"kind"`
	Start    string        `json:"start"`
	End      string        `json:"end"` // when the period closes for the pairing
	Deadline string        `json:"deadline"`
	Occasion string        `json:"occasion_date,omitempty"` // festival windows
}

// TallyJSON is a further requirement's count in the output.
type TallyJSON struct {
	Count    int        `json:"count"`
	Required int        `json:"required"`
	Records  []RecordID `json:"records"`
}

// Evaluate reads a scenario and returns its statuses. Bad input yields an
// *InputError naming every problem.
func Evaluate(r io.Reader) ([]StatusJSON, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var sc Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&sc); err != nil {
		return nil, &InputError{[]string{"malformed JSON: " + err.Error()}}
	}
	if dec.More() {
		return nil, &InputError{[]string{"malformed JSON: more than one value"}}
	}
	in, err := sc.compile()
	if err != nil {
		return nil, err
	}
	st, err := Rebuild(in.cfg, in.elders, in.pairings, slices.Values(in.records))
	if err != nil {
		return nil, &InputError{[]string{err.Error()}}
	}
	loc := in.cfg.Calendar.Location()
	var out []StatusJSON
	for _, s := range st.Statuses(in.asOf) {
		out = append(out, statusJSON(s, loc))
	}
	return out, nil
}

func statusJSON(s Status, loc *time.Location) StatusJSON {
	j := StatusJSON{Pairing: s.Pairing, Standard: s.Standard, Period: s.Period.Label, Status: s.Outcome,
		Count: s.Count, Required: s.Required, Records: s.Records, Kind: s.Period.Kind,
		Start: s.Period.Start.In(loc).Format(time.RFC3339), End: s.Closes.In(loc).Format(time.RFC3339),
		Deadline: s.Deadline.In(loc).Format(time.RFC3339)}
	for _, a := range s.Also {
		j.Also = append(j.Also, TallyJSON(a))
	}
	if s.Period.Kind == calendar.KindFestival {
		j.Occasion = s.Period.Occasion.Date.String()
	}
	return j
}

// RunEvaluate is `carecircle compliance evaluate`: scenario on r, statuses
// on w, problems on errw. It returns the exit status: 0, 1 when output
// fails, 2 for bad input, in which case nothing is written to w.
func RunEvaluate(r io.Reader, w, errw io.Writer) int {
	statuses, err := Evaluate(r)
	var bad *InputError
	if errors.As(err, &bad) {
		for _, p := range bad.Problems {
			fmt.Fprintln(errw, "compliance evaluate:", p)
		}
		return 2
	}
	if err != nil {
		fmt.Fprintln(errw, "compliance evaluate:", err)
		return 1
	}
	var buf bytes.Buffer
	buf.WriteString(`{"statuses": [`)
	for i, s := range statuses {
		line, _ := json.Marshal(s)
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n  ")
		buf.Write(line)
	}
	buf.WriteString("\n]}\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		fmt.Fprintln(errw, "compliance evaluate:", err)
		return 1
	}
	return 0
}
