package api_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// post sends a JSON body with an optional Idempotency-Key and returns the
// status, the Idempotent-Replay header and the decoded answer.
func (e *env) post(t *testing.T, url, who, key string, body any) (int, string, map[string]any) {
	t.Helper()
	buf, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", url, bytes.NewReader(buf))
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("POST %s: not JSON: %s", url, rec.Body.String())
	}
	return rec.Code, rec.Header().Get("Idempotent-Replay"), out
}

func (e *env) countRecords(t *testing.T, elder int64) int {
	t.Helper()
	c, err := e.db.GetCard(t.Context(), e.f.Station, elder, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	return len(c.Entries)
}

// TestOneTapOneRecord: the same key from the same account stores one record
// and answers it again; another body with that key is refused; another
// account's same key is its own.
func TestOneTapOneRecord(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		url := "/api/v1/elders/" + itoa(e.f.Elder1.ID) + "/services"
		body := map[string]any{"kind": "life", "type": "greeting", "at": "2026-11-29T07:41:00+08:00"}
		s, replay, first := e.post(t, url, "volunteer", "tap-0741-a", body)
		if s != 201 || replay != "" {
			t.Fatalf("first: %d %q %v", s, replay, first)
		}
		// A retry after a lost answer, with the same bytes in another order.
		s, replay, again := e.post(t, url, "volunteer", "tap-0741-a", map[string]any{"at": "2026-11-29T07:41:00+08:00", "type": "greeting", "kind": "life"})
		if s != 200 || replay != "true" || again["id"] != first["id"] || again["hash"] != first["hash"] {
			t.Fatalf("replay: %d %q %v, want the first record %v", s, replay, again, first["id"])
		}
		if n := e.countRecords(t, e.f.Elder1.ID); n != 1 {
			t.Fatalf("%d records stored, want 1", n)
		}
		s, _, out := e.post(t, url, "volunteer", "tap-0741-a", map[string]any{"kind": "spirit", "type": "chat"})
		if s != 422 || fieldsOf(out)["idempotency_key"] == nil {
			t.Fatalf("same key, other body: %d %v", s, out)
		}
		s, _, out = e.post(t, url, "volunteer", strings.Repeat("k", 65), body)
		if s != 422 || fieldsOf(out)["idempotency_key"] == nil {
			t.Fatalf("a 65-character key: %d %v", s, out)
		}
		// Community staff using the same key make a record of their own.
		s, _, _ = e.post(t, url, "community1", "tap-0741-a", map[string]any{"kind": "life", "type": "greeting", "at": "2026-11-29T07:41:00+08:00", "source": "paper"})
		if s != 201 {
			t.Fatalf("another account's key: %d", s)
		}
		// After seven days the key is free again.
		now := db.Now
		db.Now = func() time.Time { return now().Add(8 * 24 * time.Hour) }
		s, _, _ = e.post(t, url, "volunteer", "tap-0741-a", map[string]any{"kind": "life", "type": "greeting"})
		if s != 201 {
			t.Fatalf("a week later the key stores a new record: %d", s)
		}
		db.Now = now
		// Amendments take keys too.
		aurl := "/api/v1/services/" + itoa(int64(first["id"].(float64))) + "/amendments"
		am := map[string]any{"reason": "补记说明", "changes": map[string]any{"note": "老人精神很好"}}
		s1, _, a1 := e.post(t, aurl, "community1", "fix-1", am)
		s2, replay, a2 := e.post(t, aurl, "community1", "fix-1", am)
		if s1 != 201 || s2 != 200 || replay != "true" || a1["id"] != a2["id"] {
			t.Fatalf("amendment replay: %d %d %q %v %v", s1, s2, replay, a1["id"], a2["id"])
		}
	})
}

// TestHonestTimesAndBounds: the volunteer's 48-hour window, late entries
// marked, the source kept as sent, and every bound refused by field.
func TestHonestTimesAndBounds(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		url := "/api/v1/elders/" + itoa(e.f.Elder1.ID) + "/services"
		refused := func(who string, body map[string]any, field string) {
			t.Helper()
			s, _, out := e.post(t, url, who, "", body)
			if s != 422 || fieldsOf(out)[field] == nil {
				t.Fatalf("%v by %s: %d %v, want 422 on %s", body, who, s, out, field)
			}
		}
		g := func(kv ...any) map[string]any {
			m := map[string]any{"kind": "life", "type": "greeting"}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		// Six days back: not by a volunteer; the message sends them to staff.
		s, _, out := e.post(t, url, "volunteer", "", g("at", "2026-11-23T08:00:00+08:00"))
		if s != 422 || !strings.Contains(fieldsOf(out)["at"].(string), "社区工作人员") {
			t.Fatalf("six days back by a volunteer: %d %v", s, out)
		}
		refused("volunteer", g("source", "paper"), "source")
		// serve --late-entry-hours 1: two hours back is too late.
		db.LateEntry = time.Hour
		refused("volunteer", g("at", "2026-11-29T08:00:00+08:00"), "at")
		db.LateEntry = 48 * time.Hour
		// Staff enter it from the paper card: kept as paper, marked late.
		s, _, out = e.post(t, url, "community1", "", g("at", "2026-11-23T08:00:00+08:00", "source", "paper"))
		if s != 201 || out["source"] != "paper" || out["late"] != true {
			t.Fatalf("staff from the paper card: %d %v", s, out)
		}
		// Within the window: stored, on the spot, late after two hours.
		s, _, out = e.post(t, url, "volunteer", "", g("at", "2026-11-28T08:00:00+08:00"))
		if s != 201 || out["source"] != "spot" || out["late"] != true {
			t.Fatalf("yesterday by the volunteer: %d %v", s, out)
		}
		s, _, out = e.post(t, url, "volunteer", "", g("at", "2026-11-29T09:00:00+08:00"))
		if s != 201 || out["late"] != false {
			t.Fatalf("an hour ago: %d %v", s, out)
		}
		chat := func(at, end string) map[string]any {
			return map[string]any{"kind": "spirit", "type": "chat", "at": at, "end_at": end}
		}
		refused("volunteer", chat("2026-11-29T08:00:00+08:00", "9999-12-31T00:00:00+08:00"), "end_at")
		refused("volunteer", chat("2026-11-29T08:00:00+08:00", "2026-11-29T07:00:00+08:00"), "end_at")
		refused("community1", chat("2026-11-27T08:00:00+08:00", "2026-11-27T21:00:00+08:00"), "end_at") // 13 hours
		s, _, out = e.post(t, url, "volunteer", "", chat("2026-11-29T08:00:00+08:00", "2026-11-29T08:40:00+08:00"))
		if s != 201 {
			t.Fatalf("a 40-minute chat: %d %v", s, out)
		}
		donation := func(cents any) map[string]any {
			return map[string]any{"kind": "life", "type": "donation", "amount_cents": cents, "source": "paper"}
		}
		refused("community1", donation(int64(9223372036854775807)), "amount_cents")
		refused("community1", donation(10_000_001), "amount_cents")
		refused("community1", donation(-1), "amount_cents")
		if s, _, out := e.post(t, url, "community1", "", donation(10_000_000)); s != 201 {
			t.Fatalf("100,000 yuan: %d %v", s, out)
		}
		refused("volunteer", g("note", strings.Repeat("好", 2001)), "note")
		refused("volunteer", g("note", []any{[]any{[]any{"x"}}}), "note")
		refused("volunteer", g("verification", map[string]any{"method": "geo", "lat": 91.0, "lon": 118.78}), "lat")
		refused("volunteer", g("verification", map[string]any{"method": "geo", "lat": 32.06, "lon": -181.0}), "lon")

		// Amendments obey the same rules, judged now.
		rec := int64(out["id"].(float64))
		aurl := "/api/v1/services/" + itoa(rec) + "/amendments"
		for _, tc := range []struct {
			who     string
			changes map[string]any
			field   string
		}{
			{"community1", map[string]any{"at": "2030-01-01T08:00:00+08:00"}, "at"},
			{"community1", map[string]any{"note": deep(5000)}, "note"},
			{"community1", map[string]any{"note": strings.Repeat("好", 2001)}, "note"},
			{"community1", map[string]any{"amount_cents": 1e30}, "amount_cents"},
			{"community1", map[string]any{"amount_cents": 10_000_001}, "amount_cents"},
			{"community1", map[string]any{"void": "yes"}, "void"},
		} {
			s, _, out := e.post(t, aurl, tc.who, "", map[string]any{"reason": "更正", "changes": tc.changes})
			if s != 422 || fieldsOf(out)[tc.field] == nil {
				t.Fatalf("amendment %v: %d %v, want 422 on %s", tc.changes, s, out, tc.field)
			}
		}
		vrec := e.volunteerRecord(t, url)
		s, _, out = e.post(t, "/api/v1/services/"+itoa(vrec)+"/amendments", "volunteer", "",
			map[string]any{"reason": "记错了", "changes": map[string]any{"at": "2026-11-20T08:00:00+08:00"}})
		if s != 422 || fieldsOf(out)["at"] == nil {
			t.Fatalf("a volunteer moving a record nine days back: %d %v", s, out)
		}
	})
}

func (e *env) volunteerRecord(t *testing.T, url string) int64 {
	s, _, out := e.post(t, url, "volunteer", "", map[string]any{"kind": "life", "type": "greeting"})
	if s != 201 {
		t.Fatalf("greeting: %d %v", s, out)
	}
	return int64(out["id"].(float64))
}

// deep is an array nested n deep, as a hostile client would send it.
func deep(n int) any {
	var v any = "x"
	for range n {
		v = []any{v}
	}
	return v
}
