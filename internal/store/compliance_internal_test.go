package store

import (
	"testing"
	"time"
)

func TestFastStampAgreesWithParseStamp(t *testing.T) {
	for _, s := range []string{"2026-11-29T02:03:04.056Z", "1999-01-01T00:00:00.000Z", "2026-02-28T23:59:59.999Z", "2026-11-29T02:03:04Z"} {
		if got, want := fastStamp([]byte(s)), parseStamp(s); !got.Equal(want) {
			t.Errorf("%s: %v, want %v", s, got, want)
		}
	}
	if got := fastStamp([]byte(stamp(time.Date(2026, 11, 29, 8, 30, 0, 0, time.UTC)))); got.Hour() != 8 || got.Minute() != 30 {
		t.Fatal(got)
	}
}
