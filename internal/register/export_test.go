package register_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// comparable is an elder as a register file carries it: names instead of
// record numbers, no timestamps.
func comparableElder(t *testing.T, db *store.DB, a care.Actor, e care.Elder) string {
	t.Helper()
	ctx := context.Background()
	c, err := db.GetCommunity(ctx, a, e.CommunityID)
	if err != nil {
		t.Fatal(err)
	}
	clinic := ""
	if e.ClinicID != nil {
		k, _ := db.GetClinic(ctx, a, *e.ClinicID)
		clinic = k.Name
	}
	e.ID, e.CommunityID, e.ClinicID = 0, 0, nil
	e.CreatedAt, e.UpdatedAt = time.Time{}, time.Time{}
	b, _ := json.Marshal(struct {
		E                 care.Elder
		Community, Clinic string
	}{e, c.Name, clinic})
	return string(b)
}

func eldersByMasked(t *testing.T, db *store.DB, a care.Actor) map[string]string {
	t.Helper()
	items, _, err := db.ListElders(context.Background(), a, store.ElderFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range items {
		out[e.IDMasked+e.Name] = comparableElder(t, db, a, e)
	}
	return out
}

// richElders adds elders that use every column: coordinates, two contacts,
// several categories and needs, a lunar birthday, a clinic, a status.
func richElders(t *testing.T, db *store.DB, f *storetest.Fixture) {
	lat, lon := 32.0641, 118.7722
	e := storetest.NewElder("郑凤英", f.C1.ID, "1936-12-31", care.Female, 20)
	e.Lat, e.Lon, e.LunarBirthday, e.Consent, e.Notes = &lat, &lon, true, true, "=喜欢听评书，\"耳背\"，说话请大声"
	e.Categories, e.Needs = []string{"three_no", "sick_disabled"}, []string{"life", "health", "legal"}
	e.EmergencyContacts = append(e.EmergencyContacts, care.Contact{Name: "郑小红", Relation: "daughter", Phone: "025-83301234", Lives: "-本社区"})
	e.Wishes = care.Wishes{DeclinePairing: true, DeclineReason: "已雇保姆照料"}
	e.ClinicID, e.Status, e.LivingSituation, e.SelfCare = &f.Clinic.ID, "paused", "with_spouse", "dependent"
	if err := db.CreateElder(context.Background(), f.Station, &e); err != nil {
		t.Fatal(err)
	}
}

func TestExportImportRoundTripGivesTheSameElders(t *testing.T) {
	for _, format := range []register.Format{register.XLSX, register.CSV} {
		t.Run(string(format), func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, src *store.DB) {
				f := storetest.Seed(t, src)
				richElders(t, src, f)
				var buf bytes.Buffer
				n, err := register.ExportElders(context.Background(), src, f.Station, store.ElderFilter{}, format, true, &buf)
				if err != nil || n != 4 {
					t.Fatalf("export: %d %v", n, err)
				}
				dst := storetest.Open(t, t.TempDir()+"/dst.db")
				g := storetest.Seed(t, dst)
				rep := importFile(t, dst, g.Station, register.Elders, buf.Bytes(), false)
				if !rep.Committed || rep.Created != 1 || rep.Updated != 3 {
					t.Fatalf("import of the export: %+v", rep)
				}
				want, got := eldersByMasked(t, src, f.Station), eldersByMasked(t, dst, g.Station)
				if len(want) != 4 || !reflect.DeepEqual(want, got) {
					for k := range want {
						if want[k] != got[k] {
							t.Errorf("%s\n exported %s\n imported %s", k, want[k], got[k])
						}
					}
				}
			})
		})
	}
}

func TestMaskedExportCannotBeImported(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		var buf bytes.Buffer
		if _, err := register.ExportElders(context.Background(), db, f.Comm1, store.ElderFilter{}, register.CSV, false, &buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), f.Elder1.IDNumber) || !strings.Contains(buf.String(), f.Elder1.IDMasked) {
			t.Fatal("a masked export must hold masked ID numbers only")
		}
		rep := importFile(t, db, f.Comm1, register.Elders, buf.Bytes(), false)
		got := problems(rep)
		if rep.Committed || len(got) != 2 || !strings.Contains(got["002/身份证号"], "已打码") || !strings.Contains(got["003/身份证号"], "已打码") {
			t.Fatalf("masked rows: %v", got)
		}
	})
}

func TestExportIsAuditedAndRevealIsForStaffOnly(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		var buf bytes.Buffer
		n, err := register.ExportElders(ctx, db, f.Comm1, store.ElderFilter{Status: "active"}, register.XLSX, true, &buf)
		if err != nil || n != 2 {
			t.Fatalf("community export: %d %v", n, err)
		}
		log, _ := db.AuditLog(ctx, f.Station, "elder", 0, 1)
		if len(log) != 1 || log[0].Action != "export_reveal_id_numbers" || log[0].Username != "c1" || !strings.Contains(log[0].After, `"count":2`) {
			t.Fatalf("reveal export audit: %+v", log)
		}
		if strings.Contains(log[0].After, f.Elder1.IDNumber) {
			t.Fatal("the audit log must not hold ID numbers")
		}
		for _, a := range []care.Actor{f.ClinicA, f.Volunteer, f.Viewer, f.Admin} {
			if _, err := register.ExportElders(ctx, db, a, store.ElderFilter{}, register.CSV, false, &buf); care.ErrorCode(err) != care.EForbidden {
				t.Errorf("%s export: %v", a.Role, err)
			}
		}
	})
}

func TestVolunteersRoundTripAndPhoneKey(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		lat, lon := 32.06, 118.77
		v := care.Volunteer{Name: "周建华", Gender: care.Male, BirthDate: storetest.Day("1958-09-12"), Phone: "13851700009", Kind: "committee",
			CommunityID: f.C2.ID, Address: "安康新村A座", Lat: &lat, Lon: &lon, Capacity: 0, Skills: []string{"理发", "量血压"},
			Availability: "周末", Team: "@安康邻里守望志愿服务队", Status: "paused", Training: "+急救培训", Honours: "=优秀志愿者", HoursTenths: 125}
		if err := db.CreateVolunteer(ctx, f.Station, &v); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := register.ExportVolunteers(ctx, db, f.Station, store.VolunteerFilter{}, register.XLSX, &buf); err != nil {
			t.Fatal(err)
		}
		dst := storetest.Open(t, t.TempDir()+"/dst.db")
		g := storetest.Seed(t, dst)
		rep := importFile(t, dst, g.Station, register.Volunteers, buf.Bytes(), false)
		if !rep.Committed || rep.Created != 1 || rep.Updated != 2 {
			t.Fatalf("volunteer import: %+v", rep)
		}
		got, _, _ := dst.ListVolunteers(ctx, g.Station, store.VolunteerFilter{Q: "周建华"})
		if len(got) != 1 {
			t.Fatal("volunteer not imported")
		}
		w := got[0]
		w.ID, w.CommunityID, w.CreatedAt, w.UpdatedAt = v.ID, v.CommunityID, v.CreatedAt, v.UpdatedAt
		if !reflect.DeepEqual(w, v) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", w, v)
		}
		again := importFile(t, dst, g.Station, register.Volunteers, buf.Bytes(), false)
		if again.Created != 0 || again.Updated != 3 {
			t.Fatalf("re-import must update by phone: %+v", again)
		}
		// CSV: the cells starting with = + @ are written with a leading '
		// (no formula when opened) and the import removes it again.
		buf.Reset()
		if _, err := register.ExportVolunteers(ctx, db, f.Station, store.VolunteerFilter{}, register.CSV, &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), ",'=优秀志愿者") || strings.Contains(buf.String(), ",=") {
			t.Fatalf("CSV cells are not escaped:\n%s", buf.String())
		}
		if again := importFile(t, dst, g.Station, register.Volunteers, buf.Bytes(), false); again.Created != 0 || again.Updated != 3 {
			t.Fatalf("CSV re-import: %+v", again)
		}
		got, _, _ = dst.ListVolunteers(ctx, g.Station, store.VolunteerFilter{Q: "周建华"})
		w = got[0]
		w.ID, w.CommunityID, w.CreatedAt, w.UpdatedAt = v.ID, v.CommunityID, v.CreatedAt, v.UpdatedAt
		if !reflect.DeepEqual(w, v) {
			t.Fatalf("CSV round trip:\n got %+v\nwant %+v", w, v)
		}
	})
}
