package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// The authorization matrix names foreign objects in paths; these are the
// object ids carried in bodies (issue 12): an elder, volunteer, community,
// clinic, street, pairing or account of another community (or street)
// named in a POST, PATCH or PUT (or a register file) is refused — 403, 404
// or 422 — and nothing changes: not the registers, the care teams, the
// cards, the org, the duty rosters, the accounts, nor the audit log.

// bodyCase is one write naming foreign objects in its body. Its path and
// body may use {elder1}, {vol1}, {pairing1}, {record1}, {waiting} (a
// pairing waiting for a successor), {clinic1} (the caller's own) and {c}
// (the caller's own community) besides the foreign objects:
// {fc} another community, {fv} another community's volunteer, {fe} its
// elder, {fp} its elder's pairing, {fclinic} another street's clinic,
// {fstreet} another street, {fuser} another community's staff account.
type bodyCase struct {
	roles        []string
	method, path string
	body         string
}

var bodyCases = []bodyCase{
	{roles(rStation, rCommunity), "POST", "/elders", "{elder with community {fc}}"},
	{roles(rStation, rCommunity), "POST", "/elders", "{elder with clinic {fclinic}}"},
	{roles(rStation, rCommunity), "PATCH", "/elders/{elder1}", `{"community_id": {fc}}`},
	{roles(rStation, rCommunity), "PATCH", "/elders/{elder1}", `{"clinic_id": {fclinic}}`},
	{roles(rStation, rCommunity), "POST", "/volunteers", `{"name": "周立新", "phone": "13900001234", "kind": "neighbour", "community_id": {fc}, "capacity": 2}`},
	{roles(rStation, rCommunity), "PATCH", "/volunteers/{vol1}", `{"community_id": {fc}}`},
	{roles(rStation), "POST", "/communities", `{"name": "新建社区", "street_id": {fstreet}}`},
	{roles(rStation), "PATCH", "/communities/{c}", `{"street_id": {fstreet}}`},
	{roles(rStation), "POST", "/clinics", `{"name": "新卫生站", "street_id": {fstreet}}`},
	{roles(rStation), "POST", "/clinics", `{"name": "新卫生站", "community_ids": [{fc}]}`},
	{roles(rStation), "PATCH", "/clinics/{clinic1}", `{"community_ids": [{c}, {fc}]}`},
	{roles(rStation, rCommunity), "POST", "/elders/{elder1}/pairings", `{"volunteer_id": {fv}, "started_on": "2026-11-29"}`},
	{roles(rStation, rCommunity), "POST", "/pairings/{pairing1}/end", `{"ended_on": "2026-11-29", "reason": "搬家", "successor_id": {fv}}`},
	{roles(rStation, rCommunity), "POST", "/pairings/{waiting}/successor", `{"volunteer_id": {fv}, "started_on": "2026-11-29"}`},
	{roles(rStation, rCommunity), "POST", "/matching/accept", `{"started_on": "2026-11-29", "pairings": [{"elder_id": {fe}, "volunteer_id": {vol1}}]}`},
	{roles(rStation, rCommunity), "POST", "/matching/accept", `{"started_on": "2026-11-29", "pairings": [{"elder_id": {elder1}, "volunteer_id": {fv}}]}`},
	{roles(rStation, rCommunity), "POST", "/matching/reject", `{"reason": "不合适", "pairings": [{"elder_id": {fe}, "volunteer_id": {vol1}}]}`},
	{roles(rStation, rCommunity), "POST", "/matching/reject", `{"reason": "不合适", "pairings": [{"elder_id": {elder1}, "volunteer_id": {fv}}]}`},
	{roles(rStation, rCommunity), "POST", "/volunteers/{vol1}/leave", `{"left_on": "2026-11-29", "reason": "搬家", "handovers": [{"pairing_id": {pairing1}, "successor_id": {fv}}]}`},
	{roles(rStation, rCommunity), "POST", "/volunteers/{vol1}/leave", `{"left_on": "2026-11-29", "reason": "搬家", "handovers": [{"pairing_id": {fp}, "successor_id": {vol1}}]}`},
	{roles(rStation, rCommunity), "POST", "/elders/{elder1}/services", `{"kind": "life", "type": "greeting", "volunteer_id": {fv}}`},
	{roles(rStation, rCommunity, rVolunteer), "POST", "/services/{record1}/amendments", `{"reason": "写错了", "changes": {"volunteer_id": {fv}}}`},
	{roles(rStation), "POST", "/cards/2026-10/signatures", `{"elder_ids": [{fe}]}`},
	{roles(rStation, rCommunity, rVolunteer), "POST", "/requests", `{"elder_id": {fe}, "kind": "life", "urgency": "normal", "channel": "volunteer", "wanted_by": "2026-11-29T18:00:00+08:00"}`},
	{roles(rStation, rCommunity), "PUT", "/duty", `{"community_id": {fc}, "shifts": [{"weekday": 1, "from": "08:00", "to": "18:00", "user_id": {fuser}}]}`},
	{roles(rStation, rCommunity), "PUT", "/duty", `{"community_id": {c}, "shifts": [{"weekday": 1, "from": "08:00", "to": "18:00", "user_id": {fuser}}]}`},
}

// foreignOf are the objects of another community (of another street for
// the station) that role may not name.
func (w *bodyWorld) foreignOf(role string) map[string]string {
	f := w.e.f
	s := func(id int64) string { return strconv.FormatInt(id, 10) }
	own := map[string]string{"{elder1}": s(f.Elder1.ID), "{vol1}": s(f.Vol1.ID), "{pairing1}": s(w.pairing[f.Elder1.ID]),
		"{record1}": s(w.record[f.Elder1.ID]), "{c}": s(f.C1.ID), "{clinic1}": s(f.Clinic.ID),
		"{fclinic}": s(w.clinic2.ID), "{fstreet}": s(w.station2.StreetID), "{waiting}": s(w.waiting)}
	switch role {
	case rStation:
		own["{fc}"], own["{fv}"], own["{fe}"], own["{fp}"] = s(w.c3.ID), s(w.vol4.ID), s(w.elder4.ID), s(w.pairing[w.elder4.ID])
		own["{fuser}"] = s(w.station2User)
	default: // community staff of community 1, and its volunteer
		own["{fc}"], own["{fv}"], own["{fe}"], own["{fp}"] = s(f.C2.ID), s(f.Vol2.ID), s(f.Elder3.ID), s(w.pairing[f.Elder3.ID])
		own["{fuser}"] = s(f.Comm2.UserID)
	}
	return own
}

// state is everything a body could have changed, as the stations and the
// administrator see it, and the newest audit entry.
func (w *bodyWorld) state(t *testing.T) string {
	t.Helper()
	ctx, db, f := context.Background(), w.e.db, w.e.f
	var out []any
	add := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	admin := care.Actor{Role: care.RoleAdmin, Username: "admin"}
	for _, a := range []care.Actor{f.Station, w.station2} {
		elders, _, err := db.ListElders(ctx, a, store.ElderFilter{Limit: 500})
		add(elders, err)
		vols, _, err := db.ListVolunteers(ctx, a, store.VolunteerFilter{Limit: 500})
		add(vols, err)
		for _, e := range elders {
			add(db.ElderTeam(ctx, a, e.ID))
			for _, m := range []string{"2026-10", "2026-11"} {
				add(db.GetCard(ctx, a, e.ID, m))
			}
		}
		add(db.DutyViews(ctx, a, 0))
		add(db.Handovers(ctx, a, 0))
	}
	add(db.Communities(ctx, admin))
	add(db.Clinics(ctx, admin))
	add(db.Users(ctx, admin))
	add(db.AuditLog(ctx, admin, "", 0, 1))
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestForeignIdsInBodiesAreRefused(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBodyWorld(t, db)
		elder := validElderBody(w.e.f, 77)
		for _, c := range bodyCases {
			for _, role := range c.roles {
				subst := w.foreignOf(role)
				fill := func(s string) string {
					for k, v := range subst {
						s = strings.ReplaceAll(s, k, v)
					}
					return s
				}
				body := c.body
				if strings.HasPrefix(body, "{elder with ") {
					e := map[string]any{}
					for k, v := range elder {
						e[k] = v
					}
					id, _ := strconv.ParseInt(fill(strings.Fields(strings.TrimSuffix(body, "}"))[3]), 10, 64)
					if strings.Contains(body, "clinic") {
						e["clinic_id"] = id
					} else {
						e["community_id"] = id
					}
					b, _ := json.Marshal(e)
					body = string(b)
				}
				before := w.state(t)
				a := w.do(c.method, "/api/v1"+fill(c.path), role, fill(body))
				after := w.state(t)
				what := fmt.Sprintf("%s %s as %s with %s", c.method, fill(c.path), role, fill(body))
				switch a.status {
				case 403, 404, 422:
				default:
					t.Errorf("%s: %d %s, want 403, 404 or 422", what, a.status, a.body)
				}
				if before != after {
					t.Errorf("%s: answered %d but changed what is stored", what, a.status)
				}
			}
		}
		// A register file naming another community (another street's for
		// the station) imports nothing.
		id := care.MakeIDNumber("320102", storetest.Day("1941-03-05"), 88, care.Female)
		for role, community := range map[string]string{rStation: w.c3.Name, rCommunity: w.e.f.C2.Name} {
			file := "姓名,性别,身份证号,出生日期,所属社区,楼栋,居住情况,自理能力\n孙桂兰,女," + id + ",1941-03-05," + community + ",2栋,独居,半自理\n"
			before := w.state(t)
			req := httptest.NewRequest("POST", "/api/v1/imports/elders", strings.NewReader(file))
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set("Authorization", "Bearer "+w.e.tokens[role])
			rec := httptest.NewRecorder()
			w.e.h.ServeHTTP(rec, req)
			a := answer{rec.Code, rec.Body.Bytes()}
			if a.status != 422 || !strings.Contains(string(a.body), "社区") {
				t.Errorf("an import into %s as %s: %d %s, want 422", community, role, a.status, a.body)
			}
			if w.state(t) != before {
				t.Errorf("an import into %s as %s changed what is stored", community, role)
			}
		}
	})
}

// bodyWorld is the matrix's world with a staff account of the second
// street (the station's foreign person for a duty roster) and a pairing
// waiting for a successor.
type bodyWorld struct {
	*matrixWorld
	station2User int64
	waiting      int64 // 陈建国's pairing, ended and waiting for a successor
}

func newBodyWorld(t *testing.T, db *store.DB) *bodyWorld {
	t.Helper()
	w := &bodyWorld{matrixWorld: newMatrixWorld(t, db, "")}
	u := &care.User{Username: "station2", Role: care.RoleStation, StreetID: w.station2.StreetID}
	if err := db.CreateUser(context.Background(), w.e.f.Admin, u, storetest.Password); err != nil {
		t.Fatal(err)
	}
	w.station2User = u.ID
	w.waiting = w.pairing[w.e.f.Elder2.ID]
	if a := w.do("POST", fmt.Sprintf("/api/v1/pairings/%d/end", w.waiting), rCommunity, `{"ended_on": "2026-11-29", "reason": "搬家"}`); a.status != 200 {
		t.Fatalf("ending a pairing to wait for a successor: %d %s", a.status, a.body)
	}
	return w
}
