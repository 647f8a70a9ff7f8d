package register

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/demo"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// go test ./internal/register -run TestDemoRegisterFiles -update
// regenerates the demo files in testdata/.
var update = flag.Bool("update", false, "rewrite the demo register files in testdata/")

const testdataDir = "../../testdata"

type demoFile struct {
	name    string
	kind    Kind
	format  Format
	gb18030 bool
}

var demoFiles = []demoFile{
	{"demo-elders-import.xlsx", Elders, XLSX, false},
	{"demo-elders-import-gb18030.csv", Elders, CSV, true},
	{"demo-volunteers-import.xlsx", Volunteers, XLSX, false},
	{"demo-volunteers-import.csv", Volunteers, CSV, false},
}

// demoStreet fills the demo street and picks one elder and one volunteer
// for the files' update rows.
func demoStreet(t *testing.T) (*store.DB, care.Actor, *care.Elder, *care.Volunteer) {
	ctx := context.Background()
	db := storetest.Open(t, filepath.Join(t.TempDir(), "demo.db"))
	if _, err := demo.Fill(ctx, db, "demo-password"); err != nil {
		t.Fatal(err)
	}
	streets, _ := db.Streets(ctx, care.Actor{Role: care.RoleAdmin})
	station := care.Actor{Role: care.RoleStation, StreetID: streets[0].ID, Username: "station"}
	elders, _, err := db.ListElders(ctx, station, store.ElderFilter{Status: "active", Limit: 1})
	if err != nil || len(elders) == 0 {
		t.Fatal("no demo elder", err)
	}
	e := elders[0]
	if e.IDNumber, err = db.RevealElderID(ctx, station, e.ID); err != nil {
		t.Fatal(err)
	}
	vols, _, err := db.ListVolunteers(ctx, station, store.VolunteerFilter{Status: "active", Limit: 1})
	if err != nil || len(vols) == 0 {
		t.Fatal("no demo volunteer", err)
	}
	return db, station, &e, &vols[0]
}

// TestDemoRegisterFiles checks the committed demo files: they hold the
// rows DemoElderRows and DemoVolunteerRows make, then one row of a person
// of the demo street, and their dry run names each planted mistake. With
// -update it first rewrites them against the demo street as filled on the
// test clock (slow: the demo includes a year of service records).
func TestDemoRegisterFiles(t *testing.T) {
	if *update {
		writeDemoFiles(t)
	}
	for _, f := range demoFiles {
		committed, err := os.ReadFile(filepath.Join(testdataDir, f.name))
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		got, bad, err := readTable(committed, map[Kind]func([]string) bool{Elders: elderSchema.isHeader, Volunteers: volunteerSchema.isHeader}[f.kind])
		if bad != nil || err != nil {
			t.Fatalf("%s: %v %v", f.name, bad, err)
		}
		want := map[Kind][][]string{Elders: DemoElderRows(nil, ""), Volunteers: DemoVolunteerRows(nil, "")}[f.kind]
		if !reflect.DeepEqual(got.headers, want[0]) || len(got.rows) != len(want) {
			t.Fatalf("%s is stale; run: go test ./internal/register -run TestDemoRegisterFiles -update", f.name)
		}
		for i, r := range got.rows[:len(want)-1] {
			if !reflect.DeepEqual(trimRight(r.cells()), trimRight(want[i+1])) {
				t.Fatalf("%s row %d is stale (%q, want %q); run with -update", f.name, r.num, r.cells(), want[i+1])
			}
		}
		db, station := demoCommunities(t)
		last := [][]string{got.headers, got.rows[len(got.rows)-1].cells()}
		var buf bytes.Buffer
		if err := WriteRows(&buf, CSV, "x", last, false); err != nil {
			t.Fatal(err)
		}
		if rep, err := Import(context.Background(), db, station, f.kind, "last", buf.Bytes(), Options{}); err != nil || !rep.Committed {
			t.Fatalf("%s: the last row must be a valid person of the demo street: %v %+v", f.name, err, rep)
		}
		checkDemoDryRun(t, db, station, f, committed)
	}
}

// demoCommunities is a street with the demo street's communities.
func demoCommunities(t *testing.T) (*store.DB, care.Actor) {
	ctx := context.Background()
	db := storetest.Open(t, filepath.Join(t.TempDir(), "demo.db"))
	street := care.Street{Name: "和平街道"}
	if err := db.CreateStreet(ctx, care.Actor{Role: care.RoleAdmin, Username: "admin"}, &street); err != nil {
		t.Fatal(err)
	}
	station := care.Actor{Role: care.RoleStation, StreetID: street.ID, Username: "station"}
	for _, name := range []string{"幸福里社区", "安康社区", "桃园村"} {
		if err := db.SaveCommunity(ctx, station, &care.Community{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return db, station
}

// writeDemoFiles rewrites testdata/ with a person of the real demo street
// in the last row.
func writeDemoFiles(t *testing.T) {
	db, station, elder, vol := demoStreet(t)
	comms, _ := db.Communities(context.Background(), station)
	name := map[int64]string{}
	for _, c := range comms {
		name[c.ID] = c.Name
	}
	rows := map[Kind][][]string{
		Elders:     DemoElderRows(elder, name[elder.CommunityID]),
		Volunteers: DemoVolunteerRows(vol, name[vol.CommunityID]),
	}
	for _, f := range demoFiles {
		var buf bytes.Buffer
		if err := WriteRows(&buf, f.format, string(f.kind), rows[f.kind], f.gb18030); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(testdataDir, f.name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		checkDemoDryRun(t, db, station, f, buf.Bytes())
	}
}

func trimRight(cells []string) []string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// The demo files show each problem once, and the update row updates.
var demoProblems = map[Kind]map[string]string{
	Elders: {"10/身份证号": "校验码", "11/身份证号": "出生日期", "12/所属社区": "社区不存在", "13/身份证号": "与第 5 行",
		"14/姓名": "必填"},
	Volunteers: {"7/手机号码": "必填", "8/志愿者类型": "不是可选的值", "9/所属社区": "社区不存在", "10/手机号码": "与第 2 行"},
}

func checkDemoDryRun(t *testing.T, db *store.DB, a care.Actor, f demoFile, data []byte) {
	t.Helper()
	rep, err := Import(context.Background(), db, a, f.kind, f.name, data, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range rep.Errors {
		got[itoa(p.Row)+"/"+p.Column] = p.Reason.ZH
	}
	want := demoProblems[f.kind]
	for k, reason := range want {
		if !strings.Contains(got[k], reason) {
			t.Errorf("%s: %s = %q, want it to mention %q", f.name, k, got[k], reason)
		}
	}
	if len(got) != len(want) || rep.Updated != 1 || rep.Created == 0 {
		t.Errorf("%s: problems %v, created %d, updated %d", f.name, got, rep.Created, rep.Updated)
	}
}
