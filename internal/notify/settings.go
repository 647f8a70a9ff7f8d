package notify

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// Settings are how a person wants to be reached, set on their account:
// the inbox always; SMS and e-mail when they turn them on; and quiet hours,
// during which SMS and e-mail wait (except emergencies).
type Settings struct {
	Phone string // mobile number for SMS
	Email string
	SMS   bool // send by SMS too
	Mail  bool // send by e-mail too
	// QuietFrom and QuietTo are "HH:MM" in the programme's time zone; both
	// empty is no quiet hours. QuietTo before QuietFrom runs past midnight
	// (22:00–07:00).
	QuietFrom, QuietTo string
}

var (
	msgBadEmail  = care.Msg{ZH: "邮箱格式不正确，例如 name@example.com", EN: "must be an address like name@example.com"}
	msgBadClock  = care.Msg{ZH: "时间格式应为 时:分，例如 22:00", EN: "must be a time like 22:00"}
	msgSMSPhone  = care.Msg{ZH: "开启短信须填写11位手机号", EN: "SMS needs an 11-digit mobile number"}
	msgMailAddr  = care.Msg{ZH: "开启邮件须填写邮箱", EN: "e-mail needs an address"}
	msgQuietPair = care.Msg{ZH: "免打扰的开始和结束时间须同时填写", EN: "quiet hours need both a start and an end"}
	msgQuietSame = care.Msg{ZH: "免打扰的开始和结束时间不能相同", EN: "quiet hours cannot start and end at the same time"}
)

// Validate normalises the settings (the phone's separators, spaces) and
// reports every field's problem at once, by the JSON and form field names
// phone, email, sms, mail, quiet_from and quiet_to.
func (s *Settings) Validate() error {
	f := care.FieldErrors{}
	s.Phone = care.NormalizePhone(s.Phone)
	s.Email = strings.TrimSpace(s.Email)
	s.QuietFrom, s.QuietTo = strings.TrimSpace(s.QuietFrom), strings.TrimSpace(s.QuietTo)
	if s.Phone != "" && !care.ValidPhone(s.Phone) {
		f.Add("phone", care.MsgBadPhone)
	}
	if s.SMS && !isMobile(s.Phone) {
		f.Add("phone", msgSMSPhone)
	}
	if s.Email != "" && checkEmail(s.Email) != nil {
		f.Add("email", msgBadEmail)
	}
	if s.Mail && s.Email == "" {
		f.Add("email", msgMailAddr)
	}
	from, okFrom := ParseClock(s.QuietFrom)
	to, okTo := ParseClock(s.QuietTo)
	if s.QuietFrom != "" && !okFrom {
		f.Add("quiet_from", msgBadClock)
	}
	if s.QuietTo != "" && !okTo {
		f.Add("quiet_to", msgBadClock)
	}
	switch {
	case (s.QuietFrom == "") != (s.QuietTo == ""):
		field := "quiet_from"
		if s.QuietTo == "" {
			field = "quiet_to"
		}
		f.Add(field, msgQuietPair)
	case okFrom && okTo && from == to:
		f.Add("quiet_to", msgQuietSame)
	}
	return f.Err()
}

func isMobile(phone string) bool {
	return len(phone) == 11 && phone[0] == '1' && care.ValidPhone(phone)
}

// checkEmail accepts a bare address (name@host), nothing more: it goes
// into a mail header.
func checkEmail(s string) error {
	if len(s) > 254 || strings.ContainsAny(s, "\r\n<> ") {
		return errors.New("bad address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return errors.New("bad address")
	}
	return nil
}

// ParseClock reads "HH:MM" (00:00–23:59) as minutes after midnight.
func ParseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// QuietUntil is when the quiet hours that contain at end, or at itself
// when at is outside them (or there are none). Times are read in loc.
func (s Settings) QuietUntil(at time.Time, loc *time.Location) time.Time {
	from, ok1 := ParseClock(s.QuietFrom)
	to, ok2 := ParseClock(s.QuietTo)
	if !ok1 || !ok2 || from == to {
		return at
	}
	l := at.In(loc)
	m := l.Hour()*60 + l.Minute()
	end := func(days int) time.Time {
		return time.Date(l.Year(), l.Month(), l.Day()+days, to/60, to%60, 0, 0, loc)
	}
	switch {
	case from < to && m >= from && m < to:
		return end(0)
	case from > to && m >= from:
		return end(1)
	case from > to && m < to:
		return end(0)
	}
	return at
}

// ContactSettings are the settings of a person without an account (a
// family contact, the clinic's phone): SMS to their number.
func ContactSettings(phone string) Settings {
	return Settings{Phone: care.NormalizePhone(phone), SMS: true}
}

// Fanout turns one event into the messages for one person: the inbox when
// they have an account, SMS and e-mail as their settings say. base carries
// the event: its ID names the event (EventID), its CreatedAt is when it
// happened (quiet hours are judged then; zero is now). Each message's ID
// is derived from base.ID, the person and the channel, so the same event
// fanned out again gives the same IDs. SMS and e-mail wait for quiet hours
// to end, except emergencies; the inbox makes no sound and never waits.
// A channel the person turned on without an address it can use is left
// out (Validate refuses such settings).
func Fanout(base Message, to Recipient, s Settings, loc *time.Location) []Message {
	if base.CreatedAt.IsZero() {
		base.CreatedAt = time.Now()
	}
	who := "u" + strconv.FormatInt(to.UserID, 10)
	if to.UserID == 0 {
		who = "p" + to.Name + "/" + s.Phone + "/" + s.Email
	}
	var out []Message
	add := func(ch Channel, r Recipient) {
		m := base
		m.ID, m.Channel, m.To = EventID(base.ID, who, ch), ch, r
		if ch != ChannelInbox && m.Kind != KindEmergency {
			if until := s.QuietUntil(base.CreatedAt, loc); until.After(base.CreatedAt) && until.After(m.NotBefore) {
				m.NotBefore = until
			}
		}
		out = append(out, m)
	}
	if to.UserID > 0 {
		add(ChannelInbox, Recipient{UserID: to.UserID, Name: to.Name})
	}
	if s.SMS && isMobile(care.NormalizePhone(s.Phone)) {
		add(ChannelSMS, Recipient{UserID: to.UserID, Name: to.Name, Phone: care.NormalizePhone(s.Phone)})
	}
	if s.Mail && checkEmail(s.Email) == nil {
		add(ChannelEmail, Recipient{UserID: to.UserID, Name: to.Name, Email: s.Email})
	}
	return out
}
