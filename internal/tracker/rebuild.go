package tracker

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"carecircle/internal/compliance"
	"carecircle/internal/store"
)

// How a street's state is (re)built, swapped in and saved.
//
// A rebuild never works on the state that answers: it builds a new one
// aside (build) from the standards, the registry and every record, and
// install swaps it in, under the street's lock, only once it is complete
// and caught up. A rebuild that fails or is cancelled midway leaves the
// last good state answering. In a running server (Start) rebuilds run in
// the background on the tracker's own context, never on a request's:
// answers meanwhile come from the last good state and Rebuilding says so;
// a failed rebuild is logged and retried with exponential backoff.
// Without Start (the command line) they run in the caller.
//
// Only the server that leads "compliance" saves the state, as a snapshot
// (snapshot.go) written in short transactions and switched in one small
// one: after a build, and then every SaveEvery while the state changes.
// The others keep theirs in memory, restored from the latest snapshot at
// start and caught up from its watermark.

// rebuilding is a street's rebuild bookkeeping, guarded by street.mu
// (flag and loaded are also read without it).
type rebuilding struct {
	pending bool          // a rebuild is wanted or running
	done    chan struct{} // closed when the pending rebuild has landed
	flag    atomic.Bool   // pending, for Rebuilding
	loaded  atomic.Bool   // the street has a state
	ready   chan struct{} // closed once the street has a state
	once    sync.Once     // starts the first load (background)
	saved   uint64        // the version last saved (or restored)
	savedAt time.Time
	dirty   bool // tracked pairings changed since the last save
}

// maxRetry bounds the backoff between failed rebuilds.
const maxRetry = 5 * time.Minute

// stage calls the test hook, if any, at a named point of a build.
func (t *Tracker) stage(ctx context.Context, name string) error {
	if hook := t.hook.Load(); hook != nil {
		return (*hook)(ctx, name)
	}
	return nil
}

// build makes a new state from every record with the current standards
// and registry, on a street value of its own: st is neither read nor
// changed, so the caller need not hold it. clinics are the clinics' days
// tracked so far (they exist only in the tracker).
func (st *street) build(ctx context.Context, clinics []store.TrackedPairing) (*street, error) {
	db := st.t.db
	started := time.Now()
	f := st.fresh()
	if err := st.t.stage(ctx, "start"); err != nil {
		return nil, err
	}
	elders, facts, err := f.readSettings(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.assembleFresh(elders, facts, clinics); err != nil {
		return nil, err
	}
	watermark, err := db.MaxRecordID(ctx)
	if err != nil {
		return nil, err
	}
	f.state.SetHorizon(st.t.today())
	n := 0
	var buf []compliance.Record
	err = db.EachComplianceRecord(ctx, st.id, watermark, func(r *store.ComplianceRecord) error {
		n++
		if err := st.t.stage(ctx, "record"); err != nil {
			return err
		}
		if n&1023 == 0 {
			runtime.Gosched() // as the bulk readers do (store/bulk_sqlite.go)
		}
		f.noteDay(r.At)
		buf = f.appendRecords(buf[:0], r)
		for i := range buf {
			if err := f.state.Apply(buf[i]); err != nil {
				return err
			}
		}
		return nil
	})
	f.state.SetHorizon(0) // from here on records come one at a time
	if err == nil {
		err = st.t.stage(ctx, "built")
	}
	if err != nil {
		return nil, err
	}
	f.watermark = watermark
	st.t.log.Info("compliance state built", "street", st.id, "pairings", len(f.pairings), "records", n,
		"took", time.Since(started).Round(time.Millisecond))
	return f, nil
}

// install catches a state built or restored aside up with the records and
// registry changes since and swaps it in. The caller holds st.mu; on an
// error st keeps its state.
func (st *street) install(ctx context.Context, f *street) error {
	if err := f.catchUp(ctx); err != nil {
		return err
	}
	if err := f.syncElders(ctx, nil); err != nil {
		return err
	}
	if err := st.t.stage(ctx, "install"); err != nil {
		return err
	}
	st.view, st.stale = f.view, f.stale
	st.version++
	st.tables = map[string]*tableEntry{}
	st.rb.loaded.Store(true)
	return nil
}

// clinicDays returns the clinics' tracked days: from the state when there
// is one (the caller holds st.mu), else as last saved.
func (st *street) clinicDays(ctx context.Context) ([]store.TrackedPairing, error) {
	var out []store.TrackedPairing
	if st.view != nil {
		for _, p := range st.pairings {
			if p.VolunteerID == nil {
				out = append(out, *p)
			}
		}
		return out, nil
	}
	data, _, _, err := st.t.db.ComplianceSnapshot(ctx, st.id)
	if err != nil {
		return nil, err
	}
	if snap, err := decodeSnapshot(data); err == nil {
		return snap.pairings, nil // assembleFresh keeps only the clinics'
	}
	return st.t.db.TrackedPairings(ctx, st.id) // saved before snapshots
}

// rebuild rebuilds the state in the caller (st.mu held), on the caller's
// context, and saves it: the command line's repair. A cancelled or failed
// rebuild leaves the last state as it was.
func (st *street) rebuild(ctx context.Context) error {
	clinics, err := st.clinicDays(ctx)
	if err != nil {
		return err
	}
	f, err := st.build(ctx, clinics)
	if err != nil {
		return err
	}
	var data []byte
	if st.t.leads(ctx) {
		if data, err = f.encode(); err != nil {
			return err
		}
	}
	settings, watermark := f.settings, f.watermark
	if err := st.install(ctx, f); err != nil {
		return err
	}
	if data == nil {
		return nil
	}
	if _, err := st.t.db.SaveComplianceSnapshot(ctx, st.id, settings, watermark, data); err != nil {
		return err
	}
	st.rb.saved, st.rb.savedAt, st.rb.dirty = st.version, time.Now(), false
	return nil
}

// needRebuild asks for a rebuild (st.mu held): in the background when the
// tracker runs, at most one at a time per street; in the caller otherwise.
func (st *street) needRebuild(ctx context.Context) error {
	bg := st.t.background()
	if bg == nil {
		return st.rebuild(ctx)
	}
	if !st.rb.pending {
		st.rb.pending, st.rb.done = true, make(chan struct{})
		st.rb.flag.Store(true)
		st.t.spawn(func() { st.rebuildLoop(bg) })
	}
	return nil
}

// rebuildLoop rebuilds in the background until a rebuild lands with the
// standards and registry still as it read them, retrying failures with
// exponential backoff.
func (st *street) rebuildLoop(ctx context.Context) {
	delay := st.t.cfg.RebuildRetry
	for {
		again, err := st.rebuildAside(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			st.t.log.Error("compliance rebuild failed; the last state keeps answering", "street", st.id, "err", err, "retry_in", delay)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, maxRetry)
			continue
		}
		if !again {
			return
		}
	}
}

// rebuildAside builds a state without holding the street, swaps it in and
// saves it when this server leads. again reports a change that came while
// it was built and needs another rebuild; otherwise the rebuild is over.
func (st *street) rebuildAside(ctx context.Context) (again bool, err error) {
	st.mu.Lock()
	clinics, err := st.clinicDays(ctx)
	st.mu.Unlock()
	if err != nil {
		return false, err
	}
	f, err := st.build(ctx, clinics)
	if err != nil {
		return false, err
	}
	var data []byte
	if st.t.leads(ctx) {
		if data, err = f.encode(); err != nil {
			return false, err
		}
	}
	settings, watermark := f.settings, f.watermark
	meta, err := st.t.db.ComplianceMeta(ctx, st.id)
	if err != nil {
		return false, err
	}
	st.mu.Lock()
	if err := st.install(ctx, f); err != nil {
		st.mu.Unlock()
		return false, err
	}
	version := st.version
	again = st.stale || meta.SettingsVersion != st.settings
	if !again {
		st.rb.pending = false
		st.rb.flag.Store(false)
		close(st.rb.done)
	}
	st.mu.Unlock()
	if data != nil {
		st.save(ctx, data, settings, watermark, version)
	}
	return again, nil
}

// load returns the street's first state, aside: the saved snapshot when
// it was built with the current standards (restored true), else a build.
func (st *street) load(ctx context.Context) (f *street, restored bool, err error) {
	data, _, _, err := st.t.db.ComplianceSnapshot(ctx, st.id)
	if err != nil {
		return nil, false, err
	}
	var clinics []store.TrackedPairing
	if data == nil {
		if clinics, err = st.t.db.TrackedPairings(ctx, st.id); err != nil {
			return nil, false, err
		}
	} else if snap, err := decodeSnapshot(data); err != nil {
		st.t.log.Warn("compliance: saved state unreadable, rebuilding", "street", st.id, "err", err)
	} else {
		clinics = snap.pairings
		started := time.Now()
		f, err := st.restore(ctx, snap)
		if err == nil {
			st.t.log.Info("compliance state restored", "street", st.id, "pairings", len(f.pairings), "watermark", f.watermark,
				"bytes", len(data), "took", time.Since(started).Round(time.Millisecond))
			return f, true, nil
		}
		if !errors.Is(err, errOtherSettings) {
			st.t.log.Warn("compliance: saved state unusable, rebuilding", "street", st.id, "err", err)
		}
	}
	f, err = st.build(ctx, clinics)
	return f, false, err
}

var errOtherSettings = errors.New("saved with other standards")

// restore makes a state from a snapshot, aside.
func (st *street) restore(ctx context.Context, snap *snapshot) (*street, error) {
	f := st.fresh()
	elders, facts, err := f.readSettings(ctx)
	if err != nil {
		return nil, err
	}
	if f.settings != snap.settings {
		return nil, errOtherSettings
	}
	if err := f.assemble(elders, facts, snap.pairings); err != nil {
		return nil, err
	}
	for i, p := range snap.pairings {
		if f.pairings[p.Key] == nil {
			continue // an elder no longer in the street
		}
		rest, err := f.state.LoadPairing(p.Key, snap.cells[i])
		if err != nil || len(rest) != 0 {
			return nil, errors.Join(errBadSnapshot, err)
		}
	}
	f.watermark, f.firstDay = snap.watermark, snap.firstDay
	return f, nil
}

// firstLoad gives the street its first state, in the caller.
func (st *street) firstLoad(ctx context.Context) error {
	f, restored, err := st.load(ctx)
	if err != nil {
		return err
	}
	var data []byte
	if !restored && st.t.leads(ctx) {
		if data, err = f.encode(); err != nil {
			return err
		}
	}
	settings, watermark := f.settings, f.watermark
	st.mu.Lock()
	if st.view != nil { // a rebuild came first
		st.mu.Unlock()
		return nil
	}
	err = st.install(ctx, f)
	if err == nil && restored {
		st.rb.saved, st.rb.savedAt = st.version, time.Now()
	}
	if err == nil && st.stale {
		err = st.needRebuild(ctx)
	}
	version := st.version
	st.mu.Unlock()
	if err == nil && data != nil {
		st.save(ctx, data, settings, watermark, version)
	}
	return err
}

// loadLoop gives the street its first state in the background, retrying
// with backoff, then opens it to answers.
func (st *street) loadLoop(ctx context.Context) {
	delay := st.t.cfg.RebuildRetry
	for {
		err := st.firstLoad(ctx)
		if err == nil {
			close(st.rb.ready)
			return
		}
		if ctx.Err() != nil {
			return
		}
		st.t.log.Error("compliance state not loaded", "street", st.id, "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetry)
	}
}

// save writes a snapshot of the state at version; failures are logged
// (the next save writes the state again).
func (st *street) save(ctx context.Context, data []byte, settings, watermark int64, version uint64) {
	started := time.Now()
	switched, err := st.t.db.SaveComplianceSnapshot(ctx, st.id, settings, watermark, data)
	if err != nil {
		if ctx.Err() == nil {
			st.t.log.Error("compliance state not saved", "street", st.id, "err", err)
		}
		return
	}
	st.mu.Lock()
	if version >= st.rb.saved {
		st.rb.saved, st.rb.savedAt = version, time.Now()
	}
	st.mu.Unlock()
	st.t.log.Info("compliance state saved", "street", st.id, "bytes", len(data), "watermark", watermark, "current", switched,
		"took", time.Since(started).Round(time.Millisecond))
}

// saveIfDue saves the state when this server leads and it changed: every
// SaveEvery, or at once when tracked pairings changed (the clinics' days
// live only here). Encoding holds the street briefly; writing does not.
func (st *street) saveIfDue(ctx context.Context) {
	st.mu.Lock()
	due := st.view != nil && !st.rb.pending && st.version != st.rb.saved &&
		(st.rb.dirty || time.Since(st.rb.savedAt) >= st.t.cfg.SaveEvery)
	st.mu.Unlock()
	if !due || !st.t.leads(ctx) {
		return
	}
	st.mu.Lock()
	data, err := st.encode()
	settings, watermark, version := st.settings, st.watermark, st.version
	st.rb.dirty = false
	st.mu.Unlock()
	if err != nil {
		st.t.log.Error("compliance state not saved", "street", st.id, "err", err)
		return
	}
	st.save(ctx, data, settings, watermark, version)
}

// leads reports whether this server saves the compliance state (one
// server of several on a PostgreSQL database; always on SQLite).
func (t *Tracker) leads(ctx context.Context) bool {
	t.leadMu.Lock()
	defer t.leadMu.Unlock()
	if t.lead == nil {
		l, err := t.db.NewLead(ctx, "compliance")
		if err != nil {
			t.log.Error("compliance: leadership", "err", err)
			return false
		}
		t.lead = l
	}
	return t.lead.Try(ctx)
}

// Rebuilding reports whether a street's state is being rebuilt: answers
// meanwhile come from the last good state, which pages mark as such.
func (t *Tracker) Rebuilding(streetID int64) bool {
	t.mu.Lock()
	st := t.streets[streetID]
	t.mu.Unlock()
	return st != nil && st.rb.flag.Load()
}

// WaitRebuilt brings a street up to date and waits until no rebuild of
// it is pending, or ctx ends.
func (t *Tracker) WaitRebuilt(ctx context.Context, streetID int64) error {
	for {
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
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
