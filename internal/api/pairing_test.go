package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// step is one call of a scenario: who asks what, the status wanted, and
// what else the answer must hold.
type step struct {
	name, method, url, who string
	body                   any
	status                 int
	check                  func(t *testing.T, out map[string]any)
}

func runSteps(t *testing.T, e *env, steps []step) {
	t.Helper()
	for _, s := range steps {
		status, out := e.call(t, s.method, s.url, s.who, s.body)
		if status != s.status {
			t.Fatalf("%s: status %d, want %d: %v", s.name, status, s.status, out)
		}
		if status >= 400 {
			if errObj, ok := out["error"].(map[string]any); !ok || errObj["code"] == "" || errObj["message"] == "" {
				t.Fatalf("%s: the error shape {error: {code, message}}: %v", s.name, out)
			}
		}
		if s.check != nil {
			s.check(t, out)
		}
	}
}

func hasField(field string) func(*testing.T, map[string]any) {
	return func(t *testing.T, out map[string]any) {
		t.Helper()
		if fieldsOf(out)[field] == nil {
			t.Fatalf("want a reason for %s: %v", field, out)
		}
	}
}

func TestPairingAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		v3 := care.Volunteer{Name: "周红", Phone: "13700000003", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 2}
		if err := db.CreateVolunteer(context.Background(), f.Station, &v3); err != nil {
			t.Fatal(err)
		}
		team, _ := db.ElderTeam(context.Background(), f.Station, f.Elder1.ID)
		p1 := itoa(team[0].ID)
		elder1, elder2 := "/api/v1/elders/"+itoa(f.Elder1.ID), "/api/v1/elders/"+itoa(f.Elder2.ID)
		var newPairing string
		runSteps(t, e, []step{
			{"team of an elder", "GET", elder1 + "/pairings", "community1", nil, 200, func(t *testing.T, out map[string]any) {
				item := out["items"].([]any)[0].(map[string]any)
				if item["responsible"] != true || item["volunteer_name"] != f.Vol1.Name || item["ended_on"] != nil {
					t.Fatalf("pairing item: %v", item)
				}
			}},
			{"another community's elder", "GET", elder1 + "/pairings", "community2", nil, 404, nil},
			{"viewer", "GET", elder1 + "/pairings", "viewer", nil, 403, nil},
			{"a volunteer sees their elder's team", "GET", elder1 + "/pairings", "volunteer", nil, 200, nil},
			{"unknown field", "POST", elder2 + "/pairings", "community1", map[string]any{"volunteer_id": v3.ID, "bogus": 1}, 422, hasField("bogus")},
			{"bad date", "POST", elder2 + "/pairings", "community1", map[string]any{"volunteer_id": v3.ID, "started_on": "29.11.2026"}, 422, hasField("started_on")},
			{"pairing another community's elder", "POST", elder1 + "/pairings", "community2", map[string]any{"volunteer_id": v3.ID}, 404, nil},
			{"a volunteer may not pair", "POST", elder2 + "/pairings", "volunteer", map[string]any{"volunteer_id": v3.ID}, 403, nil},
			{"pair", "POST", elder2 + "/pairings", "community1", map[string]any{"volunteer_id": v3.ID}, 201, func(t *testing.T, out map[string]any) {
				if out["responsible"] != true || out["elder_id"] != float64(f.Elder2.ID) {
					t.Fatalf("created: %v", out)
				}
				newPairing = fmt.Sprint(out["id"])
			}},
			{"twice", "POST", elder2 + "/pairings", "community1", map[string]any{"volunteer_id": v3.ID}, 422, hasField("volunteer_id")},
			{"end needs a reason", "POST", "/api/v1/pairings/" + p1 + "/end", "community1", map[string]any{}, 422, hasField("reason")},
			{"relay", "POST", "/api/v1/pairings/" + p1 + "/end", "community1", map[string]any{"reason": "志愿者搬家", "successor_id": v3.ID}, 200,
				func(t *testing.T, out map[string]any) {
					ended, succ := out["ended"].(map[string]any), out["successor"].(map[string]any)
					if ended["ended_on"] != "2026-11-29" || succ["responsible"] != true || succ["predecessor_id"] != ended["id"] {
						t.Fatalf("relay: %v", out)
					}
				}},
			{"ended twice", "POST", "/api/v1/pairings/" + p1 + "/end", "community1", map[string]any{"reason": "x"}, 409, nil},
		})
		runSteps(t, e, []step{
			{"agreement not yet", "GET", "/api/v1/pairings/" + newPairing + "/agreement", "community1", nil, 404, nil},
			{"agreement missing parts", "POST", "/api/v1/pairings/" + newPairing + "/agreement", "community1",
				map[string]any{"services": []string{}, "signatories": []map[string]string{{"party": "elder", "name": f.Elder2.Name}}}, 422,
				func(t *testing.T, out map[string]any) {
					for _, k := range []string{"services", "start_on", "signed_on", "signatories"} {
						hasField(k)(t, out)
					}
				}},
			{"agreement", "POST", "/api/v1/pairings/" + newPairing + "/agreement", "community1",
				map[string]any{"services": []string{"life", "spirit"}, "start_on": "2026-11-29", "signed_on": "2026-11-29",
					"signatories": []map[string]string{{"party": "elder", "name": f.Elder2.Name}, {"party": "volunteer", "name": v3.Name}}}, 201, nil},
			{"read agreement", "GET", "/api/v1/pairings/" + newPairing + "/agreement", "station", nil, 200, func(t *testing.T, out map[string]any) {
				if len(out["signatories"].([]any)) != 2 || out["signed_on"] != "2026-11-29" {
					t.Fatalf("agreement: %v", out)
				}
			}},
			{"volunteer's list", "GET", "/api/v1/volunteers/" + itoa(v3.ID) + "/pairings", "community1", nil, 200, func(t *testing.T, out map[string]any) {
				if out["total"] != float64(2) {
					t.Fatalf("v3 serves two elders: %v", out)
				}
			}},
			{"leave without reason", "POST", "/api/v1/volunteers/" + itoa(v3.ID) + "/leave", "community1", map[string]any{}, 422, hasField("reason")},
			{"leave", "POST", "/api/v1/volunteers/" + itoa(v3.ID) + "/leave", "community1", map[string]any{"reason": "外出务工"}, 200,
				func(t *testing.T, out map[string]any) {
					if len(out["ended"].([]any)) != 2 || len(out["successors"].([]any)) != 0 {
						t.Fatalf("leave: %v", out)
					}
				}},
			{"waiting for successors", "GET", "/api/v1/handovers", "community1", nil, 200, func(t *testing.T, out map[string]any) {
				if out["total"] != float64(2) {
					t.Fatalf("both elders wait: %v", out)
				}
			}},
			{"handovers are staff's", "GET", "/api/v1/handovers", "volunteer", nil, 403, nil},
		})
	})
}

func TestMatchingAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		var volunteer float64
		runSteps(t, e, []step{
			{"reach must be a number", "GET", "/api/v1/matching?max_distance_m=far", "community1", nil, 422, hasField("max_distance_m")},
			{"reach in range", "GET", "/api/v1/matching?max_distance_m=10", "community1", nil, 422, hasField("max_distance_m")},
			{"another community", "GET", "/api/v1/matching?community_id=" + itoa(f.C1.ID), "community2", nil, 404, nil},
			{"volunteers do not match", "GET", "/api/v1/matching", "volunteer", nil, 403, nil},
			{"suggest", "GET", "/api/v1/matching?max_distance_m=800", "community1", nil, 200, func(t *testing.T, out map[string]any) {
				if out["max_distance_m"] != float64(800) {
					t.Fatalf("reach: %v", out["max_distance_m"])
				}
				// Elder2 has no coordinates, nor has anyone: placed by
				// community, Vol1 (one place left) is the one volunteer.
				sg := out["suggestions"].([]any)
				if len(sg) != 1 {
					t.Fatalf("suggestions: %v", out)
				}
				s := sg[0].(map[string]any)
				if s["elder_id"] != float64(f.Elder2.ID) || s["volunteer_id"] != float64(f.Vol1.ID) || s["distance_basis"] != "same_community" || s["reason"] == "" {
					t.Fatalf("suggestion: %v", s)
				}
				volunteer = s["volunteer_id"].(float64)
			}},
			{"accept nothing", "POST", "/api/v1/matching/accept", "community1", map[string]any{"pairings": []any{}}, 422, hasField("pairings")},
		})
		if _, out := e.call(t, "GET", "/api/v1/matching", "community1", nil, "Accept-Language", "en"); !strings.Contains(
			fmt.Sprint(out["suggestions"]), "neighbour volunteer, same community") {
			t.Fatalf("reasons follow Accept-Language: %v", out["suggestions"])
		}
		runSteps(t, e, []step{
			{"accept", "POST", "/api/v1/matching/accept", "community1",
				map[string]any{"pairings": []map[string]any{{"elder_id": f.Elder2.ID, "volunteer_id": volunteer}}}, 201, func(t *testing.T, out map[string]any) {
					if len(out["created"].([]any)) != 1 {
						t.Fatalf("created: %v", out)
					}
				}},
			{"accept again: the volunteer is full", "POST", "/api/v1/matching/accept", "community1",
				map[string]any{"pairings": []map[string]any{{"elder_id": f.Elder2.ID, "volunteer_id": volunteer}}}, 422, hasField("pairings.0.volunteer_id")},
			{"reject", "POST", "/api/v1/matching/reject", "community2",
				map[string]any{"pairings": []map[string]any{{"elder_id": f.Elder3.ID, "volunteer_id": f.Vol2.ID}}, "reason": "不合适"}, 200, nil},
			{"rejected is not suggested", "GET", "/api/v1/matching", "community2", nil, 200, func(t *testing.T, out map[string]any) {
				un := out["unmatched"].([]any)
				if len(out["suggestions"].([]any)) != 0 || len(un) != 1 || un[0].(map[string]any)["reason"] != "refused_all_in_reach" {
					t.Fatalf("after the rejection: %v", out)
				}
			}},
			{"reject another community's elder", "POST", "/api/v1/matching/reject", "community2",
				map[string]any{"pairings": []map[string]any{{"elder_id": f.Elder1.ID, "volunteer_id": f.Vol2.ID}}}, 404, nil},
		})
	})
}
