package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"carecircle/internal/care"
	"carecircle/internal/report"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/tracker"
)

type env struct {
	db *store.DB
	f  *storetest.Fixture
	tr *tracker.Tracker
}

// setup is the fixture street with this morning's greeting for 王秀英 and
// a health inquiry for her in October.
func setup(t *testing.T, db *store.DB) env {
	t.Helper()
	ctx := context.Background()
	f := storetest.Seed(t, db)
	for _, r := range []struct {
		a   care.Actor
		rec care.ServiceRecord
	}{
		{f.Volunteer, care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc)}},
		{f.Volunteer, care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: time.Date(2026, 11, 3, 8, 0, 0, 0, db.Loc)}},
		{f.Comm1, care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "health", Type: "health_inquiry", At: time.Date(2026, 10, 12, 9, 0, 0, 0, db.Loc), ServedBy: "社区"}},
	} {
		storetest.AddMade(t, db, r.a, &r.rec, store.Proof{}) // a month's history, as made
	}
	cfg := tracker.DefaultConfig()
	cfg.TableTTL = 0
	tr, err := tracker.New(db, cfg)
	if err == nil {
		err = tr.Prepare(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return env{db, f, tr}
}

func build(t *testing.T, e env, a care.Actor, unit, period string) *report.Report {
	t.Helper()
	r, err := report.Build(context.Background(), e.db, e.tr, a, report.Options{Unit: unit, Period: period})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func table(t *testing.T, r *report.Report, key string) report.Table {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Key == key {
			return tb
		}
	}
	t.Fatalf("no table %s", key)
	return report.Table{}
}

// row returns the cells of the row whose first cells are the given texts.
func row(t *testing.T, tb report.Table, first ...string) []string {
	t.Helper()
next:
	for _, r := range tb.Rows {
		for i, f := range first {
			if r[i].String() != f {
				continue next
			}
		}
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = c.String()
		}
		return out
	}
	t.Fatalf("table %s has no row %v", tb.Key, first)
	return nil
}

func TestStreetReport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		r := build(t, e, e.f.Station, "和平街道", "2026-11")
		var keys []string
		for _, tb := range r.Tables {
			keys = append(keys, tb.Key)
		}
		if strings.Join(keys, ",") != "elders,pairing,services,compliance,volunteers,cards,cases,training,activities,requests,experiences" {
			t.Errorf("tables %v", keys)
		}
		if !strings.Contains(r.Title, "和平街道") || !strings.Contains(r.Title, "2026年11月") || r.Masked {
			t.Errorf("title %q masked %v", r.Title, r.Masked)
		}
		if got := row(t, table(t, r, "elders"), "幸福社区"); got[1] != "2" {
			t.Errorf("elders of 幸福社区: %v", got)
		}
		if got := row(t, table(t, r, "elders"), "合计"); got[1] != "3" {
			t.Errorf("elders in total: %v", got)
		}
		if got := row(t, table(t, r, "pairing"), "幸福社区"); got[2] != "1" || got[4] != "50.0" {
			t.Errorf("pairing of 幸福社区: %v", got)
		}
		// Services: a column per community and the total; October's
		// inquiry is not in November.
		svc := table(t, r, "services")
		if got := row(t, svc, "生活服务", "敲门问候"); got[2] != "1" || got[3] != "0" || got[4] != "1" {
			t.Errorf("greetings: %v (columns %v)", got, svc.Columns)
		}
		if got := row(t, svc, "健康服务", "电话或登门问讯健康"); got[4] != "0" {
			t.Errorf("October's inquiry counted in November: %v", got)
		}
		// Compliance from the tracker: 李桂兰 knocked today.
		if got := row(t, table(t, r, "compliance"), "幸福社区", "邻里低龄老年志愿者", "每日敲门问候"); got[3] != "1" || got[7] != "100.0" {
			t.Errorf("daily greeting: %v", got)
		}
		q := build(t, e, e.f.Station, "和平街道", "2026-Q4")
		if !strings.Contains(q.Title, "第4季度") {
			t.Errorf("quarter title %q", q.Title)
		}
		if got := row(t, table(t, q, "services"), "健康服务", "电话或登门问讯健康"); got[4] != "1" {
			t.Errorf("the quarter misses October: %v", got)
		}
		if got := row(t, table(t, q, "compliance"), "幸福社区", "邻里低龄老年志愿者", "每日敲门问候"); got[3] != "1" {
			t.Errorf("quarter daily greeting counted %s times", got[3])
		}
		// A community reports on itself: one line, no total.
		c := build(t, e, e.f.Comm1, "幸福社区", "2026-11")
		if el := table(t, c, "elders"); len(el.Rows) != 1 || el.Rows[0][0].String() != "幸福社区" {
			t.Errorf("community report rows %v", el.Rows)
		}
		if _, err := report.Build(context.Background(), db, e.tr, e.f.Comm1, report.Options{Unit: "安康社区", Period: "2026-11"}); care.ErrorCode(err) != care.EInvalid {
			t.Errorf("community reporting on another: %v", err)
		}
		if _, err := report.Build(context.Background(), db, e.tr, e.f.Volunteer, report.Options{Unit: "幸福社区", Period: "2026-11"}); care.ErrorCode(err) != care.EForbidden {
			t.Errorf("volunteer: %v", err)
		}
		// Without the tracker the report says compliance is not available.
		n, err := report.Build(context.Background(), db, nil, e.f.Station, report.Options{Unit: "和平街道", Period: "2026-11", Lang: "en"})
		if err != nil || len(table(t, n, "compliance").Rows) != 0 || !strings.Contains(table(t, n, "compliance").Note, "not available") {
			t.Errorf("no tracker: %v", err)
		}
	})
}

// TestViewerSeesOnlyMaskedAggregates: small counts are "<5" in every
// format and no name of a person appears.
func TestViewerSeesOnlyMaskedAggregates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		r := build(t, e, e.f.Viewer, "和平街道", "2026-11")
		if !r.Masked {
			t.Fatal("viewer report not masked")
		}
		if got := row(t, table(t, r, "elders"), "幸福社区"); got[1] != "<5" || got[2] != "<5" {
			t.Errorf("elders: %v", got)
		}
		if got := row(t, table(t, r, "services"), "生活服务", "做饭"); got[2] != "0" {
			t.Errorf("a zero stays a zero: %v", got)
		}
		var all bytes.Buffer
		for _, format := range report.Formats {
			if err := r.Write(&all, format); err != nil {
				t.Fatal(err)
			}
		}
		var csv, js bytes.Buffer
		_ = r.WriteCSV(&csv)
		_ = r.WriteJSON(&js)
		for _, name := range []string{e.f.Elder1.Name, e.f.Elder2.Name, e.f.Elder3.Name, e.f.Vol1.Name, e.f.Elder1.IDNumber, "2单元"} {
			if strings.Contains(csv.String(), name) || strings.Contains(js.String(), name) {
				t.Errorf("viewer report names %q", name)
			}
		}
		if !strings.Contains(csv.String(), ",<5,") || !strings.Contains(js.String(), `"<5"`) {
			t.Error("masked cells missing from csv/json")
		}
		// The district viewer gets the district, a line per street.
		d := build(t, e, care.Actor{Role: care.RoleViewer, Username: "district"}, "鼓楼区", "2026-11")
		if got := row(t, table(t, d, "elders"), "和平街道"); got[1] != "<5" || table(t, d, "elders").Columns[0] != "街道" {
			t.Errorf("district: %v", got)
		}
	})
}

func TestWriteFormats(t *testing.T) {
	db := storetest.Open(t, t.TempDir()+"/r.db")
	e := setup(t, db)
	r := build(t, e, e.f.Station, "和平街道", "2026-11")
	var x bytes.Buffer
	if err := r.WriteXLSX(&x); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != len(r.Tables) || sheets[0] != "老年人基本情况" {
		t.Fatalf("sheets %v", sheets)
	}
	title, _ := f.GetCellValue(sheets[0], "A1")
	if !strings.Contains(title, "和平街道") || !strings.Contains(title, "2026年11月") {
		t.Errorf("title row %q", title)
	}
	if h, _ := f.GetCellValue(sheets[0], "B3"); h != "在册老人" {
		t.Errorf("header B3 %q", h)
	}
	if typ, _ := f.GetCellType(sheets[0], "B4"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B4 is %v, not a number", typ)
	}
	if v, _ := f.GetCellValue(sheets[0], "B4"); v != "2" {
		t.Errorf("B4 = %q", v)
	}
	if w, _ := f.GetColWidth(sheets[0], "A"); w < 8 {
		t.Errorf("column A width %v", w)
	}
	var c bytes.Buffer
	if err := r.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(c.Bytes(), []byte("\ufeff")) || !strings.Contains(c.String(), "\n服务情况（次数）\n") || !strings.Contains(c.String(), "幸福社区,2,2,") {
		t.Errorf("csv:\n%s", c.String())
	}
	var j bytes.Buffer
	if err := r.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Unit   string
		Period string
		Tables []struct {
			Key  string
			Rows [][]any
		}
	}
	if err := json.Unmarshal(j.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Unit != "和平街道" || got.Period != "2026-11" || got.Tables[0].Rows[0][1] != float64(2) {
		t.Errorf("json: %+v", got)
	}
	if err := r.Write(&j, "pdf"); err == nil {
		t.Error("unknown format accepted")
	}
}
