package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// at is a time on the fixture's day (2026-11-29, Asia/Shanghai).
func at(db *store.DB, hour int) time.Time {
	return time.Date(2026, 11, 29, hour, 0, 0, 0, db.Loc)
}

func greeting(f *storetest.Fixture, elder int64, t time.Time) *care.ServiceRecord {
	return &care.ServiceRecord{ElderID: elder, Kind: "life", Type: "greeting", At: t}
}

func code(err error) string { return care.ErrorCode(err) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestWhoMayRecordWhat(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		r := greeting(f, f.Elder1.ID, at(db, 8))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if r.Seq != 1 || r.VolunteerID == nil || *r.VolunteerID != f.Vol1.ID || r.Verified || r.Month != "2026-11" {
			t.Fatalf("record = %+v", r)
		}
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder2.ID, at(db, 8)), store.Proof{}); code(err) != care.ENotFound {
			t.Fatalf("a volunteer logs only for paired elders, got %v", err)
		}
		if err := db.AddService(ctx, f.ClinicA, greeting(f, f.Elder1.ID, at(db, 9)), store.Proof{}); code(err) != care.EInvalid {
			t.Fatalf("a clinic logs only health services, got %v", err)
		}
		h := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "health", Type: "health_inquiry", At: at(db, 9)}
		if err := db.AddService(ctx, f.ClinicA, h, store.Proof{}); err != nil || h.ServedBy != f.Clinic.Name {
			t.Fatalf("clinic health inquiry: %v %q", err, h.ServedBy)
		}
		paper := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: at(db, 7), Source: "paper", VolunteerID: &f.Vol2.ID}
		if err := db.AddService(ctx, f.Comm1, paper, store.Proof{}); code(err) != care.EInvalid {
			t.Fatalf("a volunteer outside the team, got %v", err)
		}
		paper.VolunteerID = &f.Vol1.ID
		if err := db.AddService(ctx, f.Comm1, paper, store.Proof{}); err != nil || paper.Source != "paper" || paper.Seq != 3 {
			t.Fatalf("paper record: %v %+v", err, paper)
		}
		if err := db.AddService(ctx, f.Viewer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{}); code(err) != care.EForbidden {
			t.Fatalf("viewer: %v", err)
		}
		future := greeting(f, f.Elder1.ID, at(db, 23))
		if err := db.AddService(ctx, f.Volunteer, future, store.Proof{}); code(err) != care.EInvalid {
			t.Fatalf("a time in the future: %v", err)
		}
	})
}

func TestVerificationByCardPINAndPosition(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		e, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		lat, lon := 32.0600, 118.7800
		e.Lat, e.Lon = &lat, &lon
		if err := db.UpdateElder(ctx, f.Comm1, e, ""); err != nil {
			t.Fatal(err)
		}
		c1, err := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		r := greeting(f, f.Elder1.ID, at(db, 8))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "qr", Code: c1}); err != nil || !r.Verified {
			t.Fatalf("card code: %v verified=%v", err, r.Verified)
		}
		other, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder2.ID, "2026-11")
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{Method: "qr", Code: other}); code(err) != care.EInvalid {
			t.Fatalf("another elder's code must be refused, got %v", err)
		}
		forged := c1[:len(c1)-1] + map[bool]string{true: "0", false: "1"}[c1[len(c1)-1] != '0']
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{Method: "qr", Code: forged}); code(err) != care.EInvalid {
			t.Fatalf("a forged code must be refused, got %v", err)
		}
		c2, err := db.ReissueCard(ctx, f.Comm1, f.Elder1.ID)
		if err != nil || c2 == c1 {
			t.Fatalf("reissue: %v", err)
		}
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{Method: "qr", Code: c1}); code(err) != care.EInvalid {
			t.Fatalf("the old card's code is void after re-issue, got %v", err)
		}
		if err := db.SetElderPIN(ctx, f.Comm1, f.Elder1.ID, "12a"); code(err) != care.EInvalid {
			t.Fatalf("bad PIN accepted: %v", err)
		}
		if err := db.SetElderPIN(ctx, f.Comm1, f.Elder1.ID, "4821"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 9)), store.Proof{Method: "pin", PIN: "1111"}); code(err) != care.EInvalid {
			t.Fatalf("wrong PIN: %v", err)
		}
		r = greeting(f, f.Elder1.ID, at(db, 9))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "pin", PIN: "4821"}); err != nil || !r.Verified {
			t.Fatalf("PIN: %v %v", err, r.Verified)
		}
		nearLat, nearLon := 32.0603, 118.7801 // about 35 m
		r = greeting(f, f.Elder1.ID, at(db, 9))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "geo", Lat: &nearLat, Lon: &nearLon}); err != nil || !r.Verified {
			t.Fatalf("near: %v %v %s", err, r.Verified, r.VerifyDetail)
		}
		farLat := 32.0700 // about 1.1 km
		r = greeting(f, f.Elder1.ID, at(db, 9))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "geo", Lat: &farLat, Lon: &nearLon}); err != nil || r.Verified || !strings.HasSuffix(r.VerifyDetail, " m") {
			t.Fatalf("far: accepted but flagged with the distance: %v %v %q", err, r.Verified, r.VerifyDetail)
		}
	})
}

func TestSigningLocksTheMonthAndAmendmentsShowOnTheCard(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		r := greeting(f, f.Elder1.ID, at(db, 8))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "pass", ""); code(err) != care.EMonthNotEnded {
			t.Fatalf("the month has not ended: %v", err)
		}
		storetest.MonthEnded(db)
		if _, err := db.SignCard(ctx, f.Comm1, f.Elder1.ID, "2026-11", "pass", ""); code(err) != care.EForbidden {
			t.Fatalf("only the station signs: %v", err)
		}
		if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "needs_improvement", ""); code(err) != care.EInvalid {
			t.Fatalf("needs improvement without a comment: %v", err)
		}
		if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "pass", "按时问候"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 9)), store.Proof{}); code(err) != care.EConflict {
			t.Fatalf("a signed month takes no new records, got %v", err)
		}
		if _, err := db.AddAmendment(ctx, f.Comm1, r.ID, "", map[string]any{"note": "x"}); code(err) != care.EInvalid {
			t.Fatalf("an amendment needs a reason: %v", err)
		}
		if _, err := db.AddAmendment(ctx, f.Comm1, r.ID, "误记", map[string]any{"type": "flying"}); code(err) != care.EInvalid {
			t.Fatalf("an amendment to an impossible type: %v", err)
		}
		// Amendments are stored in the month they are made and are allowed
		// in a signed month: they correct, they add no service.
		if _, err := db.AddAmendment(ctx, f.Comm1, r.ID, "误记", map[string]any{"type": "chat"}); code(err) != care.EInvalid {
			t.Fatalf("a type of another kind is not a correction of this record: %v", err)
		}
		am, err := db.AddAmendment(ctx, f.Comm1, r.ID, "时间记错", map[string]any{"at": "2026-11-29T07:30:00+08:00"})
		if err != nil {
			t.Fatal(err)
		}
		card, err := db.GetCard(ctx, f.Station, f.Elder1.ID, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if card.Signature == nil || card.Signature.Result != "pass" || len(card.Entries) != 1 {
			t.Fatalf("card: %+v", card)
		}
		if len(card.Entries[0].Amendments) != 1 || card.Entries[0].Amendments[0].ID != am.ID || card.Entries[0].Amendments[0].AmendReason != "时间记错" {
			t.Fatalf("the amendment shows with the original: %+v", card.Entries[0].Amendments)
		}
		if !card.Flags.Clean() && card.Flags.Amended != 1 {
			t.Fatalf("flags: %+v", card.Flags)
		}
		if err := db.RawExec("UPDATE service_records SET note = 'x' WHERE id = ?", r.ID); err == nil {
			t.Fatal("the database itself must refuse to change a stored record")
		}
		if err := db.RawExec("DELETE FROM card_signatures"); err == nil {
			t.Fatal("the database itself must refuse to remove a signature")
		}
	})
}

func TestBulkSigningSignsOnlyCleanCards(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		code1, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 8)), store.Proof{Method: "qr", Code: code1}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: f.Elder2.ID, VolunteerID: f.Vol1.ID}); err != nil {
			t.Fatal(err)
		}
		// A volunteer's chat without proof is a flag; a record copied from
		// the paper card is not (its source is its proof).
		unverified := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "spirit", Type: "chat", At: at(db, 8)}
		if err := db.AddService(ctx, f.Volunteer, unverified, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		paper := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "spirit", Type: "chat", At: at(db, 9), Source: "paper", VolunteerID: &f.Vol1.ID}
		if err := db.AddService(ctx, f.Comm1, paper, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignCleanCards(ctx, f.Station, []int64{f.Elder1.ID}, "2026-11", ""); code(err) != care.EMonthNotEnded {
			t.Fatalf("bulk signing of a month that has not ended: %v", err)
		}
		storetest.MonthEnded(db)
		n, err := db.SignCleanCards(ctx, f.Station, []int64{f.Elder1.ID, f.Elder2.ID, f.Elder3.ID}, "2026-11", "")
		if err != nil || n != 1 {
			t.Fatalf("signed %d (%v), want only the clean card", n, err)
		}
		rows, err := db.Inspection(ctx, f.Station, "2026-11", f.C1.ID)
		if err != nil || len(rows) != 2 {
			t.Fatalf("inspection: %v %d", err, len(rows))
		}
		for _, r := range rows {
			switch r.ElderID {
			case f.Elder1.ID:
				if !r.Signed || r.Services != 1 {
					t.Errorf("elder1 row %+v", r)
				}
			case f.Elder2.ID:
				if r.Signed || r.Unverified != 1 || r.Services != 2 {
					t.Errorf("elder2 row %+v", r)
				}
			}
		}
		log, _ := db.AuditLog(ctx, f.Station, "elder", f.Elder1.ID, 5)
		if len(log) == 0 || log[0].Action != "sign_card" {
			t.Fatalf("each signature is audited: %+v", log)
		}
	})
}

func TestCasesFromComplaintsAndEmergencies(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		legal := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "legal", Type: "complaint", At: at(db, 8)}
		if err := db.AddService(ctx, f.Volunteer, legal, store.Proof{}); code(err) != care.EInvalid {
			t.Fatalf("a complaint needs a description: %v", err)
		}
		legal.Note = "楼上漏水，物业不处理"
		if err := db.AddService(ctx, f.Volunteer, legal, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		sos := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "emergency", Type: "emergency_help", At: at(db, 9), Note: "老人摔倒，需要送医"}
		if err := db.AddService(ctx, f.Volunteer, sos, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		cases, err := db.Cases(ctx, f.Comm1, true)
		if err != nil || len(cases) != 2 || !cases[0].Urgent || cases[0].Kind != "emergency" {
			t.Fatalf("urgent cases first: %v %+v", err, cases)
		}
		if cs, _ := db.Cases(ctx, f.Comm2, true); len(cs) != 0 {
			t.Fatal("another community sees no cases of ours")
		}
		legalCase := cases[1]
		if err := db.UpdateCase(ctx, f.Comm1, legalCase.ID, "referred", "", "已联系"); code(err) != care.EInvalid {
			t.Fatalf("referral needs a department: %v", err)
		}
		if err := db.UpdateCase(ctx, f.Comm1, legalCase.ID, "referred", "街道司法所", "转交调解"); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateCase(ctx, f.Comm1, legalCase.ID, "resolved", "", "物业已维修"); err != nil {
			t.Fatal(err)
		}
		c, err := db.GetCase(ctx, f.Comm1, legalCase.ID)
		if err != nil || c.Status != "resolved" || c.Department != "街道司法所" || len(c.Events) != 3 {
			t.Fatalf("case history: %v %+v", err, c)
		}
	})
}

func TestGroupCommitKeepsEveryRecordAndTheChain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 60)
		for i := 0; i < 60; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				a, elder := f.Volunteer, f.Elder1.ID
				if i%2 == 1 {
					a, elder = f.Comm2, f.Elder3.ID
				}
				errs <- db.AddService(ctx, a, greeting(f, elder, at(db, 1+i%8)), store.Proof{})
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := db.Verify(ctx)
		if err != nil || rep.Records != 60 || len(rep.Problems) != 0 {
			t.Fatalf("verify: %v %+v", err, rep)
		}
		card, _ := db.GetCard(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		if len(card.Entries) != 30 {
			t.Fatalf("card holds %d records, want 30", len(card.Entries))
		}
	})
}
