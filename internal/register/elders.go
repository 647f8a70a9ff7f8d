package register

import (
	"strings"

	"carecircle/internal/care"
)

// elderRow is one row of an elder register: the elder, and what the file
// names rather than numbers (community, clinic) or spreads over several
// columns (contacts).
type elderRow struct {
	care.Elder
	community, clinic string
	contacts          [contactSlots]care.Contact
}

func text(get func(r *elderRow) *string) (func(r *elderRow) string, func(r *elderRow, v string) *care.Msg) {
	return func(r *elderRow) string { return *get(r) },
		func(r *elderRow, v string) *care.Msg { *get(r) = strings.TrimSpace(v); return nil }
}

func elderText(header string, aliases []string, field string, w float64, note care.Msg, example string, get func(r *elderRow) *string) column[elderRow] {
	g, s := text(get)
	return column[elderRow]{header: header, aliases: aliases, field: field, width: w, note: note, example: example, get: g, set: s}
}

func elderChoice(header string, aliases []string, field string, c *choices, example string, get func(r *elderRow) *string) column[elderRow] {
	return column[elderRow]{header: header, aliases: aliases, field: field, width: 12, example: example,
		note: care.Msg{ZH: "可填：" + c.allowed("zh"), EN: "one of: " + c.allowed("en")},
		get:  func(r *elderRow) string { return c.label(*get(r)) },
		set: func(r *elderRow, v string) *care.Msg {
			code, bad := c.code(v)
			*get(r) = code
			return bad
		}}
}

// contactSlots is how many emergency contacts a register row holds; more
// can be registered on screen and are kept when a file updates the elder.
const contactSlots = 2

// contactAliases are the other headers of each contact's name, phone,
// relation and place, by slot.
var contactAliases = [contactSlots][4][]string{
	{{"紧急联系人姓名", "联系人", "联系人姓名", "紧急联系人1", "紧急联系人1姓名"},
		{"紧急联系电话", "紧急联系人手机", "联系人电话", "紧急联系人1电话"},
		{"与紧急联系人关系", "联系人关系", "紧急联系人1关系", "关系"},
		{"联系人居住地", "紧急联系人1居住地", "居住地"}},
	{{"紧急联系人2姓名", "联系人2"}, {"紧急联系人2手机", "联系人2电话", "紧急联系电话2"}, {"联系人2关系"}, {"联系人2居住地"}},
}

// contactColumns are the four columns of emergency contact i (0-based).
func contactColumns(i int) []column[elderRow] {
	n, ex := "", [4]string{}
	if i > 0 {
		n = string(rune('1' + i))
	} else {
		ex = [4]string{"李明", "13905170001", "儿子", "上海"}
	}
	field, al := "emergency_contacts", contactAliases[i]
	c := func(r *elderRow) *care.Contact { return &r.contacts[i] }
	phone := elderText("紧急联系人"+n+"电话", al[1], field, 14, care.Msg{ZH: "手机或带区号的固定电话", EN: "mobile or landline with area code"},
		ex[1], func(r *elderRow) *string { return &c(r).Phone })
	phone.set = func(r *elderRow, v string) *care.Msg { c(r).Phone = parsePhone(v); return nil }
	return []column[elderRow]{
		elderText("紧急联系人"+n, al[0], field, 10, care.Msg{ZH: "子女或亲属的姓名", EN: "name of a child or relative"}, ex[0],
			func(r *elderRow) *string { return &c(r).Name }),
		phone,
		elderChoice("紧急联系人"+n+"关系", al[2], field, relations, ex[2], func(r *elderRow) *string { return &c(r).Relation }),
		elderText("紧急联系人"+n+"居住地", al[3], field, 12, care.Msg{ZH: "例如 本社区、上海", EN: "e.g. same community, Shanghai"}, ex[3],
			func(r *elderRow) *string { return &c(r).Lives }),
	}
}

var elderSchema = (&schema[elderRow]{
	kind: Elders, sheet: "服务对象", required: []string{"姓名", "身份证号"},
	columns: elderColumns(),
	finish:  finishElder,
}).init()

func elderColumns() []column[elderRow] {
	req := care.Msg{ZH: "必填", EN: "required"}
	cols := []column[elderRow]{
		elderText("姓名", []string{"老人姓名", "服务对象姓名", "名字"}, "name", 10, req, "王秀英", func(r *elderRow) *string { return &r.Name }),
		elderChoice("性别", nil, "gender", genders, "女", func(r *elderRow) *string { return (*string)(&r.Gender) }),
		{header: "身份证号", aliases: []string{"身份证", "身份证号码", "公民身份号码", "居民身份证号", "证件号码"}, field: "id_number", width: 21,
			note:    care.Msg{ZH: "18位，必填；请把该列设为“文本”格式，以免 Excel 把号码变成数字", EN: "18 characters, required; format the column as Text so Excel keeps every digit"},
			example: care.MakeIDNumber("320105", mustDate("1942-05-06"), 7, care.Female),
			get: func(r *elderRow) string {
				if r.IDNumber != "" {
					return r.IDNumber
				}
				return r.IDMasked
			},
			set: func(r *elderRow, v string) *care.Msg { id, bad := parseIDNumber(v); r.IDNumber = id; return bad }},
		{header: "出生日期", aliases: []string{"出生年月日", "出生年月", "生日", "出生日期年月日"}, field: "birth_date", kind: dateCell, width: 12,
			note: care.Msg{ZH: "如 1942-05-06、1942/5/6、19420506；空着则取身份证号中的日期", EN: "e.g. 1942-05-06, 1942/5/6, 19420506; empty: taken from the ID number"}, example: "1942-05-06",
			get: func(r *elderRow) string { return formatDate(r.BirthDate) },
			set: func(r *elderRow, v string) *care.Msg { d, bad := parseDate(v); r.BirthDate = d; return bad }},
		{header: "联系电话", aliases: []string{"电话", "手机", "手机号", "手机号码", "联系方式", "本人电话", "老人电话"}, field: "phone", width: 14,
			note: care.Msg{ZH: "手机或带区号的固定电话，可空", EN: "mobile or landline with area code; may be empty"}, example: "025-83301234",
			get: func(r *elderRow) string { return r.Phone },
			set: func(r *elderRow, v string) *care.Msg { r.Phone = parsePhone(v); return nil }},
		elderText("所属社区", []string{"社区", "社区名称", "所在社区", "社区村", "村社区", "村居", "所属社区村"}, "community_id", 12,
			care.Msg{ZH: "本街道的社区名称，如 幸福里社区；社区工作人员可空（即本社区）", EN: "a community of the street, e.g. 幸福里社区; community staff may leave it empty (their own)"},
			"幸福里社区", func(r *elderRow) *string { return &r.community }),
		elderText("楼栋", []string{"楼号", "楼栋号", "栋", "幢", "组", "村民小组", "楼宇"}, "building", 10, req, "3栋", func(r *elderRow) *string { return &r.Building }),
		elderText("单元", []string{"单元号"}, "unit", 8, care.Msg{}, "2单元", func(r *elderRow) *string { return &r.Unit }),
		elderText("房号", []string{"门牌号", "房间号", "室", "门牌"}, "room", 8, care.Msg{}, "301", func(r *elderRow) *string { return &r.Room }),
		elderChoice("居住情况", []string{"居住状况", "居住方式"}, "living_situation", living, "独居", func(r *elderRow) *string { return &r.LivingSituation }),
		elderChoice("自理能力", []string{"自理情况", "生活自理能力", "自理程度"}, "self_care", selfCare, "半自理", func(r *elderRow) *string { return &r.SelfCare }),
		{header: "类别", aliases: []string{"老人类别", "人员类别", "类型", "困难类别"}, field: "categories", width: 14,
			note:    care.Msg{ZH: "空巢、三无、病残，可多选，用、或逗号分隔；高龄按出生日期自动计算", EN: "空巢, 三无, 病残, several separated by 、 or commas; 高龄 (80+) is computed"},
			example: "空巢、病残",
			get:     func(r *elderRow) string { return categories.labels(r.Categories, "、") },
			set: func(r *elderRow, v string) *care.Msg {
				cs, bad := categories.codes(v, "advanced_age")
				r.Categories = cs
				return bad
			}},
	}
	cols = append(cols, contactColumns(0)...)
	cols = append(cols, contactColumns(1)...)
	return append(cols, elderMoreColumns()...)
}

func elderMoreColumns() []column[elderRow] {
	return []column[elderRow]{
		{header: "服务需求", aliases: []string{"需求", "服务需要", "需求类型"}, field: "needs", width: 16,
			note: care.Msg{ZH: "可多选：" + needs.allowed("zh"), EN: "several of: " + needs.allowed("en")}, example: "生活服务、健康服务",
			get: func(r *elderRow) string { return needs.labels(r.Needs, "、") },
			set: func(r *elderRow, v string) *care.Msg { ns, bad := needs.codes(v); r.Needs = ns; return bad }},
		{header: "农历生日", aliases: []string{"按农历过生日", "过农历生日", "农历"}, field: "lunar_birthday", width: 9,
			note: care.Msg{ZH: "按农历过生日填“是”", EN: "是 when birthdays are kept by the lunar calendar"}, example: "否",
			get: func(r *elderRow) string { return yesNo(r.LunarBirthday) },
			set: func(r *elderRow, v string) *care.Msg { b, bad := parseBool(v); r.LunarBirthday = b; return bad }},
		{header: "纬度", aliases: []string{"lat", "latitude"}, field: "lat", kind: numberCell, width: 10,
			note: care.Msg{ZH: "可空；与经度同时填写", EN: "optional; together with longitude"}, example: "32.0641",
			get: func(r *elderRow) string { return formatFloat(r.Lat) },
			set: func(r *elderRow, v string) *care.Msg { f, bad := parseFloat(v); r.Lat = f; return bad }},
		{header: "经度", aliases: []string{"lon", "lng", "longitude"}, field: "lon", kind: numberCell, width: 10,
			note: care.Msg{ZH: "可空；与纬度同时填写", EN: "optional; together with latitude"}, example: "118.7722",
			get: func(r *elderRow) string { return formatFloat(r.Lon) },
			set: func(r *elderRow, v string) *care.Msg { f, bad := parseFloat(v); r.Lon = f; return bad }},
		elderText("签约卫生服务机构", []string{"卫生服务机构", "签约机构", "签约医疗机构", "社区卫生服务中心"}, "clinic_id", 20,
			care.Msg{ZH: "可空；须是服务该社区的机构", EN: "optional; a clinic serving the community"}, "", func(r *elderRow) *string { return &r.clinic }),
		{header: "不愿结对原因", aliases: []string{"不愿结对", "不愿结对帮扶原因"}, field: "wishes", width: 14,
			note: care.Msg{ZH: "老人不愿结对帮扶时写明原因（如已雇人照料），否则空着", EN: "the reason when the elder declines pairing (e.g. has a hired carer); else empty"},
			get:  func(r *elderRow) string { return r.Wishes.DeclineReason },
			set: func(r *elderRow, v string) *care.Msg {
				r.Wishes.DeclineReason = strings.TrimSpace(v)
				r.Wishes.DeclinePairing = r.Wishes.DeclineReason != ""
				return nil
			}},
		{header: "同意信息处理", aliases: []string{"同意个人信息处理", "知情同意", "本人同意"}, field: "consent", width: 9,
			note: care.Msg{ZH: "老人同意处理其个人信息填“是”", EN: "是 when the elder consented to data processing"}, example: "是",
			get: func(r *elderRow) string { return yesNo(r.Consent) },
			set: func(r *elderRow, v string) *care.Msg { b, bad := parseBool(v); r.Consent = b; return bad }},
		elderText("备注", []string{"说明", "情况说明"}, "notes", 24, care.Msg{}, "", func(r *elderRow) *string { return &r.Notes }),
		elderChoice("状态", []string{"人员状态", "当前状态"}, "status", elderStatuses, "服务中", func(r *elderRow) *string { return &r.Status }),
	}
}

// finishElder gathers the contacts and, when the birth date or gender is
// left empty, takes them from the ID number, which encodes both.
func finishElder(r *elderRow) {
	r.EmergencyContacts = nil
	for _, c := range r.contacts {
		if strings.TrimSpace(c.Name) != "" || strings.TrimSpace(c.Phone) != "" || c.Relation != "" {
			r.EmergencyContacts = append(r.EmergencyContacts, c)
		}
	}
	if info, bad := care.ParseIDNumber(care.NormalizeIDNumber(r.IDNumber)); bad == nil {
		if r.BirthDate.IsZero() {
			r.BirthDate = info.BirthDate
		}
		if r.Gender == "" {
			r.Gender = info.Gender
		}
	}
}

// elderRowOf is an elder as an export row.
func elderRowOf(e *care.Elder, n *names) *elderRow {
	r := &elderRow{Elder: *e, community: n.communities[e.CommunityID]}
	if e.ClinicID != nil {
		r.clinic = n.clinics[*e.ClinicID]
	}
	copy(r.contacts[:], e.EmergencyContacts)
	return r
}

// mergeElder copies what a file's columns hold onto a stored elder for an
// update; what the file has no column for stays as stored. Contacts beyond
// the file's slots, registered on screen, are kept too.
func mergeElder(fields []string) func(stored, file *care.Elder) {
	return func(e, in *care.Elder) {
		for _, field := range fields {
			switch field {
			case "name":
				e.Name = in.Name
			case "gender":
				e.Gender = in.Gender
			case "birth_date":
				e.BirthDate = in.BirthDate
			case "lunar_birthday":
				e.LunarBirthday = in.LunarBirthday
			case "phone":
				e.Phone = in.Phone
			case "building":
				e.Building = in.Building
			case "unit":
				e.Unit = in.Unit
			case "room":
				e.Room = in.Room
			case "lat", "lon":
				e.Lat, e.Lon = in.Lat, in.Lon
			case "living_situation":
				e.LivingSituation = in.LivingSituation
			case "self_care":
				e.SelfCare = in.SelfCare
			case "categories":
				e.Categories = in.Categories
			case "needs":
				e.Needs = in.Needs
			case "emergency_contacts":
				kept := e.EmergencyContacts[min(len(e.EmergencyContacts), contactSlots):]
				e.EmergencyContacts = append(append([]care.Contact{}, in.EmergencyContacts...), kept...)
			case "wishes":
				e.Wishes.DeclinePairing, e.Wishes.DeclineReason = in.Wishes.DeclinePairing, in.Wishes.DeclineReason
			case "notes":
				e.Notes = in.Notes
			case "status":
				e.Status = in.Status
			case "consent":
				e.Consent = in.Consent
			}
		}
	}
}
