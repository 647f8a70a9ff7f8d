// Package simulate runs CareCircle through accelerated days to show that
// nobody is left unseen (issue 13 point 6, `carecircle simulate`): it
// builds a street in a temporary SQLite database, then steps an injected
// clock through each day while volunteers greet their elders (and miss
// some at random), the real alert job raises the 20:00 not-greeted
// alerts, the escalation chain advances, staff and families acknowledge
// at random, and the real outbox worker delivers through an SMS gateway
// and an SMTP relay that fail at random (both in the process: no network).
// Then it counts, from what the database holds, whether every lone elder
// not greeted was alerted and reached a person, whether any greeted elder
// was alerted, and whether any message was lost.
//
// Everything random is drawn from math/rand/v2 sources seeded by the
// seed, and the work runs on one goroutine in a fixed order, so the same
// configuration gives the same Result.
package simulate

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/outbox"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
	"carecircle/internal/vault"
)

// Config is what to simulate. The zero value of a rate is a rate of 0;
// Defaults gives the command's defaults.
type Config struct {
	Elders int    // elders on the street (≥ 1)
	Days   int    // days simulated (≥ 1)
	Seed   uint64 // the same seed gives the same result
	// MissRate is the chance that an elder's volunteers do not greet them
	// on a day before the alert hour.
	MissRate float64
	// WebhookFailureRate is the chance that one delivery attempt through
	// the SMS gateway (or the SMTP relay) fails and must be retried.
	WebhookFailureRate float64
	// AckRate is the chance that an alert is acknowledged (by the staff on
	// duty, or by the family calling back) within three hours.
	AckRate float64
	// LateGreetRate is the chance that a volunteer told of a missed elder
	// knocks after all, after the alert (which must stop the chain).
	LateGreetRate float64
	// AloneShare is the share of elders living alone; the others live
	// with family and must never raise the not-greeted alert.
	AloneShare float64
	// Start is the first simulated day (its date in the programme's time
	// zone); zero is 2026-11-02, a Monday.
	Start time.Time
	// Step is how often the clock stops between events to let the alert
	// job and the escalation run (default 5 minutes); the outbox worker
	// also runs at every retry's due time.
	Step time.Duration
	// TempDir is where the temporary database directory is made ("" is
	// the system's).
	TempDir string

	// Broken variants, for the tests to show the counts catch a fault:
	// no alert job at all, or an alert raised by hand for the first
	// greeted elder living alone each day.
	noAlertJob, alertGreeted bool
}

// Defaults are the command's defaults.
func Defaults() Config {
	return Config{Elders: 300, Days: 30, Seed: 1, MissRate: 0.05, WebhookFailureRate: 0.2, AckRate: 0.6,
		LateGreetRate: 0.25, AloneShare: 0.8, Step: 5 * time.Minute}
}

// Validate reports the first bad setting.
func (c Config) Validate() error {
	switch {
	case c.Elders < 1 || c.Elders > 20000:
		return errors.New("--elders must be between 1 and 20000")
	case c.Days < 1 || c.Days > 366:
		return errors.New("--days must be between 1 and 366")
	case !(c.MissRate >= 0 && c.MissRate <= 1):
		return errors.New("--miss-rate must be between 0 and 1")
	case !(c.WebhookFailureRate >= 0 && c.WebhookFailureRate < 1):
		return errors.New("--webhook-failure-rate must be at least 0 and below 1 (at 1 nothing is ever delivered)")
	case !(c.AckRate >= 0 && c.AckRate <= 1), !(c.LateGreetRate >= 0 && c.LateGreetRate <= 1),
		!(c.AloneShare >= 0 && c.AloneShare <= 1):
		return errors.New("rates must be between 0 and 1")
	case c.Step < 0 || c.Step > time.Hour:
		return errors.New("the step must be at most an hour")
	}
	return nil
}

// Ratio is a share printed with at least one decimal (1.0, 0.5), as the
// contract writes recall.
type Ratio float64

// MarshalJSON writes r with at least one decimal.
func (r Ratio) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(r), 'f', -1, 64)
	if !slices.Contains([]byte(s), '.') {
		s += ".0"
	}
	return []byte(s), nil
}

// Day is one simulated day's figures. Messages count by the day they were
// created.
type Day struct {
	Date                    string  `json:"date"`
	MissedGreetings         int     `json:"missed_greetings"`
	AlertedByDeadline       int     `json:"alerted_by_deadline"`
	Recall                  Ratio   `json:"recall"`
	FalseAlarms             int     `json:"false_alarms"`
	MessagesCreated         int     `json:"messages_created"`
	MessagesDelivered       int     `json:"messages_delivered"`
	MessagesLost            int     `json:"messages_lost"`
	MaxMinutesToFirstPerson float64 `json:"max_minutes_to_first_person"`
}

// Result is the whole run's figures, in the contract's order; PerDay is
// left out of the JSON unless asked for (see the command's --per-day).
type Result struct {
	Days                    int     `json:"days"`
	MissedGreetings         int     `json:"missed_greetings"`
	AlertedByDeadline       int     `json:"alerted_by_deadline"`
	Recall                  Ratio   `json:"recall"`
	FalseAlarms             int     `json:"false_alarms"`
	MessagesCreated         int     `json:"messages_created"`
	MessagesDelivered       int     `json:"messages_delivered"`
	MessagesLost            int     `json:"messages_lost"`
	MaxMinutesToFirstPerson float64 `json:"max_minutes_to_first_person"`
	PerDay                  []Day   `json:"per_day,omitempty"`

	// What else happened, for the human report and the tests (not in
	// the JSON).
	Alone int `json:"-"` // elders living alone
	// MaxMinutesToFirstSMS is MaxMinutesToFirstPerson counting only SMS
	// (the inbox is delivered by being written, at once): what the
	// gateway's failures and the backoff cost.
	MaxMinutesToFirstSMS float64 `json:"-"`
	// MaxDeliveryMinutes is the longest any message waited from being
	// written to being delivered (retries after failures).
	MaxDeliveryMinutes float64                `json:"-"`
	Alerts             int                    `json:"-"` // not-greeted alerts raised
	Acknowledged       int                    `json:"-"` // alerts acknowledged by the simulated staff
	LateGreetings      int                    `json:"-"` // greetings after the alert
	DeliveryFailures   int                    `json:"-"` // failed attempts (the gateway or relay failed)
	ByChannel          map[notify.Channel]int `json:"-"`
}

// Run simulates cfg. The temporary database is removed before it returns,
// whether it succeeds or not.
func Run(ctx context.Context, cfg Config) (res *Result, err error) {
	if cfg.Step == 0 {
		cfg.Step = 5 * time.Minute
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "carecircle-simulate-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := os.RemoveAll(dir); rerr != nil && err == nil {
			err = rerr
		}
	}()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	v, err := vault.New(key)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, filepath.Join(dir, "simulate.db"), v)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	s, err := newSim(db, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.build(ctx); err != nil {
		return nil, fmt.Errorf("simulate: build the street: %w", err)
	}
	for d := range cfg.Days {
		if err := s.runDay(ctx, d); err != nil {
			return nil, fmt.Errorf("simulate: day %d: %w", d+1, err)
		}
	}
	if err := s.finish(ctx); err != nil {
		return nil, fmt.Errorf("simulate: deliver what is left: %w", err)
	}
	return s.count(ctx)
}

// sim is one run.
type sim struct {
	cfg   Config
	db    *store.DB
	clock atomic.Int64 // unix nanoseconds: the injected clock
	start time.Time    // midnight of the first day, local

	setup, behave *mrand.Rand // the street; what people do
	tr            *tracker.Tracker
	w             *outbox.Worker
	sms, mail     *flaky

	street care.Street
	comms  []*community
	elders []*elder

	// per day, filled as it runs: elder index → when greeted (before the
	// alert hour); the alert hour of each day
	greeted []map[int]time.Time
	late    int
	acks    int
}

type community struct {
	care.Community
	staff  []care.Actor // two accounts: day and night duty
	leader care.Actor   // for writes as the committee
}

type elder struct {
	care.Elder
	comm  *community
	alone bool
	vol   care.Actor // the responsible neighbour volunteer's account
}

// flaky is an in-process channel (the SMS gateway's webhook, the SMTP
// relay) whose every attempt fails with probability rate.
type flaky struct {
	rng      *mrand.Rand
	rate     float64
	failures int
}

func (f *flaky) Send(_ context.Context, m notify.Message) error {
	if f.rng.Float64() < f.rate {
		f.failures++
		return fmt.Errorf("simulated %s failure: 502 Bad Gateway", m.Channel)
	}
	return nil
}

func newSim(db *store.DB, cfg Config) (*sim, error) {
	s := &sim{cfg: cfg, db: db,
		setup:  mrand.New(mrand.NewPCG(cfg.Seed, 1)),
		behave: mrand.New(mrand.NewPCG(cfg.Seed, 2)),
		sms:    &flaky{rng: mrand.New(mrand.NewPCG(cfg.Seed, 3)), rate: cfg.WebhookFailureRate},
		mail:   &flaky{rng: mrand.New(mrand.NewPCG(cfg.Seed, 4)), rate: cfg.WebhookFailureRate},
	}
	start := cfg.Start
	if start.IsZero() {
		start = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	}
	s.start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, db.Loc)
	db.Now = func() time.Time { return time.Unix(0, s.clock.Load()).In(db.Loc) }
	// A throwaway database: cheap password hashes (same format).
	db.HashParams = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	s.set(s.start.Add(-15 * time.Hour)) // the day before, 09:00
	tcfg := tracker.DefaultConfig()
	tr, err := tracker.New(db, tcfg)
	if err != nil {
		return nil, err
	}
	s.tr = tr
	jitter := mrand.New(mrand.NewPCG(cfg.Seed, 5))
	s.w = outbox.New(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: s.sms, notify.ChannelEmail: s.mail},
		outbox.Config{Owner: "simulate", Batch: 50, Rand: jitter.Float64})
	return s, nil
}

func (s *sim) now() time.Time      { return time.Unix(0, s.clock.Load()).In(s.db.Loc) }
func (s *sim) set(t time.Time)     { s.clock.Store(t.UnixNano()) }
func (s *sim) day(d int) time.Time { return s.start.AddDate(0, 0, d) }

// deadline is day d's alert hour.
func (s *sim) deadline(d int) time.Time {
	return s.day(d).Add(time.Duration(s.tr.AlertHour()) * time.Hour)
}

// drain delivers everything due now.
func (s *sim) drain(ctx context.Context) error {
	for {
		n, err := s.w.RunOnce(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// advance moves the clock to t, stopping at every retry due before it so
// the worker delivers each at its time (the backoff runs on the clock).
func (s *sim) advance(ctx context.Context, t time.Time) error {
	for {
		next, ok, err := s.db.OutboxNextAttempt(ctx)
		if err != nil {
			return err
		}
		if !ok || !next.Before(t) {
			break
		}
		if next.After(s.now()) {
			s.set(next)
		} else if n, err := s.w.RunOnce(ctx); err != nil || n == 0 {
			// Due now but nothing to claim: wait for t.
			if err != nil {
				return err
			}
			break
		}
		if err := s.drain(ctx); err != nil {
			return err
		}
	}
	if t.After(s.now()) {
		s.set(t)
	}
	return s.drain(ctx)
}
