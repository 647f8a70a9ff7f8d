package store_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestImportJobRunsAreClaimedOnceAndKeepTheFileUntilCommitted: a job is
// its owner's only; one run at a time however many servers try; progress
// is seen by a reader; a passed dry run keeps the file for the commit and
// the commit drops it.
func TestImportJobRunsAreClaimedOnceAndKeepTheFileUntilCommitted(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := storetest.Seed(t, db)
		file := []byte("姓名,身份证号\n王秀英,320105193802030021\n")
		id, err := db.CreateImportJob(ctx, store.NewImportJob{OwnerID: f.Comm1.UserID, Kind: "elders", FileName: "a.csv", Data: file})
		if err != nil {
			t.Fatal(err)
		}
		j, err := db.ImportJob(ctx, f.Comm1.UserID, id)
		if err != nil || j.Kind != "elders" || j.FileName != "a.csv" || j.Running || !j.HasFile || j.Report != nil || !j.Stalled() {
			t.Fatalf("new job: %+v %v", j, err)
		}
		if _, err := db.ImportJob(ctx, f.Comm2.UserID, id); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another user's job: %v", err)
		}
		if _, err := db.ClaimImportRun(ctx, f.Comm2.UserID, id, false); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another user's claim: %v", err)
		}
		if _, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, true); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("committing an unchecked file: %v", err)
		}

		// Eight servers try to run it at once: one does.
		var wg sync.WaitGroup
		runs := make(chan *store.ImportRun, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, false)
				if err == nil {
					runs <- run
				} else if care.ErrorCode(err) != care.EConflict {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		close(runs)
		if len(runs) != 1 {
			t.Fatalf("%d claims of one job succeeded", len(runs))
		}
		run := <-runs
		if string(run.Data) != string(file) || run.Kind != "elders" || run.Commit {
			t.Fatalf("claimed run: %+v", run)
		}
		if ok, err := db.ImportRunProgress(ctx, run, "check", 1, 2); !ok || err != nil {
			t.Fatalf("progress: %v %v", ok, err)
		}
		if j, _ := db.ImportJob(ctx, f.Comm1.UserID, id); !j.Running || j.Stage != "check" || j.Done != 1 || j.Total != 2 || j.Stalled() {
			t.Fatalf("running job: %+v", j)
		}
		if err := db.FinishImportRun(ctx, run, store.ImportOutcome{Report: []byte(`{"Rows":1}`), Ready: true}); err != nil {
			t.Fatal(err)
		}
		if j, _ := db.ImportJob(ctx, f.Comm1.UserID, id); j.Running || string(j.Report) != `{"Rows":1}` || !j.HasFile || !j.Ready {
			t.Fatalf("checked job: %+v", j)
		}

		commit, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, true)
		if err != nil || !commit.Commit || commit.Run == run.Run {
			t.Fatalf("commit claim: %+v %v", commit, err)
		}
		if _, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, true); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("a second commit while the first runs: %v", err)
		}
		if ok, _ := db.ImportRunProgress(ctx, run, "read", 2, 2); ok {
			t.Fatal("a finished run must not write progress")
		}
		if err := db.FinishImportRun(ctx, commit, store.ImportOutcome{Report: []byte(`{"Committed":true}`)}); err != nil {
			t.Fatal(err)
		}
		j, _ = db.ImportJob(ctx, f.Comm1.UserID, id)
		if j.HasFile || j.Ready || !j.Commit || string(j.Report) != `{"Committed":true}` {
			t.Fatalf("committed job keeps no file: %+v", j)
		}
		if _, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, true); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("committing twice: %v", err)
		}
		if _, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, false); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("a dry run of a dropped file: %v", err)
		}
	})
}

// TestImportRunOfADeadServerIsClaimedAgain: a run whose heartbeat stopped
// for ImportRunStale is taken over; the old runner can no longer write.
func TestImportRunOfADeadServerIsClaimedAgain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := storetest.Seed(t, db)
		id, err := db.CreateImportJob(ctx, store.NewImportJob{OwnerID: f.Comm1.UserID, Kind: "volunteers", FileName: "v.csv", Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		dead, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, false)
		if err != nil {
			t.Fatal(err)
		}
		start := db.Now()
		db.Now = func() time.Time { return start.Add(store.ImportRunStale - time.Second) }
		if _, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, false); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("a run with a fresh heartbeat: %v", err)
		}
		db.Now = func() time.Time { return start.Add(store.ImportRunStale + time.Second) }
		j, _ := db.ImportJob(ctx, f.Comm1.UserID, id)
		if j.Running || !j.Stalled() {
			t.Fatalf("a dead server's job is stalled: %+v", j)
		}
		again, err := db.ClaimImportRun(ctx, f.Comm1.UserID, id, false)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.ImportRunProgress(ctx, dead, "check", 1, 1); ok {
			t.Fatal("the dead run writes progress")
		}
		if err := db.FinishImportRun(ctx, dead, store.ImportOutcome{Report: []byte(`{}`), Ready: true}); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("the dead run finishes: %v", err)
		}
		failed := care.Errorf(care.EForbidden, "不行 / no")
		if err := db.FinishImportRun(ctx, again, store.ImportOutcome{Err: failed}); err != nil {
			t.Fatal(err)
		}
		j, _ = db.ImportJob(ctx, f.Comm1.UserID, id)
		var ce *care.Error
		if !errors.As(j.Err(), &ce) || ce.Code != care.EForbidden || ce.Message != "不行 / no" || j.HasFile || j.Stalled() {
			t.Fatalf("failed run: %+v", j)
		}
	})
}

// TestImportJobLimitsArePerUserAndJobsExpire: one user's uploads cannot
// block another's; finished jobs stop counting; jobs expire.
func TestImportJobLimitsArePerUserAndJobsExpire(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := storetest.Seed(t, db)
		create := func(a care.Actor) (string, error) {
			return db.CreateImportJob(ctx, store.NewImportJob{OwnerID: a.UserID, Kind: "elders", FileName: "a.csv", Data: []byte("x")})
		}
		var ids []string
		for range store.ImportJobsPerUser {
			id, err := create(f.Comm1)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		_, err := create(f.Comm1)
		var ce *care.Error
		if !errors.As(err, &ce) || ce.Code != care.EConflict || !strings.HasPrefix(ce.Message, "您已有") {
			t.Fatalf("a fifth job: %v", err)
		}
		if _, err := create(f.Comm2); err != nil {
			t.Fatalf("another user is not affected: %v", err)
		}
		// A dry run with bad rows leaves nothing to commit: its file is
		// dropped and the job no longer counts.
		run, err := db.ClaimImportRun(ctx, f.Comm1.UserID, ids[0], false)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.FinishImportRun(ctx, run, store.ImportOutcome{Report: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := create(f.Comm1); err != nil {
			t.Fatalf("after a refused file: %v", err)
		}

		start := db.Now()
		db.Now = func() time.Time { return start.Add(store.ImportJobTTL + time.Second) }
		if _, err := db.ImportJob(ctx, f.Comm1.UserID, ids[1]); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("an expired job: %v", err)
		}
		if _, err := db.ClaimImportRun(ctx, f.Comm1.UserID, ids[1], false); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("claiming an expired job: %v", err)
		}
		if err := db.PurgeImportJobs(ctx); err != nil {
			t.Fatal(err)
		}
		for range store.ImportJobsPerUser {
			if _, err := create(f.Comm1); err != nil {
				t.Fatalf("after expiry: %v", err)
			}
		}
		db.Now = func() time.Time { return start }
		if _, err := db.ImportJob(ctx, f.Comm1.UserID, ids[1]); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("a purged job: %v", err)
		}
	})
}

// TestImportJobsTotalCap: the deployment-wide cap refuses everyone.
func TestImportJobsTotalCap(t *testing.T) {
	if testing.Short() {
		t.Skip("creates ImportJobsTotal users")
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := storetest.Seed(t, db)
		owners := make([]int64, 0, store.ImportJobsTotal/store.ImportJobsPerUser+1)
		for i := range cap(owners) {
			u := &care.User{Username: "import" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Role: care.RoleCommunity, StreetID: f.Street.ID, CommunityID: f.C1.ID}
			if err := db.CreateUser(ctx, f.Admin, u, storetest.Password); err != nil {
				t.Fatal(err)
			}
			owners = append(owners, u.ID)
		}
		for i := range store.ImportJobsTotal {
			if _, err := db.CreateImportJob(ctx, store.NewImportJob{OwnerID: owners[i/store.ImportJobsPerUser], Kind: "elders", FileName: "a.csv", Data: []byte("x")}); err != nil {
				t.Fatal(i, err)
			}
		}
		_, err := db.CreateImportJob(ctx, store.NewImportJob{OwnerID: owners[len(owners)-1], Kind: "elders", FileName: "a.csv", Data: []byte("x")})
		if care.ErrorCode(err) != care.EConflict || !strings.HasPrefix(care.ErrorMessage(err), "当前导入任务") {
			t.Fatalf("past the deployment's cap: %v", err)
		}
	})
}
