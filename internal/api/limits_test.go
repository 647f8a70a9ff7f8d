package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"carecircle/internal/register"
	"carecircle/internal/store/storetest"
)

// Bodies over a limit are refused with 413 and code too_large; a body
// that is not UTF-8 is invalid (422), field "body".
func TestBodyLimits(t *testing.T) {
	e := setup(t, storetest.Open(t, filepath.Join(t.TempDir(), "test.db")))
	bigCSV := []byte(registerCSV() + strings.Repeat("x", register.MaxFileSize+1))
	var multi bytes.Buffer
	mw := multipart.NewWriter(&multi)
	fw, _ := mw.CreateFormFile("file", "big.csv")
	fw.Write(bigCSV)
	mw.Close()
	bigJSON := []byte(`{"name": "` + strings.Repeat("长", 400_000) + `"}`)
	login := []byte(`{"username": "station", "password": "` + strings.Repeat("x", 70<<10) + `"}`)
	badUTF8 := []byte("{\"name\": \"\xff\xfe王\"}")
	id := itoa(e.f.Elder1.ID)
	for _, tc := range []struct {
		name, method, url, who, ctype string
		body                          []byte
		status                        int
		code, field                   string
	}{
		{"csv over 20 MB", "POST", "/api/v1/imports/elders?dry_run=1", "station", "text/csv", bigCSV, 413, "too_large", ""},
		{"multipart over 20 MB", "POST", "/api/v1/imports/elders?dry_run=1", "station", mw.FormDataContentType(), multi.Bytes(), 413, "too_large", ""},
		{"login over 64 KB", "POST", "/api/v1/session", "", "application/json", login, 413, "too_large", ""},
		{"JSON over 1 MB", "POST", "/api/v1/elders", "station", "application/json", bigJSON, 413, "too_large", ""},
		{"patch over 1 MB", "PATCH", "/api/v1/elders/" + id, "station", "application/json", bigJSON, 413, "too_large", ""},
		{"create not UTF-8", "POST", "/api/v1/elders", "station", "application/json", badUTF8, 422, "invalid", "body"},
		{"patch not UTF-8", "PATCH", "/api/v1/elders/" + id, "station", "application/json", badUTF8, 422, "invalid", "body"},
		{"login not UTF-8", "POST", "/api/v1/session", "", "application/json", []byte("{\"username\": \"\xff\", \"password\": \"x\"}"), 422, "invalid", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.url, bytes.NewReader(tc.body))
			if tc.who != "" {
				req.Header.Set("Authorization", "Bearer "+e.tokens[tc.who])
			}
			req.Header.Set("Content-Type", tc.ctype)
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			var out struct {
				Error struct {
					Code   string
					Fields map[string]string
				}
			}
			json.Unmarshal(rec.Body.Bytes(), &out)
			if rec.Code != tc.status || out.Error.Code != tc.code || (tc.field != "" && out.Error.Fields[tc.field] == "") {
				t.Errorf("%d %s, want %d %s %s", rec.Code, rec.Body, tc.status, tc.code, tc.field)
			}
		})
	}
}

// A cell over Excel's limit is named in a short answer, not repeated.
func TestImportQuotesLongCellsShort(t *testing.T) {
	e := setup(t, storetest.Open(t, filepath.Join(t.TempDir(), "test.db")))
	long := strings.Repeat("长", 100_000)
	rec := e.send(t, "POST", "/api/v1/imports/elders?dry_run=1", "station", "text/csv",
		[]byte(registerCSV(apiRow("赵玉兰", 1, "幸福社区"), apiRow(long, 2, "幸福社区"))))
	var rep importReport
	json.Unmarshal(rec.Body.Bytes(), &rep)
	if rec.Code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Column != "姓名" ||
		!strings.Contains(rep.Errors[0].Reason, "32,767") {
		t.Fatalf("%d %.500s", rec.Code, rec.Body)
	}
	if rec.Body.Len() > 2000 {
		t.Errorf("answer of %d bytes", rec.Body.Len())
	}
}
