package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func registerCSV(rows ...string) string {
	return "姓名,性别,身份证号,所属社区,楼栋,居住情况,自理能力\n" + strings.Join(rows, "")
}

func apiRow(name string, seq int, community string) string {
	id := care.MakeIDNumber("320105", storetest.Day("1941-03-08"), seq, care.Female)
	return name + ",女," + id + "," + community + ",3栋,独居,自理\n"
}

type importReport struct {
	Created, Updated int
	Committed        bool
	Errors           []struct {
		Row                   int
		Column, Value, Reason string
	}
}

func (e *env) send(t *testing.T, method, url, who, ctype string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func TestImportEndpoint(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		bad := registerCSV(apiRow("赵玉兰", 1, "幸福社区"), apiRow("钱桂英", 2, "安康社区"))
		rec := e.send(t, "POST", "/api/v1/imports/elders", "community1", "text/csv", []byte(bad))
		var rep importReport
		json.Unmarshal(rec.Body.Bytes(), &rep)
		if rec.Code != http.StatusUnprocessableEntity || rep.Committed || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Column != "所属社区" {
			t.Fatalf("bad rows: %d %s", rec.Code, rec.Body)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "good.csv")
		fw.Write([]byte(registerCSV(apiRow("赵玉兰", 1, "幸福社区"), apiRow("钱桂英", 2, "安康社区"))))
		mw.Close()
		rec = e.send(t, "POST", "/api/v1/imports/elders?dry_run=1", "station", mw.FormDataContentType(), body.Bytes())
		json.Unmarshal(rec.Body.Bytes(), &rep)
		if rec.Code != 200 || rep.Created != 2 || rep.Committed {
			t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
		}
		rec = e.send(t, "POST", "/api/v1/imports/elders", "station", mw.FormDataContentType(), body.Bytes())
		json.Unmarshal(rec.Body.Bytes(), &rep)
		if rec.Code != 200 || rep.Created != 2 || !rep.Committed {
			t.Fatalf("import: %d %s", rec.Code, rec.Body)
		}
		for _, tc := range []struct {
			who, url, ctype string
			status          int
		}{
			{"clinic", "/api/v1/imports/elders", "text/csv", 403},
			{"viewer", "/api/v1/imports/volunteers", "text/csv", 403},
			{"station", "/api/v1/imports/people", "text/csv", 404},
			{"station", "/api/v1/imports/elders", "application/json", 400},
		} {
			if rec := e.send(t, "POST", tc.url, tc.who, tc.ctype, []byte(bad)); rec.Code != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.who, tc.url, rec.Code, tc.status)
			}
		}
	})
}

func TestExportEndpoint(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		f := e.f
		rec := e.send(t, "GET", "/api/v1/exports/elders.csv?community_id="+strconv.FormatInt(f.C1.ID, 10), "station", "", nil)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
			!strings.Contains(rec.Body.String(), f.Elder1.IDMasked) || strings.Contains(rec.Body.String(), f.Elder3.Name) {
			t.Fatalf("masked export: %d %s", rec.Code, rec.Body)
		}
		rec = e.send(t, "GET", "/api/v1/exports/elders.xlsx?reveal_ids=1", "community1", "", nil)
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") || !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
			t.Fatalf("revealed xlsx export: %d", rec.Code)
		}
		log, _ := db.AuditLog(context.Background(), f.Station, "elder", 0, 1)
		if len(log) != 1 || log[0].Action != "export_reveal_id_numbers" || !strings.Contains(log[0].After, `"count":2`) {
			t.Fatalf("reveal export audit: %+v", log)
		}
		for _, tc := range []struct {
			who, url string
			status   int
		}{
			{"clinic", "/api/v1/exports/elders.csv", 403}, {"viewer", "/api/v1/exports/volunteers.csv", 403},
			{"station", "/api/v1/exports/elders.pdf", 404}, {"station", "/api/v1/exports/volunteers.xlsx?kind=social", 200},
		} {
			if rec := e.send(t, "GET", tc.url, tc.who, "", nil); rec.Code != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.who, tc.url, rec.Code, tc.status)
			}
		}
	})
}

// TestImportConfirmRows: a row looking like an elder of the file (name and
// phone) under another ID number is in possible_duplicates and refused
// until confirm_rows lists it.
func TestImportConfirmRows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		row := func(seq int, building string) string {
			return "周小红,女," + care.MakeIDNumber("320105", storetest.Day("1941-03-08"), seq, care.Female) + ",幸福社区," + building + ",13811110000,独居,自理\n"
		}
		file := []byte("姓名,性别,身份证号,所属社区,楼栋,联系电话,居住情况,自理能力\n" + row(1, "3栋") + row(2, "4栋"))
		var rep struct {
			importReport
			PossibleDuplicates []int `json:"possible_duplicates"`
		}
		rec := e.send(t, "POST", "/api/v1/imports/elders?dry_run=1", "community1", "text/csv", file)
		json.Unmarshal(rec.Body.Bytes(), &rep)
		if rec.Code != 422 || len(rep.PossibleDuplicates) != 1 || rep.PossibleDuplicates[0] != 3 || len(rep.Errors) != 1 ||
			rep.Errors[0].Column != "姓名" || !strings.HasPrefix(rep.Errors[0].Reason, "可能重复") {
			t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
		}
		if rec := e.send(t, "POST", "/api/v1/imports/elders?confirm_rows=x", "community1", "text/csv", file); rec.Code != 422 || !strings.Contains(rec.Body.String(), "confirm_rows") {
			t.Fatalf("a bad confirm_rows: %d %s", rec.Code, rec.Body)
		}
		rec = e.send(t, "POST", "/api/v1/imports/elders?confirm_rows=3", "community1", "text/csv", file)
		json.Unmarshal(rec.Body.Bytes(), &rep)
		if rec.Code != 200 || !rep.Committed || rep.Created != 2 {
			t.Fatalf("confirmed: %d %s", rec.Code, rec.Body)
		}
	})
}
