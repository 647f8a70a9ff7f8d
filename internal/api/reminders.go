package api

import (
	"time"

	"carecircle/internal/care"
	"carecircle/internal/reminder"
)

// routesReminders: the wording of the reminders (README "Reminders"); the
// station edits its street's, community staff read them.
func (s *Server) routesReminders() {
	m := s.mux
	m.HandleFunc("GET /api/v1/reminder-templates", s.handle(s.reminderTemplates, true))
	m.HandleFunc("PUT /api/v1/reminder-templates/{kind}", s.handle(s.saveReminderTemplate, true))
}

type msgOut struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

func msgOf(m care.Msg) msgOut { return msgOut(m) }

type placeholderOut struct {
	Name string `json:"name"`
	Help msgOut `json:"help"`
}

type reminderTemplateOut struct {
	Kind         string           `json:"kind"`
	Label        msgOut           `json:"label"`
	When         msgOut           `json:"when"`
	To           msgOut           `json:"to"`
	Placeholders []placeholderOut `json:"placeholders"`
	Text         string           `json:"text"`
	Default      bool             `json:"default"`
	DefaultText  string           `json:"default_text"`
	UpdatedBy    *string          `json:"updated_by"`
	UpdatedAt    *string          `json:"updated_at"`
	Preview      string           `json:"preview"`
}

func (s *Server) templateOut(t reminder.Template) reminderTemplateOut {
	info, _ := reminder.InfoOf(t.Kind)
	o := reminderTemplateOut{Kind: string(t.Kind), Label: msgOf(info.Label), When: msgOf(info.When), To: msgOf(info.To),
		Placeholders: []placeholderOut{}, Text: t.Text, Default: t.Default, DefaultText: info.Default, Preview: reminder.Preview(t.Kind, t.Text)}
	for _, p := range info.Placeholders {
		o.Placeholders = append(o.Placeholders, placeholderOut{Name: p.Name, Help: msgOf(p.Help)})
	}
	if !t.Default {
		by, at := t.UpdatedBy, t.UpdatedAt.In(s.db.Loc).Format(time.RFC3339)
		o.UpdatedBy, o.UpdatedAt = &by, &at
	}
	return o
}

// reminderTemplates lists every kind of reminder with its wording (the
// station's or the default), its placeholders and a preview.
func (s *Server) reminderTemplates(r *request) (int, any, error) {
	list, err := s.db.GetReminderTemplates(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	out := []reminderTemplateOut{}
	for _, t := range list {
		out = append(out, s.templateOut(t))
	}
	return 0, map[string]any{"items": out, "editable": r.actor.Role == care.RoleStation}, nil
}

// saveReminderTemplate sets one kind's wording: {"text": "..."}.
func (s *Server) saveReminderTemplate(r *request) (int, any, error) {
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := s.db.SaveReminderTemplate(r.ctx, r.actor, reminder.Kind(r.PathValue("kind")), in.Text)
	if err != nil {
		return 0, nil, err
	}
	return 0, s.templateOut(*t), nil
}
