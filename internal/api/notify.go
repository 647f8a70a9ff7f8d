package api

import (
	"fmt"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/duty"
	"carecircle/internal/notify"
)

// routesNotify: every user's inbox and notification settings; community
// staff's and the station's duty roster (README "Notifications").
func (s *Server) routesNotify() {
	m := s.mux
	m.HandleFunc("GET /api/v1/inbox", s.handle(s.inbox, true))
	m.HandleFunc("POST /api/v1/inbox/{id}/read", s.handle(s.inboxRead, true))
	m.HandleFunc("GET /api/v1/me/notifications", s.handle(s.myNotifySettings, true))
	m.HandleFunc("PUT /api/v1/me/notifications", s.handle(s.saveMyNotifySettings, true))
	m.HandleFunc("GET /api/v1/duty", s.handle(s.dutyRosters, true))
	m.HandleFunc("PUT /api/v1/duty", s.handle(s.saveDutyRoster, true))
}

type inboxItemOut struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Text      string  `json:"text"`
	ElderID   *int64  `json:"elder_id"`
	AlertID   *int64  `json:"alert_id"`
	CreatedAt string  `json:"created_at"`
	ReadAt    *string `json:"read_at"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// inbox lists the caller's messages, newest first, with the unread count.
func (s *Server) inbox(r *request) (int, any, error) {
	limit, _ := page(r)
	items, unread, err := s.db.Inbox(r.ctx, r.actor, limit)
	if err != nil {
		return 0, nil, err
	}
	out := []inboxItemOut{}
	for _, it := range items {
		o := inboxItemOut{ID: it.ID, Kind: string(it.Kind), Text: it.Text, ElderID: optID(it.ElderID), AlertID: optID(it.AlertID),
			CreatedAt: it.CreatedAt.In(s.db.Loc).Format(time.RFC3339)}
		if it.ReadAt != nil {
			at := it.ReadAt.In(s.db.Loc).Format(time.RFC3339)
			o.ReadAt = &at
		}
		out = append(out, o)
	}
	return 0, map[string]any{"items": out, "total": len(out), "unread": unread}, nil
}

// inboxRead marks one of the caller's messages read (again: no change).
func (s *Server) inboxRead(r *request) (int, any, error) {
	id := r.PathValue("id")
	if err := s.db.MarkRead(r.ctx, r.actor, id); err != nil {
		return 0, nil, err
	}
	unread, err := s.db.UnreadCount(r.ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	return 0, map[string]any{"id": id, "read": true, "unread": unread}, nil
}

// notifySettingsIO is a person's channels and quiet hours in JSON; the
// field names are those of the validation errors.
type notifySettingsIO struct {
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	SMS       bool   `json:"sms"`
	Mail      bool   `json:"mail"`
	QuietFrom string `json:"quiet_from"`
	QuietTo   string `json:"quiet_to"`
}

func settingsOut(st notify.Settings) notifySettingsIO {
	return notifySettingsIO{Phone: st.Phone, Email: st.Email, SMS: st.SMS, Mail: st.Mail, QuietFrom: st.QuietFrom, QuietTo: st.QuietTo}
}

func (s *Server) myNotifySettings(r *request) (int, any, error) {
	st, err := s.db.NotifySettings(r.ctx, r.user.ID)
	if err != nil {
		return 0, nil, err
	}
	return 0, settingsOut(st), nil
}

// saveMyNotifySettings replaces the caller's settings (a missing field is
// empty or off).
func (s *Server) saveMyNotifySettings(r *request) (int, any, error) {
	var in notifySettingsIO
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	st := notify.Settings{Phone: in.Phone, Email: in.Email, SMS: in.SMS, Mail: in.Mail, QuietFrom: in.QuietFrom, QuietTo: in.QuietTo}
	if err := s.db.SaveNotifySettings(r.ctx, r.actor, &st); err != nil {
		return 0, nil, err
	}
	return 0, settingsOut(st), nil
}

type shiftIO struct {
	ID      int64  `json:"id,omitempty"`
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
	UserID  int64  `json:"user_id"`
}

type exceptionIO struct {
	ID       int64  `json:"id,omitempty"`
	From     string `json:"from"`
	To       string `json:"to"`
	Replaces *int64 `json:"replaces_user_id"`
	UserID   *int64 `json:"user_id"`
	Note     string `json:"note"`
}

type personOut struct {
	ID   int64  `json:"user_id"`
	Name string `json:"name"`
}

func people(us []care.User) []personOut {
	out := []personOut{}
	for _, u := range us {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		out = append(out, personOut{u.ID, name})
	}
	return out
}

// dutyRosters lists the rosters the caller keeps (?community_id= for one)
// with who is on duty now.
func (s *Server) dutyRosters(r *request) (int, any, error) {
	community, err := queryInt64(r, "community_id")
	if err != nil {
		return 0, nil, err
	}
	views, err := s.db.DutyViews(r.ctx, r.actor, community)
	if err != nil {
		return 0, nil, err
	}
	type rosterOut struct {
		CommunityID   int64         `json:"community_id"`
		CommunityName string        `json:"community_name"`
		Shifts        []shiftIO     `json:"shifts"`
		Exceptions    []exceptionIO `json:"exceptions"`
		Staff         []personOut   `json:"staff"`
		OnDuty        []personOut   `json:"on_duty"`
		Rostered      bool          `json:"rostered"`
	}
	out := []rosterOut{}
	for _, v := range views {
		o := rosterOut{CommunityID: v.Community.ID, CommunityName: v.Community.Name, Shifts: []shiftIO{}, Exceptions: []exceptionIO{},
			Staff: people(v.Staff), OnDuty: people(v.OnDuty), Rostered: v.Rostered}
		for _, sh := range v.Roster.Shifts {
			o.Shifts = append(o.Shifts, shiftIO(sh))
		}
		for _, e := range v.Roster.Exceptions {
			o.Exceptions = append(o.Exceptions, exceptionIO{ID: e.ID, From: e.FromDay.Format(time.DateOnly), To: e.ToDay.Format(time.DateOnly),
				Replaces: optID(e.Replaces), UserID: optID(e.UserID), Note: e.Note})
		}
		out = append(out, o)
	}
	return 0, map[string]any{"items": out, "at": s.db.Now().In(s.db.Loc).Format(time.RFC3339)}, nil
}

// saveDutyRoster replaces a community's roster (community staff: their
// own unless community_id says otherwise; the station: the one named).
func (s *Server) saveDutyRoster(r *request) (int, any, error) {
	var in struct {
		CommunityID int64         `json:"community_id"`
		Shifts      []shiftIO     `json:"shifts"`
		Exceptions  []exceptionIO `json:"exceptions"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	roster := duty.Roster{CommunityID: in.CommunityID}
	for _, sh := range in.Shifts {
		roster.Shifts = append(roster.Shifts, duty.Shift{Weekday: sh.Weekday, From: sh.From, To: sh.To, UserID: sh.UserID})
	}
	f := care.FieldErrors{}
	for i, e := range in.Exceptions {
		ex := duty.Exception{Note: e.Note}
		for field, v := range map[string]struct {
			s   string
			out *time.Time
		}{"from": {e.From, &ex.FromDay}, "to": {e.To, &ex.ToDay}} {
			t, err := time.Parse(time.DateOnly, v.s)
			if err != nil {
				f.Add(fmt.Sprintf("exceptions[%d].%s", i, field), care.MsgBadDate)
				continue
			}
			*v.out = t
		}
		if e.Replaces != nil {
			ex.Replaces = *e.Replaces
		}
		if e.UserID != nil {
			ex.UserID = *e.UserID
		}
		roster.Exceptions = append(roster.Exceptions, ex)
	}
	if err := s.db.SaveDutyRoster(r.ctx, r.actor, &roster); err != nil && !f.Merge(err) {
		return 0, nil, err
	}
	if err := f.Err(); err != nil {
		return 0, nil, err
	}
	r.URL.RawQuery = fmt.Sprintf("community_id=%d", roster.CommunityID)
	return s.dutyRosters(r)
}
