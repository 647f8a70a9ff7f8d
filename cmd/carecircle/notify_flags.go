package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"

	"carecircle/internal/notify"
	"carecircle/internal/outbox"
)

// notifyFlags are serve's notification channels (README "Notifications").
type notifyFlags struct {
	webhook, secretFile string
	smtp, smtpFrom      string
}

func (n *notifyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&n.webhook, "notify-webhook", "", "URL of the SMS gateway's webhook the SMS notifications are POSTed to (needs --notify-secret-file); without it SMS messages wait in the outbox")
	fs.StringVar(&n.secretFile, "notify-secret-file", "", "file holding the key the webhook's body is signed with (HMAC-SHA256; a trailing newline is removed)")
	fs.StringVar(&n.smtp, "smtp", "", "HOST:PORT of the SMTP relay for e-mail notifications (needs --smtp-from); without it e-mail messages wait in the outbox")
	fs.StringVar(&n.smtpFrom, "smtp-from", "", "sender address of the notification e-mails")
}

// check refuses flags that cannot work together or are malformed: bad
// usage, before anything is opened.
func (n *notifyFlags) check() error {
	switch {
	case n.webhook != "" && n.secretFile == "":
		return errors.New("--notify-webhook needs --notify-secret-file: the gateway must be able to tell our messages from forged ones")
	case n.webhook == "" && n.secretFile != "":
		return errors.New("--notify-secret-file is given without --notify-webhook")
	case n.smtp != "" && n.smtpFrom == "":
		return errors.New("--smtp needs --smtp-from (the sender address)")
	case n.smtp == "" && n.smtpFrom != "":
		return errors.New("--smtp-from is given without --smtp")
	}
	if n.webhook != "" {
		u, err := url.Parse(n.webhook)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("--notify-webhook %q is not an http(s) URL", n.webhook)
		}
		// The body names elders and phones: plain HTTP only to this machine.
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			return fmt.Errorf("--notify-webhook %q: use https (plain http only to this machine, e.g. a local relay)", n.webhook)
		}
	}
	if n.smtp != "" {
		host, port, err := net.SplitHostPort(n.smtp)
		if p, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
			return fmt.Errorf("--smtp %q is not HOST:PORT", n.smtp)
		}
		if a, err := mail.ParseAddress(n.smtpFrom); err != nil || a.Address != n.smtpFrom {
			return fmt.Errorf("--smtp-from %q is not an e-mail address", n.smtpFrom)
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// senders reads the secret file and makes the channels' senders; a
// missing, unreadable or empty secret file is a failure (exit 1).
func (n *notifyFlags) senders() (map[notify.Channel]outbox.Sender, error) {
	out := map[notify.Channel]outbox.Sender{}
	if n.webhook != "" {
		b, err := os.ReadFile(n.secretFile)
		if err != nil {
			return nil, fmt.Errorf("--notify-secret-file: %w", err)
		}
		key, err := notify.ReadSecret(b)
		if err != nil {
			return nil, fmt.Errorf("--notify-secret-file %s: %w", n.secretFile, err)
		}
		out[notify.ChannelSMS] = outbox.NewWebhook(n.webhook, key, 0)
	}
	if n.smtp != "" {
		out[notify.ChannelEmail] = &outbox.SMTP{Addr: n.smtp, From: n.smtpFrom}
	}
	return out, nil
}
