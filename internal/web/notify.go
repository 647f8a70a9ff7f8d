package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"carecircle/internal/care"
	roster "carecircle/internal/duty"
	"carecircle/internal/notify"
	"carecircle/internal/store"
)

// Notifications on the web (README "Notifications"): the bell and /inbox
// for everyone, the channels and quiet hours on /account, and the duty
// roster (/duty) for community staff and the station.

var navNotify = []navItem{
	{"duty", "/duty", "值班表", []string{"station", "community"}},
}

func (s *Server) routesNotify(m *http.ServeMux) {
	m.Handle("GET /inbox", s.auth(s.inboxPage))
	m.Handle("POST /inbox/read-all", s.auth(s.inboxReadAll))
	m.Handle("POST /inbox/{id}/read", s.auth(s.inboxRead))
	m.Handle("POST /account/notifications", s.auth(s.accountNotifications))
	m.Handle("GET /duty", s.auth(s.dutyPage))
	m.Handle("POST /duty", s.auth(s.dutySave))
	m.Handle("POST /duty/committee-lead", s.auth(s.committeeLeadSave))
}

type inboxData struct {
	Items []store.InboxItem
}

// KindLabel is a message kind's label in the page's language.
func (p *page) KindLabel(k notify.Kind) string { return care.Label(notify.Kinds, string(k), p.Lang) }

// SeesAlerts tells whether the page's role opens alerts (the inbox links them).
func (p *page) SeesAlerts() bool { return p.Actor.EditsRegistry() }

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, p *page) error {
	items, unread, err := s.db.Inbox(r.Context(), p.Actor, 100)
	if err != nil {
		return err
	}
	p.Unread = unread
	p.Title, p.Active, p.Data = "消息", "inbox", inboxData{Items: items}
	s.render(w, http.StatusOK, "inbox", p)
	return nil
}

// inboxRead marks one message read and goes back to the inbox (where the
// message was, by its anchor).
func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	if err := s.db.MarkRead(r.Context(), p.Actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox#m-"+url.PathEscape(id), http.StatusSeeOther)
	return nil
}

func (s *Server) inboxReadAll(w http.ResponseWriter, r *http.Request, p *page) error {
	if _, err := s.db.MarkAllRead(r.Context(), p.Actor); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

// accountNotifications saves the person's channels and quiet hours; a
// refused form comes back with what was typed and each field's reason.
func (s *Server) accountNotifications(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	st := notify.Settings{Phone: f.str("phone"), Email: f.str("email"), SMS: f.bool("sms"), Mail: f.bool("mail"),
		QuietFrom: f.str("quiet_from"), QuietTo: f.str("quiet_to")}
	if err := s.db.SaveNotifySettings(r.Context(), p.Actor, &st); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showAccountWith(w, r, p, http.StatusUnprocessableEntity, &st)
	}
	p.Flash = p.T("通知方式已保存")
	return s.showAccountWith(w, r, p, http.StatusOK, &st)
}

// dutyData is the duty page: the communities the station may pick from,
// the roster shown, and its form rows (with blank ones to add).
type dutyData struct {
	Communities []care.Community
	View        store.DutyView
	Shifts      []shiftRow
	Exceptions  []exceptionRow
	People      []personOption
	// Committee is the community committee in every elder's circle, with
	// the staff member responsible for its part.
	Committee *store.Committee
}

type shiftRow struct {
	Index    int
	Weekday  int
	From, To string
	UserID   int64
	Delete   bool
}

type exceptionRow struct {
	Index            int
	From, To         string
	Replaces, UserID int64
	Note             string
	Delete           bool
}

type personOption struct {
	ID   int64
	Name string
}

// Name is the name of a person on the roster.
func (d dutyData) Name(id int64) string {
	for _, o := range d.People {
		if o.ID == id {
			return o.Name
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}

// Weekdays are the roster's days for the form.
func (d dutyData) Weekdays() []care.Choice { return roster.Weekdays }

// blankRows is how many empty lines the form offers for new entries.
const blankRows = 2

func (s *Server) dutyPage(w http.ResponseWriter, r *http.Request, p *page) error {
	community, _ := strconv.ParseInt(r.URL.Query().Get("community_id"), 10, 64)
	d, err := s.dutyData(r, p, community)
	if err != nil {
		return err
	}
	d.addRosterRows()
	switch r.URL.Query().Get("saved") {
	case "1":
		p.Flash = p.T("值班表已保存")
	case "lead":
		p.Flash = p.T("居委会负责人已保存")
	}
	return s.showDuty(w, p, d, http.StatusOK)
}

// addRosterRows fills the form's rows from the saved roster, with blank
// ones to add.
func (d *dutyData) addRosterRows() {
	for i, sh := range d.View.Roster.Shifts {
		d.Shifts = append(d.Shifts, shiftRow{Index: i, Weekday: sh.Weekday, From: sh.From, To: sh.To, UserID: sh.UserID})
	}
	for i, e := range d.View.Roster.Exceptions {
		d.Exceptions = append(d.Exceptions, exceptionRow{Index: i, From: dateString(e.FromDay), To: dateString(e.ToDay),
			Replaces: e.Replaces, UserID: e.UserID, Note: e.Note})
	}
	d.addBlanks()
}

func dateString(t time.Time) string { return t.Format("2006-01-02") }

func (d *dutyData) addBlanks() {
	for range blankRows {
		d.Shifts = append(d.Shifts, shiftRow{Index: len(d.Shifts)})
		d.Exceptions = append(d.Exceptions, exceptionRow{Index: len(d.Exceptions)})
	}
}

// dutyData loads the roster the actor keeps: community staff their own,
// the station the community picked (the street's first by default).
func (s *Server) dutyData(r *http.Request, p *page, community int64) (*dutyData, error) {
	d := &dutyData{}
	ctx := r.Context()
	if p.Actor.Role == care.RoleStation {
		cs, err := s.db.Communities(ctx, p.Actor)
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, care.ErrNotFound("社区 / community")
		}
		d.Communities = cs
		if community == 0 {
			community = cs[0].ID
		}
	}
	views, err := s.db.DutyViews(ctx, p.Actor, community)
	if err != nil {
		return nil, err
	}
	d.View = views[0]
	if d.Committee, err = s.db.CommitteeOf(ctx, p.Actor, d.View.Community.ID); err != nil {
		return nil, err
	}
	for _, u := range d.View.Staff {
		d.People = append(d.People, personOption{u.ID, displayName(u)})
	}
	return d, nil
}

func displayName(u care.User) string {
	if u.DisplayName != "" {
		return u.DisplayName + "（" + u.Username + "）"
	}
	return u.Username
}

func (s *Server) showDuty(w http.ResponseWriter, p *page, d *dutyData, status int) error {
	// A person on the roster who is no longer active stays choosable, so
	// the row shows who it was.
	seen := map[int64]bool{0: true}
	for _, o := range d.People {
		seen[o.ID] = true
	}
	extra := func(id int64) {
		if !seen[id] {
			seen[id] = true
			d.People = append(d.People, personOption{id, fmt.Sprintf("#%d（%s）", id, p.T("已停用"))})
		}
	}
	for _, sh := range d.Shifts {
		extra(sh.UserID)
	}
	for _, e := range d.Exceptions {
		extra(e.Replaces)
		extra(e.UserID)
	}
	p.Title, p.Active, p.Data = "值班表", "duty", d
	s.render(w, status, "duty", p)
	return nil
}

var rowField = regexp.MustCompile(`^(shifts|exceptions)\[(\d+)\]\.(.+)$`)

// dutySave replaces the roster with the form's rows: blank rows and rows
// ticked for deletion are left out; errors come back beside the row they
// belong to.
func (s *Server) dutySave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	community := f.int64("community_id")
	saved := roster.Roster{CommunityID: community}
	var shiftRows []shiftRow
	var shiftAt []int // roster index -> form row
	for i := 0; i < roster.MaxShifts+blankRows; i++ {
		key := fmt.Sprintf("shifts[%d].", i)
		if _, ok := r.PostForm[key+"weekday"]; !ok {
			break
		}
		row := shiftRow{Index: i, From: f.str(key + "from"), To: f.str(key + "to"), Delete: f.bool(key + "delete")}
		row.Weekday, _ = strconv.Atoi(f.str(key + "weekday"))
		row.UserID, _ = strconv.ParseInt(f.str(key+"user_id"), 10, 64)
		shiftRows = append(shiftRows, row)
		if row.Delete || (row.From == "" && row.To == "" && row.UserID == 0) {
			continue
		}
		shiftAt = append(shiftAt, i)
		saved.Shifts = append(saved.Shifts, roster.Shift{Weekday: row.Weekday, From: row.From, To: row.To, UserID: row.UserID})
	}
	var exRows []exceptionRow
	var exAt []int
	for i := 0; i < roster.MaxExceptions+blankRows; i++ {
		key := fmt.Sprintf("exceptions[%d].", i)
		if _, ok := r.PostForm[key+"from"]; !ok {
			break
		}
		row := exceptionRow{Index: i, From: f.str(key + "from"), To: f.str(key + "to"), Note: f.str(key + "note"), Delete: f.bool(key + "delete")}
		row.Replaces, _ = strconv.ParseInt(f.str(key+"replaces_user_id"), 10, 64)
		row.UserID, _ = strconv.ParseInt(f.str(key+"user_id"), 10, 64)
		exRows = append(exRows, row)
		if row.Delete || (row.From == "" && row.To == "" && row.Note == "" && row.Replaces == 0 && row.UserID == 0) {
			continue
		}
		exAt = append(exAt, i)
		e := roster.Exception{Replaces: row.Replaces, UserID: row.UserID, Note: row.Note}
		e.FromDay = f.date(key + "from")
		e.ToDay = f.date(key + "to")
		saved.Exceptions = append(saved.Exceptions, e)
	}
	err := s.db.SaveDutyRoster(r.Context(), p.Actor, &saved)
	formErrs := f.errs
	if err != nil && care.ErrorCode(err) != care.EInvalid {
		return err
	}
	if err == nil && len(formErrs) == 0 {
		http.Redirect(w, r, "/duty?saved=1&community_id="+strconv.FormatInt(saved.CommunityID, 10), http.StatusSeeOther)
		return nil
	}
	// Errors name roster lines; the form shows them beside its own rows.
	all := care.FieldErrors{}
	for k, m := range formErrs {
		all.Add(k, m)
	}
	if ce, ok := err.(*care.Error); ok {
		for k, m := range ce.Fields {
			if g := rowField.FindStringSubmatch(k); g != nil {
				n, _ := strconv.Atoi(g[2])
				at := shiftAt
				if g[1] == "exceptions" {
					at = exAt
				}
				if n < len(at) {
					k = fmt.Sprintf("%s[%d].%s", g[1], at[n], g[3])
				}
			}
			all.Add(k, m)
		}
	}
	p.setError(all.Err())
	d, lerr := s.dutyData(r, p, community)
	if lerr != nil {
		return lerr
	}
	d.Shifts, d.Exceptions = shiftRows, exRows
	return s.showDuty(w, p, d, http.StatusUnprocessableEntity)
}
