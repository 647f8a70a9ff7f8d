package web

import "net/http"

// englishRegister translates this feature's UI text.
var englishRegister = map[string]string{
	"导入导出":      "Import & export",
	"导入名册":      "Import a register",
	"导出名册":      "Export a register",
	"名册类型":      "Register",
	"选择文件":      "File",
	"检查文件（试导入）": "Check the file (dry run)",
	"可能重复":      "Possible duplicates",
	"以下各行与已登记的老人（或文件中靠前的行）姓名和住址或电话相同，但身份证号不同。确认是另一位老人的，勾选后重新检查，再确认导入。": "These rows have the name and address or phone of a registered elder (or an earlier row) but another ID number. Tick those that are other people, check again, then confirm the import.",
	"确认所选行不是重复，重新检查": "These ticked rows are other people: check again",
	"是另一位老人":         "Another person",
	"下载模板":           "Templates",
	"服务对象模板":         "Elders template",
	"志愿者模板":          "Volunteers template",
	"确认导入":           "Import now",
	"读取文件":           "Reading the file",
	"检查数据":           "Checking the rows",
	"写入数据库":          "Writing",
	"正在处理":           "Working",
	"新建":             "To create",
	"更新":             "To update",
	"有问题的行":          "Rows with errors",
	"行号":             "Row",
	"列":              "Column",
	"值":              "Value",
	"原因":             "Reason",
	"将导入的行":          "Rows to import",
	"操作":             "Action",
	"另有":             "and",
	"条问题未显示，请改正上面的问题后重新检查": "more problems not shown; correct the ones above and check again",
	"导入另一个文件":  "Import another file",
	"导出 Excel": "Export Excel",
	"导出 CSV":   "Export CSV",
	"显示完整身份证号（将记入审计日志）":                                          "Full ID numbers (written to the audit log)",
	"导出使用与列表相同的筛选条件；身份证号默认打码，打码的导出文件不能再导入。":                      "Exports use the same filters as the lists; ID numbers are masked unless you ask, and a masked export cannot be imported back.",
	"先检查文件：每个有问题的行都会列出行号、列和原因。只要有一行有问题，整个文件都不会导入；检查通过后再点“确认导入”。": "The check lists every bad row with its row number, column and reason. When any row is bad nothing is imported; once the check passes, press “Import now”.",
	"未识别、已忽略的列":        "Columns not recognised (ignored)",
	"只能导入检查通过、尚未导入的文件": "Only a checked, not yet imported file can be imported",
	"文件最大": "At most",
	"可以是 .xlsx 或 .csv（UTF-8 或 GB18030）": "An .xlsx or .csv file (UTF-8 or GB18030)",
	"已导入":  "Imported",
	"演示文件": "Demo files",
	"含几行常见错误，可用来体验试导入；其中一行是本街道已登记的一位老人（导出其身份证号会记入审计日志）": "With a few typical mistakes, to try the dry run; one row is a person already registered in your street (writing their ID number into the file is audited)",
}

// navRegister are this feature's header links.
var navRegister = []navItem{
	{"register", "/register", "导入导出", []string{"station", "community"}},
}

// routesRegister registers the 导入导出 pages: upload and check, the
// job's progress and report, commit, templates and exports.
func (s *Server) routesRegister(m *http.ServeMux) {
	h := &registerPages{s: s, jobs: &jobRunner{db: s.db, log: s.log}}
	m.Handle("GET /register", s.auth(h.page))
	m.Handle("POST /register/imports", limitUpload(s.auth(h.upload)))
	m.Handle("GET /register/imports/{id}", s.auth(h.show))
	m.Handle("POST /register/imports/{id}/commit", s.auth(h.commit))
	m.Handle("POST /register/imports/{id}/confirm", s.auth(h.confirm))
	m.Handle("GET /register/templates/{file}", s.auth(h.template))
	m.Handle("POST /register/demo/{file}", s.auth(h.demoFile))
	m.Handle("GET /register/export/{file}", s.auth(h.export))
	m.Handle("POST /register/export/{file}", s.auth(h.export))
}
