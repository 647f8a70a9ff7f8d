package register

import (
	"math"
	"strconv"
	"strings"

	"carecircle/internal/care"
)

// volunteerRow is one row of a volunteer register.
type volunteerRow struct {
	care.Volunteer
	community string
	// capacitySet tells an empty 可结对人数 (one elder) from a written 0.
	capacitySet bool
}

func volunteerText(header string, aliases []string, field string, w float64, note care.Msg, example string, get func(r *volunteerRow) *string) column[volunteerRow] {
	return column[volunteerRow]{header: header, aliases: aliases, field: field, width: w, note: note, example: example,
		get: func(r *volunteerRow) string { return *get(r) },
		set: func(r *volunteerRow, v string) *care.Msg { *get(r) = strings.TrimSpace(v); return nil }}
}

func volunteerChoice(header string, aliases []string, field string, c *choices, example string, get func(r *volunteerRow) *string) column[volunteerRow] {
	return column[volunteerRow]{header: header, aliases: aliases, field: field, width: 14, example: example,
		note: care.Msg{ZH: "可填：" + c.allowed("zh"), EN: "one of: " + c.allowed("en")},
		get:  func(r *volunteerRow) string { return c.label(*get(r)) },
		set: func(r *volunteerRow, v string) *care.Msg {
			code, bad := c.code(v)
			*get(r) = code
			return bad
		}}
}

var volunteerSchema = (&schema[volunteerRow]{
	kind: Volunteers, sheet: "志愿者", required: []string{"姓名", "联系电话"},
	columns: volunteerColumns(),
	finish: func(r *volunteerRow) {
		if !r.capacitySet {
			r.Capacity = 1
		}
	},
}).init()

func volunteerColumns() []column[volunteerRow] {
	return append([]column[volunteerRow]{
		volunteerText("姓名", []string{"志愿者姓名", "名字"}, "name", 10, care.Msg{ZH: "必填", EN: "required"}, "李桂兰",
			func(r *volunteerRow) *string { return &r.Name }),
		volunteerChoice("性别", nil, "gender", genders, "女", func(r *volunteerRow) *string { return (*string)(&r.Gender) }),
		{header: "出生日期", aliases: []string{"出生年月日", "出生年月", "生日"}, field: "birth_date", kind: dateCell, width: 12,
			note: care.Msg{ZH: "可空；如 1958-09-12", EN: "optional; e.g. 1958-09-12"}, example: "1958-09-12",
			get: func(r *volunteerRow) string { return formatDate(r.BirthDate) },
			set: func(r *volunteerRow, v string) *care.Msg { d, bad := parseDate(v); r.BirthDate = d; return bad }},
		{header: "联系电话", aliases: []string{"电话", "手机", "手机号", "手机号码", "联系方式"}, field: "phone", width: 14,
			note: care.Msg{ZH: "必填；同一社区内按电话识别同一位志愿者", EN: "required; identifies the volunteer within the community"}, example: "13851700001",
			get: func(r *volunteerRow) string { return r.Phone },
			set: func(r *volunteerRow, v string) *care.Msg { r.Phone = parsePhone(v); return nil }},
		volunteerChoice("志愿者类型", []string{"类型", "志愿者类别", "类别", "人员类型"}, "kind", volunteerKinds, "邻里低龄老年志愿者",
			func(r *volunteerRow) *string { return &r.Kind }),
		volunteerText("所属社区", []string{"社区", "社区名称", "所在社区", "社区村", "村社区", "所属社区村"}, "community_id", 12,
			care.Msg{ZH: "本街道的社区名称；社区工作人员可空（即本社区）", EN: "a community of the street; community staff may leave it empty (their own)"},
			"幸福里社区", func(r *volunteerRow) *string { return &r.community }),
		volunteerText("住址", []string{"地址", "家庭住址", "居住地址", "现住址"}, "address", 20, care.Msg{}, "幸福里5栋1单元202",
			func(r *volunteerRow) *string { return &r.Address }),
		{header: "可结对人数", aliases: []string{"结对人数", "可服务人数", "可帮扶人数"}, field: "capacity", kind: numberCell, width: 10,
			note: care.Msg{ZH: "0 到 20，空着为 1", EN: "0 to 20; empty means 1"}, example: "2",
			get: func(r *volunteerRow) string { return strconv.Itoa(r.Capacity) },
			set: func(r *volunteerRow, v string) *care.Msg {
				n, bad := parseInt(v)
				r.Capacity, r.capacitySet = n, strings.TrimSpace(v) != "" && bad == nil
				return bad
			}},
		{header: "技能特长", aliases: []string{"特长", "技能", "专长"}, field: "skills", width: 16,
			note: care.Msg{ZH: "多项用、或逗号分隔", EN: "several separated by 、 or commas"}, example: "理发、量血压",
			get: func(r *volunteerRow) string { return strings.Join(r.Skills, "、") },
			set: func(r *volunteerRow, v string) *care.Msg { r.Skills = splitList(v); return nil }},
		volunteerText("服务队", []string{"志愿者服务队", "所属服务队", "服务队伍"}, "team", 18, care.Msg{}, "幸福里夕阳红志愿服务队",
			func(r *volunteerRow) *string { return &r.Team }),
		volunteerChoice("状态", []string{"人员状态", "当前状态"}, "status", volunteerStatuses, "在岗", func(r *volunteerRow) *string { return &r.Status }),
	}, volunteerMoreColumns()...)
}

func volunteerMoreColumns() []column[volunteerRow] {
	return []column[volunteerRow]{
		{header: "纬度", aliases: []string{"lat", "latitude"}, field: "lat", kind: numberCell, width: 10,
			note: care.Msg{ZH: "可空；与经度同时填写", EN: "optional; together with longitude"}, example: "32.0652",
			get: func(r *volunteerRow) string { return formatFloat(r.Lat) },
			set: func(r *volunteerRow, v string) *care.Msg { f, bad := parseFloat(v); r.Lat = f; return bad }},
		{header: "经度", aliases: []string{"lon", "lng", "longitude"}, field: "lon", kind: numberCell, width: 10,
			note: care.Msg{ZH: "可空；与纬度同时填写", EN: "optional; together with latitude"}, example: "118.7731",
			get: func(r *volunteerRow) string { return formatFloat(r.Lon) },
			set: func(r *volunteerRow, v string) *care.Msg { f, bad := parseFloat(v); r.Lon = f; return bad }},
		volunteerText("服务时间", []string{"可服务时间", "空闲时间"}, "availability", 16, care.Msg{}, "工作日上午",
			func(r *volunteerRow) *string { return &r.Availability }),
		volunteerText("培训情况", []string{"培训"}, "training", 16, care.Msg{}, "", func(r *volunteerRow) *string { return &r.Training }),
		volunteerText("表彰荣誉", []string{"荣誉", "获奖情况"}, "honours", 16, care.Msg{}, "", func(r *volunteerRow) *string { return &r.Honours }),
		{header: "服务时长（小时）", aliases: []string{"服务时长", "服务小时数", "累计服务时长"}, field: "hours", kind: numberCell, width: 10,
			note: care.Msg{ZH: "累计小时数，可有一位小数", EN: "total hours, one decimal allowed"}, example: "0",
			get: func(r *volunteerRow) string { return strconv.FormatFloat(float64(r.HoursTenths)/10, 'f', -1, 64) },
			set: func(r *volunteerRow, v string) *care.Msg {
				f, bad := parseFloat(v)
				if f != nil {
					r.HoursTenths = int64(math.Round(*f * 10))
				}
				return bad
			}},
	}
}

func volunteerRowOf(v *care.Volunteer, n *names) *volunteerRow {
	return &volunteerRow{Volunteer: *v, community: n.communities[v.CommunityID], capacitySet: true}
}

// mergeVolunteer copies what a file's columns hold onto a stored volunteer.
func mergeVolunteer(fields []string) func(stored, file *care.Volunteer) {
	return func(v, in *care.Volunteer) {
		for _, field := range fields {
			switch field {
			case "name":
				v.Name = in.Name
			case "gender":
				v.Gender = in.Gender
			case "birth_date":
				v.BirthDate = in.BirthDate
			case "kind":
				v.Kind = in.Kind
			case "address":
				v.Address = in.Address
			case "lat", "lon":
				v.Lat, v.Lon = in.Lat, in.Lon
			case "capacity":
				v.Capacity = in.Capacity
			case "skills":
				v.Skills = in.Skills
			case "availability":
				v.Availability = in.Availability
			case "team":
				v.Team = in.Team
			case "status":
				v.Status = in.Status
			case "training":
				v.Training = in.Training
			case "honours":
				v.Honours = in.Honours
			case "hours":
				v.HoursTenths = in.HoursTenths
			}
		}
	}
}
