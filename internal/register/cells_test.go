package register

import (
	"bytes"
	"testing"

	"carecircle/internal/care"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1945-03-08", "1945-03-08"}, {"1945/3/8", "1945-03-08"}, {"1945.3.8", "1945-03-08"}, {"19450308", "1945-03-08"},
		{"1945年3月8日", "1945-03-08"}, {"１９４５－０３－０８", "1945-03-08"}, {"1945-03-08 00:00:00", "1945-03-08"},
		{"16504", "1945-03-08"}, {"16504.0", "1945-03-08"}, {"", ""},
		{"1945-02-30", "bad"}, {"1945", "bad"}, {"1945.03", "bad"}, {"三月初八", "bad"}, {"08/03/1945", "bad"},
	} {
		d, bad := parseDate(tc.in)
		got := formatDate(d)
		if bad != nil {
			got = "bad"
		}
		if got != tc.want {
			t.Errorf("parseDate(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseIDNumberRecognisesExcelDamage(t *testing.T) {
	id := care.MakeIDNumber("320105", mustDate("1945-03-08"), 3, care.Male)
	for _, tc := range []struct {
		in   string
		want string // "ok" or the start of the reason
	}{
		{id, "ok"}, {" " + id[:17] + "x ", "ok"}, {"'" + id, "ok"},
		{"3.20105194503E+17", "身份证号被 Excel 当作数字"}, {"3.2010519450308E17", "身份证号被 Excel 当作数字"},
		{id[:15] + "000", "身份证号被 Excel 当作数字"}, {id[:15], "身份证号只有15位"}, {care.MaskIDNumber(id), "身份证号已打码"},
	} {
		got, bad := parseIDNumber(tc.in)
		switch {
		case tc.want == "ok" && (bad != nil || got == ""):
			t.Errorf("parseIDNumber(%q) refused: %v", tc.in, bad)
		case tc.want != "ok" && (bad == nil || len(bad.ZH) < len(tc.want) || bad.ZH[:len(tc.want)] != tc.want):
			t.Errorf("parseIDNumber(%q) = %q, %v; want %q", tc.in, got, bad, tc.want)
		}
	}
}

func TestChoicesAcceptLabelsCodesAndSynonyms(t *testing.T) {
	for _, tc := range []struct {
		c        *choices
		in, want string
	}{
		{genders, "男", "male"}, {genders, "female", "female"}, {living, "与子女/亲属同住", "with_family"}, {living, "与老伴同住", "with_spouse"},
		{selfCare, "不能自理", "dependent"}, {elderStatuses, "暂停（住院、外出）", "paused"}, {elderStatuses, "暂停", "paused"},
		{volunteerKinds, "邻里志愿者", "neighbour"}, {volunteerKinds, "邻里低龄老年志愿者", "neighbour"}, {volunteerKinds, "SOCIAL", "social"},
	} {
		if got, bad := tc.c.code(tc.in); got != tc.want || bad != nil {
			t.Errorf("code(%q) = %q %v, want %q", tc.in, got, bad, tc.want)
		}
	}
	if _, bad := living.code("山洞"); bad == nil || bad.ZH != "“山洞”不是可选的值，可填：独居、与配偶同住、与子女/亲属同住、入住机构" {
		t.Errorf("unknown value: %v", bad)
	}
	cats, bad := categories.codes("空巢、三无,病残；高龄", "advanced_age")
	if bad != nil || len(cats) != 3 || cats[2] != "sick_disabled" {
		t.Errorf("categories: %v %v", cats, bad)
	}
}

func TestHeaderKeys(t *testing.T) {
	for in, want := range map[string]string{"＊姓 名": "姓名", "身份证号码（18位）": "身份证号码", "出生日期(年-月-日)": "出生日期",
		"服务时长（小时）": "服务时长", " Lat ": "lat", "所属社区：": "所属社区"} {
		if got := headerKey(in); got != want && headerKey(want) != got {
			t.Errorf("headerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Row numbers are what Excel shows: a record whose quoted cell spans lines
// is one row, and blank lines are rows too.
func TestCSVRowNumbersMatchExcel(t *testing.T) {
	data := "标题\n姓名,身份证号\r\n\"王\n秀英\",1\n\n李,2\r\n,\n张,3\n"
	tab, bad, err := readTable([]byte(data), elderSchema.isHeader)
	if bad != nil || err != nil {
		t.Fatal(bad, err)
	}
	var nums []int
	for _, r := range tab.rows {
		nums = append(nums, r.num)
	}
	if tab.headerRow != 2 || len(nums) != 3 || nums[0] != 3 || nums[1] != 5 || nums[2] != 7 {
		t.Fatalf("header %d rows %v, want 2 and [3 5 7]", tab.headerRow, nums)
	}
}

// The reader takes MaxRows data rows; TestRowLimit refuses one more.
func TestReaderTakesMaxRows(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("姓名,身份证号\n")
	for range MaxRows {
		buf.WriteString("王秀英,1\n")
	}
	tab, bad, err := readTable(buf.Bytes(), elderSchema.isHeader)
	if bad != nil || err != nil || len(tab.rows) != MaxRows {
		t.Fatalf("%v %v: %d rows", bad, err, len(tab.rows))
	}
}
