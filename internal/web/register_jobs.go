package web

import (
	"context"
	"sync"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
)

// An upload becomes an import job: the file's bytes stay in memory, keyed
// by a random id, so that "确认导入" commits exactly the file that was
// checked, and a 20,000-row file reports its progress while the page polls.
// Jobs live in this process only; a restart simply asks for the file again.

const (
	jobTTL  = 30 * time.Minute
	maxJobs = 64
	// jobWait is how long an upload waits for its job before showing the
	// progress page, so small files show their report at once.
	jobWait = 2 * time.Second
)

var errTooManyJobs = &care.Error{Code: care.EConflict, Message: "当前导入任务过多，请稍后再试 / too many imports in progress; try again shortly"}

type importJob struct {
	id      string
	owner   int64
	kind    register.Kind
	file    string
	created time.Time

	mu      sync.Mutex
	data    []byte // dropped once committed
	running bool
	commit  bool // the current or last run writes
	stage   string
	done    int
	total   int
	report  *register.Report
	err     error
	// finished is closed when the current run ends.
	finished chan struct{}
}

// jobStatus is a consistent copy of a job for a page.
type jobStatus struct {
	ID, File, Stage string
	Kind            register.Kind
	Running, Commit bool
	Done, Total     int
	Report          *register.Report
	Err             error
}

func (j *importJob) status() jobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return jobStatus{ID: j.id, File: j.file, Kind: j.kind, Stage: j.stage, Running: j.running, Commit: j.commit,
		Done: j.done, Total: j.total, Report: j.report, Err: j.err}
}

// start runs the import (a dry run unless commit) in the background as
// actor a. It refuses when a run is going on or the file is gone.
func (j *importJob) start(db *store.DB, a care.Actor, commit bool) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running || j.data == nil {
		return false
	}
	j.running, j.commit, j.stage, j.done, j.total, j.report, j.err = true, commit, "read", 0, 0, nil, nil
	j.finished = make(chan struct{})
	data, finished := j.data, j.finished
	go func() {
		defer close(finished)
		rep, err := register.Import(context.Background(), db, a, j.kind, j.file, data, register.Options{DryRun: !commit, Progress: j.progress})
		j.mu.Lock()
		defer j.mu.Unlock()
		j.running, j.report, j.err = false, rep, err
		if rep != nil && rep.Committed {
			j.data = nil // imported: the personal data need not stay in memory
		}
	}()
	return true
}

func (j *importJob) progress(stage string, done, total int) {
	j.mu.Lock()
	j.stage, j.done, j.total = stage, done, total
	j.mu.Unlock()
}

// wait blocks until the current run ends or d passes.
func (j *importJob) wait(d time.Duration) {
	j.mu.Lock()
	finished := j.finished
	j.mu.Unlock()
	if finished == nil {
		return
	}
	select {
	case <-finished:
	case <-time.After(d):
	}
}

// jobRegistry holds the jobs of this server.
type jobRegistry struct {
	mu   sync.Mutex
	jobs map[string]*importJob
	now  func() time.Time
}

func newJobRegistry() *jobRegistry {
	return &jobRegistry{jobs: map[string]*importJob{}, now: time.Now}
}

// add registers a new job for an uploaded file, dropping expired ones.
func (r *jobRegistry) add(owner int64, kind register.Kind, file string, data []byte) (*importJob, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for id, j := range r.jobs {
		if now.Sub(j.created) > jobTTL && !j.status().Running {
			delete(r.jobs, id)
		}
	}
	if len(r.jobs) >= maxJobs {
		return nil, errTooManyJobs
	}
	j := &importJob{id: randomString(), owner: owner, kind: kind, file: file, data: data, created: now}
	r.jobs[j.id] = j
	return j, nil
}

// get returns the user's job; another user's job does not exist for them.
func (r *jobRegistry) get(owner int64, id string) (*importJob, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok || j.owner != owner || r.now().Sub(j.created) > jobTTL {
		return nil, care.ErrNotFound("导入任务 / import")
	}
	return j, nil
}
