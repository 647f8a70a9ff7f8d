package api_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"carecircle/internal/activity"
	"carecircle/internal/attach/attachtest"
	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/survey"
	"carecircle/internal/training"
	"carecircle/internal/upward"
)

// The authorization matrix (issue 12): every route of openapi.yaml × every
// role × the caller's own object and objects it may not see. Routes are
// read from the OpenAPI file, so a new route is tested the day it is
// documented, and a route the mux serves but the file lacks fails
// TestOpenAPICoversEveryRoute.
//
// How a route is judged:
//   - without a token: 401, except the routes marked `security: []`;
//   - its family (the first segment of the path) says which roles may read
//     (GET) and which may write (anything else); matrixExceptions overrides
//     that for single (route, role) pairs the family rule gets wrong;
//   - a role that may not use the route: 403 or 404, whatever the object;
//   - a role that may: GET of its own object is 200; a write on its own
//     object is anything but 401, 403, 404 or 5xx (the minimal body may be
//     invalid);
//   - another community's (street's, volunteer's, clinic's) object: 403 or
//     404, or, where the body is checked before the object is looked up,
//     exactly the answer for an object that does not exist;
//   - a list given another community's community_id: 403 or 404, or the
//     very answer without the filter (the route does not take one);
//   - no answer to a role ever contains a marker of what it may not see
//     (names, phones and ID numbers of elders and volunteers outside its
//     scope; for volunteers and clinics also their own elder's ID number).
//
// A route whose family has no rule, or with a path parameter the test
// cannot fill, fails as unclassified. On failure the whole table is logged;
// CARECIRCLE_AUTHZ_TABLE=1 logs it always.

// apiRoute is one path × method of openapi.yaml.
type apiRoute struct {
	Method, Path string
	Public       bool   // security: [] on the operation
	Doc          string // the path's text, for parameters
}

func (r apiRoute) key() string { return r.Method + " " + r.Path }

// openAPIRoutes reads the paths of openapi.yaml: two-space path keys and
// four-space method keys under `paths:`.
func openAPIRoutes(t *testing.T) []apiRoute {
	t.Helper()
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true}
	var out []apiRoute
	in, path, pathDoc := false, "", ""
	cur := -1
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if indent == 0 {
			in = strings.HasPrefix(line, "paths:")
			continue
		}
		if !in {
			continue
		}
		text := strings.TrimSpace(line)
		switch {
		case indent == 2:
			path, pathDoc, cur = strings.TrimSuffix(text, ":"), "", -1
			if !strings.HasPrefix(path, "/") || !strings.HasSuffix(text, ":") {
				t.Fatalf("openapi.yaml: unexpected key under paths: %q", line)
			}
		case indent == 4:
			name, _, _ := strings.Cut(text, ":")
			if methods[name] {
				out = append(out, apiRoute{Method: strings.ToUpper(name), Path: path, Doc: pathDoc + "\n" + text})
				cur = len(out) - 1
				if strings.Contains(text, "security: []") {
					out[cur].Public = true
				}
			} else {
				cur = -1
				pathDoc += "\n" + text
			}
		default:
			if cur >= 0 {
				out[cur].Doc += "\n" + text
				if indent == 6 && text == "security: []" {
					out[cur].Public = true
				}
			} else {
				pathDoc += "\n" + text
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("openapi.yaml: no paths read")
	}
	return out
}

// muxRoutes are the patterns the API registers, read from the package's
// sources: every HandleFunc/Handle call with a literal "METHOD /api/v1/..."
// pattern. A pattern that is not a literal fails: the test could not know it.
func muxRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route pattern that is not a literal cannot be checked against openapi.yaml", fset.Position(call.Pos()))
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			out = append(out, p)
			return true
		})
	}
	return out
}

// undocumented are mux patterns that are deliberately not in openapi.yaml.
var undocumented = map[string]string{
	"GET /openapi.yaml": "the document itself (public)",
	"/":                 "the catch-all that answers 404 in the API's error shape",
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	documented := map[string]bool{}
	for _, r := range openAPIRoutes(t) {
		documented[r.key()] = true
	}
	served := map[string]bool{}
	for _, p := range muxRoutes(t) {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			method, path = "", p
		}
		rel, found := strings.CutPrefix(path, "/api/v1")
		if !found {
			t.Errorf("route %q is not under /api/v1", p)
			continue
		}
		key := strings.TrimSpace(method + " " + rel)
		served[key] = true
		if !documented[key] && undocumented[key] == "" {
			t.Errorf("the API serves %q but openapi.yaml does not document it (add it there, and to the authorization matrix's rules if its family is new)", p)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("openapi.yaml documents %q but the API does not serve it", k)
		}
	}
}

// Roles of the matrix, by the name of their token in env.tokens.
const (
	rStation   = "station"
	rCommunity = "community1"
	rVolunteer = "volunteer"
	rClinic    = "clinic"
	rViewer    = "viewer"
	rAdmin     = "admin"
)

var matrixRoles = []string{rStation, rCommunity, rVolunteer, rClinic, rViewer, rAdmin}

func roles(rs ...string) []string { return rs }

var (
	people   = roles(rStation, rCommunity, rVolunteer, rClinic)
	registry = roles(rStation, rCommunity)
	everyone = matrixRoles
)

// family is who may read (GET) and who may write (other methods) the
// routes under a first path segment (README "Roles and what each sees").
type family struct{ read, write []string }

var families = map[string]family{
	"session":     {everyone, everyone},
	"me":          {everyone, everyone},
	"users":       {nil, roles(rAdmin)},
	"elders":      {people, registry},
	"volunteers":  {roles(rStation, rCommunity, rVolunteer), registry},
	"communities": {everyone, roles(rStation, rAdmin)},
	"clinics":     {everyone, roles(rStation, rAdmin)},
	"stats":       {roles(rStation, rCommunity, rViewer), nil},
	"reports":     {roles(rStation, rCommunity, rViewer), nil},
	"services":    {people, registry},
	"cases":       {people, registry},
	"cards":       {nil, roles(rStation)},
	"inspection":  {registry, nil},
	"imports":     {nil, registry},
	"exports":     {registry, nil},
	"pairings":    {people, registry},
	// Households (包户, issue 16 point 3): staff form and pair them; the
	// people of a member read them; volunteers record a household visit.
	"households":  {people, registry},
	"handovers":   {registry, nil},
	"matching":    {registry, registry},
	"compliance":  {registry, nil},
	"today":       {roles(rVolunteer, rClinic, rCommunity), nil},
	"not-greeted": {registry, nil},
	"alerts":      {registry, registry},
	"standards":   {roles(rStation, rCommunity, rVolunteer, rClinic, rViewer), roles(rStation)},
	"festivals":   {roles(rStation, rCommunity, rVolunteer, rClinic, rViewer), roles(rStation)},
	"inbox":       {everyone, everyone}, // each reads and marks only their own messages
	"duty":        {registry, registry},
	// The reminders' wording: the station edits, its community staff read.
	"reminder-templates": {registry, roles(rStation)},
	// The escalation chain: the station sets it, its community staff read.
	"escalation-policy": {registry, roles(rStation)},
	// Rollout (issue 15 point 2): the station runs it, community staff
	// write their plan, a street's viewer follows it.
	"rollout": {roles(rStation, rCommunity, rViewer), registry},
	// Needs surveys (issue 15 point 3): staff and named surveyor volunteers.
	"surveys": {roles(rStation, rCommunity, rVolunteer), roles(rStation, rCommunity, rVolunteer)},
	// Typical experience: community staff write and submit, the station
	// reads, receives and returns (README "典型经验、上报与培训表彰").
	"experiences": {registry, registry},
	"trainings":   {roles(rStation, rCommunity, rVolunteer), registry},
	// Activities (issue 15 point 1): staff plan them; the volunteers they
	// are open to read them.
	"activities": {roles(rStation, rCommunity, rVolunteer), registry},
	// Attachments (附件): staff upload; whoever reads the owner reads its
	// files (the matrix's own file is a photo of community 1's activity,
	// which its volunteer sees and a viewer does not).
	"attachments": {roles(rStation, rCommunity, rVolunteer), registry},
	// Requests for help (按需服务, issue 16 point 1): staff record and
	// dispatch; a volunteer reads those assigned to them or of their circle.
	"requests": {roles(rStation, rCommunity, rVolunteer), registry},
}

// Expectations of matrixExceptions.
const (
	allow = "allow" // as for a role the family lets in
	deny  = "deny"  // 403 or 404
)

// matrixExceptions are (route, role) pairs where the family rule is wrong,
// each with its reason in a comment.
var matrixExceptions = map[string]map[string]string{
	// Full ID numbers are revealed (audited) to registry staff only.
	"GET /elders/{id}/id-number": {rVolunteer: deny, rClinic: deny},
	// Volunteers record the services they give their paired elders, a
	// clinic the health services of its elders; a volunteer corrects their
	// own records.
	"POST /elders/{id}/services":     {rVolunteer: allow, rClinic: allow},
	"POST /services/{id}/amendments": {rVolunteer: allow},
	"POST /households/{id}/visits":   {rVolunteer: allow},
	// Signing a card is the station's inspection.
	"POST /elders/{id}/card/{month}/signature": {rCommunity: deny},
	// Health (issue 16 point 2): the clinic reads and writes the record and
	// the measurements; station and community staff read the summary and
	// the call-outs (audited) and log a call-out they took; a volunteer
	// reads no health data.
	"GET /elders/{id}/health":               {rVolunteer: deny},
	"PUT /elders/{id}/health":               {rStation: deny, rCommunity: deny, rClinic: allow},
	"GET /elders/{id}/health/measurements":  {rStation: deny, rCommunity: deny, rVolunteer: deny},
	"POST /elders/{id}/health/measurements": {rStation: deny, rCommunity: deny, rClinic: allow},
	"GET /elders/{id}/callouts":             {rVolunteer: deny},
	"POST /elders/{id}/callouts":            {rClinic: allow},
	// Clinic staff's compliance table is their clinic's own standards for
	// their elders (issue 16 point 2).
	"GET /compliance": {rClinic: allow},
	// Only community staff write experience reports; only they submit a month's report, only the station receives it.
	"POST /experiences":                {rStation: deny},
	"PATCH /experiences/{id}":          {rStation: deny},
	"GET /reports/{month}/submissions": {rViewer: deny},
	"POST /reports/{month}/submission": {rStation: allow, rCommunity: allow},
	// Rollout (issue 15 point 2): the station brings communities in,
	// supervises and holds the exchange; community staff write their plan.
	"POST /rollout/communities":  {rCommunity: deny},
	"POST /rollout/supervisions": {rCommunity: deny},
	"POST /rollout/meetings":     {rCommunity: deny},
	// Surveys (issue 15 point 3): community staff review proposals and name
	// surveyors; the fixture's volunteer is not named, so has no targets;
	// registry staff read the history of needs; the list's approval is read
	// by the street's station and viewer and community staff (their own),
	// and set by the station only.
	"POST /surveys/{id}/review":      {rStation: deny, rVolunteer: deny},
	"GET /surveys/surveyors":         {rVolunteer: deny},
	"PUT /surveys/surveyors":         {rStation: deny, rVolunteer: deny},
	"GET /surveys/targets":           {rVolunteer: deny},
	"GET /elders/{id}/need-history":  {rVolunteer: deny, rClinic: deny},
	"GET /communities/{id}/approval": {rVolunteer: deny, rClinic: deny, rAdmin: deny},
	"PUT /communities/{id}/approval": {rAdmin: deny},
	// Requests: the elder's volunteer records one; only the volunteer it
	// was dispatched to accepts or declines it, and they or staff mark it
	// done; the candidates are for staff dispatching.
	"POST /requests":                {rVolunteer: allow},
	"POST /requests/{id}/accept":    {rStation: deny, rCommunity: deny, rVolunteer: allow},
	"POST /requests/{id}/decline":   {rStation: deny, rCommunity: deny, rVolunteer: allow},
	"POST /requests/{id}/done":      {rVolunteer: allow},
	"GET /requests/{id}/candidates": {rVolunteer: deny},
	// The time bank: a volunteer donates their own hours (issue 16 point 4).
	"POST /volunteers/{id}/hours/donations": {rVolunteer: allow},
	// Activities: a volunteer signs up, cancels and checks in themself (the
	// matrix's item 1 is staff's, so the volunteer may not tick it).
	"POST /activities/{id}/signups":    {rVolunteer: allow},
	"DELETE /activities/{id}/signups":  {rVolunteer: allow},
	"POST /activities/{id}/attendance": {rVolunteer: allow},
}

// streetWide are routes whose object belongs to the whole street: every
// role of the street reads it, so only another street's is foreign.
var streetWide = map[string]string{
	"GET /communities/{id}": "a community's name and buildings (GET /communities lists the street's)",
}

// matrixQuery is the query a route needs to answer at all.
var matrixQuery = map[string]string{
	"GET /reports":                     "period=2026-11",
	"GET /compliance":                  "month=2026-11",
	"GET /compliance/communities/{id}": "month=2026-11",
	"GET /pairings/{id}/compliance":    "month=2026-11",
	"GET /elders/{id}/compliance":      "month=2026-11",
	"GET /elders/{id}/card":            "month=2026-11",
	"GET /inspection":                  "month=2026-11",
	"GET /festivals":                   "year=2026",
}

// matrixBody is the body of a write; {} unless given. Bodies that pass
// validation make a foreign object reach the store's scope check.
// {elder1}, {elder2}, {vol1} and {vol3} are the fixture's IDs.
var matrixBody = map[string]string{
	"PATCH /elders/{id}":                       `{"notes": "矩阵"}`,
	"PATCH /volunteers/{id}":                   `{"availability": "周末"}`,
	"POST /elders/{id}/services":               `{"kind": "health", "type": "health_inquiry", "at": "2026-11-29T08:00:00+08:00"}`,
	"POST /elders/{id}/card/{month}/signature": `{"result": "pass"}`,
	"POST /elders/{id}/pin":                    `{"pin": "1234"}`,
	"POST /services/{id}/amendments":           `{"reason": "写错了", "changes": {"note": "更正"}}`,
	"POST /cases/{id}/events":                  `{"status": "resolved", "note": "已处理"}`,
	"POST /elders/{id}/pairings":               `{"volunteer_id": {vol3}, "started_on": "2026-11-29"}`,
	"POST /pairings/{id}/end":                  `{"ended_on": "2026-11-29", "reason": "搬家", "no_successor": true}`,
	"POST /pairings/{id}/successor":            `{"volunteer_id": {vol3}, "started_on": "2026-11-29"}`,
	"POST /pairings/{id}/close":                `{"reason": "已由家属照顾"}`,
	"POST /pairings/{id}/agreement":            `{"services": ["life"], "start_on": "2026-11-29", "signed_on": "2026-11-29", "signatories": [{"party": "elder", "name": "甲"}, {"party": "volunteer", "name": "乙"}, {"party": "community", "name": "丙"}]}`,
	"POST /matching/accept":                    `{"started_on": "2026-11-29", "pairings": [{"elder_id": {elder2}, "volunteer_id": {vol1}}]}`,
	"POST /matching/reject":                    `{"reason": "不合适", "pairings": [{"elder_id": {elder2}, "volunteer_id": {vol1}}]}`,
	"POST /volunteers/{id}/leave":              `{"left_on": "2026-11-29", "reason": "搬家"}`,
	"POST /volunteers/{id}/hours/donations":    `{"to_volunteer_id": {vol3}, "minutes": 1}`,
	"POST /alerts/{id}/resolve":                `{"note": "已上门"}`,
	"POST /festivals":                          `{"code": "laba", "name": "腊八节", "lunar": true, "month": 12, "day": 8, "effective_from": "2026-12-01"}`,
	"PUT /reminder-templates/{kind}":           `{"text": "本周还差{count}次聊天：{elder}"}`,
	"PUT /escalation-policy":                   `{"reminder_at": "18:00", "family_after_minutes": 60, "station_after_minutes": 60, "emergency_after_minutes": 15}`,
	"POST /standards":                          `{"code": "x_y", "role": "neighbour", "period": "day", "required": 1, "counts": [{"kind": "life"}], "effective_from": "2026-12-01"}`,
}

// caller is a role with its own and foreign objects per kind (the path
// segment before {id}) and what it must never be shown.
type caller struct {
	name             string
	own              map[string]string
	foreign          map[string][]string
	foreignCommunity string
	markers          []string
	otherStreet      map[string][]string // the foreign objects of another street
}

// matrixWorld is the fixture street plus what the matrix needs: a second
// street with its own community, clinic, elder and volunteer; another
// volunteer of community 1; a pairing, a service record (a complaint, so a
// case too) and an alert for each elder; a spare account.
type matrixWorld struct {
	e                          *env
	c3                         care.Community
	clinic2                    care.Clinic
	vol3, vol4                 care.Volunteer
	elder4                     care.Elder
	pairing                    map[int64]int64 // elder -> pairing
	record, caseOf, alert      map[int64]int64 // elder -> id
	survey                     map[int64]int64 // elder -> a survey of the elder
	spareUser                  int64
	inbox                      map[string]string // username -> a message in their inbox
	ownSession, foreignSession string
	station2                   care.Actor
	// experience reports and training sessions (submitted reports; a
	// session attended by the community's volunteer) of community 1,
	// community 2 and the second street's community
	experience, training [3]int64
	// an activity of community 1, community 2 and the second street's
	// community, each with a photo
	activity, attachment [3]int64
	household            int64           // elder 1 and elder 2 (community 1)
	request              map[int64]int64 // elder -> a request for help (elder 1's dispatched to the volunteer)
}

func newMatrixWorld(t *testing.T, db *store.DB, as string) *matrixWorld {
	t.Helper()
	e := setup(t, db)
	f := e.f
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := &matrixWorld{e: e, pairing: map[int64]int64{}, record: map[int64]int64{}, caseOf: map[int64]int64{}, alert: map[int64]int64{},
		inbox: map[string]string{}, survey: map[int64]int64{}, request: map[int64]int64{}}
	st2 := care.Street{Name: "长乐街道", District: "秦淮区", City: "南京市"}
	must(db.CreateStreet(ctx, f.Admin, &st2))
	w.station2 = care.Actor{Role: care.RoleStation, StreetID: st2.ID, Username: "station2"}
	w.c3 = care.Community{Name: "长乐社区"}
	must(db.SaveCommunity(ctx, w.station2, &w.c3))
	w.clinic2 = care.Clinic{Name: "长乐社区卫生服务站", CommunityIDs: []int64{w.c3.ID}}
	must(db.SaveClinic(ctx, w.station2, &w.clinic2))
	w.vol3 = care.Volunteer{Name: "钱小红", Phone: "13700000003", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 2}
	must(db.CreateVolunteer(ctx, f.Comm1, &w.vol3))
	w.vol4 = care.Volunteer{Name: "孙志刚", Phone: "13700000004", Kind: "neighbour", CommunityID: w.c3.ID, Capacity: 2}
	must(db.CreateVolunteer(ctx, w.station2, &w.vol4))
	w.elder4 = storetest.NewElder("周玉梅", w.c3.ID, "1940-05-06", care.Female, 4)
	w.elder4.Phone = "13844445555"
	must(db.CreateElder(ctx, w.station2, &w.elder4))
	must(db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: f.Elder2.ID, VolunteerID: w.vol3.ID, Responsible: true}))
	must(db.CreatePairing(ctx, f.Comm2, &store.Pairing{ElderID: f.Elder3.ID, VolunteerID: f.Vol2.ID, Responsible: true}))
	must(db.CreatePairing(ctx, w.station2, &store.Pairing{ElderID: w.elder4.ID, VolunteerID: w.vol4.ID, Responsible: true}))
	for _, p := range []struct {
		a     care.Actor
		elder int64
	}{{f.Volunteer, f.Elder1.ID}, {f.Comm1, f.Elder2.ID}, {f.Comm2, f.Elder3.ID}, {w.station2, w.elder4.ID}} {
		team, err := db.ElderTeam(ctx, p.a, p.elder)
		must(err)
		if len(team) == 0 {
			t.Fatalf("elder %d has no team", p.elder)
		}
		w.pairing[p.elder] = team[0].ID
		r := &care.ServiceRecord{ElderID: p.elder, Kind: "legal", Type: "complaint", At: db.Now().Add(-time.Hour), Note: "楼上漏水，物业不处理"}
		must(db.AddService(ctx, p.a, r, store.Proof{}))
		w.record[p.elder] = r.ID
	}
	for _, a := range []care.Actor{f.Station, w.station2} {
		cs, err := db.Cases(ctx, a, false)
		must(err)
		for _, c := range cs {
			w.caseOf[c.ElderID] = c.ID
		}
	}
	if _, err := db.RaiseNotGreetedAlerts(ctx, db.Now().In(db.Loc), "alert_job"); err != nil {
		t.Fatal(err)
	}
	for _, a := range []care.Actor{f.Station, w.station2} {
		as, err := db.Alerts(ctx, a, store.AlertFilter{})
		must(err)
		for _, al := range as {
			w.alert[al.ElderID] = al.ID
		}
	}
	for _, id := range []int64{f.Elder1.ID, f.Elder2.ID, f.Elder3.ID, w.elder4.ID} {
		if w.pairing[id] == 0 || w.record[id] == 0 || w.caseOf[id] == 0 || w.alert[id] == 0 {
			t.Fatalf("elder %d lacks a pairing, record, case or alert: %d %d %d %d", id, w.pairing[id], w.record[id], w.caseOf[id], w.alert[id])
		}
	}
	hh := &store.Household{Name: "王陈家"}
	must(db.CreateHousehold(ctx, f.Comm1, hh, []int64{f.Elder1.ID, f.Elder2.ID}, time.Time{}))
	w.household = hh.ID
	for i, p := range []struct {
		a care.Actor
		c int64
	}{{f.Comm1, f.C1.ID}, {f.Comm2, f.C2.ID}, {w.station2, w.c3.ID}} {
		_, id, err := db.CreateFromTemplate(ctx, p.a, activity.TemplateNursingHome, p.c, storetest.Day("2026-12-05"))
		must(err)
		at, err := db.AddAttachment(ctx, p.a, store.AttachmentOwner{Kind: store.OwnerActivity, ID: id}, "合影.png", attachtest.PNG(t, 8, 8))
		must(err)
		w.activity[i], w.attachment[i] = id, at.ID
	}
	for _, p := range []struct {
		a     care.Actor
		elder int64
	}{{f.Comm1, f.Elder1.ID}, {f.Comm1, f.Elder2.ID}, {f.Comm2, f.Elder3.ID}, {w.station2, w.elder4.ID}} {
		rq := &store.Request{ElderID: p.elder, Kind: "life", Type: "shopping", Urgency: "normal", Channel: "phone", WantedBy: db.Now().Add(5 * time.Hour)}
		must(db.CreateRequest(ctx, p.a, rq))
		w.request[p.elder] = rq.ID
	}
	must(db.Dispatch(ctx, f.Comm1, w.request[f.Elder1.ID], f.Vol1.ID))
	// A survey of elder 1 by the volunteer (named, then un-named, so the
	// fixture's volunteer has no targets), of elder 3 and of elder 4.
	must(db.NameSurveyor(ctx, f.Comm1, f.Vol1.ID, true))
	for _, p := range []struct {
		a     care.Actor
		elder int64
	}{{f.Volunteer, f.Elder1.ID}, {f.Comm2, f.Elder3.ID}, {w.station2, w.elder4.ID}} {
		sv := &store.Survey{ElderID: p.elder, Answers: survey.Answers{LivingSituation: "with_family", SelfCare: "partial", Needs: []survey.Need{{Kind: "life"}}}}
		must(db.SubmitSurvey(ctx, p.a, sv))
		w.survey[p.elder] = sv.ID
	}
	must(db.NameSurveyor(ctx, f.Comm1, f.Vol1.ID, false))
	spare := &care.User{Username: "spare", Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID}
	must(db.CreateUser(ctx, f.Admin, spare, storetest.Password))
	w.spareUser = spare.ID
	// A message in every account's inbox (community 2's is everyone's foreign one).
	users, err := db.Users(ctx, f.Admin)
	must(err)
	for _, u := range users {
		id := "inbox-" + u.Username
		must(db.Enqueue(ctx, notify.Message{ID: id, Kind: notify.KindReminder, Channel: notify.ChannelInbox,
			To: notify.Recipient{UserID: u.ID, Name: u.Username}, Text: inboxText(u.Username)}))
		w.inbox[u.Username] = id
	}
	// A second session of the caller (own) and one of community 2 (foreign).
	if as != "" {
		u, err := db.Authenticate(ctx, usernameOf(f, as), storetest.Password)
		must(err)
		_, err = db.NewSession(ctx, u, "api")
		must(err)
		list, err := db.UserSessions(ctx, u.ID, e.tokens[as])
		must(err)
		for _, s := range list {
			if !s.Current {
				w.ownSession = s.ID
			}
		}
		list, err = db.UserSessions(ctx, f.Comm2.UserID, "")
		must(err)
		w.foreignSession = list[0].ID
	}
	day := storetest.Day(db.Now().In(db.Loc).Format("2006-01-02"))
	must(db.RecordAgreement(ctx, f.Comm1, &store.Agreement{PairingID: w.pairing[f.Elder1.ID], Services: []string{"life"},
		StartOn: day, SignedOn: day, Signatories: []store.Signatory{{Party: "elder", Name: f.Elder1.Name}, {Party: "volunteer", Name: f.Vol1.Name},
			{Party: "community", Name: f.C1.Name}}}))
	comm3 := care.Actor{Role: care.RoleCommunity, StreetID: st2.ID, CommunityID: w.c3.ID, Username: "c3"}
	for i, x := range []struct {
		comm, staff care.Actor
		community   int64
		vol         int64
	}{{f.Comm1, f.Station, f.C1.ID, f.Vol1.ID}, {f.Comm2, f.Station, f.C2.ID, f.Vol2.ID}, {comm3, w.station2, w.c3.ID, w.vol4.ID}} {
		ex := &upward.Experience{Title: "典型经验", Body: "做法与成效", Month: "2026-10"}
		must(db.SaveExperience(ctx, x.comm, ex))
		_, err := db.MoveExperience(ctx, x.comm, ex.ID, upward.Submitted, "")
		must(err)
		tr := &training.Session{CommunityID: x.community, Topic: "急救常识", Trainer: "张医生", HeldOn: storetest.Day("2026-11-10"),
			Attendees: []training.Attendee{{VolunteerID: x.vol}}}
		must(db.SaveTraining(ctx, x.staff, tr))
		w.experience[i], w.training[i] = ex.ID, tr.ID
	}
	withTracker(t, e)
	return w
}

// renew gives role a fresh token, so a write that ends a session (logout,
// a password change) cannot make the calls after it 401.
func (w *matrixWorld) renew(t *testing.T, role string) {
	t.Helper()
	ctx := context.Background()
	u, err := w.e.db.Authenticate(ctx, usernameOf(w.e.f, role), storetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.e.db.NewSession(ctx, u, "api")
	if err != nil {
		t.Fatal(err)
	}
	w.e.tokens[role] = s.Token
}

func usernameOf(f *storetest.Fixture, role string) string {
	switch role {
	case rStation:
		return f.Station.Username
	case rCommunity:
		return f.Comm1.Username
	case rVolunteer:
		return f.Volunteer.Username
	case rClinic:
		return f.ClinicA.Username
	case rViewer:
		return f.Viewer.Username
	}
	return "admin"
}

// callerOf is role's view of the world: its own objects, the ones it may
// not see, and the markers of people outside its scope.
func (w *matrixWorld) callerOf(role string) caller {
	f := w.e.f
	s := func(id int64) string { return strconv.FormatInt(id, 10) }
	elderMark := map[int64][]string{
		f.Elder1.ID: {f.Elder1.Name, f.Elder1.IDNumber},
		f.Elder2.ID: {f.Elder2.Name, f.Elder2.IDNumber, f.Elder2.Phone},
		f.Elder3.ID: {f.Elder3.Name, f.Elder3.IDNumber},
		w.elder4.ID: {w.elder4.Name, w.elder4.IDNumber, w.elder4.Phone},
	}
	volMark := map[int64][]string{
		f.Vol1.ID: {f.Vol1.Name, f.Vol1.Phone}, f.Vol2.ID: {f.Vol2.Name, f.Vol2.Phone},
		w.vol3.ID: {w.vol3.Name, w.vol3.Phone}, w.vol4.ID: {w.vol4.Name, w.vol4.Phone},
	}
	objects := func(elders []int64) (records, cases, pairings, alerts []string) {
		for _, e := range elders {
			records = append(records, s(w.record[e]))
			cases = append(cases, s(w.caseOf[e]))
			pairings = append(pairings, s(w.pairing[e]))
			alerts = append(alerts, s(w.alert[e]))
		}
		return
	}
	c := caller{name: role, own: map[string]string{
		"elders": s(f.Elder1.ID), "volunteers": s(f.Vol1.ID), "communities": s(f.C1.ID), "clinics": s(f.Clinic.ID),
		"services": s(w.record[f.Elder1.ID]), "cases": s(w.caseOf[f.Elder1.ID]), "pairings": s(w.pairing[f.Elder1.ID]),
		"alerts": s(w.alert[f.Elder1.ID]), "users": s(w.spareUser), "sessions": w.ownSession,
		"inbox": w.inbox[usernameOf(f, role)], "experiences": s(w.experience[0]), "trainings": s(w.training[0]), "surveys": s(w.survey[f.Elder1.ID]),
		"activities": s(w.activity[0]), "attachments": s(w.attachment[0]), "households": s(w.household), "requests": s(w.request[f.Elder1.ID]),
	}, foreign: map[string][]string{"sessions": {w.foreignSession}, "inbox": {w.inbox[f.Comm2.Username]}},
		markers: []string{inboxText(f.Comm2.Username)}}
	var foreignElders, foreignVols []int64
	switch role {
	case rStation:
		foreignElders, foreignVols = []int64{w.elder4.ID}, []int64{w.vol4.ID}
		c.foreign["communities"], c.foreignCommunity = []string{s(w.c3.ID)}, s(w.c3.ID)
	case rCommunity:
		foreignElders, foreignVols = []int64{f.Elder3.ID, w.elder4.ID}, []int64{f.Vol2.ID, w.vol4.ID}
		c.foreign["communities"], c.foreignCommunity = []string{s(f.C2.ID), s(w.c3.ID)}, s(f.C2.ID)
	case rVolunteer, rClinic: // README: only community staff are refused another community of the street as a filter
		foreignElders = []int64{f.Elder2.ID, f.Elder3.ID, w.elder4.ID}
		foreignVols = []int64{w.vol3.ID, f.Vol2.ID, w.vol4.ID}
		c.foreign["communities"], c.foreignCommunity = []string{s(f.C2.ID), s(w.c3.ID)}, s(w.c3.ID)
		c.markers = append(c.markers, f.Elder1.IDNumber) // neither is ever shown an ID number
	case rViewer:
		foreignElders = []int64{f.Elder1.ID, f.Elder2.ID, f.Elder3.ID, w.elder4.ID}
		foreignVols = []int64{f.Vol1.ID, w.vol3.ID, f.Vol2.ID, w.vol4.ID}
		c.foreign["communities"], c.foreignCommunity = []string{s(w.c3.ID)}, s(w.c3.ID)
	case rAdmin: // every street is the administrator's, no person is
		foreignElders = []int64{f.Elder1.ID, f.Elder2.ID, f.Elder3.ID, w.elder4.ID}
		foreignVols = []int64{f.Vol1.ID, w.vol3.ID, f.Vol2.ID, w.vol4.ID}
	}
	if role != rAdmin {
		c.foreign["clinics"] = []string{s(w.clinic2.ID)}
		c.otherStreet = map[string][]string{"communities": {s(w.c3.ID)}}
	}
	for _, e := range foreignElders {
		c.markers = append(c.markers, elderMark[e]...)
		if e != f.Elder1.ID { // the viewer's and admin's own is Elder1, refused anyway
			c.foreign["elders"] = append(c.foreign["elders"], s(e))
		}
	}
	for _, v := range foreignVols {
		c.markers = append(c.markers, volMark[v]...)
		if v != f.Vol1.ID {
			c.foreign["volunteers"] = append(c.foreign["volunteers"], s(v))
		}
	}
	var fe []int64
	for _, e := range foreignElders {
		if e != f.Elder1.ID {
			fe = append(fe, e)
		}
	}
	c.foreign["services"], c.foreign["cases"], c.foreign["pairings"], c.foreign["alerts"] = objects(fe)
	for _, e := range fe {
		if id := w.survey[e]; id != 0 {
			c.foreign["surveys"] = append(c.foreign["surveys"], s(id))
		}
		c.foreign["requests"] = append(c.foreign["requests"], s(w.request[e]))
	}
	switch role {
	case rStation:
		c.foreign["experiences"], c.foreign["trainings"] = []string{s(w.experience[2])}, []string{s(w.training[2])}
	case rCommunity, rVolunteer:
		c.foreign["experiences"], c.foreign["trainings"] = []string{s(w.experience[1]), s(w.experience[2])}, []string{s(w.training[1]), s(w.training[2])}
	}
	switch role {
	case rStation:
		c.foreign["activities"], c.foreign["attachments"] = []string{s(w.activity[2])}, []string{s(w.attachment[2])}
	case rCommunity, rVolunteer:
		c.foreign["activities"], c.foreign["attachments"] = []string{s(w.activity[1]), s(w.activity[2])}, []string{s(w.attachment[1]), s(w.attachment[2])}
	}
	return c
}

// anonymous must see nobody.
func (w *matrixWorld) anonymous() caller {
	c := w.callerOf(rAdmin)
	c.name = ""
	return c
}

type answer struct {
	status int
	body   []byte
}

func (w *matrixWorld) do(method, url, who, body string) answer {
	var rd io.Reader
	if method != "GET" && method != "DELETE" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+w.e.tokens[who])
	}
	rec := httptest.NewRecorder()
	w.e.h.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Body.Bytes()}
}

// row is one cell of the matrix, for the log.
type row struct {
	route, role, variant, url string
	status                    int
	want, problem             string
}

// classify says what the family rule and the exceptions expect of role on
// rt; ok is false when the route cannot be classified.
func classify(rt apiRoute, role string) (string, bool) {
	if e, ok := matrixExceptions[rt.key()][role]; ok {
		return e, true
	}
	seg := strings.Split(strings.TrimPrefix(rt.Path, "/"), "/")[0]
	fam, ok := families[seg]
	if !ok {
		return "", false
	}
	set := fam.write
	if rt.Method == "GET" {
		set = fam.read
	}
	if slices.Contains(set, role) {
		return allow, true
	}
	return deny, true
}

// idKinds are the kinds callerOf has objects of.
var idKinds = []string{"elders", "volunteers", "communities", "clinics", "services", "cases", "pairings", "alerts", "users", "sessions", "inbox", "experiences", "trainings", "surveys", "households", "activities", "attachments", "requests"}

// inboxText is the text of the matrix's message to username: the one to
// community 2 is a marker no one else may be shown.
func inboxText(username string) string { return "给" + username + "的站内消息" }

// idKind is the segment before {id}: the kind of object it names.
func idKind(path string) string {
	seg := strings.Split(path, "/")
	for i, s := range seg {
		if s == "{id}" && i > 0 {
			return seg[i-1]
		}
	}
	return ""
}

// fill makes a URL of rt with id for {id}; other parameters get the
// fixture's values. ok is false for a parameter it does not know.
func fill(rt apiRoute, id string) (string, bool) {
	p := rt.Path
	p = strings.ReplaceAll(p, "{id}", id)
	p = strings.ReplaceAll(p, "/reminder-templates/{kind}", "/reminder-templates/weekly_chat")
	p = strings.ReplaceAll(p, "{month}", "2026-11")
	p = strings.ReplaceAll(p, "{kind}", "elders")
	p = strings.ReplaceAll(p, "{file}", "elders.csv")
	p = strings.ReplaceAll(p, "{item}", "1") // the first checklist item: community 1's activity's
	if strings.Contains(p, "{") {
		return "", false
	}
	u := "/api/v1" + p
	if q := matrixQuery[rt.key()]; q != "" {
		u += "?" + q
	}
	return u, true
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

func is4034(s int) bool { return s == 403 || s == 404 }

func TestAuthorizationMatrix(t *testing.T) {
	routes := openAPIRoutes(t)
	for _, rt := range routes {
		for _, role := range matrixRoles {
			if _, ok := classify(rt, role); !ok {
				t.Errorf("%s: no rule for role %s: add its family to families (or the pair to matrixExceptions)", rt.key(), role)
			}
		}
		if _, ok := fill(rt, "1"); !ok {
			t.Errorf("%s: a path parameter the matrix cannot fill: teach fill()", rt.key())
		}
		if k := idKind(rt.Path); k != "" && !slices.Contains(idKinds, k) {
			t.Errorf("%s: no own object of kind %q: add it to callerOf and idKinds", rt.key(), k)
		}
	}
	stale := func(table string, keys []string) {
		for _, k := range keys {
			if !slices.ContainsFunc(routes, func(r apiRoute) bool { return r.key() == k }) {
				t.Errorf("%s names %q, which openapi.yaml does not have", table, k)
			}
		}
	}
	stale("matrixExceptions", slices.Collect(maps.Keys(matrixExceptions)))
	stale("streetWide", slices.Collect(maps.Keys(streetWide)))
	stale("matrixQuery", slices.Collect(maps.Keys(matrixQuery)))
	stale("matrixBody", slices.Collect(maps.Keys(matrixBody)))
	if t.Failed() {
		return
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var rows []row
		failed := false
		check := func(rt apiRoute, role, variant, url, want string, a answer, c caller, problem string) {
			if problem == "" {
				for _, m := range c.markers {
					if m != "" && bytes.Contains(a.body, []byte(m)) {
						problem = "shows " + m
						break
					}
				}
			}
			if problem == "" && a.status >= 500 {
				problem = "server error"
			}
			if problem != "" {
				failed = true
				t.Errorf("%s as %q (%s) %s: %d: %s", rt.key(), role, variant, url, a.status, problem)
			}
			rows = append(rows, row{rt.key(), role, variant, url, a.status, want, problem})
		}
		// Without a token.
		{
			w := newMatrixWorld(t, db, rCommunity)
			c := w.anonymous()
			for _, rt := range routes {
				u, _ := fill(rt, "1")
				if k := idKind(rt.Path); k == "sessions" {
					u, _ = fill(rt, w.foreignSession)
				} else if k != "" {
					u, _ = fill(rt, w.callerOf(rStation).own[k])
				}
				a := w.do(rt.Method, u, "", w.bodyOf(rt))
				if rt.Public {
					check(rt, "-", "public", u, "no token asked", a, c, when(bytes.Contains(a.body, []byte("Authorization: Bearer")), "a public route asks for a token"))
				} else {
					check(rt, "-", "no token", u, "401", a, c, when(a.status != 401, "want 401"))
				}
			}
		}
		for _, role := range matrixRoles {
			w := newMatrixWorld(t, freshDB(t), role)
			c := w.callerOf(role)
			var later []func()
			for _, rt := range routes {
				want, _ := classify(rt, role)
				if rt.Public {
					continue // judged without a token above
				}
				body := w.bodyOf(rt)
				kind := idKind(rt.Path)
				if kind == "" {
					u, _ := fill(rt, "")
					run := func() {
						a := w.do(rt.Method, u, role, body)
						check(rt, role, "route", u, want, a, c, judgeOwn(rt, want, a))
					}
					if rt.Method == "GET" {
						run()
						if c.foreignCommunity != "" {
							fu := withQuery(u, "community_id="+c.foreignCommunity)
							fa := w.do("GET", fu, role, "")
							plain := w.do("GET", u, role, "")
							p := ""
							if !is4034(fa.status) && !(fa.status == plain.status && bytes.Equal(fa.body, plain.body)) {
								p = "another community's filter must be 403/404 (or be ignored)"
							}
							check(rt, role, "foreign filter", fu, "403/404 or ignored", fa, c, p)
						}
					} else {
						later = append(later, run)
					}
					continue
				}
				missing := "987654321"
				if kind == "sessions" {
					missing = "0123456789abcdef"
				}
				foreign := c.foreign[kind]
				if streetWide[rt.key()] != "" {
					foreign = c.otherStreet[kind]
				}
				for _, id := range foreign {
					u, _ := fill(rt, id)
					a := w.do(rt.Method, u, role, body)
					mu, _ := fill(rt, missing)
					m := w.do(rt.Method, mu, role, body)
					p := ""
					if !is4034(a.status) && (a.status < 400 || a.status != m.status) {
						p = fmt.Sprintf("another's object must be 403/404 (missing object: %d)", m.status)
					}
					check(rt, role, "foreign "+kind, u, "403/404", a, c, p)
				}
				u, _ := fill(rt, c.own[kind])
				run := func() {
					a := w.do(rt.Method, u, role, body)
					check(rt, role, "own "+kind, u, want, a, c, judgeOwn(rt, want, a))
				}
				if rt.Method == "GET" {
					run()
				} else {
					later = append(later, run)
				}
			}
			for _, run := range later {
				w.renew(t, role)
				run()
			}
		}
		if failed || os.Getenv("CARECIRCLE_AUTHZ_TABLE") != "" {
			logTable(t, rows)
		}
	})
}

// freshDB is a new, empty database of the kind ForEach is running (each
// role gets its own fixture: the writes of one cannot change another's).
func freshDB(t *testing.T) *store.DB {
	if strings.HasSuffix(t.Name(), "/postgres") {
		return storetest.Open(t, storetest.FreshSchema(t, storetest.PostgresDSN(t)))
	}
	return storetest.Open(t, filepath.Join(t.TempDir(), "test.db"))
}

func (w *matrixWorld) bodyOf(rt apiRoute) string {
	b, ok := matrixBody[rt.key()]
	if !ok {
		return "{}"
	}
	f := w.e.f
	return strings.NewReplacer("{elder1}", itoa(f.Elder1.ID), "{elder2}", itoa(f.Elder2.ID), "{vol1}", itoa(f.Vol1.ID),
		"{vol3}", itoa(w.vol3.ID)).Replace(b)
}

func when(bad bool, problem string) string {
	if bad {
		return problem
	}
	return ""
}

// judgeOwn judges a call on the caller's own object (or a route without
// one) against the expectation.
func judgeOwn(rt apiRoute, want string, a answer) string {
	switch {
	case want == deny:
		return when(!is4034(a.status), "the role may not: want 403/404")
	case rt.Method == "GET":
		return when(a.status != 200, "the role may: want 200")
	default:
		return when(a.status == 401 || is4034(a.status), "the role may: want no 401/403/404")
	}
}

func logTable(t *testing.T, rows []row) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].route < rows[j].route })
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "route\trole\tvariant\tstatus\twant\tproblem\turl")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.route, r.role, r.variant, r.status, r.want, r.problem, r.url)
	}
	tw.Flush()
	t.Log("authorization matrix:\n" + b.String())
}
