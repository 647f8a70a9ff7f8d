package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// upload posts a register file as the 导入导出 form does and follows the
// redirect to the job page, waiting while the job runs.
func (b *browser) upload(csrf, kind, name string, data []byte) (*http.Response, *goquery.Document) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.client.Post(b.srv.URL+"/register/imports", mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return resp, nil
	}
	return b.job(resp.Header.Get("Location"))
}

func (b *browser) job(path string) (*http.Response, *goquery.Document) {
	b.t.Helper()
	for range 100 {
		resp, err := b.client.Get(b.srv.URL + path)
		if err != nil {
			b.t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(resp.Body)
		resp.Body.Close()
		if doc.Find(`#register-job[hx-trigger]`).Length() == 0 {
			return resp, doc
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatal("the import job did not finish")
	return nil, nil
}

const registerHeader = "姓名,性别,身份证号,所属社区,楼栋,居住情况,自理能力\n"

func registerRow(name string, seq int, community string) string {
	id := care.MakeIDNumber("320105", storetest.Day("1941-03-08"), seq, care.Female)
	return name + ",女," + id + "," + community + ",3栋,独居,自理\n"
}

func TestRegisterDryRunShowsBadRowsAndCommitImports(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("c1")
		_, page := b.get("/register")
		if page.Find(`nav a[href="/register"]`).Length() != 1 || page.Find(`form[action="/register/imports"][enctype="multipart/form-data"] input[name=csrf]`).Length() != 1 {
			t.Fatal("the 导入导出 page needs its nav item and an upload form with the CSRF token")
		}
		if resp, _ := b.upload("", "elders", "x.csv", []byte(registerHeader)); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("upload without CSRF: %d", resp.StatusCode)
		}
		bad := registerHeader + registerRow("赵玉兰", 1, "幸福社区") + registerRow("钱桂英", 2, "光明社区") + registerRow("", 3, "幸福社区")
		_, doc := b.upload(csrf, "elders", "bad.csv", []byte(bad))
		row := doc.Find(`table.register-errors tr[data-row="3"]`)
		if row.Find("td.column").Text() != "所属社区" || row.Find("td.value").Text() != "光明社区" || !strings.Contains(row.Find("td.reason").Text(), "社区不存在") {
			t.Fatalf("error row 3: %q", row.Text())
		}
		if doc.Find(`table.register-errors tr[data-row="4"] td.column`).Text() != "姓名" || doc.Find("#register-commit").Length() != 0 {
			t.Fatal("row 4 misses its name, and a file with bad rows offers no commit")
		}
		good := registerHeader + registerRow("赵玉兰", 1, "幸福社区") + registerRow("钱桂英", 2, "")
		_, doc = b.upload(csrf, "elders", "good.csv", []byte(good))
		action, _ := doc.Find("#register-commit").Attr("action")
		if doc.Find("#register-created").Text() != "2" || action == "" {
			t.Fatalf("clean dry run: created %q, commit %q", doc.Find("#register-created").Text(), action)
		}
		req, _ := http.NewRequest("GET", srv.URL+strings.TrimSuffix(action, "/commit"), nil)
		req.Header.Set("HX-Request", "true")
		frag, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(frag.Body)
		frag.Body.Close()
		if !strings.HasPrefix(strings.TrimSpace(string(body)), `<div id="register-job"`) {
			t.Fatalf("the progress poll gets only the job fragment: %.80s", body)
		}
		other := newBrowser(t, srv)
		other.login("c2")
		if status, _ := other.get(strings.TrimSuffix(action, "/commit")); status != http.StatusNotFound {
			t.Fatalf("another user's import: %d", status)
		}
		resp, _ := b.post(action, url.Values{"csrf": {csrf}})
		_, doc = b.job(resp.Header.Get("Location"))
		if doc.Find(`#register-job[data-committed="true"]`).Length() != 1 || doc.Find("#register-commit").Length() != 0 {
			t.Fatalf("commit: %q", doc.Find("#register-summary").Text())
		}
		if _, n, _ := db.ListElders(context.Background(), f.Comm1, store.ElderFilter{Q: "桂英"}); n != 1 {
			t.Fatal("the committed file was not imported")
		}
		if resp, _ := b.post(action, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("a second commit of the same upload: %d", resp.StatusCode)
		}
	})
}

func TestRegisterExportsAndTemplates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		csrf := b.login("station")
		fetch := func(resp *http.Response, err error) (int, string, []byte) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Content-Type"), data
		}
		status, ctype, data := fetch(b.client.Get(srv.URL + "/register/export/elders.csv?community_id=" + itoa(f.C1.ID)))
		if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !bytes.Contains(data, []byte(f.Elder1.IDMasked)) ||
			bytes.Contains(data, []byte(f.Elder1.IDNumber)) || bytes.Contains(data, []byte(f.Elder3.Name)) {
			t.Fatalf("filtered masked export: %d %s\n%s", status, ctype, data)
		}
		_, _, data = fetch(b.client.Get(srv.URL + "/register/export/elders.csv?reveal_ids=1"))
		if bytes.Contains(data, []byte(f.Elder1.IDNumber)) {
			t.Fatal("a plain link must never reveal ID numbers")
		}
		form := url.Values{"csrf": {csrf}, "reveal_ids": {"1"}, "status": {"active"}}
		_, _, data = fetch(b.client.PostForm(srv.URL+"/register/export/elders.csv", form))
		if !bytes.Contains(data, []byte(f.Elder1.IDNumber)) {
			t.Fatal("the explicit choice reveals ID numbers")
		}
		log, _ := db.AuditLog(context.Background(), f.Station, "elder", 0, 1)
		if len(log) != 1 || log[0].Action != "export_reveal_id_numbers" {
			t.Fatalf("reveal export not audited: %+v", log)
		}
		form.Del("csrf")
		if status, _, _ := fetch(b.client.PostForm(srv.URL+"/register/export/elders.csv", form)); status != http.StatusForbidden {
			t.Fatalf("reveal without CSRF: %d", status)
		}
		status, ctype, data = fetch(b.client.Get(srv.URL + "/register/templates/elders.xlsx"))
		if status != 200 || !strings.Contains(ctype, "spreadsheetml") || !bytes.HasPrefix(data, []byte("PK")) {
			t.Fatalf("template: %d %s", status, ctype)
		}
		status, _, data = fetch(b.client.PostForm(srv.URL+"/register/demo/elders.xlsx", url.Values{"csrf": {csrf}}))
		if status != 200 {
			t.Fatalf("demo file: %d", status)
		}
		if _, doc := b.upload(csrf, "elders", "demo.xlsx", data); doc.Find("#register-updated").Text() != "1" ||
			doc.Find(`table.register-errors td.reason:contains("校验码")`).Length() != 1 {
			t.Fatalf("the demo file updates one registered elder and shows its mistakes: %q", doc.Find("#register-summary").Text())
		}
		viewer := newBrowser(t, srv)
		viewer.login("viewer")
		if status, _ := viewer.get("/register"); status != http.StatusForbidden {
			t.Fatalf("viewer on /register: %d", status)
		}
		if status, _, _ := fetch(viewer.client.Get(srv.URL + "/register/export/elders.xlsx")); status != http.StatusForbidden {
			t.Fatalf("viewer export: %d", status)
		}
	})
}

// TestRegisterLookalikesAreConfirmedByRow (issue 14 point 8): a row with
// the name, building, room and phone of a registered elder but another ID
// number is 可能重复 in the dry run; ticked and checked again, the file
// imports it.
func TestRegisterLookalikesAreConfirmedByRow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		id := care.MakeIDNumber("320105", storetest.Day("1940-01-02"), 77, care.Female)
		file := "姓名,性别,身份证号,所属社区,楼栋,单元,房号,联系电话,居住情况,自理能力\n" +
			f.Elder1.Name + ",女," + id + ",幸福社区,1栋,2单元,301,13800000000,独居,自理\n" +
			"赵玉兰,女," + care.MakeIDNumber("320105", storetest.Day("1941-03-08"), 1, care.Female) + ",幸福社区,3栋,1单元,101,13800000001,独居,自理\n"
		_, doc := b.upload(csrf, "elders", "twin.csv", []byte(file))
		item := doc.Find(`#register-lookalikes li[data-row="2"]`)
		reason := doc.Find(`table.register-errors tr[data-row="2"] td.reason`).Text()
		if item.Length() != 1 || item.Find(`input[name=confirm_rows][checked]`).Length() != 0 || !strings.HasPrefix(reason, "可能重复") ||
			!strings.Contains(reason, f.Elder1.Name) || doc.Find("#register-commit").Length() != 0 {
			t.Fatalf("the dry run warns 可能重复 on row 2 and offers no commit: %q / %q", item.Text(), reason)
		}
		action, _ := doc.Find(`#register-lookalikes form`).Attr("action")
		resp, _ := b.post(action, url.Values{"csrf": {csrf}, "confirm_rows": {"2"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", resp.StatusCode)
		}
		_, doc = b.job(resp.Header.Get("Location"))
		commit, _ := doc.Find("#register-commit").Attr("action")
		if commit == "" || doc.Find("#register-created").Text() != "2" || doc.Find(`#register-lookalikes li[data-row="2"] input[checked]`).Length() != 1 {
			t.Fatalf("checked again with row 2 confirmed: %q %q", doc.Find("#register-summary").Text(), doc.Find("table.register-errors").Text())
		}
		resp, _ = b.post(commit, url.Values{"csrf": {csrf}})
		_, doc = b.job(resp.Header.Get("Location"))
		if doc.Find(`#register-job[data-committed="true"]`).Length() != 1 {
			t.Fatalf("commit: %q", doc.Find("#register-summary").Text())
		}
		if _, n, _ := db.ListElders(context.Background(), f.Comm1, store.ElderFilter{Q: f.Elder1.Name}); n != 2 {
			t.Fatalf("the confirmed namesake is registered: %d", n)
		}
	})
}
