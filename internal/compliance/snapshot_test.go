package compliance

import (
	"reflect"
	"testing"
)

func TestSnapshotRoundTrip(t *testing.T) {
	k := Pairing{ID: "k1", Elder: "e1", Volunteer: "staff", Role: RoleCommittee, From: day("2026-09-01")}
	r := rec(3, "e1", "staff", "festival/festival_visit", "2026-09-24 10:00")
	r.Amount = 50
	recs := []Record{rec(1, "e1", "v1", "life/greeting", "2026-11-24 09:00"), rec(2, "e1", "v1", "spirit/chat", "2026-11-24 10:00"),
		rec(5, "e1", "v1", "spirit/chat", "2026-11-25 10:00"), rec(4, "e1", "v1", "life/greeting", "2026-11-02 09:00"), r}
	s := build(t, nil, []Pairing{neighbour, k}, recs...)
	var buf []byte
	for _, id := range []string{"p1", "k1"} {
		var err error
		if buf, err = s.AppendPairing(buf, id); err != nil {
			t.Fatal(err)
		}
	}
	fresh := build(t, nil, []Pairing{neighbour, k})
	rest := buf
	for _, id := range []string{"p1", "k1"} {
		var err error
		if rest, err = fresh.LoadPairing(id, rest); err != nil {
			t.Fatal(err)
		}
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes left", len(rest))
	}
	if !reflect.DeepEqual(s.Rows(), fresh.Rows()) {
		t.Errorf("cells differ after a snapshot round trip:\n%+v\n%+v", s.Rows(), fresh.Rows())
	}
	asOf := at("2026-11-29 12:00")
	if !reflect.DeepEqual(s.Statuses(asOf), fresh.Statuses(asOf)) {
		t.Error("statuses differ after a snapshot round trip")
	}
	// The other pairing's bytes, or a cut, do not fit.
	other := build(t, nil, []Pairing{neighbour, k})
	if _, err := other.LoadPairing("k1", buf); err == nil {
		t.Error("a neighbour's cells loaded into the committee's pairing")
	}
	if _, err := other.LoadPairing("p1", buf[:len(buf)/3]); err == nil {
		t.Error("a cut snapshot loaded")
	}
}
