package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

type reportJSON struct {
	Title, Unit      string
	UnitKind         string `json:"unit_kind"`
	Period, From, To string
	Masked           bool
	Tables           []struct {
		Key, Title, Note string
		Columns          []string
		Rows             [][]any
	}
}

// row is the line of a report table whose first cell is first.
func (r reportJSON) row(key, first string) []any {
	for _, t := range r.Tables {
		if t.Key != key {
			continue
		}
		for _, row := range t.Rows {
			if len(row) > 0 && row[0] == first {
				return row
			}
		}
	}
	return nil
}

func reportURL(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return "/api/v1/reports?" + q.Encode()
}

func TestReportEndpoint(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		withTracker(t, e)
		f := e.f
		if s, out := e.call(t, "POST", "/api/v1/elders/"+itoa(f.Elder1.ID)+"/services", "volunteer",
			map[string]any{"kind": "life", "type": "greeting", "at": "2026-11-29T08:00:00+08:00"}); s != 201 {
			t.Fatalf("greeting: %d %v", s, out)
		}
		decode := func(t *testing.T, body []byte) reportJSON {
			t.Helper()
			var r reportJSON
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatalf("not a report: %v %s", err, body)
			}
			return r
		}

		rec := e.send(t, "GET", reportURL("unit", f.Street.Name, "period", "2026-11"), "station", "", nil)
		rep := decode(t, rec.Body.Bytes())
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
			rep.Unit != f.Street.Name || rep.Period != "2026-11" || rep.From != "2026-11-01" || rep.To != "2026-11-30" || rep.Masked || len(rep.Tables) < 7 {
			t.Fatalf("station json: %d %s", rec.Code, rec.Body)
		}
		if row := rep.row("elders", f.C1.Name); len(row) < 2 || row[1] != 2.0 {
			t.Fatalf("community 1 has two elders: %v", row)
		}
		if row := rep.row("elders", "合计"); len(row) < 2 || row[1] != 3.0 {
			t.Fatalf("the street has three elders: %v", row)
		}
		if row := rep.row("pairing", f.C1.Name); len(row) < 3 || row[1] != 2.0 || row[2] != 1.0 {
			t.Fatalf("one of community 1's two active elders is paired: %v", row)
		}
		// Today's greeting met the neighbour's daily standard.
		if row := rep.row("compliance", f.C1.Name); len(row) < 8 || row[2] != "每日敲门问候" || row[3] != 1.0 || row[7] != 100.0 {
			t.Fatalf("the greeting in the compliance table: %v", row)
		}

		// Defaults: the caller's own unit; the language from the query.
		rec = e.send(t, "GET", reportURL("period", "2026-Q4", "lang", "en"), "community1", "", nil)
		if rep := decode(t, rec.Body.Bytes()); rec.Code != 200 || rep.Unit != f.C1.Name || rep.UnitKind != "community" ||
			rep.Period != "2026-Q4" || !strings.Contains(rep.Title, "Q4 2026") || rep.row("elders", f.C1.Name)[1] != 2.0 {
			t.Fatalf("community default unit, quarter, English: %d %s", rec.Code, rec.Body)
		}

		rec = e.send(t, "GET", reportURL("unit", f.Street.Name, "period", "2026-11", "format", "xlsx"), "station", "", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			rec.Header().Get("Content-Disposition") != `attachment; filename="report-street-2026-11.xlsx"; filename*=UTF-8''`+url.PathEscape("和平街道_2026年11月_统计表.xlsx") {
			t.Fatalf("xlsx: %d %v", rec.Code, rec.Header())
		}
		x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		a1, _ := x.GetCellValue(sheets[0], "A1")
		b4, _ := x.GetCellValue(sheets[0], "B4")
		typ, _ := x.GetCellType(sheets[0], "B4")
		if len(sheets) != 11 || !strings.Contains(a1, f.Street.Name) || !strings.Contains(a1, "2026年11月") ||
			b4 != "2" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Fatalf("workbook: %v %q %q %v", sheets, a1, b4, typ)
		}

		rec = e.send(t, "GET", reportURL("unit", f.Street.Name, "period", "2026-11", "format", "csv"), "station", "", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("\ufeff")) ||
			!strings.Contains(rec.Body.String(), "老年人基本情况") || !strings.Contains(rec.Header().Get("Content-Disposition"), "report-street-2026-11.csv") {
			t.Fatalf("csv: %d %v", rec.Code, rec.Header())
		}

		rec = e.send(t, "GET", reportURL("unit", f.Street.Name, "period", "2026-11"), "viewer", "", nil)
		rep = decode(t, rec.Body.Bytes())
		if rec.Code != 200 || !rep.Masked || rep.row("elders", "合计")[1] != "<5" || rep.row("compliance", f.C1.Name)[3] != "<5" {
			t.Fatalf("viewer: %d %s", rec.Code, rec.Body)
		}
		for _, name := range []string{f.Elder1.Name, f.Elder2.Name, f.Elder3.Name} {
			if strings.Contains(rec.Body.String(), name) {
				t.Fatalf("the viewer's report names %s", name)
			}
		}
	})
}

func TestReportEndpointErrors(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		for _, tc := range []struct {
			name, who, url string
			headers        []string
			status         int
			fields         map[string]string // field: part of the reason
		}{
			{"bad period", "station", reportURL("unit", f.Street.Name, "period", "2026-13"), nil, 422,
				map[string]string{"period": "统计期应写成 2026-11（月）或 2026-Q4（季度）"}},
			{"no period", "station", reportURL("unit", f.Street.Name), nil, 422, map[string]string{"period": "统计期"}},
			{"bad period in English", "station", reportURL("period", "Q4-2026"), []string{"Accept-Language", "en"}, 422,
				map[string]string{"period": "the period is a month like 2026-11"}},
			{"another community", "community1", reportURL("unit", f.C2.Name, "period", "2026-11"), nil, 422,
				map[string]string{"unit": "没有可统计的单位"}},
			{"every reason at once", "community1", reportURL("unit", f.C2.Name, "period", "x", "format", "pdf"), nil, 422,
				map[string]string{"unit": "没有可统计的单位", "period": "统计期", "format": "json、xlsx 或 csv"}},
			{"street viewer and the district", "viewer", reportURL("unit", f.Street.District, "period", "2026-11"), nil, 422,
				map[string]string{"unit": "没有可统计的单位"}},
			{"volunteer", "volunteer", reportURL("period", "2026-11"), nil, 403, nil},
			{"clinic", "clinic", reportURL("period", "2026-11"), nil, 403, nil},
			{"admin", "admin", reportURL("period", "2026-11"), nil, 403, nil},
			{"no token", "", reportURL("period", "2026-11"), nil, 401, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body := e.call(t, "GET", tc.url, tc.who, nil, tc.headers...)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %v", status, tc.status, body)
				}
				fields := fieldsOf(body)
				if len(fields) != len(tc.fields) {
					t.Fatalf("fields %v, want %v", fields, tc.fields)
				}
				for k, want := range tc.fields {
					if got, _ := fields[k].(string); !strings.Contains(got, want) {
						t.Errorf("field %s: %q, want %q", k, got, want)
					}
				}
			})
		}
		// Without the tracker the report is made and says compliance is
		// not in it.
		status, body := e.call(t, "GET", reportURL("period", "2026-11"), "station", nil)
		tables, _ := body["tables"].([]any)
		if status != 200 || len(tables) != 11 || !strings.Contains(tables[3].(map[string]any)["note"].(string), "未含达标情况") {
			t.Fatalf("no tracker: %d %v", status, body)
		}
	})
}
