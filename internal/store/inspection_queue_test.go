package store_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestInspectionFlagsMeanWhatNeedsALook: a clinic's call and a record
// copied from the paper card are no flag (they made every card 未核验); a
// daily greeting without proof is its own, lighter flag; a volunteer's other
// service without proof is 未核验; a struck-out record does not count. The
// inspection rows (SQL) agree with the card (Go), the queue filters and
// sorts them, and the greetings-only cards are signed in bulk, audited.
func TestInspectionFlagsMeanWhatNeedsALook(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: f.Elder2.ID, VolunteerID: f.Vol1.ID}))
		code1, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		code2, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder2.ID, "2026-11")
		// Elder 1: a greeting by the card, one without proof, the clinic's call, a paper record.
		must(db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 7)), store.Proof{Method: "qr", Code: code1}))
		must(db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{}))
		must(db.AddService(ctx, f.ClinicA, &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "health", Type: "health_inquiry", At: at(db, 9)}, store.Proof{}))
		must(db.AddService(ctx, f.Comm1, &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: at(db, 9), Source: "paper", VolunteerID: &f.Vol1.ID}, store.Proof{}))
		// Elder 2: a greeting by the card, a chat without proof, a greeting without proof struck out.
		must(db.AddService(ctx, f.Volunteer, greeting(f, f.Elder2.ID, at(db, 7)), store.Proof{Method: "qr", Code: code2}))
		must(db.AddService(ctx, f.Volunteer, &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "spirit", Type: "chat", At: at(db, 8)}, store.Proof{}))
		struck := greeting(f, f.Elder2.ID, at(db, 9))
		must(db.AddService(ctx, f.Volunteer, struck, store.Proof{}))
		_, err := db.AddAmendment(ctx, f.Comm1, struck.ID, "重复记录", map[string]any{"void": true})
		must(err)
		storetest.MonthEnded(db)

		rows, err := db.Inspection(ctx, f.Station, "2026-11", 0)
		must(err)
		byID := map[int64]store.InspectionRow{}
		for _, r := range rows {
			byID[r.ElderID] = r
			card, err := db.GetCard(ctx, f.Station, r.ElderID, "2026-11")
			must(err)
			if card.Flags != r.Flags() {
				t.Errorf("elder %d: inspection flags %+v, card flags %+v", r.ElderID, r.Flags(), card.Flags)
			}
		}
		e1, e2, e3 := byID[f.Elder1.ID].Flags(), byID[f.Elder2.ID].Flags(), byID[f.Elder3.ID].Flags()
		if e1.Services != 4 || e1.Unverified != 0 || e1.UnverifiedGreetings != 1 || e1.Proven != 1 || !e1.GreetingsOnly() || e1.Clean() {
			t.Errorf("elder 1 (only a greeting without proof): %+v", e1)
		}
		if e2.Services != 2 || e2.Unverified != 1 || e2.UnverifiedGreetings != 0 || e2.GreetingsOnly() || e2.Clean() {
			t.Errorf("elder 2 (a chat without proof; the struck-out greeting does not count): %+v", e2)
		}
		if !e3.Missing || e3.Clean() {
			t.Errorf("elder 3 (no service): %+v", e3)
		}

		queue := func(fl store.InspectionFilter) []int64 {
			t.Helper()
			fl.Month = "2026-11"
			q, err := db.InspectionQueue(ctx, f.Station, fl)
			must(err)
			var ids []int64
			for _, r := range q {
				ids = append(ids, r.ElderID)
			}
			return ids
		}
		eq := func(name string, got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: %v, want %v", name, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %v, want %v", name, got, want)
					return
				}
			}
		}
		eq("greetings only", queue(store.InspectionFilter{Flag: "greetings"}), f.Elder1.ID)
		eq("unverified", queue(store.InspectionFilter{Flag: "unverified"}), f.Elder2.ID)
		eq("missing", queue(store.InspectionFilter{Flag: "missing"}), f.Elder3.ID)
		eq("community 2", queue(store.InspectionFilter{CommunityID: f.C2.ID}), f.Elder3.ID)
		eq("most flags first", queue(store.InspectionFilter{Sort: "flags"}), f.Elder3.ID, f.Elder2.ID, f.Elder1.ID)
		if _, err := db.InspectionQueue(ctx, f.Station, store.InspectionFilter{Month: "2026-11", Flag: "bogus", Sort: "x"}); err == nil ||
			!strings.Contains(err.Error(), "flag") || !strings.Contains(err.Error(), "sort") {
			t.Errorf("unknown flag and sort: %v", err)
		}

		sum := store.SummariseGreetingsOnly(rows)
		if len(sum) != 1 || sum[0].CommunityID != f.C1.ID || sum[0].Cards != 1 || sum[0].Greetings != 1 {
			t.Fatalf("summary: %+v", sum)
		}
		n, err := db.SignGreetingsOnlyCards(ctx, f.Station, []int64{f.Elder1.ID, f.Elder2.ID, f.Elder3.ID}, "2026-11")
		if err != nil || n != 1 {
			t.Fatalf("greetings-only signing signed %d (%v), want elder 1 only", n, err)
		}
		card, _ := db.GetCard(ctx, f.Station, f.Elder1.ID, "2026-11")
		if card.Signature == nil || card.Signature.Result != "pass" || !strings.Contains(card.Signature.Comment, "1 次敲门问候未核验") {
			t.Fatalf("the signature says what was accepted: %+v", card.Signature)
		}
		if log, _ := db.AuditLog(ctx, f.Station, "elder", f.Elder1.ID, 1); len(log) != 1 || log[0].Action != "sign_card" {
			t.Fatalf("audited: %+v", log)
		}
		eq("signed", queue(store.InspectionFilter{Signed: "yes"}), f.Elder1.ID)
		eq("unsigned by name", queue(store.InspectionFilter{Signed: "no", Sort: "name"}), f.Elder3.ID, f.Elder2.ID) // 刘 < 陈 in code points
		if _, err := db.SignGreetingsOnlyCards(ctx, f.Comm1, []int64{f.Elder2.ID}, "2026-11"); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community staff cannot sign: %v", err)
		}
	})
}
