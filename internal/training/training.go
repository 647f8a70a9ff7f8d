// Package training holds the volunteers' training sessions (培训) and
// commendations (表彰) of issue 15 point 6: their fields and rules, without
// SQL or HTTP. A session replaces the register's free-text training field,
// which stays on the volunteer as read-only history.
package training

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Session is one training session: a topic on a day, given by a trainer,
// attended by volunteers.
type Session struct {
	ID          int64
	StreetID    int64
	CommunityID int64 // the community that holds it
	Community   string
	Topic       string
	HeldOn      time.Time
	Trainer     string
	Place       string
	Note        string
	Attendees   []Attendee
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Attendee is a volunteer who attended a session.
type Attendee struct {
	VolunteerID int64
	Name        string
	CommunityID int64
}

// AttendeeIDs are the attendees' volunteer ids.
func (s *Session) AttendeeIDs() []int64 {
	out := make([]int64, len(s.Attendees))
	for i, a := range s.Attendees {
		out[i] = a.VolunteerID
	}
	return out
}

// MaxAttendees bounds one session's attendance list.
const MaxAttendees = 500

// Normalize trims the text fields and drops repeated attendees.
func (s *Session) Normalize() {
	s.Topic, s.Trainer, s.Place, s.Note = strings.TrimSpace(s.Topic), strings.TrimSpace(s.Trainer), strings.TrimSpace(s.Place), strings.TrimSpace(s.Note)
	seen := map[int64]bool{}
	out := s.Attendees[:0]
	for _, a := range s.Attendees {
		if !seen[a.VolunteerID] {
			seen[a.VolunteerID] = true
			out = append(out, a)
		}
	}
	s.Attendees = out
}

// Validate checks a session, every field at once; it may not be held after
// today (it records training given; plans are activities).
func (s *Session) Validate(today time.Time) error {
	f := care.FieldErrors{}
	text(f, "topic", s.Topic, true, 100)
	text(f, "trainer", s.Trainer, true, 100)
	text(f, "place", s.Place, false, 200)
	text(f, "note", s.Note, false, 1000)
	date(f, "held_on", s.HeldOn, today)
	if s.CommunityID == 0 {
		f.Add("community_id", care.MsgRequired)
	}
	if len(s.Attendees) > MaxAttendees {
		f.Add("attendee_ids", care.Msg{ZH: "一次培训最多500人", EN: "at most 500 attendees"})
	}
	for _, a := range s.Attendees {
		if a.VolunteerID <= 0 {
			f.Add("attendee_ids", care.Msg{ZH: "参训志愿者编号有误", EN: "an attendee is not a volunteer id"})
		}
	}
	return f.Err()
}

// Commendation is an honour (表彰) given to a volunteer.
type Commendation struct {
	ID          int64
	VolunteerID int64
	Volunteer   string
	CommunityID int64
	Title       string // e.g. 优秀志愿者
	AwardedOn   time.Time
	Reason      string
	AwardedBy   string // the awarding body, e.g. 和平街道办事处
	CreatedBy   string
	CreatedAt   time.Time
}

// Normalize trims the text fields.
func (c *Commendation) Normalize() {
	c.Title, c.Reason, c.AwardedBy = strings.TrimSpace(c.Title), strings.TrimSpace(c.Reason), strings.TrimSpace(c.AwardedBy)
}

// Validate checks a commendation, every field at once.
func (c *Commendation) Validate(today time.Time) error {
	f := care.FieldErrors{}
	text(f, "title", c.Title, true, 100)
	text(f, "reason", c.Reason, true, 1000)
	text(f, "awarded_by", c.AwardedBy, false, 100)
	date(f, "awarded_on", c.AwardedOn, today)
	return f.Err()
}

func text(f care.FieldErrors, field, v string, required bool, max int) {
	switch {
	case v == "" && required:
		f.Add(field, care.MsgRequired)
	case utf8.RuneCountInString(v) > max:
		f.Add(field, care.Msg{ZH: "过长（不超过" + strconv.Itoa(max) + "字）", EN: "is too long (at most " + strconv.Itoa(max) + " characters)"})
	}
}

func date(f care.FieldErrors, field string, d, today time.Time) {
	switch {
	case d.IsZero():
		f.Add(field, care.MsgBadDate)
	case d.After(today):
		f.Add(field, care.MsgFutureDate)
	}
}
