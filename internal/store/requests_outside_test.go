package store_test

import (
	"context"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestRequestLetsANearbyVolunteerRecord: a request dispatched to a volunteer
// outside the elder's circle lets them record that service once they have
// accepted it — of the request's kind, until it is done — and complete the
// request with their own record; before, after or for another elder the
// record is refused as before.
func TestRequestLetsANearbyVolunteerRecord(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		rec := func(elder int64, kind, typ string) (*care.ServiceRecord, error) {
			r := &care.ServiceRecord{ElderID: elder, Kind: kind, Type: typ, At: db.Now().Add(-20 * time.Minute)}
			return r, db.AddService(ctx, f.Volunteer, r, store.Proof{})
		}
		refused := func(what string, err error) {
			t.Helper()
			if care.ErrorCode(err) != care.ENotFound {
				t.Fatalf("%s: want the elder not found for this volunteer, got %v", what, err)
			}
		}
		// Elder2 is not in volunteer1's circle.
		r := newRequest(db, f.Elder2.ID)
		if err := db.CreateRequest(ctx, f.Comm1, r); err != nil {
			t.Fatal(err)
		}
		_, err := rec(f.Elder2.ID, "life", "shopping")
		refused("before dispatch", err)
		if err := db.Dispatch(ctx, f.Comm1, r.ID, f.Vol1.ID); err != nil {
			t.Fatal(err)
		}
		_, err = rec(f.Elder2.ID, "life", "shopping")
		refused("dispatched, not accepted", err)
		if err := db.AcceptRequest(ctx, f.Volunteer, r.ID); err != nil {
			t.Fatal(err)
		}
		_, err = rec(f.Elder2.ID, "spirit", "chat")
		refused("another kind than the request's", err)
		_, err = rec(f.Elder3.ID, "life", "shopping")
		refused("another elder", err)
		got, err := rec(f.Elder2.ID, "life", "shopping")
		if err != nil {
			t.Fatalf("the accepted request's service: %v", err)
		}
		if got.VolunteerID == nil || *got.VolunteerID != f.Vol1.ID {
			t.Fatalf("recorded as the volunteer: %+v", got)
		}
		if err := db.DoneRequest(ctx, f.Volunteer, r.ID, got.ID); err != nil {
			t.Fatalf("done with their own record: %v", err)
		}
		done, err := db.GetRequest(ctx, f.Comm1, r.ID)
		if err != nil || done.Status != "done" || done.ServiceID != got.ID {
			t.Fatalf("request: %+v %v", done, err)
		}
		_, err = rec(f.Elder2.ID, "life", "shopping")
		refused("after the request is done", err)
		// No pairing was made: the elder is still outside their circle.
		if _, err := db.GetElder(ctx, f.Volunteer, f.Elder2.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("the elder's record opened to the volunteer: %v", err)
		}
	})
}
