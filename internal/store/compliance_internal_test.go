package store

import (
	"testing"
	"time"
)

func TestStampMillisAgreesWithParseStamp(t *testing.T) {
	for _, s := range []string{"2026-11-29T02:03:04.056Z", "1999-01-01T00:00:00.000Z", "2026-02-28T23:59:59.999Z", "2024-02-29T12:00:00.000Z",
		"2000-03-01T00:00:00.001Z", "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "0001-01-01T00:00:00.000Z", "0000-02-01T00:00:00.000Z", "2400-12-31T23:59:59.000Z",
		"2026-11-29T02:03:04Z", "2026-02-30T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-11-29T24:00:00.000Z", "2026-11-29T02:03:04.05xZ", ""} {
		got, want := time.UnixMilli(stampMillis([]byte(s))).UTC(), parseStamp(s)
		if got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
	for at := time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC); at.Year() < 2102; at = at.Add(37*time.Hour + 1234567*time.Microsecond) {
		s := stamp(at)
		if got, want := time.UnixMilli(stampMillis([]byte(s))).UTC(), parseStamp(s); got != want {
			t.Fatalf("%q: %v, want %v", s, got, want)
		}
	}
}
