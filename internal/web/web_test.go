package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/web"
)

type browser struct {
	t      testing.TB
	srv    *httptest.Server
	client *http.Client
}

func newServer(t testing.TB, db *store.DB) *httptest.Server {
	ui, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), ratelimit.New(10, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ui.SetTracker(startTracker(t, db))
	srv := httptest.NewServer(ui)
	t.Cleanup(srv.Close)
	return srv
}

func newBrowser(t testing.TB, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, srv: srv, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a page and parses it.
func (b *browser) get(path string) (int, *goquery.Document) {
	b.t.Helper()
	resp, err := b.client.Get(b.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, doc
}

func (b *browser) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.srv.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	return resp, doc
}

func csrfOf(doc *goquery.Document) string {
	v, _ := doc.Find(`input[name=csrf]`).First().Attr("value")
	return v
}

func (b *browser) login(username string) string {
	b.t.Helper()
	_, doc := b.get("/login")
	resp, _ := b.post("/login", url.Values{"csrf": {csrfOf(doc)}, "username": {username}, "password": {storetest.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	_, home := b.get("/elders")
	return csrfOf(home)
}

func TestLoginSessionCookieAndCSRF(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		srv := newServer(t, db)
		b := newBrowser(t, srv)
		status, doc := b.get("/login")
		if status != 200 || doc.Find(`form[action="/login"] input[name=username]`).Length() != 1 || doc.Find(`input[name=password][type=password]`).Length() != 1 {
			t.Fatalf("login form missing: %d", status)
		}
		if resp, _ := b.post("/login", url.Values{"username": {"c1"}, "password": {storetest.Password}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("login without CSRF token: %d", resp.StatusCode)
		}
		_, doc = b.get("/login")
		resp, doc := b.post("/login", url.Values{"csrf": {csrfOf(doc)}, "username": {"c1"}, "password": {"wrong"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".error-line").Text(), "密码错误") {
			t.Fatalf("wrong password: %d %q", resp.StatusCode, doc.Find(".error-line").Text())
		}
		_, doc = b.get("/login")
		req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(url.Values{"csrf": {csrfOf(doc)}, "username": {"c1"}, "password": {storetest.Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "cc_session" {
				session = c
			}
		}
		// A client's X-Forwarded-Proto decides nothing: only serve
		// --https-proxy makes cookies Secure (TestSecureCookieOnlyBehindHTTPSProxy).
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
			t.Fatalf("session cookie must be HttpOnly, SameSite, and not Secure on a client's word: %+v", session)
		}
		anon := newBrowser(t, srv)
		if resp, _ := anon.post("/elders", url.Values{}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("anonymous POST must go to login: %d", resp.StatusCode)
		}
	})
}

func TestElderFormShowsFieldErrorsAndSavesNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		id := care.MakeIDNumber("320102", storetest.Day("1942-08-15"), 50, care.Male)
		wrong := id[:17] + map[bool]string{true: "1", false: "0"}[id[17] == '0']
		form := url.Values{"csrf": {csrf}, "name": {"钱德明"}, "gender": {"male"}, "birth_date": {"1942-08-15"}, "id_number": {wrong},
			"community_id": {itoa(f.C1.ID)}, "building": {"2栋"}, "living_situation": {"alone"}, "self_care": {"independent"},
			"status": {"active"}, "phone": {"12"}, "contact_name": {"钱小明"}, "contact_phone": {"13900000009"}, "contact_relation": {"son"}}
		if resp, _ := b.post("/elders", url.Values{"name": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("POST without CSRF must be refused: %d", resp.StatusCode)
		}
		resp, doc := b.post("/elders", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", resp.StatusCode)
		}
		if msg := doc.Find(`[data-field=id_number] .field-error`).Text(); !strings.Contains(msg, "校验码") {
			t.Fatalf("ID field error = %q", msg)
		}
		if doc.Find(`[data-field=phone] .field-error`).Length() != 1 {
			t.Fatal("every bad field is marked at once")
		}
		if v, _ := doc.Find(`input[name=name]`).Attr("value"); v != "钱德明" {
			t.Fatalf("the form keeps what was typed, got %q", v)
		}
		if _, n, _ := db.ListElders(context.Background(), f.Comm1, store.ElderFilter{Q: "钱德明"}); n != 0 {
			t.Fatal("an invalid elder was saved")
		}
		form.Set("id_number", id)
		form.Set("phone", "13912340000")
		resp, _ = b.post("/elders", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("valid form: %d", resp.StatusCode)
		}
		_, doc = b.get(resp.Header.Get("Location"))
		if !strings.Contains(doc.Find("h1").Text(), "钱德明") || doc.Find("#id-number").Text() != care.MaskIDNumber(id) {
			t.Fatalf("elder page: %q %q", doc.Find("h1").Text(), doc.Find("#id-number").Text())
		}
		_, doc = b.get("/elders?q=" + url.QueryEscape("德明"))
		if doc.Find(`#elder-results a:contains("钱德明")`).Length() != 1 {
			t.Fatal("the new elder is found by name in the list")
		}
	})
}

func TestRevealNeedsCSRFAndIsAudited(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		csrf := b.login("c1")
		path := "/elders/" + itoa(f.Elder1.ID) + "/id-number"
		if resp, _ := b.post(path, url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("reveal without CSRF: %d", resp.StatusCode)
		}
		resp, doc := b.post(path, url.Values{"csrf": {csrf}})
		if resp.StatusCode != 200 || doc.Find("#id-number").Text() != f.Elder1.IDNumber {
			t.Fatalf("reveal: %d %q", resp.StatusCode, doc.Text())
		}
		log, _ := db.AuditLog(context.Background(), f.Station, "elder", f.Elder1.ID, 3)
		if len(log) == 0 || log[0].Action != "reveal_id_number" || log[0].Username != "c1" {
			t.Fatalf("reveal not audited: %+v", log)
		}
	})
}

func TestRolesSeeTheirOwnPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		srv := newServer(t, db)
		vol := newBrowser(t, srv)
		vol.login("v1")
		if status, _ := vol.get("/"); status != http.StatusSeeOther {
			t.Fatalf("a volunteer's home is the today page: %d", status)
		}
		_, home := vol.get("/today")
		if names := home.Find(".person-name").Text(); names != f.Elder1.Name {
			t.Fatalf("volunteer home lists paired elders only: %q", names)
		}
		if status, _ := vol.get("/volunteers/new"); status != http.StatusForbidden {
			t.Fatalf("volunteer registering: %d", status)
		}
		viewer := newBrowser(t, srv)
		viewer.login("viewer")
		if status, _ := viewer.get("/elders"); status != http.StatusForbidden {
			t.Fatalf("viewer elder list: %d", status)
		}
		_, home = viewer.get("/")
		if !strings.Contains(home.Find(".tiles").Text(), "<5") || strings.Contains(home.Text(), f.Elder1.Name) {
			t.Fatal("viewer sees aggregates with small cells masked and no names")
		}
		c2 := newBrowser(t, srv)
		c2.login("c2")
		if status, _ := c2.get("/elders/" + itoa(f.Elder1.ID)); status != http.StatusNotFound {
			t.Fatalf("another community's elder page: %d", status)
		}
	})
}

func TestEnglishAndLargeType(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("c1")
		_, doc := b.get("/elders/new")
		b.post("/prefs", url.Values{"lang": {"en"}, "big": {"1"}, "csrf": {csrfOf(doc)}})
		_, doc = b.get("/elders/new")
		if !doc.Find("body").HasClass("big") {
			t.Fatal("large-type mode must apply")
		}
		if !strings.Contains(doc.Find(`[data-field=id_number]`).Text(), "ID number") {
			t.Fatalf("English labels: %q", doc.Find(`[data-field=id_number]`).Text())
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSecureCookieOnlyBehindHTTPSProxy: behind the proxy the server was told
// of, every cookie is Secure (and the card's scan link https), whatever the
// client says.
func TestSecureCookieOnlyBehindHTTPSProxy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		ui, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), ratelimit.New(10, time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		ui.SetHTTPSProxy(true)
		srv := httptest.NewServer(ui)
		t.Cleanup(srv.Close)
		req, _ := http.NewRequest("GET", srv.URL+"/login", nil)
		req.Header.Set("X-Forwarded-Proto", "http")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(resp.Cookies()) == 0 {
			t.Fatal("the login page sets its CSRF cookie")
		}
		for _, c := range resp.Cookies() {
			if !c.Secure {
				t.Errorf("cookie %s is not Secure behind --https-proxy", c.Name)
			}
		}
	})
}
