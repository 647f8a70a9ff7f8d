package store_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// movableClock lets a test move the store's clock while it runs.
func movableClock(db *store.DB) func(time.Duration) {
	var now atomic.Int64
	now.Store(db.Now().UnixNano())
	db.Now = func() time.Time { return time.Unix(0, now.Load()).In(db.Loc) }
	return func(d time.Duration) { now.Add(int64(d)) }
}

func fieldMsg(err error, field string) string {
	if ce, ok := err.(*care.Error); ok {
		return ce.Fields[field].ZH
	}
	return ""
}

// TestWrongPINsLockTheElderPIN: 5 wrong PINs within 15 minutes lock the
// elder's PIN for 15 minutes; during the lock even the right PIN is refused
// unchecked; every refusal is audited; a right PIN later clears the count.
func TestWrongPINsLockTheElderPIN(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		move := movableClock(db)
		if err := db.SetElderPIN(ctx, f.Comm1, f.Elder1.ID, "4821"); err != nil {
			t.Fatal(err)
		}
		pin := func(p string) (*care.ServiceRecord, error) {
			r := greeting(f, f.Elder1.ID, db.Now().Add(-time.Minute))
			return r, db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "pin", PIN: p})
		}
		// A right PIN clears earlier wrong ones: 4 wrong, 1 right, 4 wrong
		// do not lock.
		for i := 0; i < 4; i++ {
			if _, err := pin("0000"); fieldMsg(err, "verification") != "确认码不正确" {
				t.Fatalf("wrong PIN %d: %v", i+1, err)
			}
		}
		if r, err := pin("4821"); err != nil || !r.Verified {
			t.Fatalf("the right PIN before the lock: %v", err)
		}
		for i := 0; i < 4; i++ {
			if _, err := pin("1111"); fieldMsg(err, "verification") != "确认码不正确" {
				t.Fatalf("wrong PIN %d after a right one: %v", i+1, err)
			}
		}
		_, err := pin("2222") // the fifth in a row
		if msg := fieldMsg(err, "verification"); !strings.Contains(msg, "已锁定到 10:15") {
			t.Fatalf("the fifth wrong PIN locks: %v", err)
		}
		move(5 * time.Minute)
		if _, err := pin("4821"); !strings.Contains(fieldMsg(err, "verification"), "已锁定") {
			t.Fatalf("the right PIN during the lock is refused: %v", err)
		}
		move(10*time.Minute + time.Second)
		if r, err := pin("4821"); err != nil || !r.Verified {
			t.Fatalf("the right PIN after 15 minutes: %v", err)
		}
		log, err := db.AuditLog(ctx, f.Station, "elder", f.Elder1.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, e := range log {
			n[e.Action]++
			if e.Action == "pin_wrong" && e.Username != f.Volunteer.Username {
				t.Fatalf("the wrong PIN is audited with who tried: %+v", e)
			}
		}
		if n["pin_wrong"] != 9 || n["pin_locked"] != 1 || n["pin_attempt_while_locked"] != 1 {
			t.Fatalf("audited: %v", n)
		}
		// Wrong PINs spread wider than 15 minutes never lock.
		for i := 0; i < 6; i++ {
			if _, err := pin("0000"); fieldMsg(err, "verification") != "确认码不正确" {
				t.Fatalf("spread wrong PIN %d: %v", i+1, err)
			}
			move(4 * time.Minute)
		}
	})
}

// TestPINLockHoldsWithinOneGroup: guesses sent at once (one group of the
// record writer) are counted one by one, so at most 5 are checked.
func TestPINLockHoldsWithinOneGroup(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		if err := db.SetElderPIN(ctx, f.Comm1, f.Elder1.ID, "4821"); err != nil {
			t.Fatal(err)
		}
		const tries = 40
		errs := make(chan error, tries)
		for i := 0; i < tries; i++ {
			go func() {
				errs <- db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 9)), store.Proof{Method: "pin", PIN: "0000"})
			}()
		}
		wrong, locked := 0, 0
		for i := 0; i < tries; i++ {
			switch msg := fieldMsg(<-errs, "verification"); {
			case msg == "确认码不正确":
				wrong++
			case strings.Contains(msg, "已锁定"):
				locked++
			}
		}
		if wrong != store.PINTries-1 || locked != tries-wrong {
			t.Fatalf("%d guesses were found wrong and %d refused as locked, want %d and the rest", wrong, locked, store.PINTries-1)
		}
	})
}

// TestCardCodeIsMonthly: the printed code verifies only its month (and the
// first days of the next), only the current card, and the old cc1 codes
// are void.
func TestCardCodeIsMonthly(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		move := movableClock(db)
		nov, err := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		if err != nil || !strings.HasPrefix(nov, "cc2.") || !strings.Contains(nov, ".2026-11.") {
			t.Fatalf("the card code names its month: %q %v", nov, err)
		}
		oct, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-10")
		qr := func(c string, t0 time.Time) (*care.ServiceRecord, error) {
			r := greeting(f, f.Elder1.ID, t0)
			return r, db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "qr", Code: c})
		}
		if _, err := qr(oct, at(db, 8)); !strings.Contains(fieldMsg(err, "verification"), "2026-10") {
			t.Fatalf("last month's code is refused for a record this month: %v", err)
		}
		if r, err := qr(nov, at(db, 8)); err != nil || !r.Verified || !strings.Contains(r.VerifyDetail, "2026-11") {
			t.Fatalf("this month's code: %v %+v", err, r)
		}
		if _, err := qr("cc1."+itoa(f.Elder1.ID)+".1.0123456789abcdef0123", at(db, 8)); !strings.Contains(fieldMsg(err, "verification"), "旧版") {
			t.Fatalf("a first-generation code is void: %v", err)
		}
		// December 2: November's code still verifies a late scan; a record
		// of November 30 entered then too. December 4: no longer.
		move(2*24*time.Hour + 12*time.Hour) // 2026-12-01 22:00
		if r, err := qr(nov, db.Now().Add(-time.Hour)); err != nil || !r.Verified {
			t.Fatalf("November's card in the first days of December: %v", err)
		}
		dec, _ := db.ElderCardCode(ctx, f.Comm1, f.Elder1.ID, "2026-12")
		if _, err := qr(dec, time.Date(2026, 11, 30, 18, 0, 0, 0, db.Loc)); code(err) != care.EInvalid {
			t.Fatalf("December's code does not verify a November visit: %v", err)
		}
		move(3 * 24 * time.Hour) // 2026-12-04 22:00
		if _, err := qr(nov, db.Now().Add(-time.Hour)); code(err) != care.EInvalid {
			t.Fatalf("November's card on December 4: %v", err)
		}
		if r, err := qr(dec, db.Now().Add(-time.Hour)); err != nil || !r.Verified {
			t.Fatalf("December's card: %v", err)
		}
		// A re-issued card voids the month's old code; the new one works.
		again, err := db.ReissueCard(ctx, f.Comm1, f.Elder1.ID)
		if err != nil || again == dec || !strings.Contains(again, ".2026-12.") {
			t.Fatalf("reissue: %q %v", again, err)
		}
		if _, err := qr(dec, db.Now().Add(-time.Hour)); !strings.Contains(fieldMsg(err, "verification"), "补办") {
			t.Fatalf("the old card's code after re-issue: %v", err)
		}
		if r, err := qr(again, db.Now().Add(-time.Hour)); err != nil || !r.Verified {
			t.Fatalf("the new card's code: %v", err)
		}
	})
}

func TestCardCodeCovers(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct {
		month string
		at    time.Time
		want  bool
	}{
		{"2026-11", time.Date(2026, 11, 1, 0, 0, 0, 0, loc), true},
		{"2026-11", time.Date(2026, 10, 31, 23, 59, 59, 0, loc), false},
		{"2026-11", time.Date(2026, 12, 3, 23, 59, 0, 0, loc), true},
		{"2026-11", time.Date(2026, 12, 4, 0, 0, 0, 0, loc), false},
		{"2026-12", time.Date(2027, 1, 3, 12, 0, 0, 0, loc), true},
		{"2027-02", time.Date(2027, 3, 4, 0, 0, 0, 0, loc), false},
		{"bad", time.Date(2026, 11, 5, 0, 0, 0, 0, loc), false},
	} {
		if got := store.CardCodeCovers(c.month, c.at, loc); got != c.want {
			t.Errorf("%s covers %v = %v, want %v", c.month, c.at, got, c.want)
		}
	}
}

// TestGeoIsWeakerEvidence: a position is labelled as device-reported, and
// a card whose services rest only on positions is not signed in bulk.
func TestGeoIsWeakerEvidence(t *testing.T) {
	if got := care.Label(care.VerificationMethods, "geo", "zh"); got != "手机定位（设备上报）" {
		t.Fatalf("geo label = %q", got)
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		e, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		lat, lon := 32.0600, 118.7800
		e.Lat, e.Lon = &lat, &lon
		if err := db.UpdateElder(ctx, f.Comm1, e, ""); err != nil {
			t.Fatal(err)
		}
		r := greeting(f, f.Elder1.ID, at(db, 8))
		if err := db.AddService(ctx, f.Volunteer, r, store.Proof{Method: "geo", Lat: &lat, Lon: &lon}); err != nil || !r.Verified {
			t.Fatalf("geo: %v %v", err, r.Verified)
		}
		c, err := db.GetCard(ctx, f.Comm1, f.Elder1.ID, "2026-11")
		if err != nil || !c.Flags.GeoOnly() || c.Flags.Clean() {
			t.Fatalf("a card verified by positions only is flagged, not clean: %+v %v", c.Flags, err)
		}
		rows, err := db.Inspection(ctx, f.Station, "2026-11", f.C1.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if row.ElderID == f.Elder1.ID && (!row.Flags().GeoOnly() || row.Flags().Clean()) {
				t.Fatalf("inspection agrees with the card: %+v", row)
			}
		}
		if err := db.SetElderPIN(ctx, f.Comm1, f.Elder1.ID, "4821"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddService(ctx, f.Volunteer, greeting(f, f.Elder1.ID, at(db, 9)), store.Proof{Method: "pin", PIN: "4821"}); err != nil {
			t.Fatal(err)
		}
		storetest.MonthEnded(db)
		rows, _ = db.Inspection(ctx, f.Station, "2026-11", f.C1.ID)
		for _, row := range rows {
			if row.ElderID == f.Elder1.ID && (row.Proven != 1 || !row.Flags().Clean()) {
				t.Fatalf("with a PIN-verified visit the card is clean: %+v", row)
			}
		}
		if n, err := db.SignCleanCards(ctx, f.Station, []int64{f.Elder1.ID}, "2026-11", ""); err != nil || n != 1 {
			t.Fatalf("signed %d: %v", n, err)
		}
	})
}
