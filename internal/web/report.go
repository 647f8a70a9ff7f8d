package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/report"
	"carecircle/internal/upward"
)

// reportForm is the 统计报表 form as it stands: the unit and the period
// chosen (a month field, or a quarter that overrides it) and the choices.
type reportForm struct {
	Units     []string
	Unit      string
	Month     string // YYYY-MM for the month field
	Quarter   string // YYYY-Qn, or "" for the month
	Quarters  []care.Choice
	Period    string // what is asked for: the quarter, else the month
	Submitted bool
	Print     bool
	Report    *reportView
}

// reportView is a report as the page shows it.
type reportView struct {
	Title, Unit, Period, From, To, Generated string
	Masked                                   bool
	Tables                                   []tableView
	Downloads                                []downloadLink
	PrintURL                                 string
	// Submissions are the month's report steps (上报/接收) of the unit's
	// communities, and SubmitURL where their forms post (upward.go).
	Submissions []upward.Submission
	SubmitURL   string
}

type downloadLink struct{ Format, URL string }

type tableView struct {
	Key, Title, Note string
	Columns          []columnView
	Rows             []rowView
}

type columnView struct {
	Name string
	Num  bool
}

type rowView struct {
	Total bool
	Cells []cellView
}

type cellView struct {
	Text string
	Num  bool
}

// mayReport tells whether a role makes statistics reports: the station,
// community staff and the district or city viewers.
func mayReport(a care.Actor) bool {
	switch a.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
		return true
	}
	return false
}

// reportPage shows the form and, once submitted, every table of the
// report; an htmx submit gets the form and the report only.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if !mayReport(p.Actor) {
		return care.ErrForbidden()
	}
	f, err := s.readReportForm(r, p)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if f.Submitted {
		rep, err := s.buildReport(r.Context(), p, f.Unit, f.Period, care.FieldErrors{})
		switch {
		case care.ErrorCode(err) == care.EInvalid:
			p.setError(err)
			status = http.StatusUnprocessableEntity
		case err != nil:
			return err
		default:
			f.Report = newReportView(rep, f.Unit)
		}
	}
	p.Title, p.Active, p.Data = "统计报表", "reports", f
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "report-page" {
		// htmx swaps only 2xx answers: the form with its field errors
		// must still replace the old one.
		s.renderFragment(w, http.StatusOK, "report", "report-page", p)
		return nil
	}
	s.render(w, status, "report", p)
	return nil
}

// reportContentTypes are the download formats' MIME types.
var reportContentTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
	"json": "application/json; charset=utf-8",
}

// reportDownload answers the report as a file; bad input shows the form
// with the reasons, as the page does.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, p *page) error {
	if !mayReport(p.Actor) {
		return care.ErrForbidden()
	}
	f, err := s.readReportForm(r, p)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	fe := care.FieldErrors{}
	if _, ok := reportContentTypes[format]; !ok {
		fe.Add("format", care.Msg{ZH: "报表格式应为 xlsx、csv 或 json", EN: "The format is xlsx, csv or json"})
	}
	rep, err := s.buildReport(r.Context(), p, f.Unit, f.Period, fe)
	if care.ErrorCode(err) == care.EInvalid {
		p.setError(err)
		if msg, ok := p.Errors["format"]; ok {
			p.Error = msg
		}
		p.Title, p.Active, p.Data = "统计报表", "reports", f
		s.render(w, http.StatusUnprocessableEntity, "report", p)
		return nil
	}
	if err != nil {
		return err
	}
	// Written whole before anything is sent, so a failure is an error
	// page rather than half a file.
	var buf bytes.Buffer
	if err := rep.Write(&buf, format); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", reportContentTypes[format])
	h.Set("Content-Disposition", api.Attachment(rep.DisplayFilename(format), rep.Filename(format)))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// readReportForm reads the query: period (as the download links write
// it) or the form's month and quarter fields, and the unit, which
// defaults to the first the actor may choose: their street or community,
// or a district viewer's first district.
func (s *Server) readReportForm(r *http.Request, p *page) (*reportForm, error) {
	q := r.URL.Query()
	units, err := s.db.ReportUnits(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	now := s.db.Now().In(s.db.Loc)
	f := &reportForm{Units: units, Unit: strings.TrimSpace(q.Get("unit")), Month: now.Format("2006-01"),
		Quarters: quarterChoices(now.Year(), int(now.Month()), p.Lang), Print: q.Get("print") == "1"}
	f.Submitted = q.Has("unit") || q.Has("period") || q.Has("month") || q.Has("quarter")
	switch period := strings.TrimSpace(q.Get("period")); {
	case period != "":
		f.Period = period
		if strings.Contains(period, "Q") {
			f.Quarter = period
		} else {
			f.Month = period
		}
	case q.Get("quarter") != "":
		f.Period, f.Quarter = q.Get("quarter"), q.Get("quarter")
		if q.Has("month") {
			f.Month = q.Get("month")
		}
	case q.Has("month"):
		f.Period, f.Month = q.Get("month"), q.Get("month")
	default:
		f.Period = f.Month
	}
	if f.Quarter != "" && !slices.ContainsFunc(f.Quarters, func(c care.Choice) bool { return c.Code == f.Quarter }) {
		f.Quarters = append(f.Quarters, care.Choice{Code: f.Quarter, Label: care.Msg{ZH: f.Quarter, EN: f.Quarter}})
	}
	switch {
	case f.Unit == "" && len(units) > 0:
		f.Unit = units[0]
	case f.Unit != "" && !slices.Contains(units, f.Unit):
		// Keep what was asked for on screen beside its error (or, for a
		// "street/community" name, selected).
		f.Units = append(slices.Clip(units), f.Unit)
	}
	return f, nil
}

// quarterChoices are this year's quarters up to the current one, newest
// first, then all of last year's.
func quarterChoices(year, month int, lang string) []care.Choice {
	var out []care.Choice
	for y := year; y >= year-1; y-- {
		last := 4
		if y == year {
			last = (month-1)/3 + 1
		}
		for n := last; n >= 1; n-- {
			out = append(out, care.Choice{Code: fmt.Sprintf("%d-Q%d", y, n),
				Label: care.Msg{ZH: fmt.Sprintf("%d年第%d季度", y, n), EN: fmt.Sprintf("Q%d %d", n, y)}})
		}
	}
	return out
}

// buildReport checks the unit and the period together, adding their
// reasons to those already in fe (a download's format), so the form shows
// every problem at once; then it makes the report in the page's language.
func (s *Server) buildReport(ctx context.Context, p *page, unit, period string, fe care.FieldErrors) (*report.Report, error) {
	o := report.Options{Unit: unit, Period: period, Lang: p.Lang}
	if err := report.Check(ctx, s.db, p.Actor, o, fe); err != nil {
		return nil, err
	}
	return report.Build(ctx, s.db, report.Tracked(s.tracker), p.Actor, o)
}

// newReportView lays a report out for the page: numbers right-aligned,
// the 合计 lines marked, and links to the downloads and the print view
// naming the unit as it was asked for.
func newReportView(rep *report.Report, unit string) *reportView {
	v := &reportView{Title: rep.Title, Unit: rep.Unit, Period: rep.Period, From: rep.From, To: rep.To,
		Generated: rep.Generated, Masked: rep.Masked}
	q := url.Values{"unit": {unit}, "period": {rep.Period}}
	for _, f := range report.Formats {
		q.Set("format", f)
		v.Downloads = append(v.Downloads, downloadLink{Format: f, URL: "/reports/download?" + q.Encode()})
	}
	q.Del("format")
	v.Submissions, v.SubmitURL = rep.Submissions, "/reports/submission?"+q.Encode()
	q.Set("print", "1")
	v.PrintURL = "/reports?" + q.Encode()
	total := map[string]string{"en": "Total"}[rep.Lang()]
	if total == "" {
		total = "合计"
	}
	for _, t := range rep.Tables {
		tv := tableView{Key: t.Key, Title: t.Title, Note: t.Note, Columns: make([]columnView, len(t.Columns))}
		for j, c := range t.Columns {
			tv.Columns[j].Name = c
		}
		for _, row := range t.Rows {
			rv := rowView{Total: len(row) > 0 && !row[0].IsNum && row[0].Text == total}
			for j, c := range row {
				rv.Cells = append(rv.Cells, cellView{Text: c.String(), Num: c.IsNum})
				if c.IsNum && j < len(tv.Columns) {
					tv.Columns[j].Num = true
				}
			}
			tv.Rows = append(tv.Rows, rv)
		}
		v.Tables = append(v.Tables, tv)
	}
	return v
}
