package register_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// xlsxOf builds an .xlsx whose first sheet holds rows as text cells.
func xlsxOf(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", ref, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// csvOf builds a CSV in UTF-8 (bom adds the byte-order mark) or GB18030.
func csvOf(t testing.TB, rows [][]string, encoding string, comma rune) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = comma
	w.WriteAll(rows)
	switch encoding {
	case "bom":
		return append([]byte{0xEF, 0xBB, 0xBF}, buf.Bytes()...)
	case "gb18030":
		b, err := simplifiedchinese.GB18030.NewEncoder().Bytes(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return buf.Bytes()
}

func importFile(t testing.TB, db *store.DB, a care.Actor, kind register.Kind, data []byte, dryRun bool) *register.Report {
	t.Helper()
	rep, err := register.Import(context.Background(), db, a, kind, "test", data, register.Options{DryRun: dryRun})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// problems lists a report's problems as "row/column" keys.
func problems(rep *register.Report) map[string]string {
	out := map[string]string{}
	for _, p := range rep.Errors {
		out[itoa(p.Row)+"/"+p.Column] = p.Reason.ZH
	}
	return out
}

func itoa(n int) string {
	return string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
}

func countElders(t testing.TB, db *store.DB, a care.Actor) int {
	t.Helper()
	_, n, err := db.ListElders(context.Background(), a, store.ElderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var elderHeader = []string{"姓名", "性别", "身份证号", "出生日期", "联系电话", "所属社区", "楼栋", "单元", "房号",
	"居住情况", "自理能力", "类别", "紧急联系人", "紧急联系人电话", "紧急联系人关系"}

// elderLine is a good elder row of elderHeader for community 幸福社区.
func elderLine(name string, birth string, seq int) []string {
	id := care.MakeIDNumber("320105", storetest.Day(birth), seq, care.Female)
	return []string{name, "女", id, birth, "13912345678", "幸福社区", "3栋", "1单元", "101", "独居", "半自理", "空巢、病残", "李明", "13905170001", "儿子"}
}

func wrongCheck(id string) string {
	return id[:17] + map[bool]string{true: "1", false: "0"}[id[17] == '0']
}
