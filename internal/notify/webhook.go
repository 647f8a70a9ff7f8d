package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// SignatureHeader carries the webhook body's signature.
const SignatureHeader = "X-CareCircle-Signature"

// WebhookBody is what the SMS gateway's webhook receives (README
// "Notifications"): the same bytes on every attempt of a message.
type WebhookBody struct {
	ID        string      `json:"id"`
	Channel   Channel     `json:"channel"`
	Kind      Kind        `json:"kind"`
	To        WebhookPeer `json:"to"`
	Text      string      `json:"text"`
	ElderID   *int64      `json:"elder_id"` // null for a message about no one elder
	CreatedAt string      `json:"created_at"`
}

// WebhookPeer is the recipient in a webhook body.
type WebhookPeer struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// WebhookPayload is the body POSTed for m: its fields in a fixed order,
// created_at in RFC 3339 (UTC, whole seconds), no HTML escaping, no
// trailing newline.
func WebhookPayload(m Message) ([]byte, error) {
	b := WebhookBody{ID: m.ID, Channel: m.Channel, Kind: m.Kind, To: WebhookPeer{Name: m.To.Name, Phone: m.To.Phone},
		Text: m.Text, CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)}
	if m.ElderID > 0 {
		id := m.ElderID
		b.ElderID = &id
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Sign is the X-CareCircle-Signature value of body: "sha256=" and the
// lower-case hex HMAC-SHA256 of the raw body keyed with secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header against body in constant time, as a
// gateway (or a test) should.
func Verify(secret, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	want, _ := strings.CutPrefix(Sign(secret, body), "sha256=")
	return hmac.Equal([]byte(strings.ToLower(got)), []byte(want))
}

// ReadSecret turns the secret file's contents into the key: the trailing
// newline an editor adds (\n or \r\n, any number) is removed, nothing
// else. An empty key is refused: anyone could sign.
func ReadSecret(contents []byte) ([]byte, error) {
	key := bytes.TrimRight(contents, "\r\n")
	if len(key) == 0 {
		return nil, errors.New("the secret file is empty")
	}
	return key, nil
}
