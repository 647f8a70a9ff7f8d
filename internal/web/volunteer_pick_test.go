package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// pickFormValues reads a form as a browser would submit it.
func pickFormValues(form *goquery.Selection) url.Values {
	v := url.Values{}
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		switch {
		case goquery.NodeName(s) == "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			v.Add(name, opt.AttrOr("value", opt.Text()))
		case goquery.NodeName(s) == "textarea":
			v.Add(name, s.Text())
		case s.AttrOr("type", "") == "checkbox" || s.AttrOr("type", "") == "radio":
			if _, ok := s.Attr("checked"); ok {
				v.Add(name, s.AttrOr("value", "on"))
			}
		default:
			v.Add(name, s.AttrOr("value", ""))
		}
	})
	return v
}

// TestVolunteersChosenByName (issue 14 point 5): the elder form's
// preferred and refused volunteers are chosen by name, typing offers the
// volunteers of the user's scope, and an entry that names nobody comes back
// as typed with the reason at its field.
func TestVolunteersChosenByName(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("c1")
		edit := "/elders/" + itoa(f.Elder2.ID) + "/edit"
		_, doc := b.get(edit)
		in := doc.Find(`input[name=prefer]`)
		if in.AttrOr("list", "") != "prefer-options" || in.AttrOr("hx-get", "") == "" || strings.Contains(doc.Find(`[data-field=prefer]`).Text(), "编号") {
			t.Fatalf("the field is a name search: %v", in.Nodes)
		}
		status, opts := b.get("/volunteers/pick?for=prefer&prefer=" + url.QueryEscape("赵强, 李桂"))
		want := "赵强, " + f.Vol1.Name + " #" + itoa(f.Vol1.ID)
		if status != http.StatusOK || opts.Find(`option[value="`+want+`"]`).Length() != 1 {
			t.Fatalf("typing 李桂 offers %s: %d %q", want, status, opts.Text())
		}
		if _, opts := b.get("/volunteers/pick?for=prefer&prefer=" + url.QueryEscape(f.Vol2.Name)); opts.Find("option").Length() != 0 {
			t.Fatal("another community's volunteer is offered")
		}

		form := pickFormValues(doc.Find(`form[action="/elders/` + itoa(f.Elder2.ID) + `"]`))
		form.Set("prefer", "不存在的人")
		resp, doc := b.post("/elders/"+itoa(f.Elder2.ID), form)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`input[name=prefer]`).AttrOr("value", "") != "不存在的人" ||
			!strings.Contains(doc.Find(`[data-field=prefer] .field-error`).Text(), "不存在的人") {
			t.Fatalf("an unknown name is kept and named at its field: %d %q", resp.StatusCode, doc.Find(`[data-field=prefer]`).Text())
		}
		form.Set("prefer", f.Vol1.Name)
		if resp, doc := b.post("/elders/"+itoa(f.Elder2.ID), form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a name: %d %q", resp.StatusCode, doc.Find(".field-error").Text())
		}
		e, err := db.GetElder(context.Background(), f.Station, f.Elder2.ID)
		if err != nil || len(e.Wishes.Prefer) != 1 || e.Wishes.Prefer[0] != f.Vol1.ID {
			t.Fatalf("the preferred volunteer is stored: %v %v", err, e.Wishes.Prefer)
		}
		if _, doc := b.get(edit); doc.Find(`input[name=prefer]`).AttrOr("value", "") != f.Vol1.Name+" #"+itoa(f.Vol1.ID) {
			t.Fatalf("the form shows the name: %q", doc.Find(`input[name=prefer]`).AttrOr("value", ""))
		}
	})
}

// TestAccountFormKeepsItsInput: a refused account keeps what was typed
// and chosen — the volunteer number, the community — with the reason at
// the field, instead of wiping it.
func TestAccountFormKeepsItsInput(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		admin := &care.User{Username: "admin", Role: care.RoleAdmin}
		if err := db.CreateUser(context.Background(), f.Admin, admin, storetest.Password); err != nil {
			t.Fatal(err)
		}
		a := newBrowser(t, newServer(t, db))
		csrf := a.login("admin")
		resp, doc := a.post("/users", url.Values{"csrf": {csrf}, "username": {"v9"}, "password": {"short"}, "role": {"volunteer"},
			"street_id": {itoa(f.Street.ID)}, "community_id": {itoa(f.C1.ID)}, "volunteer_id": {"abc"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`input[name=volunteer_id]`).AttrOr("value", "") != "abc" ||
			doc.Find(`select[name=community_id] option[selected]`).AttrOr("value", "") != itoa(f.C1.ID) ||
			doc.Find(`[data-field=volunteer_id] .field-error`).Length() != 1 {
			t.Fatalf("the refused account form: %d %q", resp.StatusCode, doc.Find(".record").Text())
		}
	})
}

// TestAccountFormChoosesTheVolunteerByName: the administrator, who may not
// read the volunteer register, types a name, is offered the volunteers of
// that name with their community (and whether they already have an
// account), and the account is tied to the one chosen — by the offered
// "name #number" or by a name only one volunteer bears.
func TestAccountFormChoosesTheVolunteerByName(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		admin := &care.User{Username: "admin", Role: care.RoleAdmin}
		if err := db.CreateUser(ctx, f.Admin, admin, storetest.Password); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ListVolunteers(ctx, care.Actor{Role: care.RoleAdmin}, store.VolunteerFilter{}); err == nil {
			t.Fatal("the administrator reads the volunteer register")
		}
		a := newBrowser(t, newServer(t, db))
		csrf := a.login("admin")
		_, list := a.get("/volunteers/pick?for=volunteer_id&volunteer_id=" + url.QueryEscape(f.Vol1.Name[:3]))
		offered := list.Find("option").First()
		if offered.AttrOr("value", "") != f.Vol1.Name+" #"+itoa(f.Vol1.ID) || !strings.Contains(offered.Text(), f.C1.Name) ||
			strings.Contains(list.Text(), f.Vol1.Phone[len(f.Vol1.Phone)-4:]) {
			t.Fatalf("offered %q", list.Text())
		}
		_, users := a.get("/users")
		if l := users.Find(`[data-field=volunteer_id]`).Text(); strings.Contains(l, "编号") {
			t.Fatalf("the account form still asks for a number: %q", l)
		}
		for i, typed := range []string{offered.AttrOr("value", ""), f.Vol2.Name} {
			want := []int64{f.Vol1.ID, f.Vol2.ID}[i]
			community := []int64{f.C1.ID, f.C2.ID}[i]
			name := "vol-account-" + itoa(int64(i))
			resp, doc := a.post("/users", url.Values{"csrf": {csrf}, "username": {name}, "password": {storetest.Password}, "role": {"volunteer"},
				"street_id": {itoa(f.Street.ID)}, "community_id": {itoa(community)}, "volunteer_id": {typed}})
			if resp.StatusCode >= 400 {
				t.Fatalf("%q: %d %q", typed, resp.StatusCode, doc.Find(".field-error, .error").Text())
			}
			users, err := db.Users(ctx, f.Admin)
			var got int64 = -1
			for _, u := range users {
				if u.Username == name {
					got = u.VolunteerID
				}
			}
			if err != nil || got != want {
				t.Fatalf("%q tied the account to volunteer %d (%v), want %d", typed, got, err, want)
			}
		}
		_, list = a.get("/volunteers/pick?for=volunteer_id&volunteer_id=" + url.QueryEscape(f.Vol2.Name))
		if !strings.Contains(list.Text(), "已有账号 vol-account-1") {
			t.Fatalf("the list does not say the volunteer has an account: %q", list.Text())
		}
		resp, doc := a.post("/users", url.Values{"csrf": {csrf}, "username": {"nobody"}, "password": {storetest.Password}, "role": {"volunteer"},
			"street_id": {itoa(f.Street.ID)}, "community_id": {itoa(f.C1.ID)}, "volunteer_id": {"无此人"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-field=volunteer_id] .field-error`).Text(), "无此人") {
			t.Fatalf("an unknown name: %d %q", resp.StatusCode, doc.Find(`[data-field=volunteer_id]`).Text())
		}
	})
}
