package notify

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/mail"
	"strings"
	"time"
)

// EmailBytes is the message m as an RFC 5322 e-mail from the address
// from: UTF-8 text in base64, the subject and names encoded for headers,
// and a Message-ID made from m.ID so that a mail system can drop a repeat
// of a retried delivery.
func EmailBytes(m Message, from string, date time.Time) []byte {
	clean := func(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
	to := mail.Address{Name: clean(m.To.Name), Address: m.To.Email}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", (&mail.Address{Name: "关爱服务圈", Address: from}).String())
	header("To", to.String())
	header("Subject", mime.BEncoding.Encode("UTF-8", clean(m.SubjectOrDefault())))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@carecircle.invalid>")
	header("X-CareCircle-Id", m.ID)
	header("X-CareCircle-Kind", string(m.Kind))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
