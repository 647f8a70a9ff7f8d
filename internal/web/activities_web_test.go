package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"carecircle/internal/activity"
	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// hxDo posts a form as htmx does and parses the fragment answered.
func (b *browser) hxDo(path string, form url.Values) (int, *goquery.Document) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(form.Encode()))
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

// todayActivity plans an activity of community 1 this afternoon (the
// fixture's clock is 10:00) with a cap and one checklist item owned by
// volunteer 1.
func todayActivity(t *testing.T, db *store.DB, f *storetest.Fixture, cap int) *activity.Activity {
	t.Helper()
	x := &activity.Activity{CommunityID: f.C1.ID, Theme: "重阳节包饺子", Place: "社区活动室", Date: db.Today(), StartTime: "14:00", EndTime: "16:00",
		Cap: cap, Status: activity.StatusPlanned}
	if err := db.CreateActivity(context.Background(), f.Comm1, x, []activity.ChecklistItem{{Item: "借用活动室"}, {Item: "采购面粉和馅料", OwnerVolunteerID: f.Vol1.ID}}); err != nil {
		t.Fatal(err)
	}
	return x
}

// Staff plan from a template and from scratch; a bad plan is refused at
// its fields and stores nothing; the list shows what is coming up.
func TestActivityPlanning(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		for _, mode := range []string{"single", "series", "nursing_home", "monthly_series"} {
			if code, doc := c1.get("/activities/new?mode=" + mode); code != http.StatusOK || doc.Find("form.activity-form").Length() != 1 {
				t.Fatalf("new %s: %d", mode, code)
			}
		}
		resp, doc := c1.post("/activities", url.Values{"csrf": {csrf}, "mode": {"single"}, "date": {"2026-12-05"}, "start_time": {"10:00"}, "end_time": {"09:00"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field="theme"] .field-error`).Length() != 1 ||
			doc.Find(`[data-field="end_time"] .field-error`).Length() != 1 {
			t.Fatalf("bad plan: %d %q", resp.StatusCode, doc.Find(".field-error").Text())
		}
		if list, _ := db.Activities(ctx, f.Comm1, store.ActivityFilter{}); len(list) != 0 {
			t.Fatalf("a refused plan stored %d activities", len(list))
		}
		resp, _ = c1.post("/activities", url.Values{"csrf": {csrf}, "mode": {"nursing_home"}, "date": {"2026-12-05"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/activities/") {
			t.Fatalf("from the template: %d %s", resp.StatusCode, loc)
		}
		code, doc := c1.get(loc)
		if code != http.StatusOK || doc.Find("#checklist li.activity-item").Length() == 0 || !strings.Contains(doc.Find(".notice").Text(), "已策划活动") {
			t.Fatalf("activity page: %d items %d", code, doc.Find("#checklist li.activity-item").Length())
		}
		resp, _ = c1.post("/activities", url.Values{"csrf": {csrf}, "mode": {"series"}, "theme": {"邻里互助月"}, "start_time": {"09:00"}, "end_time": {"11:00"},
			"stages": {"2026-12-10 健康讲座\n2027-01-14 包饺子"}, "checklist": {"通知老人\n准备签到表"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("series: %d", resp.StatusCode)
		}
		code, doc = c1.get(resp.Header.Get("Location"))
		if code != http.StatusOK || doc.Find("#series ol.stages li").Length() != 2 || doc.Find("#checklist li.activity-item").Length() != 2 {
			t.Fatalf("series page: %d stages %d", code, doc.Find("#series ol.stages li").Length())
		}
		code, doc = c1.get("/activities")
		if code != http.StatusOK || doc.Find("#upcoming tr[data-activity]").Length() != 3 {
			t.Fatalf("list: %d upcoming %d", code, doc.Find("#upcoming tr[data-activity]").Length())
		}
	})
}

// A volunteer signs up with one tap (the cap shown and kept), checks in on
// the day and ticks the item they own; staff tick an item, correct the
// attendance in place, name the elders and finish the activity.
func TestActivityDay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		x := todayActivity(t, db, f, 1)
		// The clock moves while the server (and its tracker) runs.
		var now atomic.Int64
		now.Store(db.Now().UnixNano())
		db.Now = func() time.Time { return time.Unix(0, now.Load()).In(db.Loc) }
		srv := newServer(t, db)
		v1 := newBrowser(t, srv)
		vcsrf := v1.login("v1")
		id := itoa(x.ID)
		code, doc := v1.get("/activities")
		card := doc.Find("#activity-" + id)
		if code != http.StatusOK || card.Find(".signup-button").Length() != 1 || !strings.Contains(card.Find(".cap").Text(), "0 / 1") {
			t.Fatalf("phone list: %d %q", code, card.Text())
		}
		code, frag := v1.hxDo("/activities/"+id+"/signup", url.Values{"csrf": {vcsrf}})
		if code != http.StatusOK || !strings.Contains(frag.Find(".notice").Text(), "已报名") || frag.Find(".checkin-button").Length() != 1 ||
			!strings.Contains(frag.Find(".cap").Text(), "1 / 1") {
			t.Fatalf("sign up: %d %q", code, frag.Text())
		}
		code, frag = v1.hxDo("/activities/"+id+"/checkin", url.Values{"csrf": {vcsrf}})
		if code != http.StatusOK || frag.Find(".checked-in").Length() != 1 {
			t.Fatalf("check in: %d %q", code, frag.Text())
		}
		// Cancelling after checking in is refused, in place.
		code, frag = v1.hxDo("/activities/"+id+"/cancel-signup", url.Values{"csrf": {vcsrf}})
		if code != http.StatusUnprocessableEntity || frag.Find(".refused").Length() != 1 {
			t.Fatalf("cancel after check-in: %d %q", code, frag.Text())
		}
		det, err := db.ActivityDetail(ctx, f.Comm1, x.ID)
		if err != nil || len(det.Signups) != 1 || !det.Signups[0].Present || det.Signups[0].Minutes != 120 {
			t.Fatalf("signups: %+v %v", det.Signups, err)
		}
		// The volunteer's own item, ticked from the phone.
		var own, other int64
		for _, it := range det.Checklist {
			if it.OwnerVolunteerID == f.Vol1.ID {
				own = it.ID
			} else {
				other = it.ID
			}
		}
		code, frag = v1.hxDo("/activities/"+id+"/checklist/"+itoa(own), url.Values{"csrf": {vcsrf}, "done": {"1"}})
		if code != http.StatusOK || frag.Find("li.activity-item.done").Length() != 1 {
			t.Fatalf("volunteer tick: %d %q", code, frag.Text())
		}
		if code, _ = v1.hxDo("/activities/"+id+"/checklist/"+itoa(other), url.Values{"csrf": {vcsrf}, "done": {"1"}}); code == http.StatusOK {
			t.Fatal("a volunteer ticked an item they do not own")
		}
		// Staff.
		c1 := newBrowser(t, srv)
		csrf := c1.login("c1")
		code, frag = c1.hxDo("/activities/"+id+"/checklist/"+itoa(other), url.Values{"csrf": {csrf}, "done": {"1"}})
		if code != http.StatusOK || frag.Find("li.activity-item.done").Length() != 1 || !strings.Contains(frag.Find(".notice").Text(), "已完成") {
			t.Fatalf("staff tick: %d %q", code, frag.Text())
		}
		// Attendance is corrected once the activity has begun.
		now.Store(time.Date(2026, 11, 29, 18, 0, 0, 0, db.Loc).UnixNano())
		code, frag = c1.hxDo("/activities/"+id+"/attendance/"+itoa(f.Vol1.ID), url.Values{"csrf": {csrf}, "present": {"1"}, "minutes": {"900"}})
		if code != http.StatusUnprocessableEntity || frag.Find(".refused").Length() != 1 {
			t.Fatalf("bad minutes: %d %q", code, frag.Text())
		}
		code, frag = c1.hxDo("/activities/"+id+"/attendance/"+itoa(f.Vol1.ID), url.Values{"csrf": {csrf}, "present": {"1"}, "minutes": {"90"}})
		if code != http.StatusOK || !strings.Contains(frag.Text(), "已保存") || !strings.Contains(frag.Text(), "90") {
			t.Fatalf("correct minutes: %d %q", code, frag.Text())
		}
		// A volunteer who came without signing up, by name.
		walkIn := care.Volunteer{Name: "钱多多", Phone: "13700000009", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 2}
		if err := db.CreateVolunteer(ctx, f.Comm1, &walkIn); err != nil {
			t.Fatal(err)
		}
		resp, doc := c1.post("/activities/"+id+"/attendance", url.Values{"csrf": {csrf}, "volunteer": {f.Vol2.Name}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field="volunteer"] .field-error`).Length() != 1 {
			t.Fatalf("another community's volunteer: %d", resp.StatusCode)
		}
		resp, _ = c1.post("/activities/"+id+"/attendance", url.Values{"csrf": {csrf}, "volunteer": {walkIn.Name}, "minutes": {"60"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("walk-in: %d", resp.StatusCode)
		}
		if det, err := db.ActivityDetail(ctx, f.Comm1, x.ID); err != nil || len(det.Signups) != 2 {
			t.Fatalf("sign-ups after the walk-in: %+v %v", det, err)
		}
		resp, _ = c1.post("/activities/"+id+"/elders", url.Values{"csrf": {csrf}, "elders": {f.Elder1.Name + "，" + f.Elder2.Name + " #" + itoa(f.Elder2.ID)}, "residents": {"0"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("elders: %d", resp.StatusCode)
		}
		// Finishing needs a summary.
		resp, doc = c1.post("/activities/"+id+"/finish", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-field="summary"] .field-error`).Length() != 1 {
			t.Fatalf("finish without summary: %d", resp.StatusCode)
		}
		resp, _ = c1.post("/activities/"+id+"/finish", url.Values{"csrf": {csrf}, "summary": {"老人们很开心，包了两百个饺子"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("finish: %d", resp.StatusCode)
		}
		code, doc = c1.get("/activities/" + id)
		if code != http.StatusOK || !strings.Contains(doc.Find("#summary .summary").Text(), "两百个饺子") || doc.Find("#elders li").Length() != 2 {
			t.Fatalf("held page: %d %q", code, doc.Find("#summary").Text())
		}
		acct, err := db.VolunteerHours(ctx, f.Comm1, f.Vol1.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range acct.Entries {
			found = found || (e.Source == "activity" && e.Minutes == 90)
		}
		if !found {
			t.Fatalf("hours: %+v", acct.Entries)
		}
	})
}

// The staff home lists the coming activities; the volunteer's today page
// links to 活动 with how many are open.
func TestActivitiesOnHomePages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		x := todayActivity(t, db, f, 0)
		srv := newServer(t, db)
		c1 := newBrowser(t, srv)
		c1.login("c1")
		code, doc := c1.get("/")
		if code != http.StatusOK || doc.Find(`#home-activities li[data-activity="`+itoa(x.ID)+`"]`).Length() != 1 {
			t.Fatalf("staff home: %d %q", code, doc.Find("#home-activities").Text())
		}
		v1 := newBrowser(t, srv)
		v1.login("v1")
		code, doc = v1.get("/today")
		if code != http.StatusOK || strings.TrimSpace(doc.Find(`.today-links a[href="/activities"] .flag`).Text()) != "1" {
			t.Fatalf("today link: %d %q", code, doc.Find(".today-links").Text())
		}
	})
}

// The activity pages speak English when asked.
func TestActivityPagesInEnglish(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		x := todayActivity(t, db, f, 3)
		for _, who := range []string{"c1", "v1"} {
			b := newBrowser(t, newServer(t, db))
			csrf := b.login(who)
			b.post("/prefs", url.Values{"lang": {"en"}, "csrf": {csrf}})
			paths := []string{"/activities", "/activities/" + itoa(x.ID)}
			if who == "c1" {
				paths = append(paths, "/activities/new?mode=single", "/activities/new?mode=nursing_home", "/households")
			}
			for _, path := range paths {
				status, doc := b.get(path)
				if status != http.StatusOK {
					t.Fatalf("%s %s: %d", who, path, status)
				}
				doc.Find("dd, option, .person-name, .item-text, td a, .when, textarea, input").Remove()
				text := strings.NewReplacer(f.C1.Name, "", f.C2.Name, "", f.Street.Name, "", f.Vol1.Name, "", x.Theme, "").Replace(doc.Find("main").Text())
				if han := regexp.MustCompile(`\p{Han}+`).FindAllString(text, -1); len(han) > 0 {
					t.Errorf("%s %s in English shows %q", who, path, han)
				}
			}
		}
	})
}
