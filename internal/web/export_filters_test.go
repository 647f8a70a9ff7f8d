package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// listNames reads every page of a filtered list (following its pager) and
// returns the names it shows, and the export link of its first page.
func listNames(t *testing.T, b *browser, path string) (names []string, export string) {
	t.Helper()
	for next := path; next != ""; {
		status, doc := b.get(next)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", next, status)
		}
		if export == "" {
			export, _ = doc.Find("a.export-link").Attr("href")
		}
		doc.Find(`div[id$="-results"] table.list tbody tr td a[href^="/elders/"], div[id$="-results"] table.list tbody tr td a[href^="/volunteers/"]`).Each(func(_ int, a *goquery.Selection) {
			names = append(names, a.Text())
		})
		next = ""
		if href, ok := doc.Find("nav.pager a").Last().Attr("href"); ok && doc.Find("nav.pager a").Last().Text() == "›" {
			base := path
			if i := strings.IndexByte(base, '?'); i >= 0 {
				base = base[:i]
			}
			next = base + href
		}
	}
	slices.Sort(names)
	return names, export
}

// exportNames downloads an export link and returns the 姓名 column.
func exportNames(t *testing.T, b *browser, link string) []string {
	t.Helper()
	resp, err := b.client.Get(b.srv.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export %s: %d %s", link, resp.StatusCode, data)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) == 0 {
		t.Fatalf("export rows: %v", err)
	}
	col := slices.Index(rows[0], "姓名")
	if col < 0 {
		t.Fatalf("no 姓名 column in %v", rows[0])
	}
	var names []string
	for _, r := range rows[1:] {
		if col < len(r) && r[col] != "" {
			names = append(names, r[col])
		}
	}
	slices.Sort(names)
	return names
}

// TestExportHoldsExactlyTheListedRows follows the export link of the
// elder and volunteer lists under several filters (a list of more than
// one page among them) and finds in the file exactly the people the list
// shows, and the filter in the export's audit entry. The link used to
// escape its "=" (?category%3Dthree_no), so a list of 4 exported everyone.
func TestExportHoldsExactlyTheListedRows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		cats := []string{"three_no", "empty_nest", "sick_disabled", "advanced_age"}
		cares := []string{"independent", "partial", "dependent"}
		for i := range 40 {
			comm, actor := f.C1.ID, f.Comm1
			if i%3 == 0 {
				comm, actor = f.C2.ID, f.Comm2
			}
			e := storetest.NewElder(fmt.Sprintf("导出老人%02d", i), comm, "1945-03-04", care.Female, 100+i)
			e.Categories, e.SelfCare = []string{cats[i%4]}, cares[(i/2)%3]
			if err := db.CreateElder(ctx, actor, &e); err != nil {
				t.Fatal(err)
			}
		}
		kinds := []string{"neighbour", "social", "committee"}
		for i := range 12 {
			v := care.Volunteer{Name: fmt.Sprintf("导出志愿者%02d", i), Phone: fmt.Sprintf("137100000%02d", i), Kind: kinds[i%3], CommunityID: f.C1.ID, Capacity: 2}
			if err := db.CreateVolunteer(ctx, f.Comm1, &v); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, newServer(t, db))
		b.login("station")
		check := func(list, query, auditEntity, inAudit string, want int) {
			t.Helper()
			names, link := listNames(t, b, list+query)
			if len(names) != want {
				t.Fatalf("%s%s lists %d people, want %d", list, query, len(names), want)
			}
			if strings.Contains(strings.ToLower(link), "%3d") {
				t.Fatalf("the export link escapes its filters: %s", link)
			}
			got := exportNames(t, b, link)
			if !slices.Equal(got, names) {
				t.Fatalf("%s%s: the list shows %d people, the export %s holds %d\nlist:   %v\nexport: %v", list, query, len(names), link, len(got), names, got)
			}
			log, err := db.AuditLog(ctx, f.Station, auditEntity, 0, 1)
			if err != nil || len(log) != 1 || !strings.HasPrefix(log[0].Action, "export") || !strings.Contains(log[0].After, inAudit) ||
				!strings.Contains(log[0].After, fmt.Sprintf(`"count":%d`, want)) {
				t.Fatalf("%s%s: the audit entry does not record the filter %s and the count %d: %+v (%v)", list, query, inAudit, want, log, err)
			}
		}
		c2 := fmt.Sprint(f.C2.ID)
		dependentInC2 := 0 // the fixture's dependent elder is in C1
		for i := range 40 {
			if i%3 == 0 && (i/2)%3 == 2 {
				dependentInC2++
			}
		}
		check("/elders", "?category=three_no", "elder", `"Category":"three_no"`, 10)
		check("/elders", "?community_id="+c2+"&self_care=dependent", "elder", `"SelfCare":"dependent"`, dependentInC2)
		check("/elders", "?q=导出老人1", "elder", `"Q":"导出老人1"`, 10)
		check("/elders", "?category=empty_nest&page=1", "elder", `"Category":"empty_nest"`, 13) // 10 made + the fixture's 3; the export has no page
		check("/elders", "", "elder", `"Category":""`, 43)                                      // two pages, everyone
		check("/volunteers", "?kind=social", "volunteer", `"Kind":"social"`, 5)
		check("/volunteers", "?community_id="+c2, "volunteer", fmt.Sprintf(`"CommunityID":%d`, f.C2.ID), 1)

		// A mangled link is refused naming the parameter, never read as "no filter".
		resp, err := b.client.Get(b.srv.URL + "/register/export/elders.xlsx?category%3Dthree_no")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "不是可用的筛选条件") {
			t.Fatalf("a mangled export link: %d %s", resp.StatusCode, body)
		}
	})
}
