package web

// englishDashboard translates the home page's dashboard.
var englishDashboard = map[string]string{
	"本月服务次数":          "Services this month",
	"今日已问候":           "Elders greeted today",
	"本月达标率":           "Compliance this month",
	"未处理提醒":           "Open alerts",
	"处理中案件":           "Open cases",
	"近六个月服务次数（按社区）":   "Services in the last six months, by community",
	"近六个月服务次数（按街道）":   "Services in the last six months, by street",
	"近六个月服务次数（按服务类别）": "Services in the last six months, by kind",
	"近六个月达标率（按社区）":    "Compliance rate in the last six months, by community",
	"近六个月达标率（按角色）":    "Compliance rate in the last six months, by role",
	"服务类别":            "Kind of service",
	"数据表":             "The numbers",
	"查看达标详情":          "Compliance details",
	"点图中的圆点可查看该社区当月的结对达标情况": "Click a point to see the community's pairings that month",
	"尚未记录服务": "no services recorded yet",
}
