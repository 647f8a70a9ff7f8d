package web

import (
	"net/http"
	"net/url"

	"carecircle/internal/care"
	"carecircle/internal/reminder"
)

// Reminders on the web (README "Reminders"): /reminders shows every kind
// of reminder — when it is sent, to whom, its placeholders and its
// wording with a preview. The station edits the wording (a preview button
// shows the typed text filled in without saving); community staff read it.

var navReminders = []navItem{
	{"reminders", "/reminders", "提醒设置", []string{"station", "community"}},
}

func init() { catalogs = append(catalogs, englishReminders) }

func (s *Server) routesReminders(m *http.ServeMux) {
	m.Handle("GET /reminders", s.auth(s.remindersPage))
	m.Handle("POST /reminders/{kind}", s.auth(s.reminderSave))
}

// reminderCard is one kind on the page: its description, the wording
// (saved, or typed when a form came back), its preview, and the outcome
// of the last action on it.
type reminderCard struct {
	Info      reminder.Info
	Template  reminder.Template
	Text      string
	Preview   string
	Saved     bool   // just saved
	Previewed bool   // previewed, not saved
	Error     string // why the typed text was refused
}

type remindersData struct {
	Cards    []reminderCard
	Editable bool
	// Escalation is the street's escalation chain (escalation.go).
	Escalation *escalationForm
}

func (s *Server) remindersData(r *http.Request, p *page) (*remindersData, error) {
	list, err := s.db.GetReminderTemplates(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	d := &remindersData{Editable: p.Actor.Role == care.RoleStation}
	if d.Escalation, err = s.escalationForm(r, p.Actor); err != nil {
		return nil, err
	}
	for _, t := range list {
		info, _ := reminder.InfoOf(t.Kind)
		d.Cards = append(d.Cards, reminderCard{Info: info, Template: t, Text: t.Text, Preview: reminder.Preview(t.Kind, t.Text),
			Saved: r.URL.Query().Get("saved") == string(t.Kind)})
	}
	return d, nil
}

func (s *Server) remindersPage(w http.ResponseWriter, r *http.Request, p *page) error {
	d, err := s.remindersData(r, p)
	if err != nil {
		return err
	}
	return s.showReminders(w, p, d, http.StatusOK)
}

func (s *Server) showReminders(w http.ResponseWriter, p *page, d *remindersData, status int) error {
	p.Title, p.Active, p.Data = "提醒设置", "reminders", d
	s.render(w, status, "reminders", p)
	return nil
}

// reminderSave saves a kind's wording (action=save) or previews the typed
// text (action=preview); a refused text comes back in its card with the
// reason, as typed.
func (s *Server) reminderSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f := newForm(r)
	kind := reminder.Kind(r.PathValue("kind"))
	text := f.str("text")
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	if !kind.Valid() {
		return care.ErrNotFound("提醒 / reminder")
	}
	var err error
	preview := f.str("action") == "preview"
	if preview {
		err = reminder.Validate(kind, text)
	} else if _, err = s.db.SaveReminderTemplate(r.Context(), p.Actor, kind, text); err == nil {
		http.Redirect(w, r, "/reminders?saved="+url.QueryEscape(string(kind))+"#tpl-"+string(kind), http.StatusSeeOther)
		return nil
	}
	if err != nil && care.ErrorCode(err) != care.EInvalid {
		return err
	}
	d, lerr := s.remindersData(r, p)
	if lerr != nil {
		return lerr
	}
	status := http.StatusOK
	for i := range d.Cards {
		c := &d.Cards[i]
		if c.Info.Kind != kind {
			continue
		}
		c.Text = text
		if err != nil {
			status = http.StatusUnprocessableEntity
			c.Error = fieldReason(err, "text", p.Lang)
			c.Preview = ""
		} else {
			c.Previewed, c.Preview = true, reminder.Preview(kind, text)
		}
	}
	return s.showReminders(w, p, d, status)
}

// fieldReason is a validation error's reason for field in lang.
func fieldReason(err error, field, lang string) string {
	if ce, ok := err.(*care.Error); ok {
		if m, ok := ce.Fields[field]; ok {
			return m.In(lang)
		}
	}
	return care.MessageIn(err, lang)
}

// englishReminders translates /reminders.
var englishReminders = map[string]string{
	"提醒设置":     "Reminders",
	"提醒内容":     "Wording",
	"发送时间":     "When",
	"发送给":      "To",
	"可用占位符":    "Placeholders",
	"预览":       "Preview",
	"预览（示例）":   "Preview (sample)",
	"保存":       "Save",
	"已保存":      "Saved",
	"默认内容":     "Built-in wording",
	"修改人":      "Edited by",
	"恢复默认内容":   "Restore the built-in wording",
	"以下预览尚未保存": "This preview is not saved yet",
	"提醒通过站内消息发送，开启了短信或邮件的人也会收到短信或邮件（免打扰时段过后）。每条提醒每天只发一次。": "Reminders reach the inbox, and SMS or e-mail for those who turned them on (after their quiet hours). Each is sent once a day at most.",
	"只有街道服务站可以修改提醒内容。":               "Only the station edits the wording.",
	"用花括号写占位符，例如 {elder}，发送时换成实际内容。": "Write placeholders in braces, e.g. {elder}; they are filled in when sent.",
}
