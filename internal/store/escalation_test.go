package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// clockAt sets the store's clock to 2026-11-29 hh:mm (Asia/Shanghai).
func clockAt(db *store.DB, hh, mm int) time.Time {
	t := time.Date(2026, 11, 29, hh, mm, 0, 0, db.Loc)
	db.Now = func() time.Time { return t }
	return t
}

// told lists "step channel to" of an elder's messages, in order.
func told(t *testing.T, db *store.DB, elderID int64) []string {
	t.Helper()
	msgs, err := db.OutboxOfElder(context.Background(), elderID)
	if err != nil {
		t.Fatal(err)
	}
	// Within one moment (one step's messages) in a stable order.
	type line struct {
		at time.Time
		s  string
	}
	var lines []line
	for _, m := range msgs {
		to := m.To.Name
		if m.To.UserID == 0 {
			to = m.To.Name + "/" + m.To.Phone
		}
		lines = append(lines, line{m.CreatedAt, fmt.Sprintf("%s %s %s", m.Step, m.Channel, to)})
	}
	slices.SortStableFunc(lines, func(a, b line) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.s, b.s)
	})
	var out []string
	for _, l := range lines {
		out = append(out, l.s)
	}
	return out
}

func advance(t *testing.T, db *store.DB, now time.Time) int {
	t.Helper()
	n, err := db.AdvanceEscalations(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func greet(t *testing.T, db *store.DB, a care.Actor, elderID int64, at time.Time) {
	t.Helper()
	rec := &care.ServiceRecord{ElderID: elderID, Kind: "life", Type: "greeting", At: at}
	if err := db.AddService(context.Background(), a, rec, store.Proof{}); err != nil {
		t.Fatal(err)
	}
}

func alertOf(t *testing.T, db *store.DB, a care.Actor, elderID int64) *store.Alert {
	t.Helper()
	list, err := db.Alerts(context.Background(), a, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, al := range list {
		if al.ElderID == elderID {
			full, _, err := db.GetAlert(context.Background(), a, al.ID)
			if err != nil {
				t.Fatal(err)
			}
			return full
		}
	}
	t.Fatalf("no alert for elder %d: %+v", elderID, list)
	return nil
}

// TestEscalationChain follows one evening with an injected clock: the
// 18:00 reminder to the neighbours, the 20:00 alert to the staff on duty
// and the responsible volunteer, the family at 21:00, the clinic and the
// station at 22:00 — and an acknowledgement that stops another elder's
// chain, telling those already told.
func TestEscalationChain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		// Elder 1: paired with vol1 (neighbour, responsible, account v1),
		// clinic; elder 2: no volunteer; elder 3: community 2.
		if n := advance(t, db, clockAt(db, 17, 59)); n != 0 {
			t.Fatalf("nothing before 18:00: %d", n)
		}
		if n := advance(t, db, clockAt(db, 18, 0)); n != 3 {
			t.Fatalf("three elders living alone not greeted are reminded of: %d", n)
		}
		if got := told(t, db, f.Elder1.ID); !slices.Equal(got, []string{"reminder inbox v1"}) {
			t.Fatalf("elder 1's neighbour is reminded: %v", got)
		}
		items, _, _ := db.Inbox(ctx, f.Volunteer, 10)
		if len(items) != 1 || !strings.Contains(items[0].Text, "你今天还没有问候 王秀英") {
			t.Fatalf("the reminder's text: %+v", items)
		}
		if n := advance(t, db, clockAt(db, 18, 30)); n != 0 || len(told(t, db, f.Elder1.ID)) != 1 {
			t.Fatalf("reminded once a day: %d", n)
		}
		greet(t, db, f.Comm1, f.Elder2.ID, clockAt(db, 19, 0))

		now := clockAt(db, 20, 0)
		if n, err := db.RaiseNotGreetedAlerts(ctx, now, "alert_job"); err != nil || n != 2 {
			t.Fatalf("elders 1 and 3 alerted: %d %v", n, err)
		}
		want1 := []string{"reminder inbox v1", "alert inbox c1", "alert inbox v1"}
		if got := told(t, db, f.Elder1.ID); !slices.Equal(got, want1) {
			t.Fatalf("20:00, in the raising transaction: staff on duty and the responsible volunteer: %v", got)
		}
		if got := told(t, db, f.Elder3.ID); !slices.Equal(got, []string{"alert inbox c2"}) {
			t.Fatalf("elder 3: community 2's staff: %v", got)
		}
		al := alertOf(t, db, f.Comm1, f.Elder1.ID)
		if len(al.Escalation) != 3 || al.Escalation[0].Step != notify.StepReminder || al.Escalation[1].Status != notify.StatusDelivered {
			t.Fatalf("the alert shows the evening's reminder and its own step: %+v", al.Escalation)
		}
		if n := advance(t, db, clockAt(db, 20, 59)); n != 0 {
			t.Fatalf("nothing before 60 minutes: %d", n)
		}
		if n := advance(t, db, clockAt(db, 21, 0)); n != 2 {
			t.Fatalf("both families at 21:00: %d", n)
		}
		want1 = append(want1, "family sms 张伟/13900000000")
		if got := told(t, db, f.Elder1.ID); !slices.Equal(got, want1) {
			t.Fatalf("21:00: the first emergency contact by SMS: %v", got)
		}
		// Community 2 acknowledges elder 3's alert: the chain stops, and
		// the staff and the family already told are told who took it.
		clockAt(db, 21, 10)
		a3 := alertOf(t, db, f.Comm2, f.Elder3.ID)
		if err := db.AcknowledgeAlert(ctx, f.Comm2, a3.ID, "已电话联系"); err != nil {
			t.Fatal(err)
		}
		want3 := []string{"alert inbox c2", "family sms 张伟/13900000000", "stopped inbox c2", "stopped sms 张伟/13900000000"}
		if got := told(t, db, f.Elder3.ID); !slices.Equal(got, want3) {
			t.Fatalf("an acknowledgement tells those told: %v", got)
		}
		msgs, _ := db.OutboxOfElder(ctx, f.Elder3.ID)
		if !strings.Contains(msgs[3].Text, "c2") || !strings.Contains(msgs[2].Text, "c2") || !strings.Contains(msgs[3].Text, "确认") || msgs[3].Kind != notify.KindMissedGreeting {
			t.Fatalf("says who acknowledged: %+v", msgs[3])
		}
		if n := advance(t, db, clockAt(db, 22, 0)); n != 1 {
			t.Fatalf("only elder 1's chain goes on: %d", n)
		}
		want1 = append(want1, "clinic_station inbox clinic", "clinic_station inbox station")
		if got := told(t, db, f.Elder1.ID); !slices.Equal(got, want1) {
			t.Fatalf("22:00: the clinic and the station: %v", got)
		}
		if got := told(t, db, f.Elder3.ID); !slices.Equal(got, want3) {
			t.Fatalf("a stopped chain takes no step: %v", got)
		}
		if n := advance(t, db, clockAt(db, 23, 0)); n != 0 {
			t.Fatalf("the chain's end: %d", n)
		}
		al = alertOf(t, db, f.Comm1, f.Elder1.ID)
		if len(al.Escalation) != 6 || al.Escalation[5].Step != notify.StepClinicStation || al.Escalation[3].Channel != notify.ChannelSMS ||
			al.Escalation[3].Status != notify.StatusPending || al.Escalation[3].To != "张伟" {
			t.Fatalf("the alert shows every step: %+v", al.Escalation)
		}
		// Resolving after the last step tells nobody again.
		if err := db.ResolveAlert(ctx, f.Comm1, al.ID, "已上门"); err != nil {
			t.Fatal(err)
		}
		if got := told(t, db, f.Elder1.ID); len(got) != 6 {
			t.Fatalf("a finished chain is not told again: %v", got)
		}
	})
}

// TestEscalationStoppedByGreeting: a greeting after the alert stops the
// chain at the next run, tells those already told, and the alert stays
// open, marked greeted, as before.
func TestEscalationStoppedByGreeting(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		if _, err := db.RaiseNotGreetedAlerts(ctx, clockAt(db, 20, 0), "alert_job"); err != nil {
			t.Fatal(err)
		}
		greet(t, db, f.Volunteer, f.Elder1.ID, clockAt(db, 20, 30))
		if n := advance(t, db, clockAt(db, 20, 31)); n != 1 {
			t.Fatalf("elder 1's chain stopped: %d", n)
		}
		want := []string{"alert inbox c1", "alert inbox v1", "stopped inbox c1", "stopped inbox v1"}
		if got := told(t, db, f.Elder1.ID); !slices.Equal(got, want) {
			t.Fatalf("a greeting tells those told: %v", got)
		}
		msgs, _ := db.OutboxOfElder(ctx, f.Elder1.ID)
		if !strings.Contains(msgs[3].Text, "已有人问候") {
			t.Fatalf("text: %q", msgs[3].Text)
		}
		// A greeting struck out does not count: elder 2's chain goes on.
		wrong := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "life", Type: "greeting", At: clockAt(db, 20, 40)}
		if err := db.AddService(ctx, f.Comm1, wrong, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddAmendment(ctx, f.Comm1, wrong.ID, "误点", map[string]any{"void": true}); err != nil {
			t.Fatal(err)
		}
		if n := advance(t, db, clockAt(db, 20, 41)); n != 0 {
			t.Fatalf("a struck-out greeting stops nothing: %d", n)
		}
		advance(t, db, clockAt(db, 23, 0))
		if got := told(t, db, f.Elder1.ID); !slices.Equal(got, want) {
			t.Fatalf("no family, no station after a greeting: %v", got)
		}
		if got := told(t, db, f.Elder2.ID); len(got) != 3 {
			t.Fatalf("elder 2, never greeted, went the whole way: %v", got)
		}
		al := alertOf(t, db, f.Comm1, f.Elder1.ID)
		if al.Status != "open" || al.GreetedAt == nil || al.EscalationStopped != "greeted" {
			t.Fatalf("the alert is marked greeted and stays for staff: %+v", al)
		}
	})
}

// TestEscalationOnceAcrossServers: two store handles on one database
// advancing the same chains at the same moments store each message once.
func TestEscalationOnceAcrossServers(t *testing.T) {
	run := func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, a)
		if _, err := a.RaiseNotGreetedAlerts(ctx, clockAt(a, 20, 0), "alert_job"); err != nil {
			t.Fatal(err)
		}
		counts := map[int64]int{}
		for _, at := range [][2]int{{18, 0}, {21, 0}, {21, 0}, {22, 0}, {22, 5}} {
			var wg sync.WaitGroup
			for _, db := range []*store.DB{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := db.AdvanceEscalations(ctx, time.Date(2026, 11, 29, at[0], at[1], 0, 0, db.Loc)); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		for _, e := range []int64{f.Elder1.ID, f.Elder2.ID, f.Elder3.ID} {
			got := told(t, a, e)
			seen := map[string]bool{}
			for _, s := range got {
				if seen[s] {
					t.Fatalf("elder %d told twice: %v", e, got)
				}
				seen[s] = true
			}
			counts[e] = len(got)
		}
		// elder 1: alert c1, v1; family; clinic, station.
		if counts[f.Elder1.ID] != 5 || counts[f.Elder2.ID] != 3 || counts[f.Elder3.ID] != 3 {
			t.Fatalf("every step once: %v %v", counts, told(t, a, f.Elder1.ID))
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "test.db")
		a := storetest.Open(t, path)
		run(t, a, storetest.Open(t, path))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
		a := storetest.Open(t, dsn)
		run(t, a, storetest.Open(t, dsn))
	})
}

// TestEmergencyNotifiesAtOnce: an 应急求助 tells the staff on duty, the
// responsible volunteer and the family in the record's own transaction,
// quiet hours or not; nobody acknowledging within 15 minutes, the station
// is told once; an update of the case acknowledges it.
func TestEmergencyNotifiesAtOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		// No evening reminders in this test: only the emergency's steps.
		if err := db.SaveEscalationPolicy(ctx, f.Station, f.Street.ID, &notify.Policy{FamilyAfter: 60, StationAfter: 60, EmergencyAfter: 15}); err != nil {
			t.Fatal(err)
		}
		// c1 and the volunteer keep quiet hours through the night.
		for _, a := range []care.Actor{f.Comm1, f.Volunteer} {
			s := &notify.Settings{Phone: "13600000000", SMS: true, QuietFrom: "22:00", QuietTo: "07:00"}
			if err := db.SaveNotifySettings(ctx, a, s); err != nil {
				t.Fatal(err)
			}
		}
		now := clockAt(db, 23, 0)
		// A record refused (a volunteer for an elder not theirs) tells nobody.
		bad := &care.ServiceRecord{ElderID: f.Elder2.ID, Kind: "emergency", Type: "emergency_help", At: now.Add(-time.Minute), Note: "摔倒"}
		if err := db.AddService(ctx, f.Volunteer, bad, store.Proof{}); err == nil {
			t.Fatal("a volunteer records only for their elders")
		}
		if got := told(t, db, f.Elder2.ID); len(got) != 0 {
			t.Fatalf("a refused record stores no message: %v", got)
		}
		sos := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "emergency", Type: "emergency_help", At: now.Add(-time.Minute), Note: "老人摔倒"}
		if err := db.AddService(ctx, f.Volunteer, sos, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		want := []string{"emergency inbox c1", "emergency sms c1", "emergency inbox v1", "emergency sms v1", "emergency sms 张伟/13900000000"}
		got := told(t, db, f.Elder1.ID)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("at once: staff on duty, the responsible volunteer, the family: %v", got)
		}
		msgs, _ := db.OutboxOfElder(ctx, f.Elder1.ID)
		for _, m := range msgs {
			if m.Kind != notify.KindEmergency || m.NextAttemptAt.After(now) || !strings.Contains(m.Text, "应急求助") {
				t.Fatalf("an emergency ignores quiet hours: %+v", m)
			}
		}
		if n := advance(t, db, clockAt(db, 23, 14)); n != 0 {
			t.Fatalf("14 minutes: %d", n)
		}
		if n := advance(t, db, clockAt(db, 23, 15)); n != 1 {
			t.Fatalf("15 minutes unacknowledged: the station: %d", n)
		}
		advance(t, db, clockAt(db, 23, 30))
		got = told(t, db, f.Elder1.ID)
		if len(got) != 6 || got[5] != "emergency_station inbox station" {
			t.Fatalf("the station once: %v", got)
		}
		// Another emergency, acknowledged in time, is not escalated.
		sos2 := &care.ServiceRecord{ElderID: f.Elder1.ID, Kind: "emergency", Type: "emergency_help", At: clockAt(db, 23, 40), Note: "又摔倒"}
		if err := db.AddService(ctx, f.Volunteer, sos2, store.Proof{}); err != nil {
			t.Fatal(err)
		}
		cases, err := db.Cases(ctx, f.Comm1, true)
		if err != nil || len(cases) != 2 {
			t.Fatalf("two cases: %+v %v", cases, err)
		}
		var second int64
		for _, c := range cases {
			if c.RecordID == sos2.ID {
				second = c.ID
			}
		}
		clockAt(db, 23, 45)
		if err := db.UpdateCase(ctx, f.Comm1, second, "open", "", "已电话联系，正在上门"); err != nil {
			t.Fatal(err)
		}
		c, _ := db.GetCase(ctx, f.Comm1, second)
		if c.AcknowledgedAt == nil || c.AcknowledgedBy != "c1" {
			t.Fatalf("an update acknowledges: %+v", c)
		}
		if n := advance(t, db, clockAt(db, 23, 59)); n != 0 || len(told(t, db, f.Elder1.ID)) != 11 {
			t.Fatalf("an acknowledged emergency goes no further: %d %v", n, told(t, db, f.Elder1.ID))
		}
	})
}

// TestEscalationPolicy: the station sets its street's chain (each bad
// field named in Chinese); community staff read it; the new waits apply.
func TestEscalationPolicy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		p, err := db.EscalationPolicy(ctx, f.Comm1, f.Street.ID)
		if err != nil || p != notify.DefaultPolicy {
			t.Fatalf("defaults: %+v %v", p, err)
		}
		bad := &notify.Policy{ReminderAt: "25:00", FamilyAfter: 0, StationAfter: 60, EmergencyAfter: 90}
		err = db.SaveEscalationPolicy(ctx, f.Station, f.Street.ID, bad)
		ce, ok := err.(*care.Error)
		if !ok || len(ce.Fields) != 3 || ce.Fields["reminder_at"].ZH == "" || ce.Fields["family_after_minutes"].ZH == "" ||
			ce.Fields["emergency_after_minutes"].ZH == "" {
			t.Fatalf("each bad field named: %v", err)
		}
		// The neighbours' reminder comes before the alert hour, or never.
		late := notify.DefaultPolicy
		late.ReminderAt = "20:30"
		if err := db.SaveEscalationPolicy(ctx, f.Station, f.Street.ID, &late); care.ErrorCode(err) != care.EInvalid ||
			!strings.Contains(err.(*care.Error).Fields["reminder_at"].ZH, "20:00") {
			t.Fatalf("a reminder after the alert: %v", err)
		}
		if err := db.SaveEscalationPolicy(ctx, f.Comm1, f.Street.ID, &notify.DefaultPolicy); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community staff read only: %v", err)
		}
		if _, err := db.EscalationPolicy(ctx, f.Volunteer, f.Street.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer: %v", err)
		}
		if _, err := db.EscalationPolicy(ctx, f.Station, f.Street.ID+1); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another street: %v", err)
		}
		p = notify.Policy{ReminderAt: "", FamilyAfter: 30, StationAfter: 15, EmergencyAfter: 10}
		if err := db.SaveEscalationPolicy(ctx, f.Station, f.Street.ID, &p); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.EscalationPolicy(ctx, f.Comm1, f.Street.ID); got != p {
			t.Fatalf("saved: %+v", got)
		}
		if n := advance(t, db, clockAt(db, 19, 0)); n != 0 {
			t.Fatalf("no reminder when the street has none: %d", n)
		}
		if _, err := db.RaiseNotGreetedAlerts(ctx, clockAt(db, 20, 0), "alert_job"); err != nil {
			t.Fatal(err)
		}
		if advance(t, db, clockAt(db, 20, 29)) != 0 || advance(t, db, clockAt(db, 20, 30)) != 3 || advance(t, db, clockAt(db, 20, 45)) != 3 {
			t.Fatal("the family after 30 minutes, the clinic and the station 15 later")
		}
	})
}
