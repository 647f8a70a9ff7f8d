package store_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func keepAll(stored, file *care.Elder) { *stored = *file }

func TestImportEldersChecksScopeNamesAndDuplicates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		row := func(n int, e care.Elder, community, clinic string) store.ElderImport {
			return store.ElderImport{Row: n, Elder: e, Community: community, Clinic: clinic}
		}
		fresh := storetest.NewElder("赵玉兰", 0, "1941-03-08", care.Female, 30)
		rows := []store.ElderImport{
			row(2, fresh, " 幸福 ", "和平社区卫生服务中心"), // name without 社区, full clinic name
			row(3, fresh, "幸福社区", ""),           // the same ID again
			row(4, f.Elder1, "幸福社区", ""),        // registered in scope: update
			row(5, f.Elder3, "安康社区", ""),        // registered in community 2: outside c1's scope
			row(6, storetest.NewElder("钱桂英", 0, "1942-01-01", care.Female, 31), "光明社区", ""),
			row(7, storetest.NewElder("孙秀珍", 0, "1943-01-01", care.Female, 32), "", "不存在的医院"),
		}
		res, err := db.ImportElders(ctx, f.Comm1, rows, store.ImportOptions{Fields: []string{"community_id", "clinic_id"}, MergeElder: keepAll})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]string{1: "id_number", 3: "id_number", 4: "community_id", 5: "clinic_id"}
		if len(res.Errors) != len(want) || res.Committed {
			t.Fatalf("errors %+v committed %v", res.Errors, res.Committed)
		}
		for _, re := range res.Errors {
			if _, ok := re.Err.(*care.Error).Fields[want[re.Index]]; !ok {
				t.Errorf("row index %d: %v, want an error on %s", re.Index, re.Err, want[re.Index])
			}
		}
		if !strings.Contains(res.Errors[0].Err.(*care.Error).Fields["id_number"].ZH, "第 2 行") {
			t.Errorf("a duplicate names the first row: %v", res.Errors[0].Err)
		}
		if res.Actions[0] != store.ActionCreate || res.Actions[2] != store.ActionUpdate {
			t.Fatalf("actions %v", res.Actions)
		}
		if _, n, _ := db.ListElders(ctx, f.Station, store.ElderFilter{Q: "赵玉兰"}); n != 0 {
			t.Fatal("a batch with errors wrote something")
		}
		res, err = db.ImportElders(ctx, f.Comm1, []store.ElderImport{rows[0], rows[2]}, store.ImportOptions{Fields: []string{"community_id"}, MergeElder: keepAll})
		if err != nil || !res.Committed || res.Created != 1 || res.Updated != 1 {
			t.Fatalf("good batch: %+v %v", res, err)
		}
		if _, err := db.ImportElders(ctx, f.ClinicA, rows, store.ImportOptions{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("clinic import: %v", err)
		}
	})
}

func TestImportVolunteersKeyedByPhoneInCommunity(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		same := f.Vol1 // phone 13700000001 in community 1
		same.Phone, same.Team = "137-0000-0001", "新服务队"
		elsewhere := f.Vol1
		rows := []store.VolunteerImport{{Row: 2, Volunteer: same, Community: f.C1.Name}, {Row: 3, Volunteer: elsewhere, Community: f.C2.Name}}
		merge := func(stored, file *care.Volunteer) { stored.Team = file.Team }
		res, err := db.ImportVolunteers(ctx, f.Station, rows, store.ImportOptions{Fields: []string{"team"}, MergeVolunteer: merge})
		if err != nil || !res.Committed || res.Updated != 1 || res.Created != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		v, _ := db.GetVolunteer(ctx, f.Station, f.Vol1.ID)
		if v.Team != "新服务队" {
			t.Fatalf("update by phone: %+v", v)
		}
	})
}

func TestExportRevealIsAuditedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		var ids []string
		n, err := db.ExportElders(ctx, f.Station, store.ElderFilter{CommunityID: f.C1.ID, Limit: 1}, true, func(e *care.Elder) error {
			ids = append(ids, e.IDNumber)
			return nil
		})
		if err != nil || n != 2 || len(ids) != 2 || ids[0] != f.Elder1.IDNumber {
			t.Fatalf("export ignores paging and reveals: %d %v %v", n, ids, err)
		}
		log, _ := db.AuditLog(ctx, f.Station, "elder", 0, 1) // the newest entry
		if len(log) != 1 || log[0].Action != "export_reveal_id_numbers" || !strings.Contains(log[0].After, `"count":2`) {
			t.Fatalf("audit: %+v", log)
		}
		if _, err := db.ExportElders(ctx, f.ClinicA, store.ElderFilter{}, false, func(*care.Elder) error { return nil }); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("clinic export: %v", err)
		}
		if _, err := db.ExportVolunteers(ctx, f.Volunteer, store.VolunteerFilter{}, func(*care.Volunteer) error { return nil }); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("volunteer export: %v", err)
		}
	})
}

// TestImportLookalikes (issue 14 point 8): a row with the name and address
// or phone of a registered elder, or of an earlier row, under another ID
// number is 可能重复 and is imported only when its row is confirmed.
func TestImportLookalikes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		twin := storetest.NewElder(f.Elder1.Name, 0, "1939-04-05", care.Female, 40) // Elder1's name, address and phone
		first := storetest.NewElder("周小红", 0, "1945-02-02", care.Female, 41)
		first.Building, first.Phone = "9栋", "13811110000"
		second := storetest.NewElder("周 小红", 0, "1946-03-03", care.Female, 42) // same phone, another building
		second.Building, second.Phone = "8栋", "138-1111-0000"
		other := storetest.NewElder("吴小平", 0, "1947-03-03", care.Male, 43) // same address as Elder1, another name
		rows := func() []store.ElderImport {
			return []store.ElderImport{{Row: 2, Elder: twin}, {Row: 3, Elder: first}, {Row: 4, Elder: second}, {Row: 5, Elder: f.Elder1}, {Row: 6, Elder: other}}
		}
		opts := store.ImportOptions{DryRun: true, MergeElder: keepAll}
		res, err := db.ImportElders(ctx, f.Comm1, rows(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Lookalikes) != 2 || res.Lookalikes[0] != 2 || res.Lookalikes[1] != 4 || res.Bad != 2 {
			t.Fatalf("look-alike rows %v, bad %d: %+v", res.Lookalikes, res.Bad, res.Errors)
		}
		m0 := res.Errors[0].Err.(*care.Error).Fields["name"].ZH
		m1 := res.Errors[1].Err.(*care.Error).Fields["name"].ZH
		if !strings.HasPrefix(m0, "可能重复") || !strings.Contains(m0, f.Elder1.Name) || !strings.Contains(m1, "第 3 行") {
			t.Fatalf("the warnings say whom the rows look like: %q %q", m0, m1)
		}
		// Confirming one row is not enough; both are.
		opts.DryRun, opts.ConfirmRows = false, map[int]bool{2: true}
		if res, err = db.ImportElders(ctx, f.Comm1, rows(), opts); err != nil || res.Committed || res.Bad != 1 {
			t.Fatalf("one row unconfirmed: %+v %v", res, err)
		}
		opts.ConfirmRows[4] = true
		if res, err = db.ImportElders(ctx, f.Comm1, rows(), opts); err != nil || !res.Committed || res.Created != 4 || res.Updated != 1 {
			t.Fatalf("confirmed: %+v %v", res, err)
		}
		if _, n, _ := db.ListElders(ctx, f.Station, store.ElderFilter{Q: f.Elder1.Name}); n != 2 {
			t.Fatalf("the confirmed namesake is registered: %d", n)
		}
		// Importing the same file again updates everyone: nobody looks like
		// someone else with their own ID number.
		opts.ConfirmRows = nil
		opts.MergeElder = func(stored, file *care.Elder) { c := stored.CommunityID; *stored = *file; stored.CommunityID = c }
		if res, err = db.ImportElders(ctx, f.Comm1, rows(), opts); err != nil || !res.Committed || res.Updated != 5 {
			t.Fatalf("the same file again: %+v %v", res, err)
		}
	})
}
