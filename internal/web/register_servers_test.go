package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// onTwoServers runs fn with two servers (each its own store and web
// handler) on one database: a SQLite file, and PostgreSQL when
// CARECIRCLE_TEST_PG is set.
func onTwoServers(t *testing.T, fn func(t *testing.T, dsn string, a, b *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		dsn := filepath.Join(t.TempDir(), "shared.db")
		fn(t, dsn, storetest.Open(t, dsn), storetest.Open(t, dsn))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
		fn(t, dsn, storetest.Open(t, dsn), storetest.Open(t, dsn))
	})
}

// TestRegisterJobIsSharedByServers: a file uploaded through one server is
// shown and confirmed through the other; confirmed through both at once,
// it is imported once.
func TestRegisterJobIsSharedByServers(t *testing.T) {
	onTwoServers(t, func(t *testing.T, dsn string, dbA, dbB *store.DB) {
		f := storetest.Seed(t, dbA)
		srvA, srvB := newServer(t, dbA), newServer(t, dbB)
		a := newBrowser(t, srvA)
		csrf := a.login("c1")
		// The session is in the database and the cookie jar ignores ports:
		// b is the same user whose requests reach the other server.
		b := &browser{t: t, srv: srvB, client: a.client}

		good := registerHeader + registerRow("赵玉兰", 1, "幸福社区") + registerRow("钱桂英", 2, "")
		resp, err := uploadOnly(a, csrf, "good.csv", []byte(good))
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %v %v", resp, err)
		}
		job := resp.Header.Get("Location")
		_, doc := b.job(job)
		action, _ := doc.Find("#register-commit").Attr("action")
		if doc.Find("#register-created").Text() != "2" || action != job+"/commit" {
			t.Fatalf("the other server shows the dry run: created %q, commit %q", doc.Find("#register-created").Text(), action)
		}

		// "确认导入" pressed twice, each reaching another server.
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, br := range []*browser{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := br.client.PostForm(br.srv.URL+action, url.Values{"csrf": {csrf}})
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		if !(statuses[0] == http.StatusSeeOther && statuses[1] == http.StatusConflict ||
			statuses[0] == http.StatusConflict && statuses[1] == http.StatusSeeOther) {
			t.Fatalf("two confirmations: %v, want one accepted and one refused", statuses)
		}
		_, doc = a.job(job)
		if doc.Find(`#register-job[data-committed="true"]`).Length() != 1 || doc.Find("#register-commit").Length() != 0 {
			t.Fatalf("after the commit: %q", doc.Find("#register-summary").Text())
		}
		if _, doc = b.job(job); doc.Find(`#register-job[data-committed="true"]`).Length() != 1 {
			t.Fatal("the other server shows the commit too")
		}
		for _, name := range []string{"赵玉兰", "钱桂英"} {
			if _, n, _ := dbB.ListElders(context.Background(), f.Comm1, store.ElderFilter{Q: name}); n != 1 {
				t.Fatalf("%s imported %d times", name, n)
			}
		}
		if resp, _ := b.post(action, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("a commit after the commit: %d", resp.StatusCode)
		}

		// A job whose server died mid-check (its heartbeat stopped more
		// than store.ImportRunStale ago) is checked again by whichever
		// server shows it.
		dead := storetest.Open(t, dsn)
		dead.Now = func() time.Time { return dbA.Now().Add(-2 * store.ImportRunStale) }
		id, err := dead.CreateImportJob(context.Background(), store.NewImportJob{OwnerID: f.Comm1.UserID, Kind: "elders",
			FileName: "late.csv", Data: []byte(registerHeader + registerRow("孙秀兰", 4, "幸福社区"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dead.ClaimImportRun(context.Background(), f.Comm1.UserID, id, false); err != nil {
			t.Fatal(err)
		}
		if _, doc = b.job("/register/imports/" + id); doc.Find("#register-created").Text() != "1" || doc.Find("#register-commit").Length() != 1 {
			t.Fatalf("a stalled job is checked again: %q", doc.Find("#register-summary").Text())
		}
	})
}

// uploadOnly posts a register file and returns the response without
// following it.
func uploadOnly(b *browser, csrf, name string, data []byte) (*http.Response, error) {
	body, ctype := registerForm(csrf, "elders", name, data)
	resp, err := b.client.Post(b.srv.URL+"/register/imports", ctype, body)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

// registerForm is the 导入导出 form's multipart body and its content type.
func registerForm(csrf, kind, name string, data []byte) (io.Reader, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &body, mw.FormDataContentType()
}

// TestRegisterUploadsOfOneUserDoNotBlockOthers: a user's fifth waiting
// job is refused with a message saying why; another user still uploads.
func TestRegisterUploadsOfOneUserDoNotBlockOthers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		srv := newServer(t, db)
		one, other := newBrowser(t, srv), newBrowser(t, srv)
		csrf1, csrf2 := one.login("c1"), other.login("c2")
		file := []byte(registerHeader + registerRow("赵玉兰", 1, "幸福社区"))
		for range store.ImportJobsPerUser {
			if resp, _ := uploadOnly(one, csrf1, "a.csv", file); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %d", resp.StatusCode)
			}
		}
		body, ctype := registerForm(csrf1, "elders", "a.csv", file)
		resp, err := one.client.Post(srv.URL+"/register/imports", ctype, body)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Text(), "您已有 4 个导入任务") {
			t.Fatalf("a fifth waiting upload: %d %q", resp.StatusCode, strings.TrimSpace(doc.Find("main").Text()))
		}
		if resp, _ := uploadOnly(other, csrf2, "a.csv", []byte(registerHeader+registerRow("钱桂英", 2, "安康社区"))); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("another user's upload: %d", resp.StatusCode)
		}
	})
}
