package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// htmx posts a form the way htmx does and parses the fragment.
func (b *browser) htmx(path, csrf string) (int, *goquery.Document) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	return resp.StatusCode, doc
}

func (b *browser) loginWith(username, password string) *http.Response {
	b.t.Helper()
	_, doc := b.get("/login")
	resp, _ := b.post("/login", url.Values{"csrf": {csrfOf(doc)}, "username": {username}, "password": {password}})
	return resp
}

func TestUsersPageLifecycleActions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		admin := &care.User{Username: "admin", Role: care.RoleAdmin}
		if err := db.CreateUser(context.Background(), f.Admin, admin, storetest.Password); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		a := newBrowser(t, srv)
		a.login("admin")
		_, doc := a.get("/users")
		csrf := csrfOf(doc)
		row := doc.Find(`tr[data-user="c1"]`)
		if row.Find(`button[hx-post$="/disable"][hx-confirm]`).Length() != 1 || row.Find(`button[hx-post$="/reset-password"][hx-confirm]`).Length() != 1 ||
			row.Find(`button[hx-post$="/revoke"][hx-confirm]`).Length() != 1 {
			t.Fatalf("each account has disable, reset and revoke buttons with a confirmation: %s", row.Text())
		}
		c1 := newBrowser(t, srv)
		c1.login("c1")
		id := strconv.FormatInt(f.Comm1.UserID, 10)

		status, frag := a.htmx("/users/"+id+"/disable", csrf)
		if status != 200 || frag.Find(`.badge.off`).Length() != 1 || frag.Find(".result").Text() == "" {
			t.Fatalf("disable answers the row in place with the result: %d %s", status, frag.Text())
		}
		if status, _ := c1.get("/elders"); status != http.StatusSeeOther {
			t.Fatalf("the disabled user's session ends at once: %d", status)
		}
		if resp := c1.loginWith("c1", storetest.Password); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a disabled account cannot log in: %d", resp.StatusCode)
		}
		if status, frag = a.htmx("/users/"+id+"/enable", csrf); status != 200 || frag.Find(".badge.off").Length() != 0 {
			t.Fatalf("enable: %d %s", status, frag.Text())
		}

		status, frag = a.htmx("/users/"+id+"/reset-password", csrf)
		temp := frag.Find("code.temp-password").Text()
		if status != 200 || len(temp) < 10 {
			t.Fatalf("reset shows a temporary password once: %d %s", status, frag.Text())
		}
		if resp := c1.loginWith("c1", temp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("the temporary password leads to the change page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if status, _ := c1.get("/elders"); status != http.StatusSeeOther {
			t.Fatalf("nothing else until the password is changed: %d", status)
		}
		_, page := c1.get("/account")
		if page.Find("#must-change").Length() != 1 {
			t.Fatal("the account page says why")
		}
		form := url.Values{"csrf": {csrfOf(page)}, "old": {temp}, "new": {"c1-chose-this-one"}, "confirm": {"c1-chose-that-one"}}
		if resp, doc := c1.post("/account/password", form); resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field=confirm] .field-error, [data-field=confirm]`).Length() == 0 {
			t.Fatalf("the two new passwords must agree: %d", resp.StatusCode)
		}
		form.Set("confirm", "c1-chose-this-one")
		if resp, _ := c1.post("/account/password", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("change: %d", resp.StatusCode)
		}
		if status, _ := c1.get("/elders"); status != 200 {
			t.Fatalf("after the change: %d", status)
		}

		resp, doc := a.post("/users/"+id+"/revoke", url.Values{"csrf": {csrf}})
		if resp.StatusCode != 200 || !strings.Contains(doc.Find(".flash").Text(), "c1") {
			t.Fatalf("revoke without htmx shows the page with the result: %d", resp.StatusCode)
		}
		if status, _ := c1.get("/elders"); status != http.StatusSeeOther {
			t.Fatalf("revoked: %d", status)
		}

		c2 := newBrowser(t, srv)
		c2csrf := c2.login("c2")
		if status, _ := c2.htmx("/users/"+id+"/disable", c2csrf); status != http.StatusForbidden {
			t.Fatalf("only an administrator: %d", status)
		}
	})
}

func TestAccountPageSessionsAndPassword(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		srv := newServer(t, db)
		laptop, phone := newBrowser(t, srv), newBrowser(t, srv)
		phone.login("v1")
		laptop.login("v1")
		_, doc := laptop.get("/account")
		if doc.Find(`header a[href="/account"]`).Length() != 1 {
			t.Fatal("the header links to the account page")
		}
		rows := doc.Find("tr[data-session]")
		if rows.Length() != 2 || doc.Find("tr[data-session] strong").Length() != 1 {
			t.Fatalf("two sessions, one current: %d", rows.Length())
		}
		var other string
		rows.Each(func(_ int, r *goquery.Selection) {
			if r.Find("form").Length() == 1 {
				other, _ = r.Attr("data-session")
			}
		})
		if status, _ := laptop.htmx("/account/sessions/"+other+"/end", csrfOf(doc)); status != 200 {
			t.Fatalf("end: %d", status)
		}
		if status, _ := phone.get("/account"); status != http.StatusSeeOther {
			t.Fatalf("the phone is logged out: %d", status)
		}
		form := url.Values{"csrf": {csrfOf(doc)}, "old": {storetest.Password}, "new": {"password123"}, "confirm": {"password123"}}
		if resp, _ := laptop.post("/account/password", form); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a common password: %d", resp.StatusCode)
		}
		form = url.Values{"csrf": {csrfOf(doc)}, "old": {storetest.Password}, "new": {"v1-new-password"}, "confirm": {"v1-new-password"}}
		if resp, doc := laptop.post("/account/password", form); resp.StatusCode != 200 || doc.Find(".flash").Length() != 1 {
			t.Fatalf("change: %d", resp.StatusCode)
		}
		if resp := phone.loginWith("v1", "v1-new-password"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the new password works: %d", resp.StatusCode)
		}
	})
}

func TestWebLoginRetryAfter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db)) // 10 free failures
		for i := range 10 {
			if resp := b.loginWith("c1", "wrong-password"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, resp.StatusCode)
			}
		}
		resp := b.loginWith("c1", storetest.Password)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("429 with Retry-After: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
}

// TestUsersFormRefusesAStreetThatIsNotTheCommunitys: a community account
// whose street is not its community's is refused in place, naming the
// street field in Chinese; left empty, the community's street is taken.
func TestUsersFormRefusesAStreetThatIsNotTheCommunitys(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		admin := &care.User{Username: "admin", Role: care.RoleAdmin}
		if err := db.CreateUser(ctx, f.Admin, admin, storetest.Password); err != nil {
			t.Fatal(err)
		}
		other := care.Street{Name: "安乐街道", District: "鼓楼区"}
		if err := db.CreateStreet(ctx, f.Admin, &other); err != nil {
			t.Fatal(err)
		}
		a := newBrowser(t, newServer(t, db))
		a.login("admin")
		_, doc := a.get("/users")
		form := url.Values{"csrf": {csrfOf(doc)}, "username": {"newstaff"}, "role": {care.RoleCommunity}, "password": {"a-long-and-fine-one"},
			"street_id": {strconv.FormatInt(other.ID, 10)}, "community_id": {strconv.FormatInt(f.C1.ID, 10)}}
		resp, page := a.post("/users", form)
		msg := page.Find(`[data-field="street_id"] .field-error`).Text()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "与所选社区所在的街道不一致") {
			t.Fatalf("a street not the community's: %d %q", resp.StatusCode, msg)
		}
		if _, err := db.Authenticate(ctx, "newstaff", "a-long-and-fine-one"); err == nil {
			t.Fatal("the refused account was created")
		}
		form.Set("street_id", "")
		if resp, _ := a.post("/users", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("without a street: %d", resp.StatusCode)
		}
		if u, err := db.Authenticate(ctx, "newstaff", "a-long-and-fine-one"); err != nil || u.StreetID != f.Street.ID {
			t.Fatalf("the account takes its community's street: %+v %v", u, err)
		}
	})
}
