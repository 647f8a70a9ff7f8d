package notify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestQuietUntil(t *testing.T) {
	night := Settings{QuietFrom: "22:00", QuietTo: "07:00"}
	noon := Settings{QuietFrom: "12:00", QuietTo: "14:30"}
	for _, tc := range []struct {
		s        Settings
		at, want string
	}{
		{night, "2026-11-29 21:59", "2026-11-29 21:59"},
		{night, "2026-11-29 22:00", "2026-11-30 07:00"},
		{night, "2026-11-29 23:30", "2026-11-30 07:00"},
		{night, "2026-11-30 00:00", "2026-11-30 07:00"},
		{night, "2026-11-30 06:59", "2026-11-30 07:00"},
		{night, "2026-11-30 07:00", "2026-11-30 07:00"},
		{night, "2026-12-31 23:00", "2027-01-01 07:00"}, // across a year
		{noon, "2026-11-29 11:59", "2026-11-29 11:59"},
		{noon, "2026-11-29 12:00", "2026-11-29 14:30"},
		{noon, "2026-11-29 14:29", "2026-11-29 14:30"},
		{noon, "2026-11-29 14:30", "2026-11-29 14:30"},
		{Settings{}, "2026-11-29 23:00", "2026-11-29 23:00"},
	} {
		if got := tc.s.QuietUntil(at(tc.at), shanghai); !got.Equal(at(tc.want)) {
			t.Errorf("%s-%s at %s: %s, want %s", tc.s.QuietFrom, tc.s.QuietTo, tc.at, got.In(shanghai).Format("2006-01-02 15:04"), tc.want)
		}
	}
	// An instant given in UTC is read in the programme's zone.
	if got := night.QuietUntil(at("2026-11-29 23:00").UTC(), shanghai); !got.Equal(at("2026-11-30 07:00")) {
		t.Errorf("UTC instant: %v", got)
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Settings
		bad  []string
	}{
		{"nothing set", Settings{}, nil},
		{"all set", Settings{Phone: "138 0013 8000", Email: "li@example.com", SMS: true, Mail: true, QuietFrom: "22:00", QuietTo: "07:00"}, nil},
		{"sms without phone", Settings{SMS: true}, []string{"phone"}},
		{"sms to a landline", Settings{SMS: true, Phone: "02584561234"}, []string{"phone"}},
		{"bad phone", Settings{Phone: "12345"}, []string{"phone"}},
		{"mail without address", Settings{Mail: true}, []string{"email"}},
		{"bad address", Settings{Email: "li@"}, []string{"email"}},
		{"a header in the address", Settings{Email: "li@example.com\r\nBcc: x@y.z"}, []string{"email"}},
		{"a name is not an address", Settings{Email: "李 <li@example.com>"}, []string{"email"}},
		{"half quiet hours", Settings{QuietFrom: "22:00"}, []string{"quiet_to"}},
		{"bad clocks", Settings{QuietFrom: "25:00", QuietTo: "7"}, []string{"quiet_from", "quiet_to"}},
		{"the same clock", Settings{QuietFrom: "07:00", QuietTo: "07:00"}, []string{"quiet_to"}},
	} {
		s := tc.s
		err := s.Validate()
		var fields map[string]care.Msg
		if ce, ok := err.(*care.Error); ok {
			fields = ce.Fields
		} else if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(fields) != len(tc.bad) {
			t.Errorf("%s: errors %v, want on %v", tc.name, fields, tc.bad)
		}
		for _, f := range tc.bad {
			if fields[f].ZH == "" {
				t.Errorf("%s: no Chinese error on %s: %v", tc.name, f, fields)
			}
		}
	}
	s := Settings{Phone: "+86 138-0013-8000"}
	if s.Validate(); s.Phone != "13800138000" {
		t.Errorf("phone not normalised: %q", s.Phone)
	}
}

func TestFanout(t *testing.T) {
	base := Message{ID: EventID("alert", 7, "step", 2), Kind: KindReminder, Text: "你今天还没有问候 王秀英", ElderID: 3, CreatedAt: at("2026-11-29 23:00")}
	s := Settings{Phone: "13800138000", Email: "li@example.com", SMS: true, Mail: true, QuietFrom: "22:00", QuietTo: "07:00"}
	msgs := Fanout(base, Recipient{UserID: 5, Name: "李桂兰"}, s, shanghai)
	if len(msgs) != 3 {
		t.Fatalf("want inbox, sms and e-mail: %+v", msgs)
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.Channel, err)
		}
		ids[m.ID] = true
		switch m.Channel {
		case ChannelInbox:
			if !m.NotBefore.IsZero() {
				t.Errorf("the inbox never waits: %v", m.NotBefore)
			}
		case ChannelSMS, ChannelEmail:
			if !m.NotBefore.Equal(at("2026-11-30 07:00")) {
				t.Errorf("%s: a reminder waits for quiet hours to end: %v", m.Channel, m.NotBefore)
			}
		}
	}
	if len(ids) != 3 {
		t.Errorf("one id per channel: %v", ids)
	}
	again := Fanout(base, Recipient{UserID: 5, Name: "李桂兰"}, s, shanghai)
	for i := range again {
		if again[i].ID != msgs[i].ID {
			t.Errorf("the same event gives the same ids: %s %s", again[i].ID, msgs[i].ID)
		}
	}
	base.Kind = KindEmergency
	for _, m := range Fanout(base, Recipient{UserID: 5, Name: "李桂兰"}, s, shanghai) {
		if !m.NotBefore.IsZero() {
			t.Errorf("an emergency ignores quiet hours: %s %v", m.Channel, m.NotBefore)
		}
	}
	family := Fanout(base, Recipient{Name: "张伟"}, ContactSettings("139 0000 0000"), shanghai)
	if len(family) != 1 || family[0].Channel != ChannelSMS || family[0].To.Phone != "13900000000" {
		t.Errorf("a contact without an account gets an SMS: %+v", family)
	}
	if got := Fanout(base, Recipient{UserID: 5}, Settings{Phone: "13800138000"}, shanghai); len(got) != 1 || got[0].Channel != ChannelInbox {
		t.Errorf("SMS off: the inbox only: %+v", got)
	}
}

func TestWebhookPayloadAndSignature(t *testing.T) {
	m := Message{ID: "m-1", Kind: KindMissedGreeting, Channel: ChannelSMS, To: Recipient{Name: "张伟", Phone: "13900000000"},
		Text: "王秀英今天 <未> 被问候 & 请联系", ElderID: 12, CreatedAt: at("2026-11-29 20:00")}
	body, err := WebhookPayload(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"m-1","channel":"sms","kind":"missed_greeting","to":{"name":"张伟","phone":"13900000000"},"text":"王秀英今天 <未> 被问候 & 请联系","elder_id":12,"created_at":"2026-11-29T12:00:00Z"}`
	if string(body) != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
	m.ElderID = 0
	body, _ = WebhookPayload(m)
	var back map[string]any
	if err := json.Unmarshal(body, &back); err != nil || back["elder_id"] != nil {
		t.Errorf("no elder is null: %s", body)
	}
	// The signature of the contract, checked against a known value
	// (printf %s BODY | openssl dgst -sha256 -hmac KEY).
	if got := Sign([]byte("key"), []byte("The quick brown fox jumps over the lazy dog")); got != "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" {
		t.Errorf("signature %s", got)
	}
	sig := Sign([]byte("s3cret"), body)
	if !Verify([]byte("s3cret"), body, sig) || Verify([]byte("other"), body, sig) || Verify([]byte("s3cret"), append(body, ' '), sig) || Verify([]byte("s3cret"), body, strings.TrimPrefix(sig, "sha256=")) {
		t.Error("Verify")
	}
	for in, want := range map[string]string{"s3cret\n": "s3cret", "s3cret\r\n": "s3cret", "s3cret": "s3cret", " s3 cret \n\n": " s3 cret "} {
		got, err := ReadSecret([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("ReadSecret(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ReadSecret([]byte("\n")); err == nil {
		t.Error("an empty secret is refused")
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n        int
		r        float64
		min, max time.Duration
	}{
		{1, 0, 5 * time.Second, 5 * time.Second},
		{1, 0.999, 5 * time.Second, 10 * time.Second},
		{2, 0, 10 * time.Second, 10 * time.Second},
		{4, 0.5, 40 * time.Second, 80 * time.Second},
		{9, 0.5, 15 * time.Minute, 30 * time.Minute},
		{1000, 0.999, 15 * time.Minute, 30 * time.Minute}, // no overflow
	} {
		d := Backoff(tc.n, BackoffBase, BackoffCap, tc.r)
		if d < tc.min || d > tc.max {
			t.Errorf("Backoff(%d, %v) = %v, want %v..%v", tc.n, tc.r, d, tc.min, tc.max)
		}
	}
}

func TestMessageValidateAndIDs(t *testing.T) {
	ok := Message{ID: NewID(), Kind: KindReminder, Channel: ChannelEmail, To: Recipient{Email: "a@b.cn"}, Text: "x"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(ok.ID) != 36 || ok.ID[14] != '4' {
		t.Errorf("NewID: %s", ok.ID)
	}
	if a, b := NewID(), NewID(); a == b {
		t.Error("NewID repeats")
	}
	if a, b := EventID("a", 1), EventID("a", 1); a != b || a == EventID("a1") || EventID("ab", "c") == EventID("a", "bc") {
		t.Error("EventID must be stable and unambiguous")
	}
	bad := Message{Kind: "sms", Channel: "fax", Text: " "}
	ce, _ := bad.Validate().(*care.Error)
	if ce == nil || len(ce.Fields) != 4 {
		t.Errorf("want id, kind, text and channel errors: %v", bad.Validate())
	}
	for ch, field := range map[Channel]string{ChannelInbox: "to.user_id", ChannelSMS: "to.phone", ChannelEmail: "to.email"} {
		m := Message{ID: "x", Kind: KindReminder, Channel: ch, Text: "x"}
		if ce, _ := m.Validate().(*care.Error); ce == nil || ce.Fields[field].ZH == "" {
			t.Errorf("%s without its address: %v", ch, m.Validate())
		}
	}
}

func TestEmailBytes(t *testing.T) {
	m := Message{ID: "m-9", Kind: KindEscalation, Channel: ChannelEmail, To: Recipient{Name: "李\r\nBcc: x@y.z", Email: "li@example.com"},
		Text: strings.Repeat("王秀英今天还没有被问候。", 20)}
	raw := EmailBytes(m, "care@example.com", at("2026-11-29 20:00"))
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("Message-ID") != "<m-9@carecircle.invalid>" {
		t.Errorf("headers: %v", msg.Header)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "关爱服务圈：逐级提醒" {
		t.Errorf("subject %q %v", subj, err)
	}
	var body bytes.Buffer
	body.ReadFrom(msg.Body)
	text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body.String(), "\r\n", ""))
	if err != nil || string(text) != m.Text {
		t.Errorf("body %q %v", text, err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Error("a line longer than SMTP allows")
		}
	}
}
