package match

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func validInstance() Instance {
	return Instance{
		MaxDistanceM: 800,
		Elders:       []Elder{{ID: "e1", Lat: 31.23, Lon: 121.47, Priority: 3}},
		Volunteers:   []Volunteer{{ID: "v1", Lat: 31.231, Lon: 121.471, Capacity: 1, Kind: KindNeighbour}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Instance)
		want   string // substring of the error; "" means valid
	}{
		{"valid", func(*Instance) {}, ""},
		{"zero reach is allowed", func(in *Instance) { in.MaxDistanceM = 0 }, ""},
		{"capacity zero is allowed", func(in *Instance) { in.Volunteers[0].Capacity = 0 }, ""},
		{"negative reach", func(in *Instance) { in.MaxDistanceM = -1 }, "max_distance_m"},
		{"NaN reach", func(in *Instance) { in.MaxDistanceM = math.NaN() }, "max_distance_m"},
		{"infinite reach", func(in *Instance) { in.MaxDistanceM = math.Inf(1) }, "max_distance_m"},
		{"missing elder id", func(in *Instance) { in.Elders[0].ID = "" }, "elders[0].id: missing"},
		{"missing volunteer id", func(in *Instance) { in.Volunteers[0].ID = "" }, "volunteers[0].id: missing"},
		{"duplicate elder id", func(in *Instance) { in.Elders = append(in.Elders, in.Elders[0]) }, `elders[1].id: "e1" duplicates entry 0`},
		{"duplicate volunteer id", func(in *Instance) { in.Volunteers = append(in.Volunteers, in.Volunteers[0]) }, `volunteers[1].id: "v1" duplicates`},
		{"latitude too big", func(in *Instance) { in.Elders[0].Lat = 90.5 }, "elders[0].lat"},
		{"longitude too small", func(in *Instance) { in.Volunteers[0].Lon = -181 }, "volunteers[0].lon"},
		{"NaN latitude", func(in *Instance) { in.Volunteers[0].Lat = math.NaN() }, "volunteers[0].lat"},
		{"negative capacity", func(in *Instance) { in.Volunteers[0].Capacity = -1 }, "capacity"},
		{"negative slots", func(in *Instance) { in.Elders[0].Slots = -2 }, "slots"},
		{"priority zero", func(in *Instance) { in.Elders[0].Priority = 0 }, "priority"},
		{"priority too big", func(in *Instance) { in.Elders[0].Priority = MaxPriority + 1 }, "priority"},
		{"unknown kind", func(in *Instance) { in.Volunteers[0].Kind = "doctor" }, `"doctor" is not one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInstance()
			tt.modify(&in)
			err := in.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if _, err := Solve(in); !errors.As(err, &ve) {
				t.Errorf("Solve accepted the invalid instance: %v", err)
			}
		})
	}
}

func TestValidationErrorListsEverything(t *testing.T) {
	in := validInstance()
	for range 30 {
		in.Elders = append(in.Elders, Elder{})
	}
	err := in.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) < 60 {
		t.Fatalf("want every problem listed, got %v", err)
	}
	if !strings.Contains(err.Error(), "... and") {
		t.Errorf("long message not abbreviated: %s", err)
	}
}

func TestDecodeInstance(t *testing.T) {
	const v = `"volunteers":[{"id":"v1","lat":31.2,"lon":121.4,"capacity":1,"kind":"social"}]`
	tests := []struct {
		name, input, want string
	}{
		{"valid, slots omitted", `{"max_distance_m":500,"elders":[{"id":"e1","lat":31.2,"lon":121.4,"priority":1}],` + v + `}`, ""},
		{"malformed", `{"max_distance_m":`, "malformed JSON"},
		{"not an object", `[1,2]`, "malformed JSON"},
		{"wrong type", `{"max_distance_m":"far"}`, "malformed JSON"},
		{"fractional priority", `{"max_distance_m":1,"elders":[{"id":"e","lat":0,"lon":0,"priority":1.5}]}`, "malformed JSON"},
		{"unknown field", `{"max_distance_m":500,"elders":[{"id":"e1","lat":31.2,"lon":121.4,"priority":1,"slot":2}]}`, `unknown field "slot"`},
		{"trailing data", `{"max_distance_m":500} {}`, "trailing data"},
		{"missing reach", `{"elders":[]}`, "max_distance_m: missing"},
		{"missing latitude", `{"max_distance_m":1,"elders":[{"id":"e","lon":0,"priority":1}]}`, "elders[0].lat: missing"},
		{"null longitude", `{"max_distance_m":1,"elders":[{"id":"e","lat":0,"lon":null,"priority":1}]}`, "elders[0].lon: missing"},
		{"missing capacity", `{"max_distance_m":1,"volunteers":[{"id":"v","lat":0,"lon":0,"kind":"social"}]}`, "volunteers[0].capacity: missing"},
		{"missing kind", `{"max_distance_m":1,"volunteers":[{"id":"v","lat":0,"lon":0,"capacity":1}]}`, `"" is not one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeInstance(strings.NewReader(tt.input))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if slotsOf(&in.Elders[0]) != 1 {
					t.Errorf("slots default: %+v", in.Elders[0])
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestRunCommand(t *testing.T) {
	const good = `{"max_distance_m":1500,
 "elders":[{"id":"e1","lat":31.2304,"lon":121.4737,"priority":3,"slots":1,"refuse":["v7"],"prefer":["v2"]},
           {"id":"e2","lat":31.3,"lon":121.6,"priority":1}],
 "volunteers":[{"id":"v1","lat":31.2310,"lon":121.4740,"capacity":2,"kind":"neighbour"}]}`
	tests := []struct {
		name         string
		args         []string
		stdin        string
		code         int
		stdout, errs string // substrings; stdout "" means it must be empty
	}{
		{"solve", []string{"solve"}, good, 0,
			`{"pairs":[{"elder":"e1","volunteer":"v1","distance_m":72.56,"reason":"neighbour volunteer 73 m away, the only usable volunteer in reach","kind":"neighbour","preferred":false}],"unmatched":[{"elder":"e2","slots":1,"reason":"no_volunteer_in_reach"}],"objective":{"priority":3,"neighbour_slots":1,"total_cost_m":72.56}}` + "\n", ""},
		{"greedy", []string{"greedy"}, good, 0, `"objective":{"priority":3`, ""},
		{"bad input", []string{"solve"}, `{"max_distance_m":-5}`, 2, "", "max_distance_m"},
		{"malformed", []string{"solve"}, `{`, 2, "", "malformed JSON"},
		{"no subcommand", nil, "", 2, "", "usage: carecircle match"},
		{"unknown subcommand", []string{"optimise"}, "", 2, "", `unknown subcommand "optimise"`},
		{"extra argument", []string{"solve", "now"}, good, 2, "", "unexpected arguments"},
		{"help", []string{"help"}, "", 0, "usage: carecircle match", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := RunCommand(context.Background(), tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if tt.stdout == "" && stdout.Len() > 0 {
				t.Errorf("stdout must be empty, got %q", stdout.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout %q\nwant %q", stdout.String(), tt.stdout)
			}
			if tt.errs == "" && stderr.Len() > 0 {
				t.Errorf("unexpected stderr %q", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.errs) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.errs)
			}
		})
	}
}

func TestRunCommandCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := validInstance()
	var buf bytes.Buffer
	if err := encodeJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := RunCommand(ctx, []string{"solve"}, &buf, &stdout, &stderr); code != 1 || stdout.Len() > 0 {
		t.Errorf("exit %d, stdout %q", code, stdout.String())
	}
}
