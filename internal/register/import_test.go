package register_test

import (
	"context"
	"strings"
	"testing"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// badRegister has one row of every kind of problem the dry run must name,
// with the row numbers and columns a user sees in Excel.
func badRegister(f *storetest.Fixture) [][]string {
	rows := [][]string{elderHeader}
	good := elderLine("赵玉兰", "1941-03-08", 1)
	rows = append(rows, good) // row 2: created
	bad := elderLine("钱桂英", "1943-04-09", 2)
	bad[2] = wrongCheck(bad[2])
	rows = append(rows, bad) // row 3: check digit
	disagree := elderLine("孙秀珍", "1944-05-10", 3)
	disagree[3] = "1944-05-11"
	rows = append(rows, disagree) // row 4: birth date differs from the ID
	unknown := elderLine("李淑华", "1945-06-11", 4)
	unknown[5] = "光明社区"
	rows = append(rows, unknown) // row 5: unknown community
	rows = append(rows, good)    // row 6: duplicate of row 2
	noName := elderLine("", "1946-07-12", 5)
	rows = append(rows, noName) // row 7: missing name
	update := elderLine("王秀英", "1938-02-03", 0)
	update[2] = f.Elder1.IDNumber
	rows = append(rows, update) // row 8: update of an existing elder
	other := elderLine("刘淑珍", "1944-11-30", 0)
	other[2] = f.Elder3.IDNumber
	rows = append(rows, other) // row 9: registered in another community
	sci := elderLine("周凤英", "1947-08-13", 6)
	sci[2] = "3.20105194708E+17"
	rows = append(rows, sci) // row 10: an ID number Excel turned into a number
	masked := elderLine("吴玉珍", "1948-09-14", 7)
	masked[2] = care.MaskIDNumber(masked[2])
	return append(rows, masked) // row 11: masked by an export
}

func TestDryRunNamesEveryBadRowByRowAndColumn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		before := countElders(t, db, f.Station)
		rep := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, badRegister(f)), true)
		got := problems(rep)
		want := map[string]string{
			"003/身份证号": "校验码", "004/身份证号": "出生日期", "005/所属社区": "社区不存在", "006/身份证号": "与第 2 行",
			"007/姓名": "必填", "009/身份证号": "其他社区", "010/身份证号": "数字", "011/身份证号": "打码",
		}
		for k, reason := range want {
			if !strings.Contains(got[k], reason) {
				t.Errorf("%s: reason %q, want it to mention %q", k, got[k], reason)
			}
		}
		if len(got) != len(want) {
			t.Errorf("problems %v, want exactly %v", got, want)
		}
		if rep.Created != 1 || rep.Updated != 1 || rep.Committed || rep.Rows != 10 {
			t.Errorf("created %d updated %d committed %v rows %d", rep.Created, rep.Updated, rep.Committed, rep.Rows)
		}
		for _, p := range rep.Errors {
			if p.Column == "身份证号" && len(p.Value) == 18 && !strings.Contains(p.Value, "*") {
				t.Errorf("row %d shows a full ID number on screen: %s", p.Row, p.Value)
			}
			if p.Reason.EN == "" {
				t.Errorf("row %d: no English reason", p.Row)
			}
		}
		if rep := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, badRegister(f)), false); rep.Committed {
			t.Fatal("a file with bad rows must not be imported")
		}
		if after := countElders(t, db, f.Station); after != before {
			t.Fatalf("bad rows imported something: %d -> %d", before, after)
		}
	})
}

func TestCommitIsAllOrNothingAndReimportUpdates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		rows := [][]string{elderHeader}
		for i, name := range []string{"赵玉兰", "钱桂英", "孙秀珍"} {
			rows = append(rows, elderLine(name, "1941-03-0"+string(rune('1'+i)), i))
		}
		update := elderLine("王秀英", "1938-02-03", 0)
		update[2], update[6] = f.Elder1.IDNumber, "9栋"
		rows = append(rows, update)
		before := countElders(t, db, f.Station)
		rep := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, rows), false)
		if !rep.Committed || rep.Created != 3 || rep.Updated != 1 {
			t.Fatalf("import: %+v", rep)
		}
		if n := countElders(t, db, f.Station); n != before+3 {
			t.Fatalf("elders %d, want %d", n, before+3)
		}
		e, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
		if e.Building != "9栋" || e.ClinicID == nil || *e.ClinicID != f.Clinic.ID {
			t.Fatalf("update must change the file's columns and keep the others: building %q clinic %v", e.Building, e.ClinicID)
		}
		log, _ := db.AuditLog(ctx, f.Station, "elder", f.Elder1.ID, 5)
		if len(log) == 0 || log[0].Action != "update" || log[0].Username != "c1" {
			t.Fatalf("update not audited: %+v", log)
		}
		e.Status = "deceased"
		if err := db.UpdateElder(ctx, f.Comm1, e, "去世"); err != nil {
			t.Fatal(err)
		}
		statusCol := [][]string{append(append([]string{}, elderHeader...), "状态")}
		for _, r := range rows[1:] {
			statusCol = append(statusCol, append(append([]string{}, r...), ""))
		}
		again := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, statusCol), false)
		if !again.Committed || again.Created != 0 || again.Updated != 4 {
			t.Fatalf("re-import must update, not duplicate: %+v", again)
		}
		if n := countElders(t, db, f.Station); n != before+3 {
			t.Fatalf("re-import duplicated: %d elders", n)
		}
		if e, _ := db.GetElder(ctx, f.Comm1, f.Elder1.ID); e.Status != "deceased" {
			t.Fatalf("an empty 状态 must keep the stored status, got %s", e.Status)
		}
	})
}

func TestCommunityUserCannotImportIntoAnotherCommunity(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		row := elderLine("赵玉兰", "1941-03-08", 1)
		row[5] = f.C2.Name
		rep := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, [][]string{elderHeader, row}), false)
		if got := problems(rep)["002/所属社区"]; !strings.Contains(got, "社区不存在或不在您的管辖范围") || rep.Committed {
			t.Fatalf("another community: %v", problems(rep))
		}
		if rep := importFile(t, db, f.Station, register.Elders, xlsxOf(t, [][]string{elderHeader, row}), true); !rep.OK() {
			t.Fatalf("the station may import into any community of its street: %v", problems(rep))
		}
		for _, a := range []care.Actor{f.Volunteer, f.ClinicA, f.Viewer, f.Admin} {
			if _, err := register.Import(context.Background(), db, a, register.Elders, "x", xlsxOf(t, [][]string{elderHeader, row}), register.Options{}); care.ErrorCode(err) != care.EForbidden {
				t.Errorf("%s importing: %v", a.Role, err)
			}
		}
	})
}

func TestEncodingsAndDelimitersReadAlike(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		rows := badRegister(f)
		want := problems(importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, rows), true))
		files := map[string][]byte{
			"utf-8":   csvOf(t, rows, "", ','),
			"bom":     csvOf(t, rows, "bom", ','),
			"gb18030": csvOf(t, rows, "gb18030", ','),
			"tab":     csvOf(t, rows, "bom", '\t'),
			"semi":    csvOf(t, rows, "gb18030", ';'),
		}
		for name, data := range files {
			got := problems(importFile(t, db, f.Comm1, register.Elders, data, true))
			if len(got) != len(want) {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s = %q, want %q", name, k, got[k], v)
				}
			}
		}
	})
}

func TestHeadersAsPeopleWriteThem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		header := []string{"＊姓 名", "性别", "身份证号码", "出生年月", "手机", "社区", "楼号", "单元", "房号", "居住状况", "自理情况", "类别（可多选）", "紧急联系人姓名", "紧急联系电话", "关系", "备用列"}
		row := elderLine("赵玉兰", "1941-03-08", 1)
		row[3], row[5] = "1941/3/8", "幸福"
		row[9], row[10], row[11], row[14] = "独居老人", "部分自理", "空巢老人；病残", "子"
		rows := [][]string{{"幸福社区老年人信息登记表"}, {}, header, append(row, "x")}
		bad := append(elderLine("", "1942-01-01", 2), "")
		rows = append(rows, []string{}, bad)
		rep := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, rows), true)
		if got := problems(rep); len(got) != 1 || got["006/＊姓 名"] == "" {
			t.Fatalf("row numbers must count the title and blank rows: %v", got)
		}
		if rep.Created != 1 || len(rep.Ignored) != 1 || rep.Ignored[0] != "备用列" {
			t.Fatalf("created %d ignored %v", rep.Created, rep.Ignored)
		}
	})
}

func TestMissingColumnsAndUnreadableFiles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		rep := importFile(t, db, f.Comm1, register.Elders, xlsxOf(t, [][]string{{"姓名", "性别"}, {"赵玉兰", "女"}}), true)
		if got := problems(rep); got["001/身份证号"] != "缺少此列" {
			t.Fatalf("missing column: %v", got)
		}
		for _, data := range [][]byte{{}, {0xD0, 0xCF, 0x11, 0xE0, 1, 2}, []byte("PK\x03\x04garbage"), []byte("a,b\nc,d\n")} {
			if rep := importFile(t, db, f.Comm1, register.Elders, data, true); rep.OK() || rep.Errors[0].Row != 0 {
				t.Errorf("%q: %+v", data, rep.Errors)
			}
		}
	})
}
