package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"mime/multipart"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"carecircle/internal/activity"
	"carecircle/internal/attach/attachtest"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// upload posts a multipart body with fields (in order) and a file part.
func (e *env) upload(t *testing.T, url, who string, fields [][2]string, name string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var out map[string]any
	json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// errField tells whether an error answer names field.
func errField(body map[string]any, field string) bool {
	e, _ := body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	return fields[field] != nil
}

// TestAttachmentAPI: community staff upload a phone photo of their
// activity; it is kept without its GPS block and answered inline as a
// JPEG (nosniff) with its thumbnail; a PDF downloads as an attachment; a
// bad file is 422 on file; another community, a volunteer and a viewer
// are refused as their scope says; the plan's upload goes through POST
// /attachments and PUT /rollout/plan names it.
func TestAttachmentAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		ctx := context.Background()
		_, act, err := db.CreateFromTemplate(ctx, e.f.Comm1, activity.TemplateNursingHome, e.f.C1.ID, storetest.Day("2026-12-05"))
		if err != nil {
			t.Fatal(err)
		}
		url := "/api/v1/activities/" + strconv.FormatInt(act, 10) + "/attachments"
		photo := attachtest.JPEGWithGPS(t, 640, 480)
		code, body := e.upload(t, url, "community1", nil, "合影.jpg", photo)
		if code != 201 || body["content_type"] != "image/jpeg" || body["thumb_url"] == nil || body["width"] != 640.0 {
			t.Fatalf("upload: %d %v", code, body)
		}
		id := strconv.FormatInt(int64(body["id"].(float64)), 10)
		get := func(who, q string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", "/api/v1/attachments/"+id+q, nil)
			req.Header.Set("Authorization", "Bearer "+e.tokens[who])
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			return rec
		}
		rec := get("volunteer", "")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/jpeg" || rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "inline; ") || !strings.Contains(rec.Header().Get("Content-Disposition"), "%E5%90%88%E5%BD%B1.jpg") {
			t.Fatalf("get: %d %v", rec.Code, rec.Header())
		}
		if bytes.Contains(rec.Body.Bytes(), attachtest.GPSMarker) || bytes.Contains(rec.Body.Bytes(), []byte("Exif")) {
			t.Fatal("the served photo carries its GPS block")
		}
		rec = get("station", "?thumb=1")
		if cfg, err := jpeg.DecodeConfig(rec.Body); rec.Code != 200 || err != nil || cfg.Width != 320 || cfg.Height != 240 {
			t.Fatalf("thumb: %d %v %+v", rec.Code, err, cfg)
		}
		if rec := get("station", "?thumb=yes"); rec.Code != 422 {
			t.Fatalf("thumb=yes: %d", rec.Code)
		}
		for _, who := range []string{"community2", "viewer"} {
			if rec := get(who, ""); rec.Code != 404 {
				t.Fatalf("%s reads: %d", who, rec.Code)
			}
		}
		if rec := get("clinic", ""); rec.Code != 403 {
			t.Fatalf("clinic reads: %d", rec.Code)
		}

		// A PDF downloads; a bad file is refused with its reason.
		code, body = e.upload(t, url, "station", nil, "签到表.pdf", []byte("%PDF-1.4\n%%EOF\n"))
		if code != 201 || body["thumb_url"] != nil {
			t.Fatalf("pdf: %d %v", code, body)
		}
		id = strconv.FormatInt(int64(body["id"].(float64)), 10)
		if rec := get("community1", ""); rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment; ") {
			t.Fatalf("pdf download: %v", rec.Header())
		}
		code, body = e.upload(t, url, "community1", nil, "x.html", []byte("<html><script>alert(1)</script></html>"))
		if code != 422 || !errField(body, "file") {
			t.Fatalf("html: %d %v", code, body)
		}
		if code, _ := e.upload(t, url, "community2", nil, "x.pdf", []byte("%PDF-1.4\n")); code != 404 {
			t.Fatalf("community 2 uploads: %d", code)
		}
		if code, _ := e.upload(t, url, "volunteer", nil, "x.pdf", []byte("%PDF-1.4\n")); code != 403 {
			t.Fatalf("a volunteer uploads: %d", code)
		}
		code, list := e.call(t, "GET", url, "volunteer", nil)
		if items, _ := list["attachments"].([]any); code != 200 || len(items) != 2 {
			t.Fatalf("list: %d %v", code, list)
		}

		// The implementation plan: upload for the plan, then name it.
		if err := db.JoinRollout(ctx, e.f.Station, e.f.C1.ID, storetest.Day("2026-11-01")); err != nil {
			t.Fatal(err)
		}
		plan := [][2]string{{"owner_kind", "rollout_plan"}, {"owner_id", strconv.FormatInt(e.f.C1.ID, 10)}}
		code, body = e.upload(t, "/api/v1/attachments", "community1", plan, "实施方案.pdf", []byte("%PDF-1.4\n%%EOF\n"))
		if code != 201 || body["owner_kind"] != "rollout_plan" {
			t.Fatalf("plan upload: %d %v", code, body)
		}
		if code, body := e.upload(t, "/api/v1/attachments", "community1", [][2]string{{"owner_kind", "elder"}, {"owner_id", "1"}}, "a.pdf", []byte("%PDF-1.4\n")); code != 422 {
			t.Fatalf("unknown owner kind: %d %v", code, body)
		}
		code, got := e.call(t, "PUT", "/api/v1/rollout/plan", "community1", map[string]any{"plan_text": "", "attachment_id": body["id"]})
		if code != 200 {
			t.Fatalf("plan names its file: %d %v", code, got)
		}
		code, got = e.call(t, "PUT", "/api/v1/rollout/plan", "community1", map[string]any{"plan_text": "", "attachment_id": 1})
		if code != 422 || !errField(got, "attachment_id") {
			t.Fatalf("plan names an activity's photo: %d %v", code, got)
		}
	})
}
