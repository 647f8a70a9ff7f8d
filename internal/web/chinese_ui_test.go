package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// englishRun is three or more Latin words in a row: an English sentence
// (or a piece of one) where the Chinese UI should speak Chinese only.
var englishRun = regexp.MustCompile(`[A-Za-z][a-z']+(?:[ ,;:]+[A-Za-z][a-z']+){2,}`)

// latinAllowed are Latin runs that belong in the Chinese UI: proper names,
// units, formats and codes.
var latinAllowed = []string{"Microsoft Excel", "CareCircle"}

func englishIn(s string) string {
	for _, m := range englishRun.FindAllString(s, -1) {
		allowed := false
		for _, a := range latinAllowed {
			if strings.Contains(a, m) {
				allowed = true
			}
		}
		if !allowed {
			return m
		}
	}
	return ""
}

// TestChineseUISpeaksChineseOnly crawls each role's pages from its home
// (links on the site, up to a bound) and checks every text node and every
// label-like attribute for English sentences; and it submits invalid forms
// and checks their messages too.
func TestChineseUISpeaksChineseOnly(t *testing.T) {
	if englishIn("输入有误 / invalid input given") == "" || englishIn("导出 Microsoft Excel 表格 2026-11") != "" {
		t.Fatal("the English detector")
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		if err := db.CreateUser(context.Background(), f.Admin, &care.User{Username: "admin", Role: care.RoleAdmin}, storetest.Password); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db)
		for _, user := range []string{"station", "c1", "v1", "clinic", "viewer", "admin"} {
			b := newBrowser(t, srv)
			b.login(user)
			seen := map[string]bool{}
			queue := []string{"/"}
			for len(queue) > 0 && len(seen) < 120 {
				path := queue[0]
				queue = queue[1:]
				if seen[path] {
					continue
				}
				seen[path] = true
				doc, err := b.tryGet(path)
				if err != nil {
					t.Errorf("%s %s: %v", user, path, err)
					continue
				}
				if where, what := englishOnPage(doc); what != "" {
					t.Errorf("%s %s: English in the Chinese UI (%s): %q", user, path, where, what)
				}
				doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
					if next, ok := crawlable(a.AttrOr("href", "")); ok && !seen[next] {
						queue = append(queue, next)
					}
				})
			}
			t.Logf("%s: %d pages", user, len(seen))
		}
		// A refusal whose message is written "中文 / English".
		st := newBrowser(t, srv)
		csrf := st.login("station")
		if _, doc := st.post("/register/imports", url.Values{"csrf": {csrf}, "kind": {"elders"}}); doc != nil {
			if where, what := englishOnPage(doc); what != "" || !strings.Contains(doc.Text(), "请选择要导入的") {
				t.Errorf("an import without a file: English in the Chinese UI (%s): %q, or no reason: %q", where, what, doc.Find("main").Text())
			}
		}
		// The messages of refused forms.
		browsers := map[string]*browser{}
		for _, c := range formCases() {
			b, ok := browsers[c.user]
			if !ok {
				b = newBrowser(t, srv)
				browsers[c.user] = b
				b.login(c.user)
			}
			_, home := b.get("/account")
			form := c.form(f)
			form.Set("csrf", csrfOf(home))
			_, doc := b.post(c.post(f), form)
			if where, what := englishOnPage(doc); what != "" {
				t.Errorf("%s: English in the Chinese UI (%s): %q", c.name, where, what)
			}
		}
	})
}

// crawlable keeps links to pages of the site that only show something:
// no logout, no downloads, no language switch.
func crawlable(href string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || u.Path == "" {
		return "", false
	}
	for _, skip := range []string{"/logout", "/static/", "/register/export", "/export", ".xlsx", ".csv", ".pdf", "/prefs", "/qr"} {
		if strings.Contains(u.Path, skip) {
			return "", false
		}
	}
	u.Fragment = ""
	return u.String(), true
}

func englishOnPage(doc *goquery.Document) (string, string) {
	var where, what string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if what != "" {
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code", "svg", "head":
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "placeholder", "aria-label", "title", "alt":
					if m := englishIn(a.Val); m != "" {
						where, what = n.Data+"["+a.Key+"]", m
						return
					}
				}
			}
		}
		if n.Type == html.TextNode {
			if m := englishIn(n.Data); m != "" {
				where, what = "text in <"+n.Parent.Data+">", m
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	return where, what
}

// tryGet fetches a page and parses it, reporting a failure instead of
// stopping the crawl.
func (b *browser) tryGet(path string) (*goquery.Document, error) {
	resp, err := b.client.Get(b.srv.URL + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return goquery.NewDocumentFromReader(resp.Body)
}
