package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestNamesInsteadOfCodes (issue 14 point 5): /standards reads in Chinese
// — no neighbour_daily_greeting, default or spring_festival on the page —
// and accounts are named by their display name.
func TestNamesInsteadOfCodes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		b := newBrowser(t, newServer(t, db))
		b.login("station")
		status, doc := b.get("/standards")
		if status != http.StatusOK {
			t.Fatalf("/standards: %d", status)
		}
		doc.Find("form, script, style, details.edit").Remove()
		text := doc.Find("main").Text()
		for _, code := range []string{"neighbour_daily_greeting", "spring_festival", "default"} {
			if strings.Contains(text, code) {
				t.Fatalf("/standards shows the code %q: %s", code, text)
			}
		}
		if !strings.Contains(text, "系统默认") || !strings.Contains(text, "春节") {
			t.Fatalf("/standards names the defaults and the festivals: %s", text)
		}

		u := &care.User{Username: "station2", DisplayName: "王芳", Role: care.RoleStation, StreetID: f.Street.ID}
		if err := db.CreateUser(context.Background(), f.Admin, u, storetest.Password); err != nil {
			t.Fatal(err)
		}
		names, err := db.DisplayNames(context.Background())
		if err != nil || names["station2"] != "王芳" || names["station"] != "" {
			t.Fatalf("display names: %v %v", names, err)
		}
	})
}

// TestSignaturesAndCorrectionsNamePeople: the card's signature, a
// correction on the card and the inspection's list of corrections name
// the staff by their display name, never by their user name.
func TestSignaturesAndCorrectionsNamePeople(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		for _, u := range []*care.User{
			{Username: "wangfang", DisplayName: "王芳", Role: care.RoleStation, StreetID: f.Street.ID},
			{Username: "liumin", DisplayName: "刘敏", Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID},
		} {
			if err := db.CreateUser(ctx, f.Admin, u, storetest.Password); err != nil {
				t.Fatal(err)
			}
		}
		signer := care.Actor{Role: care.RoleStation, StreetID: f.Street.ID, Username: "wangfang"}
		clerk := care.Actor{Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID, Username: "liumin"}
		rec := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "life", Type: "greeting", At: db.Now().Add(-time.Hour)}
		if err := db.AddService(ctx, f.Volunteer, rec, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		storetest.MonthEnded(db)
		if _, err := db.SignCard(ctx, signer, f.Elder1.ID, "2026-11", "pass", ""); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, db.Loc) }
		if _, err := db.AddAmendment(ctx, clerk, rec.ID, "时间录错", map[string]any{"note": "上午敲门"}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, newServer(t, db))
		b.login("station")
		_, card := b.get("/elders/" + itoa(f.Elder1.ID) + "/card?month=2026-11")
		sig, amend := card.Find(".signature").Text(), card.Find("tr.amendment").Text()
		if !strings.Contains(sig, "王芳") || strings.Contains(sig, "wangfang") || !strings.Contains(amend, "刘敏") || strings.Contains(amend, "liumin") {
			t.Fatalf("the card names %q and %q", sig, amend)
		}
		_, insp := b.get("/inspection?month=2026-11")
		if c := insp.Find("#corrections").Text(); !strings.Contains(c, "刘敏") || strings.Contains(c, "liumin") {
			t.Fatalf("the inspection's corrections name %q", c)
		}
	})
}
