package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Volunteers are chosen by name (issue 14 point 5): a field such as the
// elder's 喜欢的志愿者 holds "李桂兰 #12, 赵强 #15"; typing a name offers
// the matching volunteers of the user's scope (GET /volunteers/pick, a
// datalist filled by htmx: keyboard and phone friendly). A plain name is
// taken when exactly one volunteer in scope bears it; the number after #
// is the volunteer's record number, which nobody has to type.

var pickNumber = regexp.MustCompile(`#\s*(\d+)\s*$`)

// pickSeparators split the volunteers of a field.
func pickTokens(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// pickVolunteers reads the volunteers named in field: "name #id", a bare
// record number, or a name that only one volunteer in the actor's scope
// bears. Each one that cannot be read adds an error naming the field and
// the entry; the typed text is kept by the form (pickText).
func (s *Server) pickVolunteers(ctx context.Context, a care.Actor, f *form, field string) []int64 {
	var ids []int64
	for _, t := range pickTokens(f.str(field)) {
		if m := pickNumber.FindStringSubmatch(t); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			ids = append(ids, id)
			continue
		}
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			ids = append(ids, id)
			continue
		}
		vs, _, err := s.db.ListVolunteers(ctx, a, store.VolunteerFilter{Q: t, Limit: 50})
		if err != nil {
			f.errs.Add(field, care.Msg{ZH: "无法查找志愿者", EN: "could not look volunteers up"})
			return nil
		}
		var same []int64
		for _, v := range vs {
			if v.Name == t {
				same = append(same, v.ID)
			}
		}
		if id, ok := onlyOne(f, field, t, same); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// onlyOne is the one volunteer of those named t, else the field's reason:
// nobody, or several, bear that name.
func onlyOne(f *form, field, t string, same []int64) (int64, bool) {
	switch len(same) {
	case 1:
		return same[0], true
	case 0:
		f.errs.Add(field, care.Msg{ZH: fmt.Sprintf("没有名叫“%s”的志愿者，请输入姓名后从列表中选择", t),
			EN: fmt.Sprintf("no volunteer named %q; type a name and choose from the list", t)})
	default:
		f.errs.Add(field, care.Msg{ZH: fmt.Sprintf("有 %d 位志愿者名叫“%s”，请从列表中选择其中一位", len(same), t),
			EN: fmt.Sprintf("%d volunteers are named %q; choose one from the list", len(same), t)})
	}
	return 0, false
}

// pickText is what a volunteer field shows: the posted text after a
// refused post (kept as typed), else the volunteers' names with their
// numbers.
func (s *Server) pickText(r *http.Request, a care.Actor, field string, ids []int64) string {
	if r.Method == http.MethodPost {
		return r.PostFormValue(field)
	}
	var parts []string
	for _, id := range ids {
		if v, err := s.db.GetVolunteer(r.Context(), a, id); err == nil {
			parts = append(parts, pickLabel(v))
		} else {
			parts = append(parts, "#"+strconv.FormatInt(id, 10))
		}
	}
	return strings.Join(parts, ", ")
}

func pickLabel(v *care.Volunteer) string { return v.Name + " #" + strconv.FormatInt(v.ID, 10) }

// volunteerPick answers the datalist of a volunteer field while the user
// types: the volunteers of the user's scope whose name or phone holds the
// entry being typed (the text after the last separator), at most 20, each
// as the field's whole new text.
func (s *Server) volunteerPick(w http.ResponseWriter, r *http.Request, p *page) error {
	field := r.URL.Query().Get("for")
	if !pickFields[field] {
		return care.ErrNotFound("字段 / field")
	}
	text := r.URL.Query().Get(field)
	cut := strings.LastIndexAny(text, ",，、;；")
	prefix, q := "", strings.TrimSpace(text)
	if cut >= 0 {
		_, size := firstRune(text[cut:])
		prefix, q = strings.TrimSpace(text[:cut+size])+" ", strings.TrimSpace(text[cut+size:])
	}
	var b strings.Builder
	if field == "volunteer_id" && p.Actor.ManagesAccounts() {
		if q != "" && !pickNumber.MatchString(q) {
			vs, err := s.db.AccountVolunteers(r.Context(), p.Actor, q, 20)
			if err != nil {
				return err
			}
			for _, v := range vs {
				note := v.Community + " · " + care.Label(care.VolunteerKinds, v.Kind, p.Lang)
				if v.Account != "" {
					note += " · " + translate(p.Lang, "已有账号") + " " + v.Account
				}
				fmt.Fprintf(&b, `<option value="%s">%s</option>`, template.HTMLEscapeString(v.Name+" #"+strconv.FormatInt(v.ID, 10)),
					template.HTMLEscapeString(note))
			}
		}
	} else if q != "" && !pickNumber.MatchString(q) {
		vs, _, err := s.db.ListVolunteers(r.Context(), p.Actor, store.VolunteerFilter{Q: q, Limit: 20})
		if err != nil {
			return err
		}
		for _, v := range vs {
			fmt.Fprintf(&b, `<option value="%s">%s · %s</option>`, template.HTMLEscapeString(prefix+pickLabel(&v)),
				template.HTMLEscapeString(care.Label(care.VolunteerKinds, v.Kind, p.Lang)), template.HTMLEscapeString(maskPhone(v.Phone)))
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte(b.String()))
	return err
}

// pickAccountVolunteer reads the volunteer an account is tied to: "name
// #number" as the list offers it, a bare number, or a name only one
// volunteer bears. The account manager cannot read the register, so the
// names come from AccountVolunteers.
func (s *Server) pickAccountVolunteer(ctx context.Context, a care.Actor, f *form, field string) int64 {
	t := strings.TrimSpace(f.str(field))
	if t == "" {
		return 0
	}
	if m := pickNumber.FindStringSubmatch(t); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	if id, err := strconv.ParseInt(t, 10, 64); err == nil {
		return id
	}
	vs, err := s.db.AccountVolunteers(ctx, a, t, 50)
	if err != nil {
		f.errs.Add(field, care.Msg{ZH: "无法查找志愿者", EN: "could not look volunteers up"})
		return 0
	}
	var same []int64
	for _, v := range vs {
		if v.Name == t {
			same = append(same, v.ID)
		}
	}
	id, _ := onlyOne(f, field, t, same)
	return id
}

// pickFields are the fields that choose volunteers by name.
var pickFields = map[string]bool{"prefer": true, "refuse": true, "volunteer_id": true}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// maskPhone shows enough of a phone to tell two namesakes apart.
func maskPhone(p string) string {
	if len(p) < 7 {
		return p
	}
	return p[:3] + "****" + p[len(p)-4:]
}
