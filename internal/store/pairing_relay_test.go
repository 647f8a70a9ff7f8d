package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func TestRelayKeepsAContinuousHistory(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		e4 := storetest.NewElder("孙芳", env.C1.ID, "1940-01-01", care.Female, 4)
		if err := db.CreateElder(ctx, env.Comm1, &e4); err != nil {
			t.Fatal(err)
		}
		first := &store.Pairing{ElderID: e4.ID, VolunteerID: env.Vol1.ID, StartedOn: storetest.Day("2026-06-01")}
		if err := db.CreatePairing(ctx, env.Comm1, first); err != nil {
			t.Fatal(err)
		}
		handover := storetest.Day("2026-09-14")

		// A refused successor stops the whole relay: nothing changes.
		e1 := env.elder(t, e4.ID)
		e1.Wishes.Refuse = []int64{env.Vol3.ID}
		env.updateElder(t, e1, "")
		_, err := db.EndPairing(ctx, env.Comm1, first.ID, store.Ending{On: handover, Reason: "搬家", SuccessorID: env.Vol3.ID})
		wantFields(t, err, "successor_id")
		_, err = db.EndPairing(ctx, env.Comm1, first.ID, store.Ending{On: storetest.Day("2026-05-31")})
		wantFields(t, err, "ended_on", "reason")
		if team := env.team(t, e4.ID); team[0].EndedOn != nil {
			t.Fatal("a refused relay ended the pairing")
		}
		if _, err := db.EndPairing(ctx, env.Comm2, first.ID, store.Ending{Reason: "x"}); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community: %v", err)
		}

		e1.Wishes.Refuse = nil
		env.updateElder(t, e1, "")
		succ, err := db.EndPairing(ctx, env.Comm1, first.ID, store.Ending{On: handover, Reason: "志愿者搬去子女家", SuccessorID: env.Vol3.ID})
		if err != nil {
			t.Fatal(err)
		}
		if succ == nil || !succ.StartedOn.Equal(handover) || !succ.Responsible || succ.PredecessorID == nil || *succ.PredecessorID != first.ID {
			t.Fatalf("the successor starts on the hand-over day as responsible person: %+v", succ)
		}
		team := env.team(t, e4.ID)
		if len(team) != 2 {
			t.Fatalf("team: %+v", team)
		}
		now, past := team[0], team[1]
		if now.Name != env.Vol3.Name || now.Predecessor != env.Vol1.Name || past.Successor != env.Vol3.Name ||
			past.EndedOn == nil || !past.EndedOn.Equal(handover) || past.EndReason != "志愿者搬去子女家" || past.NeedsSuccessor {
			t.Fatalf("the history shows the hand-over: %+v / %+v", now, past)
		}
		if n, who := currentResponsible(team); n != 1 || who != env.Vol3.Name {
			t.Fatalf("responsible after relay: %d %s", n, who)
		}
		if _, err := db.EndPairing(ctx, env.Comm1, first.ID, store.Ending{Reason: "again"}); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("ending twice: %v", err)
		}
		if _, err := db.GetElder(ctx, env.Volunteer, e4.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatal("the leaver no longer sees the elder")
		}
		if hs, _ := db.Handovers(ctx, env.Comm1, 0); len(hs) != 0 {
			t.Fatalf("a relay leaves nothing waiting: %+v", hs)
		}
	})
}

func TestLeavingVolunteerHandsOverOrWaits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		p2 := &store.Pairing{ElderID: env.Elder2.ID, VolunteerID: env.Vol1.ID}
		if err := db.CreatePairing(ctx, env.Comm1, p2); err != nil {
			t.Fatal(err)
		}
		p1 := env.team(t, env.Elder1.ID)[0]
		_, _, err := db.LeaveProgramme(ctx, env.Comm1, env.Vol1.ID, store.Leaving{Reason: "", Handovers: map[int64]int64{p1.ID: env.Vol1.ID}})
		wantFields(t, err, "reason")
		_, _, err = db.LeaveProgramme(ctx, env.Comm1, env.Vol1.ID, store.Leaving{Reason: "随子女迁居外地", Handovers: map[int64]int64{p1.ID: env.Vol1.ID, 999999: env.Vol3.ID}})
		wantFields(t, err, "handovers.999999", fmt.Sprintf("handovers.%d.successor_id", p1.ID))
		if _, _, err := db.LeaveProgramme(ctx, env.Comm2, env.Vol1.ID, store.Leaving{Reason: "x"}); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community's volunteer: %v", err)
		}

		ended, succ, err := db.LeaveProgramme(ctx, env.Comm1, env.Vol1.ID, store.Leaving{Reason: "随子女迁居外地", Handovers: map[int64]int64{p1.ID: env.Vol3.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ended) != 2 || len(succ) != 1 || succ[0].ElderID != env.Elder1.ID {
			t.Fatalf("ended %+v, successors %+v", ended, succ)
		}
		v, _ := db.GetVolunteer(ctx, env.Station, env.Vol1.ID)
		if v.Status != "left" {
			t.Fatalf("the volunteer's status: %s", v.Status)
		}
		hs, err := db.Handovers(ctx, env.Comm1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 || hs[0].ElderID != env.Elder2.ID || !hs[0].NeedsSuccessor || hs[0].EndReason != "志愿者退出：随子女迁居外地" {
			t.Fatalf("the elder without successor waits for one (待接力): %+v", hs)
		}
		if hs, _ := db.Handovers(ctx, env.Comm2, 0); len(hs) != 0 {
			t.Fatal("another community does not see it")
		}
		if err := db.CloseHandover(ctx, env.Comm1, hs[0].ID, ""); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("closing needs a reason: %v", err)
		}
		if err := db.CloseHandover(ctx, env.Comm1, hs[0].ID, "女儿已回家照料"); err != nil {
			t.Fatal(err)
		}
		if hs, _ := db.Handovers(ctx, env.Comm1, 0); len(hs) != 0 {
			t.Fatalf("closed: %+v", hs)
		}
	})
}

// TestLeftByEditIsListed: a volunteer set to "left" on the edit form still
// holds their pairings; they are listed as needing a successor, not lost.
func TestLeftByEditIsListed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		v := env.Vol1
		v.Status = "left"
		if err := db.UpdateVolunteer(ctx, env.Comm1, &v); err != nil {
			t.Fatal(err)
		}
		hs, err := db.Handovers(ctx, env.Station, env.C1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 || hs[0].EndedOn != nil || hs[0].VolunteerStatus != "left" || hs[0].ElderName != env.Elder1.Name {
			t.Fatalf("current pairing of a volunteer who left: %+v", hs)
		}
		succ, err := db.EndPairing(ctx, env.Comm1, hs[0].ID, store.Ending{Reason: "志愿者退出", SuccessorID: env.Vol3.ID})
		if err != nil || succ == nil {
			t.Fatal(err)
		}
		if hs, _ := db.Handovers(ctx, env.Comm1, 0); len(hs) != 0 {
			t.Fatalf("handed over: %+v", hs)
		}
	})
}

func TestVolunteerPairingsAreScoped(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		mine, err := db.VolunteerPairings(ctx, env.Volunteer, env.Vol1.ID)
		if err != nil || len(mine) != 1 || mine[0].ElderName != env.Elder1.Name {
			t.Fatalf("a volunteer's own elders: %v %+v", err, mine)
		}
		if _, err := db.VolunteerPairings(ctx, env.Volunteer, env.Vol3.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another volunteer's list: %v", err)
		}
		if _, err := db.VolunteerPairings(ctx, env.Comm2, env.Vol1.ID); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("another community's volunteer: %v", err)
		}
		if _, err := db.VolunteerPairings(ctx, env.Viewer, env.Vol1.ID); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("viewer: %v", err)
		}
		p, _ := db.GetPairing(ctx, env.Comm1, mine[0].ID)
		if _, err := db.GetPairing(ctx, env.Volunteer, p.ID); err != nil {
			t.Fatalf("a volunteer sees their own pairing: %v", err)
		}
	})
}

func TestAssignSuccessorAfterwards(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := newPairingEnv(t, db)
		ctx := context.Background()
		ended, _, err := db.LeaveProgramme(ctx, env.Comm1, env.Vol1.ID, store.Leaving{Reason: "身体原因"})
		if err != nil || len(ended) != 1 || !ended[0].NeedsSuccessor {
			t.Fatalf("leave: %v %+v", err, ended)
		}
		_, err = db.AssignSuccessor(ctx, env.Comm1, ended[0].ID, env.Vol1.ID, time.Time{})
		wantFields(t, err, "successor_id") // the leaver is no longer active
		succ, err := db.AssignSuccessor(ctx, env.Comm1, ended[0].ID, env.Vol3.ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !succ.Responsible || *succ.PredecessorID != ended[0].ID {
			t.Fatalf("the successor inherits the role and links back: %+v", succ)
		}
		if hs, _ := db.Handovers(ctx, env.Comm1, 0); len(hs) != 0 {
			t.Fatalf("no longer waiting: %+v", hs)
		}
		if _, err := db.AssignSuccessor(ctx, env.Comm1, ended[0].ID, env.Vol3.ID, time.Time{}); care.ErrorCode(err) != care.EConflict {
			t.Fatalf("a second successor: %v", err)
		}
	})
}
