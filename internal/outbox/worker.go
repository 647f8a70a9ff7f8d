// Package outbox delivers the messages the store's outbox holds (issue 13,
// README "Notifications"): a worker on every server claims due messages
// with a lease, hands each to its channel's Sender, and marks it delivered
// or schedules a retry with exponential backoff. Delivery is at least
// once, always with the message's own id; a message is never dropped
// because a channel is down.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"slices"
	"time"

	"carecircle/internal/notify"
	"carecircle/internal/store"
)

// Sender delivers one message on its channel. An error means "try again
// later" unless it is Permanent.
type Sender interface {
	Send(ctx context.Context, m notify.Message) error
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks a delivery error a retry cannot mend (an SMTP relay's
// 5xx for the address): the message is marked failed, not retried.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Config tunes a worker; the zero value of each field takes its default.
type Config struct {
	// Owner names this worker in the leases it takes; default host/pid/random.
	Owner string
	// Batch is how many messages one claim takes (default 20).
	Batch int
	// Lease is how long a claim keeps other workers off (default 2
	// minutes): longer than a batch's deliveries take, short enough that a
	// dead server's messages go out soon after.
	Lease time.Duration
	// Poll is how often an idle worker looks for due messages (default 2 s).
	Poll time.Duration
	// BackoffBase and BackoffCap shape the retries (notify.Backoff).
	BackoffBase, BackoffCap time.Duration
	// Rand draws the jitter in [0, 1); default math/rand.
	Rand func() float64
	Log  *slog.Logger
}

// Worker delivers the outbox. Run one per server: on PostgreSQL any
// number of them share the outbox, each message going to one of them.
type Worker struct {
	db      *store.DB
	senders map[notify.Channel]Sender
	cfg     Config
}

// New returns a worker delivering through senders (by channel). The inbox
// needs none: an inbox message due later is delivered by the worker
// marking it so. Channels without a sender are not claimed: their
// messages stay pending (visible as undelivered) until a server that has
// one delivers them.
func New(db *store.DB, senders map[notify.Channel]Sender, cfg Config) *Worker {
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 3)
		rand.Read(b)
		cfg.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = notify.BackoffBase
	}
	if cfg.BackoffCap <= 0 {
		cfg.BackoffCap = notify.BackoffCap
	}
	if cfg.Rand == nil {
		cfg.Rand = mrand.Float64
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	all := map[notify.Channel]Sender{notify.ChannelInbox: inboxSender{}}
	for c, s := range senders {
		if s != nil {
			all[c] = s
		}
	}
	return &Worker{db: db, senders: all, cfg: cfg}
}

// inboxSender delivers an inbox message by letting it be marked delivered:
// Inbox lists delivered messages only.
type inboxSender struct{}

func (inboxSender) Send(context.Context, notify.Message) error { return nil }

// Owner is the name this worker's leases carry.
func (w *Worker) Owner() string { return w.cfg.Owner }

// Channels are the channels this worker delivers, sorted.
func (w *Worker) Channels() []notify.Channel {
	var out []notify.Channel
	for c := range w.senders {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Run delivers until ctx ends: batch after batch while messages are due,
// then a look every Poll.
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Log.Error("outbox", "err", err)
		}
		if n == w.cfg.Batch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.cfg.Poll):
		}
	}
}

// RunOnce claims one batch of due messages and delivers it, returning how
// many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	msgs, err := w.db.ClaimOutbox(ctx, w.cfg.Owner, w.Channels(), w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, err
	}
	for i, m := range msgs {
		switch {
		case ctx.Err() != nil:
			// Stopping: hand the rest back at once rather than when the
			// lease runs out.
			w.handBack(ctx, msgs[i:], "the server stopped before sending it")
			return len(msgs), nil
		case w.db.Now().Add(w.cfg.Lease / 2).After(m.LeaseUntil):
			// Slow channels ate half the lease: a send started now could
			// outlive it and another worker send the message too.
			w.handBack(ctx, msgs[i:], "")
			return len(msgs), nil
		}
		w.deliver(ctx, m)
	}
	return len(msgs), nil
}

// handBack releases claimed messages for the next claim, now.
func (w *Worker) handBack(ctx context.Context, msgs []store.OutboxMessage, reason string) {
	after := context.WithoutCancel(ctx)
	for _, m := range msgs {
		why := reason
		if why == "" {
			why = m.LastError
		}
		if _, err := w.db.OutboxRetry(after, w.cfg.Owner, m.ID, w.db.Now(), why); err != nil {
			w.cfg.Log.Error("outbox: hand back", "id", m.ID, "err", err)
		}
	}
}

// deliver sends one message and records the outcome; the outcome is
// written even when ctx ends meanwhile.
func (w *Worker) deliver(ctx context.Context, m store.OutboxMessage) {
	err := w.senders[m.Channel].Send(ctx, m.Message)
	after := context.WithoutCancel(ctx)
	var ok bool
	var ferr error
	switch {
	case err == nil:
		ok, ferr = w.db.OutboxDelivered(after, w.cfg.Owner, m.ID)
	case IsPermanent(err):
		w.cfg.Log.Warn("outbox: undeliverable", "id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "err", err)
		ok, ferr = w.db.OutboxFailed(after, w.cfg.Owner, m.ID, err.Error())
	default:
		wait := notify.Backoff(m.Attempts, w.cfg.BackoffBase, w.cfg.BackoffCap, w.cfg.Rand())
		w.cfg.Log.Warn("outbox: delivery failed, will retry", "id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "retry_in", wait, "err", err)
		ok, ferr = w.db.OutboxRetry(after, w.cfg.Owner, m.ID, w.db.Now().Add(wait), err.Error())
	}
	if ferr != nil {
		w.cfg.Log.Error("outbox: record the outcome", "id", m.ID, "err", ferr)
	} else if !ok {
		w.cfg.Log.Warn("outbox: lease lost before the outcome was recorded (another worker may send it again, with the same id)", "id", m.ID)
	}
}
