package web

import (
	"net/http"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/notify"
)

// The escalation chain on the web (README "The escalation chain"): the
// alert's page shows every step (步骤、通知对象、方式、时间、状态), and the
// station sets its street's chain in a small form on /reminders
// (提醒设置); community staff read it there.

func init() { catalogs = append(catalogs, englishEscalation) }

func (s *Server) routesEscalation(m *http.ServeMux) {
	m.Handle("POST /escalation-policy", s.auth(s.escalationSave))
}

// escalationForm is the chain's card on /reminders: the street's policy
// (or the typed values when a form came back), the reasons of refused
// fields, and whether it was just saved.
type escalationForm struct {
	Policy   notify.Policy
	Default  notify.Policy
	Typed    map[string]string // as typed, when the form came back
	Errors   map[string]string // field -> reason
	Editable bool
	Saved    bool
}

// Value is a field's value: as typed when the form came back, else saved.
func (f *escalationForm) Value(field string) string {
	if v, ok := f.Typed[field]; ok {
		return v
	}
	switch field {
	case "reminder_at":
		return f.Policy.ReminderAt
	case "family_after_minutes":
		return strconv.Itoa(f.Policy.FamilyAfter)
	case "station_after_minutes":
		return strconv.Itoa(f.Policy.StationAfter)
	case "emergency_after_minutes":
		return strconv.Itoa(f.Policy.EmergencyAfter)
	}
	return ""
}

func (s *Server) escalationForm(r *http.Request, a care.Actor) (*escalationForm, error) {
	p, err := s.db.EscalationPolicy(r.Context(), a, a.StreetID)
	if err != nil {
		return nil, err
	}
	return &escalationForm{Policy: p, Default: notify.DefaultPolicy, Editable: a.Role == care.RoleStation,
		Saved: r.URL.Query().Get("saved") == "escalation"}, nil
}

// escalationSave saves the street's chain; refused fields come back in the
// card, as typed, each with its reason.
func (s *Server) escalationSave(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.Actor.Role != care.RoleStation {
		return care.ErrForbidden()
	}
	f := newForm(r)
	typed := map[string]string{}
	bad := map[string]string{}
	var pol notify.Policy
	pol.ReminderAt = f.str("reminder_at")
	typed["reminder_at"] = pol.ReminderAt
	for field, dst := range map[string]*int{"family_after_minutes": &pol.FamilyAfter, "station_after_minutes": &pol.StationAfter,
		"emergency_after_minutes": &pol.EmergencyAfter} {
		v := strings.TrimSpace(f.str(field))
		typed[field] = v
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[field] = care.Msg{ZH: "请填写分钟数（整数）", EN: "a number of minutes"}.In(p.Lang)
			n = -1
		}
		*dst = n
	}
	err := pol.Validate()
	if err == nil && len(bad) == 0 {
		err = s.db.SaveEscalationPolicy(r.Context(), p.Actor, p.Actor.StreetID, &pol)
		if err == nil {
			http.Redirect(w, r, "/reminders?saved=escalation#escalation", http.StatusSeeOther)
			return nil
		}
	}
	if err != nil && care.ErrorCode(err) != care.EInvalid {
		return err
	}
	if ce, ok := err.(*care.Error); ok {
		for field, m := range ce.Fields {
			if bad[field] == "" {
				bad[field] = m.In(p.Lang)
			}
		}
	}
	d, err := s.remindersData(r, p)
	if err != nil {
		return err
	}
	d.Escalation.Typed, d.Escalation.Errors, d.Escalation.Saved = typed, bad, false
	return s.showReminders(w, p, d, http.StatusUnprocessableEntity)
}

// StepLabel names a step of the chain in lang.
func (text) StepLabel(step notify.Step, lang string) string {
	return care.Label(notify.Steps, string(step), lang)
}

var channelLabels = []care.Choice{
	{Code: string(notify.ChannelInbox), Label: care.Msg{ZH: "站内消息", EN: "Inbox"}},
	{Code: string(notify.ChannelSMS), Label: care.Msg{ZH: "短信", EN: "SMS"}},
	{Code: string(notify.ChannelEmail), Label: care.Msg{ZH: "电子邮件", EN: "E-mail"}},
}

var deliveryLabels = []care.Choice{
	{Code: string(notify.StatusPending), Label: care.Msg{ZH: "待发送", EN: "pending"}},
	{Code: string(notify.StatusDelivered), Label: care.Msg{ZH: "已送达", EN: "delivered"}},
	{Code: string(notify.StatusFailed), Label: care.Msg{ZH: "发送失败", EN: "failed"}},
}

// ChannelLabel names a channel in lang.
func (text) ChannelLabel(c notify.Channel, lang string) string {
	return care.Label(channelLabels, string(c), lang)
}

// DeliveryLabel names a message's delivery status in lang.
func (text) DeliveryLabel(s notify.Status, lang string) string {
	return care.Label(deliveryLabels, string(s), lang)
}

// StoppedLabel says why an alert's chain stopped.
func (text) StoppedLabel(reason, lang string) string {
	return care.Label([]care.Choice{
		{Code: "greeted", Label: care.Msg{ZH: "老人已被问候，逐级通知已停止", EN: "The elder was greeted: the chain stopped"}},
		{Code: "acknowledged", Label: care.Msg{ZH: "提醒已确认，逐级通知已停止", EN: "Acknowledged: the chain stopped"}},
		{Code: "resolved", Label: care.Msg{ZH: "提醒已处理，逐级通知已停止", EN: "Resolved: the chain stopped"}},
	}, reason, lang)
}

// englishEscalation translates the chain on the alert page and /reminders.
var englishEscalation = map[string]string{
	"逐级通知":      "Escalation",
	"步骤":        "Step",
	"通知对象":      "To",
	"方式":        "Channel",
	"时间":        "Time",
	"状态":        "Status",
	"还没有通知任何人。": "Nobody has been told yet.",
	"未问候逐级提醒":   "Escalation of a lone elder not greeted",
	"独居老人当天没有被问候时，按以下顺序通知；任何一次问候或确认提醒都会立即停止，并告知已通知的人。应急求助立即通知值班人员、责任人和家属，无人确认时通知街道服务站。": "When an elder living alone is not greeted, these are told in turn; any greeting or acknowledgement stops it at once and tells those already told. An emergency tells the staff on duty, the responsible volunteer and the family at once, and the station when nobody acknowledges it.",
	"提醒邻里志愿者的时间": "Remind the neighbour volunteers at",
	"留空则不提醒。未问候提醒本身在每天的提醒时刻（默认 20:00）发给值班人员和责任人。": "Empty for none. The alert itself goes to the staff on duty and the responsible volunteer at the alert hour (20:00 by default).",
	"提醒后无人确认，通知家属（分钟）":                            "Nobody acknowledged: tell the family after (minutes)",
	"再无人确认，通知卫生服务机构和街道站（分钟）":                      "Still nobody: tell the clinic and the station after (minutes more)",
	"应急求助无人确认，通知街道站（分钟）":                          "Emergency unacknowledged: tell the station after (minutes)",
	"保存逐级提醒":  "Save the escalation",
	"逐级提醒已保存": "Escalation saved",
	"默认":      "Default",
	"只有街道服务站可以修改逐级提醒。": "Only the station can change the escalation.",
	"不提醒": "none",
	"已确认": "Acknowledged",
	"处理人": "By",
	"尚未确认：提交一次处理情况即为确认；无人确认时会通知街道服务站。": "Not yet acknowledged: any update below acknowledges it; unacknowledged, the station is told.",
	"已通知街道服务站": "the station was told",
}
