// Package notify says what CareCircle's notifications are, with no SQL and
// no network (SPEC §9): messages and their channels, a person's channels
// and quiet hours, the SMS gateway webhook's body and signature, the e-mail
// a message becomes, and the retry schedule.
//
// The store keeps messages in an outbox written in the same transaction as
// the event that causes them (store.DB.Enqueue, enqueueTx); a worker
// (internal/outbox) delivers them at least once, each with a stable ID the
// receiver may use to drop a repeat.
package notify

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Kind is why a message is sent; the webhook tells the gateway.
type Kind string

// Kinds of messages (the webhook's "kind").
const (
	// KindMissedGreeting: an elder living alone was not greeted today.
	KindMissedGreeting Kind = "missed_greeting"
	// KindEscalation: a step of the chain after nobody acknowledged.
	KindEscalation Kind = "escalation"
	// KindEmergency: an 应急求助; it ignores quiet hours.
	KindEmergency Kind = "emergency"
	// KindReminder: a visit, call or signature due.
	KindReminder Kind = "reminder"
	// KindNotice: news about someone's service, in the inbox only (an
	// elder who moved away, died or paused, and the pairings it ended).
	KindNotice Kind = "notice"
)

// Kinds lists every kind with its label.
var Kinds = []care.Choice{
	{Code: string(KindMissedGreeting), Label: care.Msg{ZH: "未问候提醒", EN: "Not greeted"}},
	{Code: string(KindEscalation), Label: care.Msg{ZH: "逐级提醒", EN: "Escalation"}},
	{Code: string(KindEmergency), Label: care.Msg{ZH: "应急求助", EN: "Emergency"}},
	{Code: string(KindReminder), Label: care.Msg{ZH: "待办提醒", EN: "Reminder"}},
	{Code: string(KindNotice), Label: care.Msg{ZH: "服务通知", EN: "Notice"}},
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	for _, c := range Kinds {
		if c.Code == string(k) {
			return true
		}
	}
	return false
}

// Channel is how a message reaches its recipient.
type Channel string

// Channels.
const (
	// ChannelInbox is the in-app inbox (/inbox, the bell): delivered by
	// being written, visible once the transaction commits.
	ChannelInbox Channel = "inbox"
	// ChannelSMS goes through the SMS gateway's webhook.
	ChannelSMS Channel = "sms"
	// ChannelEmail goes through an SMTP relay.
	ChannelEmail Channel = "email"
)

// Status is where a message is in its delivery.
type Status string

// Statuses of an outbox message.
const (
	// StatusPending: not yet delivered; retried until it is.
	StatusPending Status = "pending"
	// StatusDelivered: the channel took it (the gateway answered 2xx, the
	// SMTP relay accepted it, or it is in the inbox).
	StatusDelivered Status = "delivered"
	// StatusFailed: it can never be delivered (the relay refused the
	// address for good); LastError says why. Never set for a channel that
	// is merely down.
	StatusFailed Status = "failed"
)

// Recipient is whom a message is for: an account (UserID) or a person
// without one (a family contact), with the address its channel needs.
type Recipient struct {
	UserID int64 // 0 for a person without an account
	Name   string
	Phone  string // for SMS
	Email  string // for e-mail
}

// Message is one notification on one channel to one recipient.
type Message struct {
	// ID is stable for de-duplication: the same event for the same
	// recipient and channel must give the same ID (EventID), so writing it
	// twice (a job run again, on another server) stores it once, and the
	// gateway sees one ID however often delivery is retried.
	ID      string
	Kind    Kind
	Channel Channel
	To      Recipient
	// Subject is the e-mail's subject; empty gives the kind's label.
	Subject string
	Text    string
	ElderID int64 // 0 when the message is about no one elder
	AlertID int64 // 0 when it belongs to no alert
	// CreatedAt is set when the message is written, if zero.
	CreatedAt time.Time
	// NotBefore delays the first attempt (quiet hours); zero is at once.
	NotBefore time.Time
}

// Limits of a message, so one cannot fill a phone or the database.
const (
	MaxText    = 2000
	MaxSubject = 200
	MaxID      = 100
)

// Validate checks a message before it is written: its kind and channel,
// an ID, some text, and the address its channel needs.
func (m Message) Validate() error {
	f := care.FieldErrors{}
	if m.ID == "" || len(m.ID) > MaxID || strings.ContainsAny(m.ID, " \t\r\n/") {
		f.Add("id", care.Msg{ZH: "消息编号须为1-100个字符且不含空格和斜杠", EN: "an id of 1-100 characters without spaces or slashes"})
	}
	if !m.Kind.Valid() {
		f.Add("kind", care.MsgBadChoice)
	}
	if strings.TrimSpace(m.Text) == "" {
		f.Add("text", care.MsgRequired)
	} else if utf8.RuneCountInString(m.Text) > MaxText || !utf8.ValidString(m.Text) {
		f.Add("text", care.MsgTooLong)
	}
	if utf8.RuneCountInString(m.Subject) > MaxSubject || strings.ContainsAny(m.Subject, "\r\n") {
		f.Add("subject", care.MsgTooLong)
	}
	switch m.Channel {
	case ChannelInbox:
		if m.To.UserID <= 0 {
			f.Add("to.user_id", care.Msg{ZH: "站内消息须发给一个账号", EN: "an inbox message goes to an account"})
		}
	case ChannelSMS:
		if !care.ValidPhone(m.To.Phone) {
			f.Add("to.phone", care.MsgBadPhone)
		}
	case ChannelEmail:
		if err := checkEmail(m.To.Email); err != nil {
			f.Add("to.email", msgBadEmail)
		}
	default:
		f.Add("channel", care.MsgBadChoice)
	}
	return f.Err()
}

// SubjectOrDefault is the e-mail subject: the message's own or its kind's.
func (m Message) SubjectOrDefault() string {
	if m.Subject != "" {
		return m.Subject
	}
	return "关爱服务圈：" + care.Label(Kinds, string(m.Kind), "zh")
}

// EventID derives a message ID from what names the event and its
// recipient, for example EventID("alert", alertID, "step", 2, "user", uid,
// ChannelSMS): the same parts always give the same ID, so an event written
// again adds no second message. Parts are joined unambiguously.
func EventID(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		s := fmt.Sprint(p)
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return "m-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// NewID returns a random ID (UUID version 4 form) for a message no event
// names: written twice, it is two messages.
func NewID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("notify: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
