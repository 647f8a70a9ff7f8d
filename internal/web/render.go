package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

var funcs = template.FuncMap{
	"label": func(choices []care.Choice, code, lang string) string { return care.Label(choices, code, lang) },
	"choices": func(name string) []care.Choice {
		return map[string][]care.Choice{"gender": care.Genders, "living": care.LivingSituations, "selfcare": care.SelfCareLevels,
			"category": care.Categories, "kind": care.ServiceKinds, "status": care.ElderStatuses, "vkind": care.VolunteerKinds,
			"vstatus": care.VolunteerStatuses, "role": care.Roles, "relation": care.Relations,
			"method": care.VerificationMethods, "source": care.RecordSources, "casestatus": store.CaseStatuses,
			"signresult": store.SignResults}[name]
	},
	"in": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	},
	"datetime": func(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") },
	"ftoa": func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	},
	"itoa": func(i *int64) string {
		if i == nil {
			return ""
		}
		return strconv.FormatInt(*i, 10)
	},
	"join": strings.Join,
	"svc":  care.ServiceTypeLabel,
	// wrap passes the page along with one item to a nested template.
	"wrap":       func(p *page, item any) map[string]any { return map[string]any{"Page": p, "Item": item} },
	"hm":         func(t time.Time) string { return t.In(shanghai).Format("15:04") },
	"mdhm":       func(t time.Time) string { return t.In(shanghai).Format("01-02 15:04") },
	"yuan":       func(cents int64) string { return strconv.FormatFloat(float64(cents)/100, 'f', 2, 64) },
	"deref":      func(p *int) int { return *p },
	"deref64":    func(p *int64) int64 { return *p },
	"derefTime":  func(p *time.Time) time.Time { return *p },
	"hours":      func(tenths int64) string { return strconv.FormatFloat(float64(tenths)/10, 'f', -1, 64) },
	"priorities": func() []int { return []int{5, 4, 3, 2, 1} },
	"prio":       func(e care.Elder) int { return e.Priority(localToday()) },
	"cats":       func(e care.Elder) []string { return e.AllCategories(localToday()) },
	"add":        func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"query": func(base url.Values, key, value string) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set(key, value)
		return "?" + q.Encode()
	},
	"percent": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a * 100 / b
	},
	// newKey names one rendered form (see formAttempt).
	"newKey": newAttemptKey,
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// localToday is today's date in the programme's time zone, as the domain
// functions expect it (a UTC-midnight date).
func localToday() time.Time {
	n := time.Now().In(shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// parseTemplates parses every page in templates/ together with the layout
// and all partials*.html files. Partials come last so that a feature's
// partials file can fill a {{block}} a page leaves empty.
func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return err
	}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || strings.HasPrefix(name, "partials") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).Funcs(s.nameFuncs()).ParseFS(assets, "templates/layout.html", file, "templates/partials*.html")
		if err != nil {
			return fmt.Errorf("web: parse %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

// render executes a page into a buffer first, so a template error never
// sends half a page. An htmx request for a fragment gets only the block
// named "content".
func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("render", "err", errNoTemplate, "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := buf.Bytes()
	if len(p.Errors) > 0 || bytes.Contains(body, fieldErrorMark) {
		var missing []string
		posted, action := p.posted()
		body, missing = markFieldErrors(body, p.Errors, posted, action)
		if len(missing) > 0 {
			// A field the page has no place for is named in the error
			// line, so that no reason is lost.
			p.Error = p.withMissing(missing)
			buf.Reset()
			if err := t.ExecuteTemplate(&buf, "layout.html", p); err == nil {
				body, _ = markFieldErrors(buf.Bytes(), p.Errors, posted, action)
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// fieldErrorMark is how the "ferr" template starts a field's message.
var fieldErrorMark = []byte(`class="field-error"`)

// withMissing adds the reasons of fields the page shows nowhere to its
// error line.
func (p *page) withMissing(fields []string) string {
	msg := p.Error
	if msg == "" {
		msg = p.T("输入有误，请检查标出的字段")
	}
	sep := "："
	if p.Lang == "en" {
		sep = ": "
	}
	var parts []string
	for _, f := range fields {
		parts = append(parts, p.Errors[f])
	}
	joiner := "；"
	if p.Lang == "en" {
		joiner = "; "
	}
	return msg + sep + strings.Join(parts, joiner)
}

// renderFragment executes one named template of a page (for htmx swaps).
func (s *Server) renderFragment(w http.ResponseWriter, status int, name, block string, p *page) {
	s.renderFragmentData(w, status, name, block, p)
}

// renderFragmentData executes one named template with any data; a field
// error in it is marked (markFieldErrors).
func (s *Server) renderFragmentData(w http.ResponseWriter, status int, name, block string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, block, data); err != nil {
		s.log.Error("render fragment", "name", name, "block", block, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := buf.Bytes()
	var errs map[string]string
	var posted url.Values
	var action string
	if p, ok := data.(*page); ok {
		errs = p.Errors
		posted, action = p.posted()
	}
	if len(errs) > 0 || bytes.Contains(body, fieldErrorMark) {
		body, _ = markFieldErrors(body, errs, posted, action)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// setError turns a validation error into messages per field in the page's
// language (render marks each at its field, see markFieldErrors); other
// errors become the page's error line, in the page's language only.
func (p *page) setError(err error) {
	ce, ok := err.(*care.Error)
	if !ok {
		p.Error = p.T("出错了，请稍后再试")
		return
	}
	p.Error = care.MessageIn(err, p.Lang)
	if ce.Code == care.EInvalid && len(ce.Fields) > 0 {
		p.Error = p.T("输入有误，请检查标出的字段")
	}
	p.Errors = map[string]string{}
	for k, m := range ce.Fields {
		p.Errors[k] = m.In(p.Lang)
	}
}
