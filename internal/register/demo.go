package register

import (
	"bytes"
	"io"

	"golang.org/x/text/encoding/simplifiedchinese"

	"carecircle/internal/care"
	"carecircle/internal/safecsv"
)

// The demo register files (testdata/, and the 演示文件 download) let a
// newcomer try an import on the demo street: mostly good rows, written the
// ways real registers are, and one row of each problem the dry run names.
// Their good ID numbers use region 320105 (建邺区), which the demo street's
// elders never have, so they cannot collide with them.

// demoRegion is the ID region code of the demo files' new people.
const demoRegion = "320105"

var demoElderHeader = []string{"序号", "姓名", "性别", "身份证号", "出生日期", "联系电话", "所属社区", "楼栋", "单元", "房号",
	"居住情况", "自理能力", "类别", "紧急联系人", "紧急联系人电话", "紧急联系人关系", "服务需求", "备注"}

type demoElder struct {
	name, gender, birth, phone, community, building, unit, room, living, selfCare, cats, contact, contactPhone, relation, needs, notes string
	seq                                                                                                                                int
}

var demoElders = []demoElder{
	{"陶桂芳", "女", "1939-04-12", "13905171201", "幸福里社区", "3栋", "1单元", "201", "独居", "半自理", "空巢", "陶建国", "13805172201", "儿子", "生活服务、健康服务", "", 1},
	{"沈德福", "男", "1944/10/3", "025-83306612", "幸福里社区", "7栋", "2单元", "502", "与配偶同住", "自理", "空巢", "沈丽", "13915173302", "女儿", "精神服务", "", 2},
	{"韩玉梅", "女", "19360921", "", "安康社区", "4幢", "1单元", "101", "独居", "不能自理", "三无、病残", "韩二宝", "13770174403", "亲属", "生活服务,健康服务,应急服务", "需每日探视", 3},
	{"蒋有才", "男", "1950-01-30", "13851175504", "安康社区", "安康新村A座", "", "1203", "与子女/亲属同住", "自理", "", "蒋小兵", "13951176605", "儿子", "", "", 4},
	{"戴秀兰", "女", "1942年6月18日", "13605177706", "桃园村", "三组", "", "16号", "独居", "部分自理", "空巢老人；病残", "戴军", "18951178807", "儿子", "生活、健康", "腿脚不便", 5},
	{"魏长江", "男", "1947-08-08", "13305179908", "桃园村", "五组", "", "8号", "与老伴同住", "完全自理", "", "魏红", "15805170009", "女儿", "探亲服务", "", 6},
	{"许凤英", "女", "", "13705171110", "幸福里社区", "11栋", "1单元", "602", "独居", "半自理", "空巢", "许强", "13905172211", "儿子", "生活服务", "出生日期取自身份证号", 7},
	{"金宝林", "男", "1941-12-24", "", "安康社区", "9幢", "3单元", "301", "入住机构", "不能自理", "病残", "金燕", "13805173312", "女儿", "健康服务", "住养老院", 8},
}

// DemoElderRows are the rows of the demo elder register for a street with
// the given communities (the demo street's: 幸福里社区, 安康社区, 桃园村).
// When existing is given (a registered elder with the full ID number, and
// the name of its community) one row updates that elder.
func DemoElderRows(existing *care.Elder, existingCommunity string) [][]string {
	rows := [][]string{demoElderHeader}
	add := func(d demoElder, id string) {
		rows = append(rows, []string{itoa(len(rows)), d.name, d.gender, id, d.birth, d.phone, d.community, d.building, d.unit, d.room,
			d.living, d.selfCare, d.cats, d.contact, d.contactPhone, d.relation, d.needs, d.notes})
	}
	ids := make([]string, len(demoElders))
	for i, d := range demoElders {
		ids[i] = demoID(d)
		add(d, ids[i])
	}
	bad := func(i int, change func(d *demoElder, id *string)) {
		d := demoElders[i]
		d.seq = 40 + i // another person
		id := demoID(d)
		change(&d, &id)
		add(d, id)
	}
	bad(0, func(d *demoElder, id *string) { d.name = "邵金花"; *id = wrongCheckDigit(*id) })
	bad(1, func(d *demoElder, id *string) { d.name = "杭国庆"; d.birth = "1944-10-30" })
	bad(2, func(d *demoElder, id *string) { d.name = "柏玉珍"; d.community = "光明社区" })
	bad(3, func(d *demoElder, id *string) { d.name = "蒋有才"; *id = ids[3] }) // the same person twice
	bad(4, func(d *demoElder, id *string) { d.name = "" })
	if existing != nil {
		d := demoElder{name: existing.Name, gender: care.Label(care.Genders, string(existing.Gender), "zh"),
			birth: existing.BirthDate.Format("2006-01-02"), phone: existing.Phone, community: existingCommunity,
			building: existing.Building, unit: existing.Unit, room: existing.Room,
			living: care.Label(care.LivingSituations, existing.LivingSituation, "zh"), selfCare: care.Label(care.SelfCareLevels, existing.SelfCare, "zh"),
			cats: categories.labels(existing.Categories, "、"), needs: needs.labels(existing.Needs, "、"), notes: "已登记的老人：导入时更新"}
		if len(existing.EmergencyContacts) > 0 {
			c := existing.EmergencyContacts[0]
			d.contact, d.contactPhone, d.relation = c.Name, c.Phone, relations.label(c.Relation)
		}
		add(d, existing.IDNumber)
	}
	return rows
}

func demoID(d demoElder) string {
	birth := d.birth
	if birth == "" {
		birth = "1938-07-07"
	}
	t, bad := parseDate(birth)
	if bad != nil {
		panic("demo birth date " + birth)
	}
	g := care.Female
	if d.gender == "男" {
		g = care.Male
	}
	return care.MakeIDNumber(demoRegion, t, d.seq, g)
}

func wrongCheckDigit(id string) string {
	return id[:17] + map[bool]string{true: "1", false: "0"}[id[17] == '0']
}

var demoVolunteerHeader = []string{"姓名", "性别", "出生日期", "手机号码", "志愿者类型", "所属社区", "住址", "可结对人数", "技能特长", "服务队", "状态"}

// DemoVolunteerRows are the rows of the demo volunteer register; when
// existing is given, one row updates that volunteer (matched by phone in
// its community).
func DemoVolunteerRows(existing *care.Volunteer, existingCommunity string) [][]string {
	rows := [][]string{demoVolunteerHeader,
		{"钱玉珍", "女", "1958-03-14", "13905170101", "邻里志愿者", "幸福里社区", "幸福里3栋2单元402", "2", "理发、量血压", "幸福里夕阳红志愿服务队", "在岗"},
		{"孔令华", "男", "1961/9/2", "13815170202", "邻里低龄老年志愿者", "安康社区", "安康新村B座801", "3", "水电维修", "安康邻里守望志愿服务队", ""},
		{"曹晓雨", "女", "2003-05-20", "18851170303", "社会志愿者", "桃园村", "南京师范大学", "1", "陪聊、读报", "", "在岗"},
		{"严明", "男", "1975-11-11", "13705170404", "卫生机构人员", "安康社区", "和平街道社区卫生服务中心", "4", "健康咨询", "", "在岗"},
		{"华丽萍", "女", "1969-02-28", "13605170505", "居委会工作人员", "幸福里社区", "幸福里社区居委会", "", "", "", "在岗"},
		{"金凤", "女", "1960-07-07", "", "邻里志愿者", "幸福里社区", "幸福里8栋", "2", "", "", "在岗"},
		{"魏国强", "男", "1957-12-01", "13905170707", "热心群众", "桃园村", "桃园村二组", "2", "", "", "在岗"},
		{"陶红", "女", "1962-06-16", "13905170808", "邻里志愿者", "光明社区", "", "1", "", "", "在岗"},
		{"钱玉珍", "女", "1958-03-14", "139-0517-0101", "邻里志愿者", "幸福里社区", "幸福里3栋2单元402", "2", "", "", "在岗"},
	}
	if existing != nil {
		rows = append(rows, []string{existing.Name, care.Label(care.Genders, string(existing.Gender), "zh"), formatDate(existing.BirthDate),
			existing.Phone, volunteerKinds.label(existing.Kind), existingCommunity, existing.Address, itoa(existing.Capacity),
			joinSkills(existing.Skills), existing.Team, volunteerStatuses.label(existing.Status)})
	}
	return rows
}

func joinSkills(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "、"
		}
		out += x
	}
	return out
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// WriteRows writes plain rows as a register file: .xlsx with text cells, or
// .csv in UTF-8 with a BOM or, with gb18030, in GB18030 as Chinese Excel
// saves it.
func WriteRows(w io.Writer, format Format, sheet string, rows [][]string, gb18030 bool) error {
	if format == XLSX {
		widths := make([]float64, len(rows[0]))
		for i := range widths {
			widths[i] = 14
		}
		x, err := newXLSXWriter(sheet, rows[0], widths)
		if err != nil {
			return err
		}
		for _, r := range rows[1:] {
			cells := make([]cell, len(r))
			for i, v := range r {
				cells[i] = cell{text: v}
			}
			if err := x.row(cells); err != nil {
				return err
			}
		}
		return x.close(w)
	}
	var buf bytes.Buffer
	if !gb18030 {
		buf.Write(utf8BOM)
	}
	cw := safecsv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	data := buf.Bytes()
	if gb18030 {
		var err error
		if data, err = simplifiedchinese.GB18030.NewEncoder().Bytes(data); err != nil {
			return err
		}
	}
	_, err := w.Write(data)
	return err
}
