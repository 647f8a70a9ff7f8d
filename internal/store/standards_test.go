package store_test

import (
	"context"
	"slices"
	"testing"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func find(set *store.StandardSet, code string, from calendar.Date) *compliance.Standard {
	for _, v := range set.Standards {
		if v.Standard.Code == code && v.Standard.EffectiveFrom == from {
			return &v.Standard
		}
	}
	return nil
}

func TestStandardsAreVersionedNeverRewritten(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		set, err := db.Standards(ctx, f.Comm1)
		if err != nil || !set.Default || len(set.Standards) != len(compliance.DefaultStandards()) || set.Version != 0 {
			t.Fatalf("a new street has the programme's defaults: %+v %v", set, err)
		}
		monday := calendar.NewDate(2026, 11, 30)
		chats := compliance.DefaultStandards()[1]
		chats.Required, chats.EffectiveFrom = 3, monday
		if err := db.SaveStandard(ctx, f.Comm1, chats); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("only the station edits standards: %v", err)
		}
		past := chats
		past.EffectiveFrom = calendar.NewDate(2026, 11, 1)
		if err := db.SaveStandard(ctx, f.Station, past); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("the past keeps its standard: %v", err)
		}
		bad := chats
		bad.Required = 0
		err = db.SaveStandard(ctx, f.Station, bad)
		if ce, ok := err.(*care.Error); !ok || ce.Code != care.EInvalid || ce.Fields["standard"].EN == "" {
			t.Fatalf("the engine's validation is reported: %v", err)
		}
		if err := db.SaveStandard(ctx, f.Station, chats); err != nil {
			t.Fatal(err)
		}
		set, _ = db.Standards(ctx, f.Station)
		if set.Default || set.Version != 1 || len(set.Standards) != len(compliance.DefaultStandards())+1 {
			t.Fatalf("defaults stored and the new version added: %+v", set)
		}
		if old := find(set, "neighbour_weekly_chat", 0); old == nil || old.Required != 2 {
			t.Fatalf("the old version stays for past weeks: %+v", old)
		}
		chats.Required = 4 // a correction of a version that has not begun replaces it
		if err := db.SaveStandard(ctx, f.Station, chats); err != nil {
			t.Fatal(err)
		}
		set, _ = db.Standards(ctx, f.Station)
		if v := find(set, "neighbour_weekly_chat", monday); v == nil || v.Required != 4 || set.Version != 2 {
			t.Fatalf("replaced: %+v", v)
		}
		log, _ := db.AuditLog(ctx, f.Station, "standard", set.Standards[len(set.Standards)-1].ID, 5)
		if len(log) != 2 || log[0].Action != "update" || log[0].Before == "" {
			t.Fatalf("every change audited with before and after: %+v", log)
		}
	})
}

func TestAddedFestivalCountsOnlyFromItsDay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		from := calendar.NewDate(2026, 12, 1)
		laba := calendar.FestivalDef{Code: "laba", Name: "腊八节", Lunar: true, Month: 12, Day: 8}
		if err := db.AddFestival(ctx, f.Station, laba, from); err != nil {
			t.Fatal(err)
		}
		if err := db.AddFestival(ctx, f.Station, laba, from); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("a code once: %v", err)
		}
		set, _ := db.Standards(ctx, f.Station)
		if len(set.Festivals) != 1 || set.Festivals[0].EffectiveFrom != from {
			t.Fatalf("festivals: %+v", set.Festivals)
		}
		old := find(set, "social_festival_visit", 0)
		if old == nil || len(old.Festivals) != 5 || slices.Contains(old.Festivals, "laba") || !slices.Contains(old.Festivals, "birthday") {
			t.Fatalf("earlier windows keep the occasions known then: %+v", old)
		}
		if v := find(set, "social_festival_visit", from); v == nil || len(v.Festivals) != 0 || v.Window != calendar.DefaultWindow() {
			t.Fatalf("from its day every occasion counts again: %+v", v)
		}
		cfg, err := set.Config(db.Loc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := compliance.NewState(cfg); err != nil {
			t.Fatalf("the set is valid for the engine: %v", err)
		}
	})
}
