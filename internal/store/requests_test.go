package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func newRequest(db *store.DB, elder int64) *store.Request {
	return &store.Request{ElderID: elder, Kind: "life", Type: "shopping", Urgency: "soon", Channel: "phone",
		WantedBy: db.Now().Add(3 * time.Hour), Note: "帮忙买米和油"}
}

func countRequests(t *testing.T, db *store.DB, a care.Actor, status string) int {
	t.Helper()
	rs, err := db.Requests(context.Background(), a, store.RequestFilter{Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// serviceFor records a service for elder by a (a volunteer of the circle
// or staff), half an hour ago.
func serviceFor(t *testing.T, db *store.DB, a care.Actor, elder int64) int64 {
	t.Helper()
	rec := &care.ServiceRecord{ElderID: elder, Kind: "life", Type: "shopping", At: db.Now().Add(-30 * time.Minute)}
	if err := db.AddService(context.Background(), a, rec, store.Proof{}); err != nil {
		t.Fatal(err)
	}
	return rec.ID
}

func TestRequestLifecycle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		// Bad input is refused field by field and changes nothing.
		bad := &store.Request{ElderID: f.Elder1.ID, Kind: "x", Urgency: "now", Channel: "sms"}
		err := db.CreateRequest(ctx, f.Comm1, bad)
		for _, field := range []string{"kind", "urgency", "channel", "wanted_by"} {
			fieldErr(t, err, field)
		}
		past := newRequest(db, f.Elder1.ID)
		past.WantedBy = db.Now().Add(-time.Hour)
		fieldErr(t, db.CreateRequest(ctx, f.Comm1, past), "wanted_by")
		fieldErr(t, db.CreateRequest(ctx, f.Comm2, newRequest(db, f.Elder1.ID)), "elder_id")
		volPhone := newRequest(db, f.Elder1.ID)
		fieldErr(t, db.CreateRequest(ctx, f.Volunteer, volPhone), "channel")
		if err := db.CreateRequest(ctx, f.Viewer, newRequest(db, f.Elder1.ID)); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("viewer recorded a request: %v", err)
		}
		if n := countRequests(t, db, f.Station, ""); n != 0 {
			t.Fatalf("refused requests were stored: %d", n)
		}

		r := newRequest(db, f.Elder1.ID)
		if err := db.CreateRequest(ctx, f.Comm1, r); err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 || r.Status != "open" || r.CommunityID != f.C1.ID {
			t.Fatalf("created = %+v", r)
		}
		// Scope: community 2 and the clinic see nothing of it; the elder's
		// volunteer sees it.
		if _, err := db.GetRequest(ctx, f.Comm2, r.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("community 2 reads community 1's request: %v", err)
		}
		if n := countRequests(t, db, f.Comm2, ""); n != 0 {
			t.Fatalf("community 2 lists %d", n)
		}
		if _, err := db.Requests(ctx, f.ClinicA, store.RequestFilter{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("clinic lists requests: %v", err)
		}
		if n := countRequests(t, db, f.Volunteer, "open"); n != 1 {
			t.Fatalf("the circle's volunteer sees %d open", n)
		}
		if _, err := db.Requests(ctx, f.Comm1, store.RequestFilter{Status: "nope"}); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("bad status filter: %v", err)
		}

		// Candidates: the circle first; community 2's volunteer is not one.
		cs, err := db.RequestCandidates(ctx, f.Comm1, r.ID, 0)
		if err != nil || len(cs) != 1 || cs[0].VolunteerID != f.Vol1.ID || !cs[0].InCircle {
			t.Fatalf("candidates = %+v, %v", cs, err)
		}
		fieldErr(t, db.Dispatch(ctx, f.Comm1, r.ID, f.Vol2.ID), "volunteer_id")
		if err := db.Dispatch(ctx, f.Volunteer, r.ID, f.Vol1.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("a volunteer dispatched: %v", err)
		}
		if err := db.Dispatch(ctx, f.Comm1, r.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.Dispatch(ctx, f.Comm1, r.ID, f.Vol1.ID), "volunteer_id")
		inbox, _, err := db.Inbox(ctx, f.Volunteer, 10)
		if err != nil || len(inbox) != 1 || !strings.Contains(inbox[0].Text, "王秀英") || !strings.Contains(inbox[0].Text, "买菜购物") {
			t.Fatalf("the volunteer's inbox = %+v, %v", inbox, err)
		}
		cs, _ = db.RequestCandidates(ctx, f.Comm1, r.ID, 0)
		if cs[0].Load != 1 {
			t.Fatalf("load after dispatch = %+v", cs)
		}

		// Only the assigned volunteer accepts; done needs a record of the
		// same elder, their own.
		if err := db.AcceptRequest(ctx, f.Comm1, r.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("staff accepted: %v", err)
		}
		fieldErr(t, db.DoneRequest(ctx, f.Volunteer, r.ID, 999999), "status") // not accepted yet
		if err := db.AcceptRequest(ctx, f.Volunteer, r.ID); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.AcceptRequest(ctx, f.Volunteer, r.ID), "status")
		fieldErr(t, db.DoneRequest(ctx, f.Volunteer, r.ID, 999999), "service_id")
		other := serviceFor(t, db, f.Comm1, f.Elder2.ID)
		fieldErr(t, db.DoneRequest(ctx, f.Volunteer, r.ID, other), "service_id")
		staffRec := serviceFor(t, db, f.Comm1, f.Elder1.ID)
		fieldErr(t, db.DoneRequest(ctx, f.Volunteer, r.ID, staffRec), "service_id") // not theirs
		own := serviceFor(t, db, f.Volunteer, f.Elder1.ID)
		if err := db.DoneRequest(ctx, f.Volunteer, r.ID, own); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetRequest(ctx, f.Comm1, r.ID)
		if err != nil || got.Status != "done" || got.ServiceID != own || got.AssigneeID != f.Vol1.ID || got.DoneAt.IsZero() {
			t.Fatalf("done request = %+v, %v", got, err)
		}
		var steps []string
		for _, ev := range got.Events {
			steps = append(steps, ev.Status)
		}
		if strings.Join(steps, ",") != "open,dispatched,accepted,done" {
			t.Fatalf("history = %v", steps)
		}
		audits, err := db.AuditLog(ctx, f.Station, "request", r.ID, 10)
		if err != nil || len(audits) != 4 {
			t.Fatalf("audit = %d, %v", len(audits), err)
		}

		// A second request: declined with a reason goes back to the
		// community, which hears of it; the record of the first cannot
		// complete it.
		r2 := newRequest(db, f.Elder1.ID)
		if err := db.CreateRequest(ctx, f.Comm1, r2); err != nil {
			t.Fatal(err)
		}
		if err := db.Dispatch(ctx, f.Comm1, r2.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.DeclineRequest(ctx, f.Volunteer, r2.ID, " "), "reason")
		if err := db.DeclineRequest(ctx, f.Volunteer, r2.ID, "今天在外地"); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetRequest(ctx, f.Comm1, r2.ID)
		if got.Status != "declined" || got.AssigneeID != 0 || got.Events[2].Reason != "今天在外地" || got.Events[2].VolunteerID != f.Vol1.ID {
			t.Fatalf("declined = %+v", got)
		}
		staffInbox, _, _ := db.Inbox(ctx, f.Comm1, 10)
		if len(staffInbox) != 1 || !strings.Contains(staffInbox[0].Text, "今天在外地") {
			t.Fatalf("staff inbox = %+v", staffInbox)
		}
		cs, _ = db.RequestCandidates(ctx, f.Comm1, r2.ID, 0)
		if !cs[0].Declined {
			t.Fatalf("the candidate who declined is not marked: %+v", cs)
		}
		if err := db.Dispatch(ctx, f.Comm1, r2.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.AcceptRequest(ctx, f.Volunteer, r2.ID); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, db.DoneRequest(ctx, f.Comm1, r2.ID, own), "service_id") // completes the first already
		fieldErr(t, db.CancelRequest(ctx, f.Comm1, r2.ID, ""), "reason")
		if err := db.CancelRequest(ctx, f.Comm1, r2.ID, "老人家属已帮忙"); err != nil {
			t.Fatal(err)
		}
		if n := countRequests(t, db, f.Comm1, "cancelled"); n != 1 {
			t.Fatalf("cancelled = %d", n)
		}
		// A volunteer outside the circle sees only what is assigned to them.
		if n := countRequests(t, db, care.Actor{Role: care.RoleVolunteer, VolunteerID: f.Vol2.ID, Username: "v2"}, ""); n != 0 {
			t.Fatalf("another volunteer sees %d", n)
		}
	})
}

func TestRequestOverdueEscalatesOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		r := newRequest(db, f.Elder1.ID)
		if err := db.CreateRequest(ctx, f.Comm1, r); err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		if n, err := db.EscalateOverdueRequests(ctx, now.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("1 h: %d, %v", n, err)
		}
		later := now.Add(2*time.Hour + time.Minute)
		db.Now = func() time.Time { return later }
		if n := countRequests(t, db, f.Comm1, "overdue"); n != 1 {
			t.Fatalf("overdue listed = %d", n)
		}
		for i, want := range []int{1, 0} {
			if n, err := db.EscalateOverdueRequests(ctx, later); err != nil || n != want {
				t.Fatalf("run %d: %d, %v", i, n, err)
			}
		}
		inbox, _, _ := db.Inbox(ctx, f.Comm1, 10)
		if len(inbox) != 1 || !strings.Contains(inbox[0].Text, "求助超时") {
			t.Fatalf("staff inbox = %+v", inbox)
		}
		got, _ := db.GetRequest(ctx, f.Comm1, r.ID)
		if got.Overdue != "not_accepted" || got.Events[len(got.Events)-1].Status != "overdue" {
			t.Fatalf("flag = %q, events %+v", got.Overdue, got.Events)
		}
		// Past the wanted time it escalates again, for that reason.
		if n, err := db.EscalateOverdueRequests(ctx, now.Add(4*time.Hour)); err != nil || n != 1 {
			t.Fatalf("past wanted: %d, %v", n, err)
		}
	})
}

// TestRequestOverdueTwoServers: two servers on one PostgreSQL run the pass
// at once; the staff are told once.
func TestRequestOverdueTwoServers(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
	f := storetest.Seed(t, a)
	ctx := t.Context()
	for range 5 {
		if err := a.CreateRequest(ctx, f.Comm1, newRequest(a, f.Elder1.ID)); err != nil {
			t.Fatal(err)
		}
	}
	later := a.Now().Add(3 * time.Hour)
	var wg sync.WaitGroup
	counts := make([]int, 8)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := a
			if i%2 == 1 {
				db = b
			}
			n, err := db.EscalateOverdueRequests(ctx, later)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 5 {
		t.Fatalf("escalations = %v (want 5 in all)", counts)
	}
	inbox, _, err := a.Inbox(ctx, f.Comm1, 50)
	if err != nil || len(inbox) != 5 {
		t.Fatalf("staff told %d times, %v", len(inbox), err)
	}
}

// TestReportRequests: requests made and answered in the month, per
// community, with the minutes to answer (made → done) as counts per value.
func TestReportRequests(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		start := db.Now()
		for _, e := range []int64{f.Elder1.ID, f.Elder1.ID, f.Elder2.ID} {
			if err := db.CreateRequest(ctx, f.Comm1, newRequest(db, e)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateRequest(ctx, f.Comm2, newRequest(db, f.Elder3.ID)); err != nil {
			t.Fatal(err)
		}
		rs, _ := db.Requests(ctx, f.Comm1, store.RequestFilter{})
		first := rs[len(rs)-1].ID
		if err := db.Dispatch(ctx, f.Comm1, first, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.AcceptRequest(ctx, f.Volunteer, first); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return start.Add(95 * time.Minute) }
		rec := serviceFor(t, db, f.Volunteer, f.Elder1.ID)
		if err := db.DoneRequest(ctx, f.Volunteer, first, rec); err != nil {
			t.Fatal(err)
		}
		p, err := store.ParsePeriod("2026-11", db.Loc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.ReportRequestsOf(ctx, []int64{f.C1.ID, f.C2.ID}, p)
		if err != nil {
			t.Fatal(err)
		}
		c1, c2 := got[f.C1.ID], got[f.C2.ID]
		if c1["requests.received"] != 3 || c1["requests.answered"] != 1 || c1["requests.answer_minutes.95"] != 1 || c2["requests.received"] != 1 || c2["requests.answered"] != 0 {
			t.Fatalf("counts = %v / %v", c1, c2)
		}
		p, _ = store.ParsePeriod("2026-10", db.Loc)
		if got, _ := db.ReportRequestsOf(ctx, []int64{f.C1.ID, f.C2.ID}, p); len(got) != 0 {
			t.Fatalf("October = %v", got)
		}
	})
}
