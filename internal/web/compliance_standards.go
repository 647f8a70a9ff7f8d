package web

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// standardGroup is one standard's versions: the one in force today, those
// that take effect later, and earlier ones.
type standardGroup struct {
	Code    string
	Current store.StandardVersion
	Future  []store.StandardVersion
	Past    []store.StandardVersion
}

// countChoice is a service the station can count towards a standard:
// one sub-type ("life/greeting") or any sub-type of a kind ("life/").
type countChoice struct {
	Value string
	Label care.Msg
}

type standardsData struct {
	text
	Set       *store.StandardSet
	Groups    []standardGroup
	Year      int
	Festivals []calendar.Festival
	Occasions []string // festival codes a standard may list
	Counts    []countChoice
	Kinds     []calendar.Kind
	Today     calendar.Date
	CanEdit   bool
	Saved     bool
	// Blank is the new-standard form's starting point.
	Blank store.StandardVersion
	// Posted is what a refused form held, shown again in its own form
	// (opened) with each error at its field.
	Posted *postedStandard
	// FestivalTyped is what a refused festival form held.
	FestivalTyped map[string]string
}

// postedStandard is a refused standard form: the new-standard form (New) or
// the change of the standard Standard.Code, with the date as typed.
type postedStandard struct {
	New      bool
	Standard compliance.Standard
	From     string
}

// versionView is one version as a template shows or edits it.
type versionView struct {
	D    standardsData
	V    store.StandardVersion
	Kind string // current, future, past, edit, new
	// Open and From are set on the form a refused submit came from: it
	// is shown open with the typed effective date.
	Open bool
	From string
}

// Version pairs a version with the page's data for a nested template.
func (d standardsData) Version(v store.StandardVersion, kind string) versionView {
	vv := versionView{D: d, V: v, Kind: kind, From: d.Today.String()}
	if p := d.Posted; p != nil && (kind == "new" && p.New || kind == "edit" && !p.New && p.Standard.Code == v.Standard.Code) {
		vv.V = store.StandardVersion{Standard: p.Standard}
		vv.Open, vv.From = true, p.From
	}
	return vv
}

// Errs are the page's field errors on the form a refused submit came
// from, none on the others.
func (v versionView) Errs(all map[string]string) map[string]string {
	if v.Open {
		return all
	}
	return nil
}

// FestivalValue is a refused festival form's typed value of a field.
func (d standardsData) FestivalValue(name string) string { return d.FestivalTyped[name] }

// standardsPage shows the standards with their versions, the year's
// festival calendar, and (to the station) the forms to change them.
func (s *Server) standardsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.showStandards(w, r, p, http.StatusOK, nil, nil)
}

func (s *Server) showStandards(w http.ResponseWriter, r *http.Request, p *page, status int, posted *postedStandard, festival map[string]string) error {
	set, err := s.db.Standards(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	today := s.db.Now().In(s.db.Loc)
	d := standardsData{Set: set, Year: today.Year(), Today: calendar.NewDate(today.Year(), today.Month(), today.Day()),
		CanEdit: p.Actor.Role == care.RoleStation, Saved: r.URL.Query().Get("saved") == "1", Posted: posted, FestivalTyped: festival}
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && calendar.CheckYear(y) == nil {
		d.Year = y
	}
	d.Groups = groupVersions(set, d.Today)
	d.Kinds = []calendar.Kind{calendar.KindDay, calendar.KindISOWeek, calendar.KindHalfMonth, calendar.KindMonth, calendar.KindQuarter, calendar.KindFestival}
	d.Blank.Standard = compliance.Standard{Required: 1, Window: calendar.DefaultWindow()}
	cal, err := calendar.New(s.db.Loc, set.Defs())
	if err != nil {
		return err
	}
	if d.Festivals, err = cal.Festivals(d.Year); err != nil {
		return err
	}
	for _, f := range append(calendar.MajorFestivals(), set.Defs()...) {
		d.Occasions = append(d.Occasions, f.Code)
	}
	d.Occasions = append(d.Occasions, calendar.CodeBirthday)
	for _, k := range care.ServiceKinds {
		d.Counts = append(d.Counts, countChoice{Value: k.Code + "/", Label: care.Msg{ZH: k.Label.ZH + "（任意）", EN: k.Label.EN + " (any)"}})
		for _, t := range care.ServiceTypes {
			if t.Kind == k.Code {
				d.Counts = append(d.Counts, countChoice{Value: t.Kind + "/" + t.Code, Label: t.Label})
			}
		}
	}
	p.Title, p.Active, p.Data = "服务要求", "standards", d
	s.render(w, status, "standards", p)
	return nil
}

func groupVersions(set *store.StandardSet, today calendar.Date) []standardGroup {
	var out []standardGroup
	current := map[string]bool{}
	for _, v := range set.Standards {
		i := slices.IndexFunc(out, func(g standardGroup) bool { return g.Code == v.Standard.Code })
		if i < 0 {
			i = len(out)
			out = append(out, standardGroup{Code: v.Standard.Code})
		}
		g := &out[i]
		switch {
		case v.Standard.EffectiveFrom > today:
			g.Future = append(g.Future, v)
		case !current[g.Code] || g.Current.Standard.EffectiveFrom < v.Standard.EffectiveFrom:
			if current[g.Code] {
				g.Past = append(g.Past, g.Current)
			}
			g.Current, current[g.Code] = v, true
		default:
			g.Past = append(g.Past, v)
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Future, func(a, b store.StandardVersion) int { return int(a.Standard.EffectiveFrom - b.Standard.EffectiveFrom) })
		if !current[out[i].Code] { // a new standard not yet in force
			out[i].Current, out[i].Future = out[i].Future[0], out[i].Future[1:]
		}
	}
	return out
}

// standardSave saves a version of a standard from the form: a new one, or
// a change of an existing one from a day on. The tracker rebuilds at once.
func (s *Server) standardSave(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f := newForm(r)
	std := compliance.Standard{Code: f.str("code"), Role: compliance.Role(f.str("role")), Period: calendar.Kind(f.str("period")),
		Required: f.int("required"), Festivals: f.list("festivals")}
	for _, c := range f.list("counts") {
		kind, typ, _ := strings.Cut(c, "/")
		std.Counts = append(std.Counts, compliance.Match{Kind: kind, Type: typ})
	}
	if std.Period == calendar.KindFestival {
		std.Window = calendar.Window{Before: f.int("window_before"), After: f.int("window_after")}
	}
	from, err := calendar.ParseDate(f.str("effective_from"))
	if err != nil {
		f.errs.Add("effective_from", care.MsgBadDate)
	}
	std.EffectiveFrom = from
	posted := &postedStandard{New: f.str("new") == "1", Standard: std, From: f.str("effective_from")}
	if err := f.errs.Err(); err != nil {
		p.setError(err)
		return s.showStandards(w, r, p, http.StatusUnprocessableEntity, posted, nil)
	}
	// The form edits one further requirement, the donation of a festival
	// visit (须有慰问品或慰问金); a new version keeps the others of the
	// version it follows (set through the API).
	if set, err := s.db.Standards(r.Context(), p.Actor); err == nil {
		for _, v := range set.Standards {
			if v.Standard.Code == std.Code && v.Standard.EffectiveFrom <= std.EffectiveFrom {
				std.Also = slices.DeleteFunc(slices.Clone(v.Standard.Also), isDonation)
			}
		}
	}
	if f.bool("donation") {
		if std.Period != calendar.KindFestival {
			p.setError(care.FieldErrors{"also": {ZH: "慰问品或慰问金只适用于节日探望", EN: "goods or money apply to festival visits only"}}.Err())
			return s.showStandards(w, r, p, http.StatusUnprocessableEntity, posted, nil)
		}
		std.Also = append(std.Also, compliance.DonationRequirement())
	}
	if err := s.db.SaveStandard(r.Context(), p.Actor, std); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(standardProblems(err))
		return s.showStandards(w, r, p, http.StatusUnprocessableEntity, posted, nil)
	}
	return s.afterStandards(w, r, p)
}

// festivalAdd adds a festival the station keeps, from a day on.
func (s *Server) festivalAdd(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f := newForm(r)
	def := calendar.FestivalDef{Code: f.str("code"), Name: f.str("name"), Lunar: f.str("calendar") == "lunar",
		Month: f.int("month"), Day: f.int("day")}
	from, err := calendar.ParseDate(f.str("effective_from"))
	if err != nil {
		f.errs.Add("effective_from", care.MsgBadDate)
	}
	if err := f.errs.Err(); err == nil {
		err = s.db.AddFestival(r.Context(), p.Actor, def, from)
		if err == nil {
			return s.afterStandards(w, r, p)
		}
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(festivalProblems(err))
	} else {
		p.setError(err)
	}
	typed := map[string]string{}
	for _, k := range []string{"code", "name", "calendar", "month", "day", "effective_from"} {
		typed[k] = f.str(k)
	}
	return s.showStandards(w, r, p, http.StatusUnprocessableEntity, nil, typed)
}

// afterStandards rebuilds the compliance state with the new standards
// before the station looks at the table again.
func (s *Server) afterStandards(w http.ResponseWriter, r *http.Request, p *page) error {
	if s.tracker != nil {
		if err := s.tracker.Refresh(r.Context(), p.Actor.StreetID); err != nil {
			s.log.Error("compliance rebuild after a change of standards", "err", err)
		}
	}
	http.Redirect(w, r, "/standards?saved=1", http.StatusSeeOther)
	return nil
}

// Counted tells the form whether a standard counts a service choice.
func (text) Counted(s compliance.Standard, value string) bool {
	kind, typ, _ := strings.Cut(value, "/")
	return slices.ContainsFunc(s.Counts, func(m compliance.Match) bool { return m.Kind == kind && m.Type == typ })
}

// Lists tells the form whether a festival standard lists an occasion.
func (text) Lists(s compliance.Standard, code string) bool { return slices.Contains(s.Festivals, code) }

// NeedsDonation tells the form whether a standard requires the goods or
// money of a festival visit (the street's choice; off by default).
func (text) NeedsDonation(s compliance.Standard) bool {
	return slices.ContainsFunc(s.Also, isDonation)
}

func isDonation(r compliance.Requirement) bool {
	return reflect.DeepEqual(r, compliance.DonationRequirement())
}

// Match names a counted service: a sub-type, or any of a kind.
func (text) Match(m compliance.Match, lang string) string {
	label := care.Label(care.ServiceKinds, m.Kind, lang)
	if m.Type != "" {
		label += "/" + care.ServiceTypeLabel(m.Kind, m.Type, lang)
	}
	if m.WithAmount {
		label += "（" + translate(lang, "带金额") + "）"
	}
	return label
}

// Festival names an occasion code in the calendar.
func (d standardsData) Festival(code, lang string) string {
	if code == calendar.CodeBirthday {
		return translate(lang, "生日")
	}
	for _, f := range append(calendar.MajorFestivals(), d.Set.Defs()...) {
		if f.Code == code {
			return f.Name
		}
	}
	return code
}

// standardProblem is a problem the compliance engine finds in a standard,
// as the page names it: the form's field and the reason in Chinese.
type standardProblem struct {
	prefix, field, zh string
}

var standardReasons = []standardProblem{
	{"code must be", "code", "编号只能用小写字母、数字和下划线，并以字母开头"},
	{"unknown role", "role", "角色不是可选的值"},
	{"unknown period", "period", "周期类型不是可选的值"},
	{"required must be", "required", "次数应在 1 到 1000 之间"},
	{"counts must list", "counts", "请至少选择一项计入的服务"},
	{"unknown service kind", "counts", "计入的服务不是可选的值"},
	{"bad service type", "counts", "计入的服务不是可选的值"},
	{"festivals and window days apply only", "festivals", "节日和窗口天数只适用于节日类要求"},
	{"unknown festival", "festivals", "所选节日不存在"},
	{"festival", "festivals", "节日有误"},
	{"all versions of a standard", "role", "同一要求的各个版本角色须相同"},
	{"two versions take effect", "effective_from", "同一要求在这一天已有一个版本生效"},
	{"at most", "standard", "附加要求过多"},
	{"window", "window", "窗口天数应在 0 到 60 之间"},
}

// standardProblems turns the engine's findings, which the store reports
// under "standard" in English ("standards[i] (code): reason", one after
// another), into errors of the form's fields with the reason in Chinese;
// other errors pass unchanged.
func standardProblems(err error) error {
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.EInvalid {
		return err
	}
	m, ok := ce.Fields["standard"]
	if !ok {
		return err
	}
	fe := care.FieldErrors{}
	for k, v := range ce.Fields {
		if k != "standard" {
			fe.Add(k, v)
		}
	}
	for _, line := range strings.Split(m.EN, "; ") {
		reason := line
		if i := strings.Index(line, "): "); i >= 0 && strings.HasPrefix(line, "standards[") {
			reason = line[i+3:]
		}
		reason = strings.TrimPrefix(reason, "also[")
		if i := strings.Index(reason, "]: "); i >= 0 && i < 4 {
			reason = reason[i+3:]
		}
		p := standardProblem{field: "standard", zh: "服务要求有误，请检查次数、周期和计入的服务"}
		for _, q := range standardReasons {
			if strings.HasPrefix(reason, q.prefix) || q.prefix == "festival" && strings.Contains(reason, "festival") ||
				q.prefix == "window" && strings.Contains(reason, "window") {
				p = q
				break
			}
		}
		fe.Add(p.field, care.Msg{ZH: p.zh, EN: line})
	}
	return fe.Err()
}

// festivalReasons are the calendar's findings in a festival the station
// adds, as the form names them.
var festivalReasons = []standardProblem{
	{"code must be", "code", "编号只能用小写字母、数字和下划线，并以字母开头"},
	{"code is already used", "code", "这个编号已经用过"},
	{"name is missing", "name", "请填写名称"},
	{"month-day", "day", "这个日期不存在"},
}

// festivalProblems marks the calendar's findings ("festival" in English
// from the store) at the festival form's fields, in Chinese on the page.
func festivalProblems(err error) error {
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.EInvalid {
		return err
	}
	m, ok := ce.Fields["festival"]
	if !ok {
		return err
	}
	fe := care.FieldErrors{}
	for k, v := range ce.Fields {
		if k != "festival" {
			fe.Add(k, v)
		}
	}
	for _, line := range strings.Split(m.EN, "; ") {
		reason := line
		if i := strings.Index(line, "): "); i >= 0 {
			reason = line[i+3:]
		}
		p := standardProblem{field: "festival", zh: "节日有误，请检查编号、名称和日期"}
		for _, q := range festivalReasons {
			if strings.HasPrefix(reason, q.prefix) {
				p = q
				break
			}
		}
		fe.Add(p.field, care.Msg{ZH: p.zh, EN: line})
	}
	return fe.Err()
}
