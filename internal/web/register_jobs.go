package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
)

// An upload becomes an import job kept in the database (the file sealed
// with the data key), so that "确认导入" commits exactly the file that was
// checked, and a 20,000-row file reports its progress while the page
// polls — whichever server of a deployment the poll or the confirmation
// reaches. A run goes on in the background of the server that claimed it,
// writing its progress and a heartbeat; a job whose server died is checked
// again by the next server that shows it.

const (
	// jobWait is how long an upload waits for its job before showing the
	// progress page, so small files show their report at once.
	jobWait = 2 * time.Second
	// progressEvery bounds how often a run writes its progress.
	progressEvery = 500 * time.Millisecond
	// heartbeatEvery keeps a run alive while its progress stands still
	// (reading a large .xlsx); well within store.ImportRunStale.
	heartbeatEvery = 10 * time.Second
)

// jobStatus is a job as a page shows it.
type jobStatus struct {
	ID, File, Stage string
	Kind            register.Kind
	Running, Commit bool
	Done, Total     int
	Report          *register.Report
	Err             error
}

func statusOf(j *store.ImportJob) (jobStatus, error) {
	st := jobStatus{ID: j.ID, File: j.FileName, Kind: register.Kind(j.Kind), Stage: j.Stage, Running: j.Running,
		Commit: j.Commit, Done: j.Done, Total: j.Total, Err: j.Err()}
	if j.Report != nil && !j.Running {
		st.Report = &register.Report{}
		if err := json.Unmarshal(j.Report, st.Report); err != nil {
			return jobStatus{}, err
		}
	}
	return st, nil
}

// jobRunner runs import jobs on this server.
type jobRunner struct {
	db  *store.DB
	log *slog.Logger
}

// start claims a run of the owner's job (a dry run unless commit) and runs
// it in the background as actor a; the channel closes when it ends. A
// conflict means another run is going on or the file cannot be run.
func (r *jobRunner) start(ctx context.Context, a care.Actor, owner int64, id string, commit bool) (<-chan struct{}, error) {
	run, err := r.db.ClaimImportRun(ctx, owner, id, commit)
	if err != nil {
		return nil, err
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		r.run(a, run)
	}()
	return finished, nil
}

// run imports the claimed file, writing progress meanwhile, and stores
// the report. A run taken over by another server stops without a word.
func (r *jobRunner) run(a care.Actor, run *store.ImportRun) {
	ctx, lost := context.WithCancel(context.Background())
	defer lost()
	var p runProgress
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.keepAlive(ctx, lost, run, &p, stop)
	}()
	rep, err := register.Import(ctx, r.db, a, register.Kind(run.Kind), run.FileName, run.Data,
		register.Options{DryRun: !run.Commit, Progress: p.set, ConfirmRows: run.ConfirmRows})
	close(stop)
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	out := store.ImportOutcome{Err: err}
	if care.ErrorCode(err) == care.EInternal {
		r.log.Error("import", "job", run.JobID, "commit", run.Commit, "err", err)
	}
	if rep != nil {
		if out.Report, err = json.Marshal(rep); err != nil {
			out.Report, out.Err = nil, err
		}
		out.Ready = !run.Commit && rep.OK() && !rep.Committed && rep.Rows > 0
		// Possible duplicates can be confirmed and the file checked again.
		out.Keep = !run.Commit && !rep.OK() && len(rep.Lookalikes) > 0
	}
	// The report of a committed file must be kept: try again briefly
	// before giving up (the job then shows as stalled and is checked again).
	for try := 0; ; try++ {
		err := r.db.FinishImportRun(context.Background(), run, out)
		if err == nil || care.ErrorCode(err) == care.EConflict || try == 2 {
			if err != nil {
				r.log.Error("import: finish", "job", run.JobID, "err", err)
			}
			return
		}
		time.Sleep(time.Second)
	}
}

// keepAlive writes the run's progress every progressEvery when it moved,
// and at least every heartbeatEvery, until stop; it calls lost when the
// run is no longer this server's. It runs beside the import, so that the
// import never waits for these writes (on SQLite they queue behind the
// commit's transaction).
func (r *jobRunner) keepAlive(ctx context.Context, lost func(), run *store.ImportRun, p *runProgress, stop <-chan struct{}) {
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	last, wrote := p.get(), time.Now()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		cur := p.get()
		if cur == last && time.Since(wrote) < heartbeatEvery {
			continue
		}
		ok, err := r.db.ImportRunProgress(ctx, run, cur.stage, cur.done, cur.total)
		switch {
		case err != nil:
			r.log.Warn("import: progress", "job", run.JobID, "err", err)
		case !ok:
			lost()
			return
		default:
			last, wrote = cur, time.Now()
		}
	}
}

// runProgress is the latest progress of a run, set by the import.
type runProgress struct {
	mu  sync.Mutex
	cur progressState
}

type progressState struct {
	stage       string
	done, total int
}

func (p *runProgress) set(stage string, done, total int) {
	p.mu.Lock()
	p.cur = progressState{stage, done, total}
	p.mu.Unlock()
}

func (p *runProgress) get() progressState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// wait blocks until finished is closed or d passes.
func wait(finished <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-finished:
	case <-t.C:
	}
}
