package web

import "net/http"

// englishServices translates the service card pages.
var englishServices = map[string]string{
	"今日服务":        "Today",
	"敲门问候":        "Greet",
	"已问候":         "Greeted",
	"今天还没有问候":     "Not greeted yet today",
	"记录其他服务":      "Record another service",
	"服务项目":        "Service",
	"服务时间":        "Time",
	"金额（元）":       "Amount (yuan)",
	"核验方式":        "Verification",
	"老人确认码":       "Elder's PIN",
	"提交":          "Submit",
	"服务卡":         "Service card",
	"居家养老服务卡":     "Home-care service card",
	"月份":          "Month",
	"服务记录":        "Services",
	"服务人":         "Served by",
	"内容":          "What",
	"核验":          "Verified by",
	"来源":          "Source",
	"更正":          "Amendments",
	"更正原因":        "Reason",
	"检查签字":        "Inspection signature",
	"检查结果":        "Result",
	"检查意见":        "Comment",
	"签字人":         "Signed by",
	"签字":          "Sign",
	"本月未签字":       "Not signed yet",
	"已签字锁定":       "Signed and locked",
	"未核验":         "not verified",
	"录入纸质服务卡记录":   "Copy a record from the paper card",
	"服务志愿者":       "Volunteer",
	"组织（居委会等）":    "Organisation (committee etc.)",
	"每月检查":        "Monthly inspection",
	"签字进度":        "Progress",
	"服务次数":        "Services",
	"未核验记录":       "Unverified",
	"有更正":         "Amended",
	"本月无服务":       "No service this month",
	"一键签署无问题的服务卡": "Sign all clean cards",
	"查看服务卡":       "Open card",
	"打印":          "Print",
	"A4 打印":       "Print A4",
	"A5 打印":       "Print A5",
	"案件":          "Cases",
	"紧急求助":        "Emergency requests",
	"法律服务案件":      "Legal cases",
	"处理":          "Update",
	"处理情况":        "What was done",
	"转交部门":        "Department",
	"状态更新":        "Status",
	"设置确认码":       "Set PIN",
	"补办服务卡":       "Re-issue card",
	"补办后旧卡二维码作废":  "The old card's QR code stops working",
	"扫码问候":        "Greet by card",
	"扫码核验":        "Verified by card",
	"已用手机定位":      "Using the phone's position",
	"上一月":         "Previous month",
	"下一月":         "Next month",
	"更正此记录":       "Correct this record",
	"作废此记录":       "Strike out this record",
	"改为":          "Change to",
	"志愿者服务卡二维码":   "Card QR code",
	"老人":          "Elder",
	"全部":          "All",
	"通过":          "Pass",
}

// navServices are the service card's header links.
var navServices = []navItem{
	{"today", "/today", "今日服务", []string{"volunteer"}},
	{"inspection", "/inspection", "每月检查", []string{"station"}},
	{"cases", "/cases", "案件", []string{"station", "community"}},
}

// routesServices registers the service card pages (SPEC §4, §6).
func (s *Server) routesServices(m *http.ServeMux) {
	m.Handle("GET /today", s.auth(s.todayPage))
	m.Handle("POST /today/{id}/greeting", s.auth(s.todayGreet))
	m.Handle("GET /elders/{id}/services/new", s.auth(s.serviceNew))
	m.Handle("POST /elders/{id}/services", s.auth(s.serviceCreate))
	m.Handle("GET /scan/{code}", s.auth(s.scanPage))
	m.Handle("GET /elders/{id}/card", s.auth(s.cardPage))
	m.Handle("POST /elders/{id}/card/sign", s.auth(s.cardSign))
	m.Handle("POST /elders/{id}/card/amend/{record}", s.auth(s.cardAmend))
	m.Handle("POST /elders/{id}/pin", s.auth(s.elderPIN))
	m.Handle("POST /elders/{id}/card/reissue", s.auth(s.cardReissue))
	m.Handle("GET /inspection", s.auth(s.inspectionPage))
	m.Handle("POST /inspection/sign-clean", s.auth(s.inspectionSignClean))
	m.Handle("GET /cases", s.auth(s.casesPage))
	m.Handle("GET /cases/{id}", s.auth(s.casePage))
	m.Handle("POST /cases/{id}", s.auth(s.caseUpdate))
}
