package match

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// FuzzSolveInput: whatever arrives on standard input, `match solve` either
// refuses it (exit 2, a message, nothing on standard output) or answers
// valid output (exit 0); it never panics.
func FuzzSolveInput(f *testing.F) {
	f.Add(`{"max_distance_m": 1500, "elders": [{"id": "e1", "lat": 31.2304, "lon": 121.4737, "priority": 3, "slots": 1}],
 "volunteers": [{"id": "v1", "lat": 31.2310, "lon": 121.4740, "capacity": 2, "kind": "neighbour"}]}`)
	f.Add(`{"elders": [], "volunteers": []}`)
	f.Add(`{"max_distance_m": -1}`)
	f.Add(`[1,2,3]`)
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1<<14 {
			return
		}
		var out, errb bytes.Buffer
		code := RunCommand(context.Background(), []string{"solve"}, strings.NewReader(in), &out, &errb)
		switch code {
		case 0:
			if !strings.HasPrefix(out.String(), "{") {
				t.Fatalf("exit 0 without a result: %q", out.String())
			}
		case 2:
			if out.Len() != 0 || errb.Len() == 0 {
				t.Fatalf("a refusal must explain itself on stderr only: %q %q", out.String(), errb.String())
			}
		default:
			t.Fatalf("exit %d for %q: %s", code, in, errb.String())
		}
	})
}
