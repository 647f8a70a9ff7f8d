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
	"居委会组织的探访":    "A visit the committee organised",
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
	"有效期":         "Valid for",
	"仅手机定位":       "Phone position only",
	"没有扫码或确认码核验的记录": "No record verified by the card or the PIN",
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
	"签字后的更正（请复核）": "Corrections after signing (review)",
	"这些记录所在月份的服务卡已签字，之后又被更正或作废": "These records' cards were signed, then a record was corrected or struck out",
	"作废":  "Struck out",
	"更正人": "Corrected by",
	// One tap, one record; never silent (today.html, today.js).
	"待发送": "Waiting to send",
	"没有网络，联网后会自动发送，不用再点": "no connection; it is sent by itself when the phone is back online, no need to tap again",
	"正在发送…": "Sending…",
	"没有记录成功，请刷新页面后再试":            "Not recorded; reload the page and try again",
	"登录已过期，请重新登录；待发送的问候登录后会自动发送": "Your session has ended; log in again and the waiting greetings are sent",
	"今天共":  "greetings today:",
	"去更正":  "Correct",
	"没有记录": "Not recorded",
	"已记录":  "Recorded",
	"补录":   "entered late",
	"录入于":  "entered at",
	"：":    ": ",
	"；":    "; ",
	"。":    ". ",
	"、":    ", ",
	"居委会":  " committee",
	"找不到这位老人，或您已不再为其服务":                           "this elder was not found, or you no longer serve them",
	"您没有为这位老人记录这项服务的权限":                           "you may not record this service for this elder",
	"已通知%s和街道服务站：案件 #%s 已置顶在他们的首页和案件列表（系统暂不发短信）。": "%s and the street station can see it: case #%s is at the top of their home page and case list (no text messages are sent yet). ",
	"情况危急请立即拨打 120":                               "In danger call 120 at once",
	"，并电话告知紧急联系人：":                                " and phone the emergency contacts: ",
	"案件 #%s 已交%s跟进，可在案件列表查看进展。":                   "Case #%s is with %s; follow it in the case list.",
	"这张表已经提交过一次，内容不同；如确实要再记一条，请再点提交；如要改正已记的记录，请在服务卡上更正": "This form was already sent with other values; to record another service press Submit again; to correct the record, amend it on the card",
	"本月还没有结束，月底之后才能签字": "This month has not ended; cards are signed after the month ends",
	"最近结束的月份":          "Last ended month",
	// The inspection queue (issue 14 point 1).
	"已签署":  "Signed",
	"张服务卡": "cards",
	"；本队列的服务卡已全部签署": "; every card of this queue is signed",
	"问题":           "Flag",
	"是否签字":         "Signed?",
	"已签字":          "Signed",
	"未签字":          "Not signed",
	"排序":           "Sort",
	"问候未核验":        "Greetings without proof",
	"返回检查列表":       "Back to the queue",
	"下一张未签":        "Next unsigned",
	"签署仅问候未核验的服务卡": "Sign the cards flagged only for greetings without proof",
	"将签署":          "Will sign",
	"服务卡张数":        "Cards",
	"未核验的问候次数":     "Greetings without proof",
	"确认签署":         "Sign them",
	"没有可以批量签署的服务卡": "No card to sign in bulk",
	"仅问候未核验的含义":    "What the flag means",
	"这些服务卡唯一的问题是部分敲门问候没有扫码、确认码或定位核验；其他服务都已核验，本月至少一次扫码或确认码，没有更正。签署结果为合格，签字意见写明未核验的问候次数，每张服务卡单独记入审计日志。": "The only flag of these cards is that some daily greetings carry no proof (card, PIN or position); every other service is verified, the card or the PIN was used at least once this month, and nothing was corrected. Each is signed 'pass' with a comment giving the number of unproven greetings, and each signature is audited on its own.",
	"不计为未核验：卫生服务机构自己的记录、据纸质服务卡录入的记录（来源即凭证）。":                                                          "Not counted as unverified: a clinic's own records and records copied from the paper card (their source is their proof).",
	"进度":  "Progress",
	"无问题": "Clean",
	"仅问候": "Greetings only",
	// The printed card.
	"续":   "continued",
	"检查人": "Inspector",
	"结果":  "Result",
	"合格":  "Pass",
	"需改进": "Needs improvement",
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
	m.Handle("GET /inspection/sign-greetings", s.auth(s.inspectionGreetings))
	m.Handle("POST /inspection/sign-greetings", s.auth(s.inspectionSignGreetings))
	m.Handle("GET /elders/{id}/card/print", s.auth(s.cardPrint))
	m.Handle("GET /cases", s.auth(s.casesPage))
	m.Handle("GET /cases/{id}", s.auth(s.casePage))
	m.Handle("POST /cases/{id}", s.auth(s.caseUpdate))
}
