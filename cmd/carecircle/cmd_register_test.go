package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// registerEnv is a seeded SQLite database the commands open with the
// fixture's (zero) key.
type registerEnv struct {
	t   *testing.T
	dir string
	dsn string
	db  *store.DB
	f   *storetest.Fixture
}

func newRegisterEnv(t *testing.T) *registerEnv {
	dir := t.TempDir()
	r := &registerEnv{t: t, dir: dir, dsn: filepath.Join(dir, "cc.db")}
	r.db = storetest.Open(t, r.dsn)
	r.f = storetest.Seed(t, r.db)
	return r
}

func (r *registerEnv) run(cmd func(context.Context, env, []string) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	e := env{getenv: func(k string) string {
		if k == "CARECIRCLE_KEY" {
			return key
		}
		return ""
	}, stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := cmd(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func (r *registerEnv) file(name, content string) string {
	p := filepath.Join(r.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *registerEnv) elders() int {
	_, n, err := r.db.ListElders(context.Background(), r.f.Station, store.ElderFilter{})
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

const cliHeader = "姓名,性别,身份证号,所属社区,楼栋,居住情况,自理能力\n"

func cliRow(name string, seq int, community string) string {
	id := care.MakeIDNumber("320105", storetest.Day("1941-03-08"), seq, care.Female)
	return name + ",女," + id + "," + community + ",3栋,独居,自理\n"
}

func TestImportCommand(t *testing.T) {
	r := newRegisterEnv(t)
	before := r.elders()
	bad := r.file("bad.csv", cliHeader+cliRow("赵玉兰", 1, "幸福社区")+cliRow("钱桂英", 2, "光明社区"))
	code, out, _ := r.run(cmdImport, "elders", bad, "--db", r.dsn)
	if code != 2 || !strings.Contains(out, "3   所属社区  光明社区") || r.elders() != before {
		t.Fatalf("bad rows: exit %d, %d elders\n%s", code, r.elders(), out)
	}
	good := r.file("good.csv", cliHeader+cliRow("赵玉兰", 1, "幸福社区")+cliRow("钱桂英", 2, "安康社区"))
	if code, out, _ := r.run(cmdImport, "elders", good, "--db", r.dsn, "--dry-run"); code != 0 || !strings.Contains(out, "将新建 2 人") || r.elders() != before {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	if code, out, _ := r.run(cmdImport, "elders", "--db", r.dsn, "--as", "c1", good, "--lang", "en"); code != 2 || !strings.Contains(out, "outside your scope") {
		t.Fatalf("--as c1 into another community: exit %d\n%s", code, out)
	}
	if code, out, stderr := r.run(cmdImport, "elders", good, "--db", r.dsn); code != 0 || !strings.Contains(out, "新建 2 人") || r.elders() != before+2 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	log, _ := r.db.AuditLog(context.Background(), r.f.Station, "elder", 0, 1)
	if len(log) != 1 || log[0].Username != "cli" || log[0].Action != "create" {
		t.Fatalf("import not audited as the command line: %+v", log)
	}
	if code, out, _ := r.run(cmdImport, "elders", good, "--db", r.dsn); code != 0 || !strings.Contains(out, "更新 2 人") || r.elders() != before+2 {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{nil, {"elders"}, {"people", good}, {"elders", good, "extra"}, {"elders", filepath.Join(r.dir, "none.csv")},
		{"elders", good, "--bogus"}, {"elders", good, "--db", r.dsn, "--as", "nobody"}, {"elders", good, "--db", r.dsn, "--as", "clinic"},
		{"elders", good, "--db", r.dsn, "--street-id", "99"}} {
		if code, _, _ := r.run(cmdImport, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestExportCommand(t *testing.T) {
	r := newRegisterEnv(t)
	out := filepath.Join(r.dir, "elders.csv")
	if code, stdout, stderr := r.run(cmdExport, "elders", "--db", r.dsn, "--out", out); code != 0 || !strings.Contains(stdout, "exported 3 elders") {
		t.Fatalf("export: exit %d %s%s", code, stdout, stderr)
	}
	data, _ := os.ReadFile(out)
	if !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) || bytes.Contains(data, []byte(r.f.Elder1.IDNumber)) || !bytes.Contains(data, []byte(r.f.Elder1.IDMasked)) {
		t.Fatal("a CSV export starts with a BOM and holds masked ID numbers only")
	}
	xlsx := filepath.Join(r.dir, "c1.xlsx")
	if code, stdout, _ := r.run(cmdExport, "elders", "--db", r.dsn, "--format", "xlsx", "--out", xlsx, "--reveal-ids", "--as", "c1", "--status", "active"); code != 0 || !strings.Contains(stdout, "exported 2 elders") {
		t.Fatalf("revealed export: exit %d %s", code, stdout)
	}
	log, _ := r.db.AuditLog(context.Background(), r.f.Station, "elder", 0, 1)
	if len(log) != 1 || log[0].Action != "export_reveal_id_numbers" || log[0].Username != "c1" {
		t.Fatalf("reveal not audited: %+v", log)
	}
	if code, _, _ := r.run(cmdImport, "elders", xlsx, "--db", r.dsn, "--dry-run", "--as", "c1"); code != 0 {
		t.Fatal("a revealed export imports back cleanly")
	}
	if code, _, _ := r.run(cmdImport, "elders", out, "--db", r.dsn, "--dry-run"); code != 2 {
		t.Fatal("a masked export must be refused")
	}
	vols := filepath.Join(r.dir, "v.xlsx")
	if code, stdout, _ := r.run(cmdExport, "volunteers", "--db", r.dsn, "--out", vols, "--kind", "social"); code != 0 || !strings.Contains(stdout, "exported 1 volunteers") {
		t.Fatalf("volunteers: exit %d %s", code, stdout)
	}
	for _, args := range [][]string{nil, {"elders", "--db", r.dsn}, {"elders", "--db", r.dsn, "--out", filepath.Join(r.dir, "x.pdf")},
		{"elders", "--db", r.dsn, "--out", out, "--as", "clinic"}, {"elders", "--db", r.dsn, "--out", out, "--as", "clinic", "--reveal-ids"}} {
		if code, _, _ := r.run(cmdExport, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestReportCommand(t *testing.T) {
	r := newRegisterEnv(t)
	if err := r.db.AddService(context.Background(), r.f.Volunteer, &care.ServiceRecord{ElderID: r.f.Elder1.ID, Kind: "life", Type: "greeting",
		At: r.db.Now().Add(-time.Hour)}, store.Proof{}); err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(r.dir, "street.xlsx")
	code, _, stderr := r.run(cmdReport, "--db", r.dsn, "--period", "2026-11", "--unit", "和平街道", "--format", "xlsx", "--out", xlsx)
	if code != 0 || !strings.Contains(stderr, "和平街道 2026年11月") {
		t.Fatalf("xlsx: exit %d %s", code, stderr)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	// The seven tables of the programme's report, then training and
	// commendation, and the typical experience received (issue 15).
	if len(f.GetSheetList()) != 11 {
		t.Errorf("sheets %v", f.GetSheetList())
	}
	f.Close()
	// JSON to standard output: the station's numbers, compliance included.
	code, stdout, stderr := r.run(cmdReport, "--db", r.dsn, "--period", "2026-Q4", "--unit", "幸福社区", "--format", "json", "--out", "-")
	if code != 0 {
		t.Fatalf("json: exit %d %s", code, stderr)
	}
	var rep struct {
		Masked bool
		Tables []struct {
			Key  string
			Rows [][]any
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Masked || rep.Tables[0].Rows[0][1] != float64(2) || rep.Tables[3].Key != "compliance" || len(rep.Tables[3].Rows) == 0 {
		t.Errorf("community report: %s", stdout)
	}
	// The district report is a viewer's: small counts as "<5".
	csv := filepath.Join(r.dir, "district.csv")
	if code, _, stderr := r.run(cmdReport, "--db", r.dsn, "--period", "2026-11", "--unit", "鼓楼区", "--out", csv); code != 0 {
		t.Fatalf("district: exit %d %s", code, stderr)
	}
	data, _ := os.ReadFile(csv)
	if !strings.Contains(string(data), "和平街道,<5,<5") || strings.Contains(string(data), r.f.Elder1.Name) {
		t.Errorf("district csv:\n%s", data)
	}
	// --as applies the account's scope.
	if code, _, _ := r.run(cmdReport, "--db", r.dsn, "--period", "2026-11", "--unit", "安康社区", "--out", csv, "--as", "c1"); code != 2 {
		t.Errorf("c1 reporting on 安康社区: exit %d", code)
	}
	for _, args := range [][]string{nil, {"--db", r.dsn, "--period", "2026-11", "--unit", "和平街道"},
		{"--db", r.dsn, "--period", "2026-11", "--unit", "和平街道", "--out", filepath.Join(r.dir, "r.pdf")},
		{"--db", r.dsn, "--period", "2026-13", "--unit", "和平街道", "--out", csv},
		{"--db", r.dsn, "--period", "2026-11", "--unit", "没有这个社区", "--out", csv}} {
		if code, _, _ := r.run(cmdReport, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(filepath.Join(r.dir, "r.pdf")); err == nil {
		t.Error("a refused report left a file")
	}
}
