package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/attach/attachtest"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/upward"
)

// attach submits a page's attachments form (the block with element id
// anchor) with a file, as the browser does, and follows the redirect back.
func (b *browser) attach(doc *goquery.Document, anchor, name string, data []byte) (*http.Response, *goquery.Document) {
	b.t.Helper()
	form := doc.Find("#" + anchor + " form.attach-form")
	if form.Length() != 1 {
		b.t.Fatalf("no upload form in #%s", anchor)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		mw.WriteField(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.client.Post(b.srv.URL+form.AttrOr("action", ""), mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return resp, nil
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	_, back := b.get(loc.RequestURI())
	return resp, back
}

// TestAttachmentsOnTheRolloutAndExperiencePages: community staff upload
// their plan's file on /rollout and name it in the plan; a refused file
// comes back with its reason beside the form; the station sees the file;
// a photo uploaded for a draft report becomes its photo, shown as a
// thumbnail, served as a JPEG without its GPS block; another community
// gets neither the file nor the page.
func TestAttachmentsOnTheRolloutAndExperiencePages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if err := db.JoinRollout(ctx, f.Station, f.C1.ID, storetest.Day("2026-11-01")); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		anchor := "att-rollout-plan-" + itoa(f.C1.ID)
		_, doc := c1.get("/rollout")
		resp, doc := c1.attach(doc, anchor, "方案.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"))
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(doc.Find("#"+anchor+" .attach-result.error").Text(), "不支持此文件类型") {
			t.Fatalf("a refused file: %d %q", resp.StatusCode, doc.Find("#"+anchor).Text())
		}
		resp, doc = c1.attach(doc, anchor, "实施方案.pdf", []byte("%PDF-1.4\n%%EOF\n"))
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(doc.Find("#"+anchor+" .attach-result").Text(), "已上传：实施方案.pdf") {
			t.Fatalf("upload: %d %q", resp.StatusCode, doc.Find("#"+anchor).Text())
		}
		item := doc.Find("#" + anchor + " li[data-attachment]")
		id := item.AttrOr("data-attachment", "")
		if item.Length() != 1 || doc.Find(`select[name=attachment_id] option[value="`+id+`"]`).Length() != 1 {
			t.Fatalf("the plan's file is listed and offered: %q", doc.Find("#plan").Text())
		}
		resp, _ = c1.post("/rollout/plan", url.Values{"csrf": {csrf}, "plan_text": {""}, "attachment_id": {id}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the plan names its file: %d", resp.StatusCode)
		}
		if _, doc = c1.get("/rollout"); doc.Find(`select[name=attachment_id] option[value="`+id+`"][selected]`).Length() != 1 {
			t.Fatal("the saved plan's file is not selected")
		}
		resp, body := c1.download("/attachments/" + id)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; ") || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
		}
		st := newBrowser(t, srv)
		st.login("station")
		if _, doc := st.get("/rollout"); doc.Find("#"+anchor+" li[data-attachment=\""+id+"\"]").Length() != 1 {
			t.Fatalf("the station does not see the plan's file: %q", doc.Find("details.plan-text").Text())
		}
		c2 := newBrowser(t, srv)
		c2.login("c2")
		if resp, _ := c2.download("/attachments/" + id); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("community 2 downloads community 1's plan: %d", resp.StatusCode)
		}

		// A draft report's photo.
		e := &upward.Experience{Title: "结对", Body: "每日问候。", Month: "2026-11"}
		if err := db.SaveExperience(ctx, f.Comm1, e); err != nil {
			t.Fatal(err)
		}
		page := "/experiences/" + itoa(e.ID)
		_, doc = c1.get(page)
		exp := "att-experience-" + itoa(e.ID)
		if doc.Find("#"+exp+" input[type=file][accept^=image]").Length() != 1 {
			t.Fatal("the report's form offers pictures")
		}
		resp, doc = c1.attach(doc, exp, "合影.jpg", attachtest.JPEGWithGPS(t, 640, 480))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("photo upload: %d", resp.StatusCode)
		}
		img := doc.Find("#experience-photos img")
		if img.Length() != 1 || doc.Find(`.photo-pick input[name=photo_ids][checked]`).Length() != 1 {
			t.Fatalf("the photo is the report's: %q", doc.Find("#experience").Text())
		}
		resp, body = c1.download(img.AttrOr("src", ""))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline; ") || len(body) == 0 {
			t.Fatalf("thumbnail: %d %v", resp.StatusCode, resp.Header)
		}
		photo := strings.TrimSuffix(img.AttrOr("src", ""), "?thumb=1")
		if _, body = c1.download(photo); bytes.Contains(body, attachtest.GPSMarker) || bytes.Contains(body, []byte("Exif")) {
			t.Fatal("the served photo carries its GPS block")
		}
		// Unticked and saved, it is no longer the report's photo.
		resp, _ = c1.post(page, url.Values{"csrf": {csrf}, "title": {e.Title}, "month": {e.Month}, "body": {e.Body}, "photos_shown": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save without the photo: %d", resp.StatusCode)
		}
		if got, err := db.Experience(ctx, f.Comm1, e.ID); err != nil || len(got.PhotoIDs) != 0 {
			t.Fatalf("photos after unticking: %v %v", got, err)
		}
		if resp, _ := c2.download(photo); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("community 2 reads the photo: %d", resp.StatusCode)
		}
	})
}
