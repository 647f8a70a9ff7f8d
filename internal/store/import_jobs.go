package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
)

// An import job is an uploaded register file and the runs over it (a dry
// run, then the commit), kept in the database so that whichever server a
// page's poll or "确认导入" reaches can show and confirm it. A run belongs
// to the server that claimed it while that server keeps its heartbeat
// fresh; the run of a server that died can be claimed again.

// Import job limits.
const (
	// ImportJobTTL is how long a job (and its file) is kept.
	ImportJobTTL = 30 * time.Minute
	// ImportJobsPerUser bounds one user's jobs that still hold a file:
	// running, waiting to run or checked and waiting to be confirmed.
	ImportJobsPerUser = 4
	// ImportJobsTotal bounds such jobs in the whole deployment, a safety
	// net for the database's size; on PostgreSQL uploads of different
	// users at the same instant may pass it by a few.
	ImportJobsTotal = 256
	// ImportRunStale is how old a run's heartbeat may grow before the run
	// counts as dead (its server stopped) and may be claimed again.
	ImportRunStale = time.Minute
)

// ImportJob is a job as a page shows it; the file itself stays in the
// database.
type ImportJob struct {
	ID       string
	OwnerID  int64
	Kind     string
	FileName string
	Created  time.Time
	// Running is true while a run's heartbeat is fresh.
	Running bool
	// Commit is true when the current or last run writes.
	Commit              bool
	Stage               string
	Done, Total         int
	HasFile, Ready      bool
	Report              []byte // JSON of the last finished run; nil while a run is going on
	ErrCode, ErrMessage string
}

// Err is the error the last run ended with, nil if none.
func (j *ImportJob) Err() error {
	if j.ErrCode == "" {
		return nil
	}
	return &care.Error{Code: j.ErrCode, Message: j.ErrMessage}
}

// Stalled reports whether the job holds a file but no run is going on and
// none ended: the server running it died, and anyone may run it again.
func (j *ImportJob) Stalled() bool {
	return j.HasFile && !j.Running && j.Report == nil && j.ErrCode == ""
}

// NewImportJob is an uploaded file.
type NewImportJob struct {
	OwnerID  int64
	Kind     string
	FileName string
	Data     []byte
}

// ImportRun is a claimed run: the job's file and the run number that its
// progress and its end must carry, so a run taken over cannot write.
type ImportRun struct {
	JobID    string
	Run      int64
	Commit   bool
	Kind     string
	FileName string
	Data     []byte
	// ConfirmRows are the rows the owner confirmed as no duplicates
	// (SetImportConfirm).
	ConfirmRows []int
}

// ImportOutcome is how a run ended.
type ImportOutcome struct {
	Report []byte // the report as JSON
	// Ready is true when a dry run passed and the file may be committed;
	// otherwise (committed, bad rows, failed) the file is dropped.
	Ready bool
	// Keep keeps the file of a dry run that did not pass, so rows can be
	// confirmed (possible duplicates) and the file checked again.
	Keep bool
	Err  error
}

var (
	errTooManyImports = &care.Error{Code: care.EConflict, Message: "当前导入任务过多，请稍后再试 / too many imports in progress; try again shortly"}
	errImportBusy     = &care.Error{Code: care.EConflict, Message: "这个导入任务正在进行，或文件已不能再导入 / this import is running, or its file can no longer be imported"}
	errImportLost     = &care.Error{Code: care.EConflict, Message: "这次导入已由另一台服务器接手 / another server took this import over"}
)

func errUserImports() error {
	return care.Errorf(care.EConflict, "您已有 %d 个导入任务正在进行或等待确认，请先确认导入，或 %d 分钟后再试 / you have %d imports running or waiting to be confirmed; confirm one, or try again in %d minutes",
		ImportJobsPerUser, int(ImportJobTTL.Minutes()), ImportJobsPerUser, int(ImportJobTTL.Minutes()))
}

// CreateImportJob keeps an uploaded file (sealed with the data key) as a
// new job and returns its id, an unguessable token. Expired jobs go first;
// a user with ImportJobsPerUser jobs holding a file is refused, and so is
// everyone when the deployment holds ImportJobsTotal.
func (db *DB) CreateImportJob(ctx context.Context, j NewImportJob) (string, error) {
	id := randomToken()
	sealed := db.vault.Seal(string(j.Data))
	now := db.Now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.purgeImportJobs(ctx, tx); err != nil {
			return err
		}
		// Uploads of one user take turns, so the limit holds on PostgreSQL too.
		var owner int64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT id FROM users WHERE id = ?`+db.dialect.forUpdate), j.OwnerID).Scan(&owner); err != nil {
			return err
		}
		var mine, all int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN owner_id = ? THEN 1 ELSE 0 END), 0)
 FROM import_jobs WHERE data IS NOT NULL`), j.OwnerID).Scan(&all, &mine); err != nil {
			return err
		}
		switch {
		case mine >= ImportJobsPerUser:
			return errUserImports()
		case all >= ImportJobsTotal:
			return errTooManyImports
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO import_jobs (id, owner_id, kind, file_name, data, created_at) VALUES (?,?,?,?,?,?)`),
			id, j.OwnerID, j.Kind, j.FileName, sealed, stamp(now))
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// ImportJob returns the owner's job; another user's job, or an expired
// one, is not found.
func (db *DB) ImportJob(ctx context.Context, ownerID int64, id string) (*ImportJob, error) {
	now := db.Now()
	j := &ImportJob{}
	var created, beat string
	var report sql.NullString
	err := db.read.QueryRowContext(ctx, db.q(`SELECT id, owner_id, kind, file_name, created_at, running, commit_run, stage, done, total,
 heartbeat_at, data IS NOT NULL, ready, report, err_code, err_message
 FROM import_jobs WHERE id = ? AND owner_id = ? AND created_at >= ?`), id, ownerID, stamp(now.Add(-ImportJobTTL))).Scan(
		&j.ID, &j.OwnerID, &j.Kind, &j.FileName, &created, &j.Running, &j.Commit, &j.Stage, &j.Done, &j.Total,
		&beat, &j.HasFile, &j.Ready, &report, &j.ErrCode, &j.ErrMessage)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, care.ErrNotFound("导入任务 / import")
	}
	if err != nil {
		return nil, err
	}
	j.Created = parseStamp(created)
	j.Running = j.Running && beat >= stamp(now.Add(-ImportRunStale))
	if report.Valid {
		j.Report = []byte(report.String)
	}
	return j, nil
}

// ClaimImportRun starts a run of the owner's job on this server: a dry run,
// or the commit of a file whose dry run passed. It refuses with a conflict
// while another run is going on, and when the file is gone; a run whose
// heartbeat is older than ImportRunStale does not count.
func (db *DB) ClaimImportRun(ctx context.Context, ownerID int64, id string, commit bool) (*ImportRun, error) {
	now := db.Now()
	run := &ImportRun{JobID: id, Commit: commit}
	var sealed []byte
	q := `UPDATE import_jobs SET run = run + 1, running = ?, commit_run = ?, stage = 'read', done = 0, total = 0,
 heartbeat_at = ?, report = NULL, err_code = '', err_message = ''
 WHERE id = ? AND owner_id = ? AND created_at >= ? AND data IS NOT NULL AND (running = ? OR heartbeat_at < ?)`
	args := []any{true, commit, stamp(now), id, ownerID, stamp(now.Add(-ImportJobTTL)), false, stamp(now.Add(-ImportRunStale))}
	if commit {
		q += ` AND ready = ?`
		args = append(args, true)
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var confirm string
		err := tx.QueryRowContext(ctx, db.q(q+` RETURNING run, kind, file_name, data, confirm_rows`), args...).Scan(&run.Run, &run.Kind, &run.FileName, &sealed, &confirm)
		if err == nil {
			run.ConfirmRows = parseRows(confirm)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM import_jobs WHERE id = ? AND owner_id = ? AND created_at >= ?`),
			id, ownerID, stamp(now.Add(-ImportJobTTL))).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return care.ErrNotFound("导入任务 / import")
		}
		return errImportBusy
	})
	if err != nil {
		return nil, err
	}
	plain, err := db.vault.Open(sealed)
	if err != nil {
		return nil, err
	}
	run.Data = []byte(plain)
	return run, nil
}

// ImportRunProgress records how far a run has come and keeps its heartbeat
// fresh; the runner calls it every few hundred milliseconds at most. It
// reports false when the run is no longer this server's (it was taken over
// or the job expired), and the runner should stop.
func (db *DB) ImportRunProgress(ctx context.Context, run *ImportRun, stage string, done, total int) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE import_jobs SET stage = ?, done = ?, total = ?, heartbeat_at = ?
 WHERE id = ? AND run = ? AND running = ?`), stage, done, total, db.now(), run.JobID, run.Run, true)
	if err != nil {
		return false, fmt.Errorf("store: import progress: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishImportRun ends a run with its report or its error. Unless the file
// may still be committed, it is dropped: committed, or refused, the
// personal data need not stay.
func (db *DB) FinishImportRun(ctx context.Context, run *ImportRun, o ImportOutcome) error {
	var report any
	if o.Report != nil {
		report = string(o.Report)
	}
	var code, msg string
	if o.Err != nil {
		code, msg = care.ErrorCode(o.Err), care.ErrorMessage(o.Err)
	}
	set := ""
	if !o.Ready && !o.Keep {
		set = "data = NULL, "
	}
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE import_jobs SET `+set+`running = ?, ready = ?, report = ?, err_code = ?, err_message = ?, heartbeat_at = ?
 WHERE id = ? AND run = ? AND running = ?`), false, o.Ready, report, code, msg, db.now(), run.JobID, run.Run, true)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, errImportLost)
	}
	return nil
}

// PurgeImportJobs deletes jobs older than ImportJobTTL (but not a run
// still going on); every upload does it first, and serve may run it too.
func (db *DB) PurgeImportJobs(ctx context.Context) error {
	return db.tx(ctx, func(tx *sql.Tx) error { return db.purgeImportJobs(ctx, tx) })
}

func (db *DB) purgeImportJobs(ctx context.Context, tx *sql.Tx) error {
	now := db.Now()
	_, err := tx.ExecContext(ctx, db.q(`DELETE FROM import_jobs WHERE created_at < ? AND (running = ? OR heartbeat_at < ?)`),
		stamp(now.Add(-ImportJobTTL)), false, stamp(now.Add(-ImportRunStale)))
	return err
}

// SetImportConfirm records the rows of the owner's job that the owner
// confirmed as other people than those they look like (可能重复), for the
// job's next runs; not while a run is going on, nor once the file is gone.
func (db *DB) SetImportConfirm(ctx context.Context, ownerID int64, id string, rows []int) error {
	now := db.Now()
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = strconv.Itoa(r)
	}
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE import_jobs SET confirm_rows = ?, ready = ?
 WHERE id = ? AND owner_id = ? AND created_at >= ? AND data IS NOT NULL AND (running = ? OR heartbeat_at < ?)`),
		strings.Join(parts, ","), false, id, ownerID, stamp(now.Add(-ImportJobTTL)), false, stamp(now.Add(-ImportRunStale)))
	if err != nil {
		return fmt.Errorf("store: import confirm: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, errImportBusy)
	}
	return nil
}

func parseRows(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}
