package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/health"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/vault"
)

func ip(n int) *int             { return &n }
func fp(n float64) *float64     { return &n }
func tp(t time.Time) *time.Time { return &t }

// TestHealthRecordScoping: the clinic reads and writes its elders' records;
// station and community staff read a summary, each read audited; a
// volunteer, a viewer and another clinic's or community's staff read
// nothing; the values are sealed at rest.
func TestHealthRecordScoping(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		id := f.Elder1.ID
		rec := &health.Record{ElderID: id, Conditions: []string{"diabetes", "hypertension", "diabetes"},
			ConditionsOther: "腰椎间盘突出", Medicines: []string{"硝苯地平 10mg 每日两次", " "}, Allergies: []string{"青霉素"}}
		for _, a := range []care.Actor{f.Comm1, f.Station, f.Volunteer, f.Viewer} {
			if err := db.SaveHealthRecord(ctx, a, rec); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s writes a health record: %v", a.Role, err)
			}
		}
		if err := db.SaveHealthRecord(ctx, f.ClinicA, rec); err != nil {
			t.Fatal(err)
		}
		// Normalised: in the list's order, repeated and empty entries gone.
		got, err := db.HealthRecord(ctx, f.ClinicA, id)
		if err != nil || strings.Join(got.Conditions, ",") != "hypertension,diabetes" || len(got.Medicines) != 1 || got.Allergies[0] != "青霉素" || got.UpdatedBy != "clinic" {
			t.Fatalf("record = %+v, %v", got, err)
		}
		if err := db.SaveHealthRecord(ctx, f.ClinicA, &health.Record{ElderID: id, Conditions: []string{"flu"}}); !hasField(err, "conditions") {
			t.Fatalf("a condition not on the list: %v", err)
		}
		// Elder 2 is not the clinic's: 404, as if it did not exist.
		if _, err := db.HealthRecord(ctx, f.ClinicA, f.Elder2.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another clinic's elder: %v", err)
		}
		for _, a := range []care.Actor{f.Comm1, f.Station, f.Volunteer, f.Viewer} {
			if _, err := db.HealthRecord(ctx, a, id); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s reads the whole record: %v", a.Role, err)
			}
			if _, err := db.Measurements(ctx, a, id, time.Time{}, time.Time{}); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s reads measurements: %v", a.Role, err)
			}
		}
		for _, a := range []care.Actor{f.Volunteer, f.Viewer} {
			if _, err := db.HealthSummary(ctx, a, id); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s reads the summary: %v", a.Role, err)
			}
		}
		if _, err := db.HealthSummary(ctx, f.Comm2, id); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community's elder: %v", err)
		}
		m := &health.Measurement{ElderID: id, TakenOn: storetest.Day("2026-11-20"), Systolic: ip(152), Diastolic: ip(92), Glucose: fp(7.1), Note: "血压偏高"}
		if err := db.AddMeasurement(ctx, f.ClinicA, m); err != nil || m.ID == 0 {
			t.Fatalf("add measurement: %v", err)
		}
		// The community's summary: conditions and dates, audited; the
		// clinic's own reads are not.
		audits := func() int {
			log, err := db.AuditLog(ctx, f.Station, "elder", id, 500)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range log {
				if e.Action == "read_health_summary" || e.Action == "read_callouts" {
					n++
				}
			}
			return n
		}
		before := audits()
		if _, err := db.HealthSummary(ctx, f.ClinicA, id); err != nil {
			t.Fatal(err)
		}
		s, err := db.HealthSummary(ctx, f.Comm1, id)
		if err != nil || strings.Join(s.Conditions, ",") != "hypertension,diabetes" || s.LastCheckup != storetest.Day("2026-11-20") || s.Measurements != 1 {
			t.Fatalf("summary = %+v, %v", s, err)
		}
		log, _ := db.AuditLog(ctx, f.Station, "elder", id, 1)
		if audits() != before+1 || log[0].Username != "c1" || log[0].Action != "read_health_summary" {
			t.Fatalf("the community's read is not audited (or the clinic's is): %d → %d %+v", before, audits(), log)
		}
		// Sealed at rest: the record, the values and their audit copies.
		var raw string
		if err := db.ReadRow("SELECT data FROM health_records WHERE elder_id = ?", id).Scan(&raw); err != nil || !strings.HasPrefix(raw, vault.TextPrefix) || strings.Contains(raw, "青霉素") {
			t.Fatalf("record at rest: %q %v", raw, err)
		}
		if err := db.ReadRow("SELECT data FROM health_measurements WHERE id = ?", m.ID).Scan(&raw); err != nil || !strings.HasPrefix(raw, vault.TextPrefix) || strings.Contains(raw, "152") {
			t.Fatalf("measurement at rest: %q %v", raw, err)
		}
		full, _ := db.AuditLog(ctx, f.Station, "elder", id, 500)
		for _, e := range full {
			if strings.Contains(e.After+e.Before, "青霉素") || strings.Contains(e.After, "血压偏高") {
				t.Fatalf("plain health data in the audit log: %+v", e)
			}
		}
	})
}

// TestMeasurementBounds: implausible values are refused in the store,
// every field named at once; the list is in date order.
func TestMeasurementBounds(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		id := f.Elder1.ID
		for _, tc := range []struct {
			m      health.Measurement
			fields []string
		}{
			{health.Measurement{TakenOn: storetest.Day("2026-11-01")}, []string{"systolic"}},
			{health.Measurement{Systolic: ip(120)}, []string{"taken_on", "diastolic"}},
			{health.Measurement{TakenOn: storetest.Day("2026-11-30"), Weight: fp(60)}, []string{"taken_on"}}, // tomorrow
			{health.Measurement{TakenOn: storetest.Day("1930-01-01"), Weight: fp(60)}, []string{"taken_on"}}, // before birth
			{health.Measurement{TakenOn: storetest.Day("2026-11-01"), Systolic: ip(1200), Diastolic: ip(80)}, []string{"systolic"}},
			{health.Measurement{TakenOn: storetest.Day("2026-11-01"), Systolic: ip(80), Diastolic: ip(90)}, []string{"diastolic"}},
			{health.Measurement{TakenOn: storetest.Day("2026-11-01"), Glucose: fp(60), Weight: fp(650), HeartRate: ip(8)}, []string{"glucose", "weight", "heart_rate"}},
		} {
			m := tc.m
			m.ElderID = id
			err := db.AddMeasurement(ctx, f.ClinicA, &m)
			for _, fl := range tc.fields {
				if !hasField(err, fl) {
					t.Errorf("%+v: want %s refused, got %v", tc.m, fl, err)
				}
			}
		}
		for _, day := range []string{"2026-10-02", "2026-08-15", "2026-11-28"} {
			if err := db.AddMeasurement(ctx, f.ClinicA, &health.Measurement{ElderID: id, TakenOn: storetest.Day(day), Weight: fp(55.5), HeartRate: ip(72)}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := db.Measurements(ctx, f.ClinicA, id, storetest.Day("2026-09-01"), time.Time{})
		if err != nil || len(list) != 2 || dayOf(list[0].TakenOn) != "2026-10-02" || *list[1].Weight != 55.5 || list[1].Systolic != nil {
			t.Fatalf("measurements since September: %+v %v", list, err)
		}
	})
}

// TestCallouts: a call logged by the clinic or the community that took it,
// with its times checked; listed with notes for the clinic, without them
// (audited) for the community, and on the clinic's home.
func TestCallouts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		id := f.Elder1.ID
		at := func(s string) time.Time {
			tm, err := time.ParseInLocation("2006-01-02 15:04", s, db.Loc)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		for _, tc := range []struct {
			c     health.Callout
			field string
		}{
			{health.Callout{CalledAt: at("2026-11-28 21:00"), Caller: "本人", Outcome: "treated"}, "arrived_at"},
			{health.Callout{CalledAt: at("2026-11-28 21:00"), Caller: "本人", Outcome: "treated", ArrivedAt: tp(at("2026-11-28 20:50"))}, "arrived_at"},
			{health.Callout{CalledAt: at("2026-11-29 09:00"), Caller: "本人", Outcome: "treated", ArrivedAt: tp(at("2026-11-29 11:00"))}, "arrived_at"},
			{health.Callout{CalledAt: at("2026-11-30 09:00"), Caller: "本人", Outcome: "advice"}, "called_at"},
			{health.Callout{CalledAt: at("2026-11-28 09:00"), Outcome: "advice"}, "caller"},
			{health.Callout{CalledAt: at("2026-11-28 09:00"), Caller: "本人", Outcome: "magic"}, "outcome"},
		} {
			c := tc.c
			c.ElderID = id
			if err := db.AddCallout(ctx, f.ClinicA, &c); !hasField(err, tc.field) {
				t.Errorf("%+v: want %s refused, got %v", tc.c, tc.field, err)
			}
		}
		for _, a := range []care.Actor{f.Volunteer, f.Viewer} {
			if err := db.AddCallout(ctx, a, &health.Callout{ElderID: id}); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s logs a call-out: %v", a.Role, err)
			}
			if _, err := db.Callouts(ctx, a, id); care.ErrorCode(err) != care.EForbidden {
				t.Fatalf("%s reads call-outs: %v", a.Role, err)
			}
		}
		c1 := &health.Callout{ElderID: id, CalledAt: at("2026-11-28 21:05"), Caller: "老伴", Outcome: "treated", ArrivedAt: tp(at("2026-11-28 21:30")), Note: "胸闷，测血压 170/100，舌下含服"}
		if err := db.AddCallout(ctx, f.ClinicA, c1); err != nil {
			t.Fatal(err)
		}
		c2 := &health.Callout{ElderID: id, CalledAt: at("2026-11-29 07:40"), Caller: "志愿者李桂兰", Outcome: "advice"}
		if err := db.AddCallout(ctx, f.Comm1, c2); err != nil {
			t.Fatal(err)
		}
		// The clinic is told of the call the community logged (not of its
		// own), in the app, with no health facts.
		inbox, unread, err := db.Inbox(ctx, f.ClinicA, 10)
		if err != nil || len(inbox) != 1 || unread != 1 || inbox[0].ElderID != id || !strings.Contains(inbox[0].Text, f.Elder1.Name) || !strings.Contains(inbox[0].Text, "c1") {
			t.Fatalf("the clinic's inbox: %+v %d %v", inbox, unread, err)
		}
		list, err := db.Callouts(ctx, f.ClinicA, id)
		if err != nil || len(list) != 2 || list[0].ID != c2.ID || list[1].Note != c1.Note || list[1].Minutes() != 25 {
			t.Fatalf("the clinic's list: %+v %v", list, err)
		}
		list, err = db.Callouts(ctx, f.Comm1, id)
		if err != nil || len(list) != 2 || list[1].Note != "" || list[1].Outcome != "treated" {
			t.Fatalf("the community's list: %+v %v", list, err)
		}
		log, _ := db.AuditLog(ctx, f.Station, "elder", id, 1)
		if log[0].Action != "read_callouts" || log[0].Username != "c1" {
			t.Fatalf("the community's read is not audited: %+v", log)
		}
		home, err := db.ClinicCallouts(ctx, f.ClinicA, at("2026-11-01 00:00"), 10)
		if err != nil || len(home) != 2 {
			t.Fatalf("the clinic's home: %+v %v", home, err)
		}
		if _, err := db.ClinicCallouts(ctx, f.Comm1, at("2026-11-01 00:00"), 10); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("community staff read the clinic's call-outs: %v", err)
		}
		var raw string
		if err := db.ReadRow("SELECT note FROM clinic_callouts WHERE id = ?", c1.ID).Scan(&raw); err != nil || !strings.HasPrefix(raw, vault.TextPrefix) {
			t.Fatalf("the note at rest: %q %v", raw, err)
		}
		s, err := db.HealthSummary(ctx, f.Comm1, id)
		if err != nil || s.Callouts != 2 || !s.LastCallout.Equal(c2.CalledAt) {
			t.Fatalf("summary: %+v %v", s, err)
		}
	})
}

func dayOf(t time.Time) string { return t.Format(time.DateOnly) }

// hasField tells whether err refuses field.
func hasField(err error, field string) bool {
	var ce *care.Error
	return errors.As(err, &ce) && ce.Code == care.EInvalid && ce.Fields[field].ZH != ""
}
