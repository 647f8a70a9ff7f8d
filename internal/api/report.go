package api

import (
	"bytes"
	"net/http"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/report"
)

// routesReports registers the statistics report (统计上报) endpoint.
func (s *Server) routesReports() {
	get := s.handle(s.getReport, true)
	s.mux.HandleFunc("GET /api/v1/reports", func(w http.ResponseWriter, r *http.Request) {
		get(&fileResponse{ResponseWriter: w}, r)
	})
}

// reportContentTypes are the MIME types of the report's formats.
var reportContentTypes = map[string]string{
	"json": "application/json; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
}

// getReport answers the report of a unit (default: the caller's street or
// community, or a district viewer's first district) for a month or a
// quarter: as JSON by default, or as an .xlsx or .csv file. The unit, the
// period and the format are checked together, every reason at once.
func (s *Server) getReport(r *request) (int, any, error) {
	switch r.actor.Role {
	case care.RoleStation, care.RoleCommunity, care.RoleViewer:
	default:
		return 0, nil, care.ErrForbidden()
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	lang := q.Get("lang")
	if lang != "zh" && lang != "en" {
		lang = r.lang
	}
	fe := care.FieldErrors{}
	if _, ok := reportContentTypes[format]; !ok {
		fe.Add("format", care.Msg{ZH: "格式应为 json、xlsx 或 csv", EN: "the format is json, xlsx or csv"})
	}
	period := q.Get("period")
	unit := strings.TrimSpace(q.Get("unit"))
	if unit == "" {
		units, err := s.db.ReportUnits(r.ctx, r.actor)
		if err != nil {
			return 0, nil, err
		}
		if len(units) > 0 {
			unit = units[0]
		}
	}
	o := report.Options{Unit: unit, Period: period, Lang: lang}
	if err := report.Check(r.ctx, s.db, r.actor, o, fe); err != nil {
		return 0, nil, err
	}
	rep, err := report.Build(r.ctx, s.db, report.Tracked(s.tracker), r.actor, o)
	if err != nil {
		return 0, nil, err
	}
	if format == "json" {
		return http.StatusOK, rep.JSON(), nil
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf, format); err != nil {
		return 0, nil, err
	}
	r.w.(*fileResponse).send(reportContentTypes[format], rep.DisplayFilename(format), rep.Filename(format), buf.Bytes())
	return 0, nil, nil
}
