package outbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"carecircle/internal/notify"
)

// WebhookTimeout is how long the SMS gateway has to answer (the contract's
// 5 s); a slower answer counts as a failure and is retried.
const WebhookTimeout = 5 * time.Second

// Webhook sends SMS messages through an SMS gateway's HTTP webhook: a
// signed JSON POST (notify.WebhookPayload, notify.Sign). Any 2xx answer is
// delivery; anything else, or no answer within the timeout, is retried
// with the same id.
type Webhook struct {
	URL    string
	secret []byte
	client *http.Client
}

// NewWebhook returns the sender for url signing with secret (the key
// notify.ReadSecret made of the secret file); timeout 0 is WebhookTimeout.
func NewWebhook(url string, secret []byte, timeout time.Duration) *Webhook {
	if timeout <= 0 {
		timeout = WebhookTimeout
	}
	return &Webhook{URL: url, secret: secret, client: &http.Client{Timeout: timeout,
		// A redirect is not an answer: the body would not follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send posts m.
func (w *Webhook) Send(ctx context.Context, m notify.Message) error {
	body, err := notify.WebhookPayload(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(notify.SignatureHeader, notify.Sign(w.secret, body))
	req.Header.Set("User-Agent", "CareCircle")
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection is reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s: %s", resp.Status, strings.TrimSpace(string(snippet)))
	}
	return nil
}

// SMTPTimeout bounds one e-mail's whole conversation with the relay.
const SMTPTimeout = 30 * time.Second

// SMTP sends e-mail messages through an SMTP relay that accepts mail from
// this server without a login (a local Postfix, a provider's relay by
// address). It uses STARTTLS when the relay offers it. A 5xx answer is
// permanent (the message is marked failed); anything else is retried.
type SMTP struct {
	Addr    string // HOST:PORT
	From    string
	Timeout time.Duration // 0 is SMTPTimeout
}

// Send mails m.
func (s *SMTP) Send(ctx context.Context, m notify.Message) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = SMTPTimeout
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return Permanent(err)
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classify(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return classify(err)
	}
	if err := c.Rcpt(m.To.Email); err != nil {
		return classify(err)
	}
	wc, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := wc.Write(notify.EmailBytes(m, s.From, time.Now())); err != nil {
		return classify(err)
	}
	if err := wc.Close(); err != nil {
		return classify(err)
	}
	c.Quit() // the relay has the message; a failed goodbye changes nothing
	return nil
}

// classify makes a relay's 5xx answer permanent.
func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(fmt.Errorf("smtp: %w", err))
	}
	return fmt.Errorf("smtp: %w", err)
}
