// Package hourscert renders a volunteer's service-hours certificate
// (志愿服务时长证明) as a printable HTML page (A4, print CSS), for the API
// and the web alike.
package hourscert

import (
	"bytes"
	"html/template"
	"sort"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/hours"
	"carecircle/internal/store"
)

type kindRow struct {
	Label string
	Hours string
}

type monthRow struct {
	Month string
	Hours string
}

type page struct {
	Lang                         string
	C                            *store.HoursCertificate
	Period, Kind, Hours, Balance string
	Kinds                        []kindRow
	Months                       []monthRow
	Issued                       string
}

// Render writes the certificate in lang ("zh" or "en").
func Render(c *store.HoursCertificate, lang string, loc *time.Location) ([]byte, error) {
	l := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	p := page{Lang: lang, C: c, Hours: hours.Format(c.Minutes), Balance: hours.Format(c.Balance),
		Kind: care.Label(care.VolunteerKinds, c.Kind, lang), Issued: c.IssuedAt.In(loc).Format("2006-01-02")}
	p.Period = l(c.Period.LabelZH(), c.Period.Label)
	var kinds []string
	for k := range c.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		label := care.Label(care.ServiceKinds, k, lang)
		if k == "activity" {
			label = l("参加活动", "activities")
		}
		p.Kinds = append(p.Kinds, kindRow{label, hours.Format(c.ByKind[k])})
	}
	for _, m := range c.ByMonth {
		p.Months = append(p.Months, monthRow{m.Month, hours.Format(m.Minutes)})
	}
	var buf bytes.Buffer
	err := tmpl.Execute(&buf, p)
	return buf.Bytes(), err
}

// L picks the page's language.
func (p page) L(zh, en string) string {
	if p.Lang == "en" {
		return en
	}
	return zh
}

var tmpl = template.Must(template.New("cert").Parse(`<!doctype html>
<html lang="{{if eq .Lang "en"}}en{{else}}zh-CN{{end}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L "志愿服务时长证明" "Certificate of volunteer service hours"}} · {{.C.Name}}</title>
<style>
body { font-family: "Noto Serif CJK SC", "Songti SC", serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; font-size: 1.1rem; line-height: 1.7; color: #000; }
h1 { text-align: center; letter-spacing: .3em; font-size: 1.8rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #333; padding: .3rem .6rem; text-align: left; }
td.num, th.num { text-align: right; }
.total { font-size: 1.4rem; font-weight: bold; }
.sign { margin-top: 3rem; display: flex; justify-content: space-between; }
.seal { width: 14rem; height: 6rem; border: 1px dashed #999; text-align: center; padding-top: 2rem; color: #555; }
.noprint { margin: 1rem 0; }
@page { size: A4; margin: 20mm; }
@media print { .noprint { display: none; } body { margin: 0; max-width: none; } }
</style></head>
<body>
<p class="noprint"><button type="button" onclick="window.print()">{{.L "打印" "Print"}}</button></p>
<h1>{{.L "志愿服务时长证明" "Certificate of volunteer service hours"}}</h1>
<p>{{if eq .Lang "en"}}This is to certify that <strong>{{.C.Name}}</strong> ({{.Kind}}, {{.C.Community}}, {{.C.Street}}) served as a volunteer of the programme for the elderly and was credited <span class="total">{{.Hours}}</span> hours of service in {{.Period}} ({{.C.Services}} services).{{else}}兹证明 <strong>{{.C.Name}}</strong>（{{.Kind}}，{{.C.Street}}{{.C.Community}}）参加为老志愿服务，{{.Period}}经核记入服务时长 <span class="total">{{.Hours}}</span> 小时（服务 {{.C.Services}} 次）。{{end}}</p>
{{if .Kinds}}<table><caption>{{.L "按服务类别" "By kind of service"}}</caption>
<tr><th>{{.L "类别" "Kind"}}</th><th class="num">{{.L "小时" "Hours"}}</th></tr>
{{range .Kinds}}<tr><td>{{.Label}}</td><td class="num">{{.Hours}}</td></tr>{{end}}</table>{{end}}
{{if .Months}}<table><caption>{{.L "按月份" "By month"}}</caption>
<tr><th>{{.L "月份" "Month"}}</th><th class="num">{{.L "小时" "Hours"}}</th></tr>
{{range .Months}}<tr><td>{{.Month}}</td><td class="num">{{.Hours}}</td></tr>{{end}}</table>{{end}}
<p>{{.L "截至开具之日，时间银行余额" "Time bank balance on the day of issue"}}：{{.Balance}} {{.L "小时" "h"}}</p>
<p>{{.L "服务时长据服务记录自动记入台账；更正或作废的记录已冲减。" "Hours are credited to the ledger from the service records; corrected or struck-out records are reversed."}}</p>
<div class="sign"><div>{{.L "开具日期" "Issued on"}}：{{.Issued}}<br>{{.L "经办人" "Issued by"}}：{{.C.IssuedBy}}</div>
<div class="seal">{{.L "（盖章）" "(seal)"}}</div></div>
</body></html>
`))
