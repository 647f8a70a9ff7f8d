// Package tracker keeps, for each street, the compliance state of every
// pairing (internal/compliance) in memory and up to date, and runs the
// daily welfare alert.
//
// The state is fed, in record-id order, from the service records written
// after its watermark: the store tells the tracker when records are stored,
// and every answer first catches up with an indexed query on the id, so a
// page never misses a record its user has just logged. An amendment
// uncounts the record as it stood and counts it as corrected. Pairing and
// registry changes are found through the audit log (every write is audited)
// and, as a safety net, by a periodic full comparison. Changing standards,
// an elder's birthday, a volunteer's kind or a pairing's start rebuilds the
// street's state from all records, aside and in the background (rebuild.go);
// so does `carecircle compliance rebuild`. The state is saved as snapshots
// (snapshot.go) so a restart reads only what came after one.
//
// How records count (the mapping decisions, also in the README):
//   - A pairing's role is its volunteer's kind. A record made by a volunteer
//     counts for that volunteer's pairings with the elder.
//   - Each elder with an assigned clinic (elder.clinic_id) has a clinic
//     pseudo-pairing, "k" + elder id. Health records with no volunteer count
//     for it: a clinic user can record only for the clinic's own elders, so
//     such a record is the clinic's (or a copy of its visit from the paper
//     card). Health records by clinic-kind volunteers count for it too.
//   - Every elder has the community committee in the circle: a committee
//     pseudo-pairing, "c" + elder id. Other records with no volunteer
//     (community staff recording for the committee as an organisation)
//     count for it and for the elder's committee pairings; so do records
//     by committee-kind volunteers and visits marked as organised by the
//     committee (ByCommittee).
//   - A pairing covers its days from started_on to ended_on, both included
//     (ended_on is the last day of service; in a relay the successor starts
//     that same day, and a visit that day counts for whoever made it).
package tracker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Config is the tracker's configuration, read once at start.
type Config struct {
	// AlertHour is the local hour (0–23) from which an active elder living
	// alone who has not been greeted that day raises an alert. Default 20.
	AlertHour int
	// SyncEvery is how often the background loop looks for changes when no
	// page asks. Default 10 s.
	SyncEvery time.Duration
	// FullSyncEvery is how often every elder and pairing is compared with
	// the state, a safety net for changes the audit log does not name.
	// Default 5 min.
	FullSyncEvery time.Duration
	// CatchUpDelay is how long the background loop waits, once told of new
	// records, before reading them: one catch-up (and one save of the state,
	// a write that queues with the records' own) then serves every record
	// of that moment instead of one per group commit. Answers still catch
	// up at once. Default 200 ms.
	CatchUpDelay time.Duration
	// TableTTL is how long a computed compliance table may be shown again
	// while nothing changed. Default 30 s; 0 in tests computes every time.
	TableTTL time.Duration
	// RebuildRetry is the wait after a failed rebuild or load before the
	// next try; it doubles with each failure, up to 5 min. Default 1 s.
	RebuildRetry time.Duration
	// RefreshWait is how long Refresh (after the standards changed) waits
	// for the rebuild it started: a small street shows the new standards at
	// once, a large one the last state, marked as being rebuilt. Default 3 s.
	RefreshWait time.Duration
	// SaveEvery is how often the leading server saves a changed state
	// (a snapshot; a restart catches up the records after it). Default
	// 10 min.
	SaveEvery time.Duration
	Log       *slog.Logger
}

// DefaultConfig is the configuration serve starts from.
func DefaultConfig() Config {
	return Config{AlertHour: 20, SyncEvery: 10 * time.Second, FullSyncEvery: 5 * time.Minute, CatchUpDelay: 200 * time.Millisecond,
		TableTTL: 30 * time.Second, RebuildRetry: time.Second, RefreshWait: 3 * time.Second, SaveEvery: 10 * time.Minute}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.AlertHour < 0 || c.AlertHour > 23 {
		return errors.New("tracker: the alert hour must be between 0 and 23")
	}
	return nil
}

// Tracker is the compliance state of every street. It is safe for
// concurrent use.
type Tracker struct {
	db  *store.DB
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards streets
	streets map[int64]*street

	auditMu   sync.Mutex // serialises the audit-log sync
	auditMark int64

	nudge chan struct{}

	// bg is the context background work runs on, set by Start; nil when
	// the tracker answers from the command line (work runs in the caller).
	bg   context.Context
	hook atomic.Pointer[func(ctx context.Context, stage string) error] // tests: fail or cancel a build

	leadMu sync.Mutex // guards lead
	lead   *store.Lead

	running sync.WaitGroup // background goroutines, for Wait

	alertMu   sync.Mutex // guards alertLead
	alertLead *store.Lead

	// greeted wakes the alert loop when a greeting is stored, so a running
	// escalation chain stops at once (alerts.go).
	greeted chan struct{}
}

// New returns a tracker of the store's streets; Start loads and runs it.
func New(db *store.DB, cfg Config) (*Tracker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	def := DefaultConfig()
	if cfg.RebuildRetry <= 0 {
		cfg.RebuildRetry = def.RebuildRetry
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = def.SaveEvery
	}
	return &Tracker{db: db, cfg: cfg, log: cfg.Log, streets: map[int64]*street{}, nudge: make(chan struct{}, 1),
		greeted: make(chan struct{}, 1)}, nil
}

// Start begins loading every street's state in the background (restoring
// the saved snapshot or rebuilding it; answers about a street wait for its
// first state), raises the day's alerts if their hour has passed, and
// keeps everything up to date in the background until ctx ends. It does
// not wait for the states: a server answers its health check at once.
func (t *Tracker) Start(ctx context.Context) error {
	mark, err := t.db.AuditMark(ctx)
	if err != nil {
		return err
	}
	t.auditMark = mark
	streets, err := t.db.Streets(ctx, care.Actor{Role: care.RoleAdmin, Username: "tracker"})
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.bg = ctx
	t.mu.Unlock()
	for _, s := range streets {
		t.begin(t.get(s.ID))
	}
	t.db.OnRecorded(func([]*care.ServiceRecord) {
		select {
		case t.nudge <- struct{}{}:
		default: // a nudge is already pending; it will read these records too
		}
	})
	t.db.OnRecorded(t.wakeOnGreeting)
	t.spawn(func() { t.loop(ctx) })
	t.spawn(func() { t.alertLoop(ctx) })
	return nil
}

// RaiseOnStart raises the day's alerts now, in the background, if the
// hour has come, instead of at the alert loop's first look (serve calls
// it after Start). Not in Start itself: the first raise of a large street
// (20,000 alerts) took 41 s and the check alone 1.3 s, which kept serve
// from answering /healthz, and tests set the clock after Start.
func (t *Tracker) RaiseOnStart(ctx context.Context) {
	t.spawn(func() {
		if _, err := t.RaiseDueAlerts(ctx); err != nil && ctx.Err() == nil {
			t.log.Error("alerts", "err", err)
		}
	})
}

// Prepare readies a tracker for answering questions without running it:
// streets load on first use and nothing runs in the background, and no
// alerts are raised (a report from the command line).
func (t *Tracker) Prepare(ctx context.Context) error {
	mark, err := t.db.AuditMark(ctx)
	t.auditMark = mark
	return err
}

// get returns a street, known or new (without a state yet).
func (t *Tracker) get(id int64) *street {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.streets[id]
	if st == nil {
		st = &street{t: t, id: id}
		t.streets[id] = st
	}
	if st.rb.ready == nil {
		st.rb.ready = make(chan struct{})
	}
	return st
}

// spawn runs fn as background work that Wait waits for.
func (t *Tracker) spawn(fn func()) {
	t.running.Add(1)
	go func() {
		defer t.running.Done()
		fn()
	}()
}

// Wait returns once the background work has stopped after Start's context
// ended: serve waits for it before closing the store, so no rebuild or
// save runs into a closed database.
func (t *Tracker) Wait() { t.running.Wait() }

// background is the context of background work; nil before Start and on
// the command line.
func (t *Tracker) background() context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.bg
}

// begin starts loading a street's first state in the background, once.
func (t *Tracker) begin(st *street) {
	st.rb.once.Do(func() {
		bg := t.background()
		t.spawn(func() { st.loadLoop(bg) })
	})
}

// street returns a street with its state: in a running tracker it waits
// (at most until ctx ends) for the first state, loaded in the background;
// otherwise it loads it in the caller.
func (t *Tracker) street(ctx context.Context, id int64) (*street, error) {
	st := t.get(id)
	if t.background() == nil {
		if st.rb.loaded.Load() {
			return st, nil
		}
		return st, st.firstLoad(ctx)
	}
	t.begin(st)
	select {
	case <-st.rb.ready:
		return st, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loaded returns the streets that have a state.
func (t *Tracker) loaded() []*street {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*street, 0, len(t.streets))
	for _, st := range t.streets {
		if st.rb.loaded.Load() {
			out = append(out, st)
		}
	}
	return out
}

// with brings a street's state up to date and runs fn on it, locked: first
// changes of standards (a rebuild), of the registry and pairings, then the
// records stored since the watermark.
func (t *Tracker) with(ctx context.Context, streetID int64, fn func(st *street) error) error {
	if streetID == 0 {
		return care.ErrForbidden()
	}
	st, err := t.street(ctx, streetID)
	if err != nil {
		return err
	}
	if err := t.syncAudit(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.refresh(ctx); err != nil {
		return err
	}
	return fn(st)
}

// Refresh brings a street's state up to date now, e.g. right after the
// station changed the standards: a rebuild that needs starts in the
// background, and Refresh waits for it at most RefreshWait (the request's
// context only bounds the wait; the rebuild goes on without it).
func (t *Tracker) Refresh(ctx context.Context, streetID int64) error {
	var done chan struct{}
	err := t.with(ctx, streetID, func(st *street) error {
		if st.rb.pending {
			done = st.rb.done
		}
		return nil
	})
	if err != nil || done == nil {
		return err
	}
	wait := time.NewTimer(t.cfg.RefreshWait)
	defer wait.Stop()
	select {
	case <-done:
	case <-wait.C:
	case <-ctx.Done():
	}
	return nil
}

// syncAudit looks in the audit log for changes to elders, pairings and
// volunteers since it last looked and updates the streets concerned.
func (t *Tracker) syncAudit(ctx context.Context) error {
	t.auditMu.Lock()
	defer t.auditMu.Unlock()
	for {
		elders, all, last, err := t.db.ComplianceChanges(ctx, t.auditMark)
		if err != nil {
			return err
		}
		if last == t.auditMark {
			return nil
		}
		if all {
			elders = nil // everything
		}
		for _, st := range t.loaded() {
			st.mu.Lock()
			err := st.syncElders(ctx, elders)
			if err == nil && st.stale {
				err = st.needRebuild(ctx)
			}
			st.mu.Unlock()
			if err != nil {
				return err
			}
		}
		t.auditMark = last
	}
}

// loop keeps the loaded streets up to date in the background, so that the
// persisted state follows the records even when nobody is looking.
func (t *Tracker) loop(ctx context.Context) {
	tick := time.NewTicker(t.cfg.SyncEvery)
	defer tick.Stop()
	full := time.NewTicker(t.cfg.FullSyncEvery)
	defer full.Stop()
	for {
		all := false
		select {
		case <-ctx.Done():
			return
		case <-t.nudge:
			select {
			case <-ctx.Done():
				return
			case <-time.After(t.cfg.CatchUpDelay):
			}
		case <-tick.C:
		case <-full.C:
			all = true
		}
		if err := t.syncAudit(ctx); err != nil && ctx.Err() == nil {
			t.log.Error("compliance sync", "err", err)
		}
		for _, st := range t.loaded() {
			st.mu.Lock()
			err := st.refresh(ctx)
			if err == nil && all {
				err = st.syncElders(ctx, nil)
			}
			if err == nil && st.stale {
				err = st.needRebuild(ctx)
			}
			st.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				t.log.Error("compliance refresh", "street", st.id, "err", err)
			}
			st.saveIfDue(ctx)
		}
	}
}
