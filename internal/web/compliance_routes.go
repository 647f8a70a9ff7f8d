package web

import (
	"net/http"

	"carecircle/internal/care"
	"carecircle/internal/tracker"
)

// englishCompliance translates this feature's UI text.
var englishCompliance = map[string]string{
	"今日问候":   "Daily knock",
	"服务达标":   "Compliance",
	"服务要求":   "Standards",
	"今天尚未问候": "Not greeted yet today",
	"未问候提醒":  "Not-greeted alerts",
	"独居":     "lives alone",
	"邻里志愿者":  "Neighbour volunteer",
	"无邻里志愿者": "no neighbour volunteer",
	"紧急联系人":  "Emergency contact",
	"知悉":     "Acknowledge",
	"解决":     "Resolve",
	"处理情况":   "What was done",
	"已补问候":   "greeted after all at",
	"提醒时间":   "Raised",
	"演示数据生成": "raised by the demo",
	"每日定时检查": "daily check",
	"全部已问候":  "Everyone has been greeted today",

	"今天没有尚未问候的老人": "No elder is waiting for today's greeting",
	"今天没有待办":      "Nothing to do today",

	"今日待办":     "To do today",
	"问候":       "Greet",
	"本周还需聊天":   "chats still due this week",
	"次":        "",
	"已逾期":      "overdue",
	"截止":       "by",
	"月份":       "Month",
	"社区":       "Community",
	"角色":       "Role",
	"要求":       "Standard",
	"达标":       "met",
	"进行中":      "due",
	"逾期":       "overdue",
	"未达标":      "missed",
	"达标率":      "Rate",
	"正在重新计算":   "Recalculating",
	"各角色达标率":   "Rate by role",
	"查看结对":     "Pairings",
	"周期":       "Period",
	"完成":       "Done",
	"计入的记录":    "Records counted",
	"未计入的记录":   "Records not counted",
	"服务卡":      "Card",
	"签约卫生服务机构": "Assigned clinic",
	"生效日期":     "Effective from",
	"计入的服务":    "Services that count",
	"次数":       "How many",
	"周期类型":     "Period",
	"节日":       "Festivals",
	"节日探望须有慰问品或慰问金": "A festival visit must bring goods or money",
	"窗口（前/后天数）":     "Window (days before/after)",
	"保存新版本":         "Save as a new version",
	"新增要求":          "New standard",
	"编号":            "Code",
	"现行版本":          "In force",
	"以后生效":          "Takes effect later",
	"历史版本":          "Earlier versions",
	"节日日历":          "Festival calendar",
	"添加节日":          "Add a festival",
	"农历":            "lunar",
	"公历":            "solar",
	"名称":            "Name",
	"月":             "Month",
	"日":             "Day",
	"另需":            "Also needs",
	"全部节日及生日":       "every festival and the birthday",
	"合计":            "Total",
	"暂无数据":          "No data yet",
	"合规统计尚未启动":      "Compliance tracking is not running",
	"每次":            "per",
	"历史提醒":          "Earlier alerts",
	"全部提醒":          "All alerts",
	"已知悉":           "acknowledged",
	"待处理":           "open",
	"已解决":           "resolved",
	"处理记录":          "History",
	"带金额":           "with an amount",
	"每日":            "day",
	"每周":            "ISO week",
	"每半月":           "half-month",
	"每月":            "month",
	"每季度":           "quarter",
	"节日窗口":          "festival window",
	"邻里低龄老年志愿者":     "neighbour volunteer",
	"社会志愿者":         "social volunteer",
	"居委会工作人员":       "committee staff",
	"卫生机构人员":        "clinic staff",
	"提醒在每天":         "Alerts are raised daily at",
	"点发出":           ":00 for every active elder living alone not greeted by then",
	"全街道":           "Whole street",
	"处理中":           "in hand",
}

// navCompliance are this feature's header links.
var navCompliance = []navItem{
	{"greetings", "/greetings", "今日问候", []string{"station", "community"}},
	{"compliance", "/compliance", "服务达标", []string{"station", "community"}},
	{"standards", "/standards", "服务要求", []string{"station", "community"}},
}

// SetTracker gives the pages the compliance tracker; serve calls it once
// before serving.
func (s *Server) SetTracker(t *tracker.Tracker) { s.tracker = t }

// needTracker is the error of a compliance page when tracking is off.
func (s *Server) needTracker() error {
	if s.tracker == nil {
		return &care.Error{Code: care.EInternal, Message: "合规统计尚未启动 / compliance tracking is not running"}
	}
	return nil
}

// routesCompliance registers the pages of service standards, compliance
// and the daily knock (SPEC §5, §9).
func (s *Server) routesCompliance(m *http.ServeMux) {
	m.Handle("GET /compliance", s.auth(s.compliancePage))
	m.Handle("GET /compliance/communities/{id}", s.auth(s.complianceCommunity))
	m.Handle("GET /compliance/pairings/{key}", s.auth(s.compliancePairing))
	m.Handle("GET /standards", s.auth(s.standardsPage))
	m.Handle("POST /standards", s.auth(s.standardSave))
	m.Handle("POST /standards/festivals", s.auth(s.festivalAdd))
	m.Handle("GET /greetings", s.auth(s.greetingsPage))
	m.Handle("GET /greetings/live", s.auth(s.greetingsLive))
	m.Handle("GET /alerts", s.auth(s.alertsPage))
	m.Handle("GET /alerts/{id}", s.auth(s.alertPage))
	m.Handle("POST /alerts/{id}/ack", s.auth(s.alertAck))
	m.Handle("POST /alerts/{id}/resolve", s.auth(s.alertResolve))
}
