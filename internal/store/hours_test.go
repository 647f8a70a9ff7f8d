package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/hours"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func balance(t *testing.T, db *store.DB, a care.Actor, vol int64) (int, *store.HoursAccount) {
	t.Helper()
	acc, err := db.VolunteerHours(context.Background(), a, vol, 0)
	if err != nil {
		t.Fatal(err)
	}
	return acc.Balance, acc
}

// TestHoursCreditAndReversal: under the default rule only verified or
// staff-confirmed records earn — a timed, PIN-verified chat its length, a
// record staff enter from the paper card its type's standard duration, an
// unverified greeting nothing until the station signs its card; a
// correction that changes nothing keeps the credit, striking out appends
// a reversal.
func TestHoursCreditAndReversal(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if err := db.SetElderPIN(ctx, f.Comm1, f.Elder1.ID, "4821"); err != nil {
			t.Fatal(err)
		}
		greet := greeting(f, f.Elder1.ID, time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc))
		if err := db.AddService(ctx, f.Volunteer, greet, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 0 {
			t.Fatalf("an unverified greeting earned %d minutes under the default rule", b)
		}
		start := time.Date(2026, 11, 29, 8, 30, 0, 0, db.Loc)
		end := start.Add(45 * time.Minute)
		chat := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: start, EndAt: &end}
		if err := db.AddService(ctx, f.Volunteer, chat, store.Proof{Method: "pin", PIN: "4821"}); err != nil || !chat.Verified {
			t.Fatalf("chat: %v verified=%v", err, chat.Verified)
		}
		vid := f.Vol1.ID
		paper := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: time.Date(2026, 11, 20, 15, 0, 0, 0, db.Loc),
			Source: "paper", VolunteerID: &vid}
		if err := db.AddService(ctx, f.Comm1, paper, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 45+30 {
			t.Fatalf("balance %d, want 75 (45 timed + 30 standard of a chat)", b)
		}
		// A correction of the note changes no credit and adds no entry.
		if _, err := db.AddAmendment(ctx, f.Volunteer, chat.ID, "补充备注", map[string]any{"note": "聊了家常"}); err != nil {
			t.Fatal(err)
		}
		_, acc := balance(t, db, f.Volunteer, f.Vol1.ID)
		if acc.Balance != 75 || acc.TotalEntries != 2 {
			t.Fatalf("after a note correction: %d minutes in %d entries, want 75 in 2", acc.Balance, acc.TotalEntries)
		}
		// Striking out the paper record reverses its credit: a new entry.
		if _, err := db.AddAmendment(ctx, f.Comm1, paper.ID, "录入错误", map[string]any{"void": true}); err != nil {
			t.Fatal(err)
		}
		_, acc = balance(t, db, f.Volunteer, f.Vol1.ID)
		if acc.Balance != 45 || acc.TotalEntries != 3 || acc.Entries[0].Source != hours.SourceReversal || acc.Entries[0].Minutes != -30 {
			t.Fatalf("after striking out: %d minutes, %d entries, newest %+v", acc.Balance, acc.TotalEntries, acc.Entries[0])
		}
		// A later correction of a struck-out record earns nothing again.
		if _, err := db.AddAmendment(ctx, f.Comm1, paper.ID, "类型", map[string]any{"type": "reading"}); err != nil {
			t.Fatal(err)
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 45 {
			t.Fatalf("a struck-out record earned again: %d", b)
		}
		// The station's signature confirms the card: the greeting earns.
		storetest.MonthEnded(db)
		if _, err := db.SignCard(ctx, f.Station, f.Elder1.ID, "2026-11", "pass", ""); err != nil {
			t.Fatal(err)
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 45+10 {
			t.Fatalf("after signing: %d, want 55 (the greeting's 10 minutes)", b)
		}
		// A certificate of the year counts the services, not the reversed one.
		c, err := db.GetHoursCertificate(ctx, f.Comm1, f.Vol1.ID, "2026")
		if err != nil || c.Minutes != 55 || c.Services != 2 || c.Street != f.Street.Name {
			t.Fatalf("certificate: %+v %v", c, err)
		}
		if _, err := db.GetHoursCertificate(ctx, f.Comm1, f.Vol1.ID, "26"); code(err) != care.EInvalid {
			t.Fatalf("a bad period: %v", err)
		}
		if _, err := db.GetHoursCertificate(ctx, f.Comm2, f.Vol1.ID, "2026"); code(err) != care.ENotFound {
			t.Fatalf("another community's volunteer: %v", err)
		}
	})
}

// TestHoursRecordedRule: a street that lets every record earn credits an
// unverified greeting its standard duration as the street set it; moving
// a record to another type re-books the credit with a reversal.
func TestHoursRecordedRule(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if err := db.SaveHoursPolicy(ctx, f.Comm1, hours.Policy{Earn: hours.EarnRecorded}); code(err) != care.EForbidden {
			t.Fatalf("community staff set the street's rule: %v", err)
		}
		bad := hours.Policy{Earn: "maybe", Standard: map[string]int{"life/greeting": -1}}
		if err := db.SaveHoursPolicy(ctx, f.Station, bad); code(err) != care.EInvalid {
			t.Fatalf("a bad rule: %v", err)
		}
		if err := db.SaveHoursPolicy(ctx, f.Station, hours.Policy{Earn: hours.EarnRecorded, Standard: map[string]int{"life/greeting": 5}}); err != nil {
			t.Fatal(err)
		}
		g := greeting(f, f.Elder1.ID, time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc))
		if err := db.AddService(ctx, f.Volunteer, g, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 5 {
			t.Fatalf("balance %d, want the street's 5-minute greeting", b)
		}
		// Moved to the day before: the same credit, re-dated (reversal and
		// credit), so the certificate of a period counts it where it happened.
		if _, err := db.AddAmendment(ctx, f.Volunteer, g.ID, "记错日期", map[string]any{"at": "2026-11-28T08:00:00+08:00"}); err != nil {
			t.Fatal(err)
		}
		_, acc := balance(t, db, f.Volunteer, f.Vol1.ID)
		if acc.Balance != 5 || acc.TotalEntries != 3 || !acc.Entries[0].At.Equal(time.Date(2026, 11, 28, 8, 0, 0, 0, db.Loc)) {
			t.Fatalf("after moving: %d in %d entries, newest %+v", acc.Balance, acc.TotalEntries, acc.Entries[0])
		}
		// Corrected to shopping (60 minutes standard): -5, then +60, at the moved time.
		if _, err := db.AddAmendment(ctx, f.Volunteer, g.ID, "其实是买菜", map[string]any{"type": "shopping"}); err != nil {
			t.Fatal(err)
		}
		_, acc = balance(t, db, f.Volunteer, f.Vol1.ID)
		if acc.Balance != 60 || acc.TotalEntries != 5 || !acc.Entries[0].At.Equal(time.Date(2026, 11, 28, 8, 0, 0, 0, db.Loc)) {
			t.Fatalf("after a type correction: %d in %d entries, want 60 in 5 at the moved time", acc.Balance, acc.TotalEntries)
		}
		// A record without a volunteer (the committee's) credits nobody.
		org := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: time.Date(2026, 11, 28, 8, 0, 0, 0, db.Loc), Source: "paper"}
		if err := db.AddService(ctx, f.Comm1, org, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 60 {
			t.Fatalf("balance %d after the committee's record", b)
		}
	})
}

// TestHoursOpeningBalanceOnce: the hours typed on the register become the
// opening balance when the volunteer is registered; saving the volunteer
// again never changes it, whatever number is sent.
func TestHoursOpeningBalanceOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		v := care.Volunteer{Name: "周敏", Phone: "13700000009", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 1, HoursTenths: 2237}
		if err := db.CreateVolunteer(ctx, f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		if b, acc := balance(t, db, f.Comm1, v.ID); b != 2237*6 || acc.Opening != 2237*6 {
			t.Fatalf("opening balance %d (%d), want 223.7 h", b, acc.Opening)
		}
		for _, typed := range []int64{0, 99999} {
			v.HoursTenths = typed
			if err := db.UpdateVolunteer(ctx, f.Comm1, &v); err != nil {
				t.Fatal(err)
			}
		}
		if b, acc := balance(t, db, f.Comm1, v.ID); b != 2237*6 || acc.TotalEntries != 1 {
			t.Fatalf("after saving twice: %d minutes in %d entries", b, acc.TotalEntries)
		}
		got, err := db.GetVolunteer(ctx, f.Comm1, v.ID)
		if err != nil || got.HoursTenths != 2237 {
			t.Fatalf("the register's typed hours changed: %v %v", got, err)
		}
	})
}

// TestHoursDonation: a volunteer donates to another volunteer or to an
// elder's future care of the same street — two entries, one transaction,
// audited — never more than the balance, never to themself.
func TestHoursDonation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		v := care.Volunteer{Name: "周敏", Phone: "13700000009", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 1, HoursTenths: 100}
		if err := db.CreateVolunteer(ctx, f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		// 周敏 has 600 minutes (10 h).
		cases := []struct {
			d     hours.Donation
			field string
		}{
			{hours.Donation{From: v.ID, To: hours.Account{VolunteerID: f.Vol2.ID}, Minutes: 601}, "minutes"},
			{hours.Donation{From: v.ID, To: hours.Account{VolunteerID: f.Vol2.ID}, Minutes: 0}, "minutes"},
			{hours.Donation{From: v.ID, To: hours.Account{VolunteerID: v.ID}, Minutes: 60}, "to_volunteer_id"},
			{hours.Donation{From: v.ID, To: hours.Account{VolunteerID: f.Vol2.ID, ElderID: f.Elder1.ID}, Minutes: 60}, "to"},
			{hours.Donation{From: v.ID, To: hours.Account{ElderID: 99999}, Minutes: 60}, "to_elder_id"},
		}
		for _, c := range cases {
			_, err := db.DonateHours(ctx, f.Comm1, c.d)
			var ce *care.Error
			if !errors.As(err, &ce) || ce.Code != care.EInvalid || ce.Fields[c.field].ZH == "" {
				t.Fatalf("%+v: %v, want a refusal naming %s", c.d, err, c.field)
			}
		}
		tr, err := db.DonateHours(ctx, f.Comm1, hours.Donation{From: v.ID, To: hours.Account{VolunteerID: f.Vol2.ID}, Minutes: 120, Note: "赠予赵强"})
		if err != nil || tr.Balance != 480 {
			t.Fatalf("donation: %+v %v", tr, err)
		}
		if _, err := db.DonateHours(ctx, f.Comm1, hours.Donation{From: v.ID, To: hours.Account{ElderID: f.Elder3.ID}, Minutes: 480}); err != nil {
			t.Fatal(err)
		}
		if b, acc := balance(t, db, f.Comm1, v.ID); b != 0 || acc.DonatedOut != 600 {
			t.Fatalf("giver: %d, donated %d", b, acc.DonatedOut)
		}
		if b, acc := balance(t, db, f.Comm2, f.Vol2.ID); b != 120 || acc.DonatedIn != 120 || acc.Entries[0].Counterparty != "周敏" {
			t.Fatalf("receiver: %d %+v", b, acc.Entries)
		}
		if _, err := db.DonateHours(ctx, f.Comm1, hours.Donation{From: v.ID, To: hours.Account{VolunteerID: f.Vol2.ID}, Minutes: 1}); code(err) != care.EInvalid {
			t.Fatalf("a donation beyond a spent balance: %v", err)
		}
		// A volunteer donates only their own hours.
		if _, err := db.DonateHours(ctx, f.Volunteer, hours.Donation{From: v.ID, To: hours.Account{VolunteerID: f.Vol1.ID}, Minutes: 1}); code(err) != care.ENotFound {
			t.Fatalf("a volunteer gave another's hours: %v", err)
		}
		log, err := db.AuditLog(ctx, f.Station, "volunteer", v.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range log {
			if e.Action == "donate_hours" {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d donations audited, want 2", n)
		}
	})
}

// TestHoursLedgerIsAppendOnly: the database itself refuses to change or
// delete a ledger entry, on both databases; a migration-era opening entry
// cannot be written twice for one volunteer.
func TestHoursLedgerIsAppendOnly(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		v := care.Volunteer{Name: "周敏", Phone: "13700000009", Kind: "neighbour", CommunityID: f.C1.ID, Capacity: 1, HoursTenths: 10}
		if err := db.CreateVolunteer(ctx, f.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec("UPDATE hours_ledger SET minutes = 6000 WHERE volunteer_id = ?", v.ID); err == nil {
			t.Fatal("a ledger entry was changed")
		}
		if err := db.RawExec("DELETE FROM hours_ledger WHERE volunteer_id = ?", v.ID); err == nil {
			t.Fatal("a ledger entry was deleted")
		}
		err := db.RawExec(`INSERT INTO hours_ledger (street_id, community_id, volunteer_id, source, minutes, at, entered_by, entered_at)
 VALUES (?, ?, ?, 'opening', 60, '2026-11-29T00:00:00.000Z', 'x', '2026-11-29T00:00:00.000Z')`, f.Street.ID, f.C1.ID, v.ID)
		if err == nil {
			t.Fatal("a second opening balance was stored")
		}
		if b, _ := balance(t, db, f.Comm1, v.ID); b != 60 {
			t.Fatalf("balance %d, want 60", b)
		}
	})
}

// TestHoursHouseholdVisitCreditsOnce: one household visit is one record
// per member sharing a household visit id; the volunteer is credited once,
// whether the records earn when stored or when the members' cards are
// signed one by one.
func TestHoursHouseholdVisitCreditsOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if err := db.CreatePairing(ctx, f.Comm1, &store.Pairing{ElderID: f.Elder2.ID, VolunteerID: f.Vol1.ID}); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 11, 28, 9, 0, 0, 0, db.Loc)
		h := &store.Household{Name: "王家"}
		if err := db.CreateHousehold(ctx, f.Comm1, h, []int64{f.Elder1.ID, f.Elder2.ID}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		visit := func(a care.Actor, at time.Time) {
			t.Helper()
			e := at.Add(40 * time.Minute)
			r := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "spirit", Type: "chat", At: at, EndAt: &e}
			if a.Role == care.RoleCommunity {
				vid := f.Vol1.ID
				r.VolunteerID, r.Source = &vid, "paper"
			}
			if err := db.AddHouseholdVisitBatch(ctx, []store.HouseholdVisitItem{{Actor: a, HouseholdID: h.ID, Record: r, EnteredAt: e.Add(5 * time.Minute)}}); err != nil {
				t.Fatal(err)
			}
		}
		// Entered by staff: both records earn at once, the visit once.
		visit(f.Comm1, start)
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 40 {
			t.Fatalf("a household visit of two credited %d minutes, want 40", b)
		}
		// Logged by the volunteer unverified: nothing until a card is
		// signed; the first member's signature credits the visit, the
		// second's does not credit it again.
		visit(f.Volunteer, time.Date(2026, 11, 29, 8, 0, 0, 0, db.Loc))
		storetest.MonthEnded(db)
		for _, elder := range []int64{f.Elder1.ID, f.Elder2.ID} {
			if _, err := db.SignCard(ctx, f.Station, elder, "2026-11", "pass", ""); err != nil {
				t.Fatal(err)
			}
		}
		if b, _ := balance(t, db, f.Volunteer, f.Vol1.ID); b != 80 {
			t.Fatalf("after signing both members' cards: %d minutes, want 80 (two visits)", b)
		}
	})
}
