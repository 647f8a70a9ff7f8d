package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"carecircle/internal/care"
)

// FuzzDecode: any body sent to the API is decoded or refused with a
// domain error (400 or 422 and a reason, 413 when too large); it never
// panics and never passes a half-read value on.
func FuzzDecode(f *testing.F) {
	f.Add(`{"kind":"life","type":"greeting","at":"2026-11-29T08:00:00+08:00","verification":{"method":"geo","lat":32.06,"lon":118.78}}`)
	f.Add(`{"note":[[["x"]]]}`)
	f.Add(`{"amount_cents":9223372036854775808}`)
	f.Add(`{"kind":"life"}{"kind":"life"}`)
	f.Add("{\"note\":\"\xff\xfe\"}")
	f.Add(``)
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		r := &request{Request: httptest.NewRequest("POST", "/api/v1/elders/1/services", strings.NewReader(body)), w: w}
		var in serviceIn
		err := decode(r, &in)
		if err == nil {
			return
		}
		var ce *care.Error
		if !errors.As(err, &ce) {
			t.Fatalf("%q: not a domain error: %v", body, err)
		}
		if s := Status(err); s != 400 && s != 422 && s != 413 {
			t.Fatalf("%q: status %d", body, s)
		}
	})
}
