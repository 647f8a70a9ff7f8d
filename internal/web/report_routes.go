package web

import "net/http"

// englishReports translates this feature's UI text; the report's own
// tables come from internal/report in the page's language.
var englishReports = map[string]string{
	"少于5人的数字显示为 <5，以保护个人信息；为防止由合计反推，另有部分数字以 * 隐藏": "Counts under 5 are shown as <5 to protect privacy; a few more are hidden as * so that no total gives them back",
	"统计报表":         "Reports",
	"统计单位":         "Unit",
	"统计期":          "Period",
	"按月：选择月份":      "By month: choose the month",
	"或按季度":         "Or by quarter",
	"按月统计（用左边的月份）": "By month (the month field)",
	"生成报表":         "Make the report",
	"正在生成报表…":      "Making the report…",
	"制表时间":         "Made",
	"至":            "to",
	"下载":           "Download",
	"打印":           "Print",
	"街道的报表要汇总全部记录，可能需要几秒钟。": "A street's report adds up every record and may take a few seconds.",
}

// navReports are this feature's header links.
var navReports = []navItem{
	{"reports", "/reports", "统计报表", []string{"station", "community", "viewer"}},
}

// routesReports registers 统计报表: the report of a unit and a month or
// quarter on screen, and its .xlsx, .csv and .json downloads.
func (s *Server) routesReports(m *http.ServeMux) {
	m.Handle("GET /reports", s.auth(s.reportPage))
	m.Handle("GET /reports/download", s.auth(s.reportDownload))
}
