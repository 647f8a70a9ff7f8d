package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestElderStatusReachesThePairings: a paused elder keeps the team and the
// volunteer is told, and told again when service resumes; an elder who
// died leaves service: the pairing ends that day without waiting for a
// successor, the volunteer's place is free and they are told — all with
// the status change, on both databases.
func TestElderStatusReachesThePairings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db)
		start, minutes := db.Now(), 0
		db.Now = func() time.Time { return start.Add(time.Duration(minutes) * time.Minute) }
		setStatus := func(status, reason string) {
			t.Helper()
			minutes++ // each change a minute later, so the inbox lists them in order
			e, err := db.GetElder(ctx, f.Comm1, f.Elder1.ID)
			if err != nil {
				t.Fatal(err)
			}
			e.Status = status
			if err := db.UpdateElder(ctx, f.Comm1, e, reason); err != nil {
				t.Fatalf("%s: %v", status, err)
			}
		}
		team := func() store.TeamMember {
			t.Helper()
			members, err := db.ElderTeam(ctx, f.Comm1, f.Elder1.ID)
			if err != nil || len(members) != 1 {
				t.Fatalf("team: %+v %v", members, err)
			}
			return members[0]
		}
		inbox := func(want int, says string) {
			t.Helper()
			items, unread, err := db.Inbox(ctx, f.Volunteer, 0)
			if err != nil || len(items) != want || unread != want || !strings.Contains(items[0].Text, says) ||
				!strings.Contains(items[0].Text, f.Elder1.Name) || items[0].ElderID != f.Elder1.ID {
				t.Fatalf("the volunteer's inbox (want %d, the newest saying %q): %+v %d %v", want, says, items, unread, err)
			}
		}

		setStatus("paused", "住院治疗")
		if m := team(); m.EndedOn != nil {
			t.Fatalf("a pause ended the pairing: %+v", m)
		}
		inbox(1, "暂停服务（住院治疗）")
		setStatus("active", "出院回家")
		inbox(2, "已恢复服务")

		setStatus("deceased", "2026年11月病故")
		m := team()
		if m.EndedOn == nil || !m.EndedOn.Equal(storetest.Day(db.Now().In(db.Loc).Format("2006-01-02"))) || m.NeedsSuccessor ||
			!strings.Contains(m.EndReason, "已故") || !strings.Contains(m.EndReason, "2026年11月病故") {
			t.Fatalf("the pairing of an elder who died: %+v", m.Pairing)
		}
		inbox(3, "不必再去问候")
		// Another change of a status out of service tells nobody twice.
		setStatus("moved", "更正：迁往外地")
		inbox(3, "不必再去问候")
	})
}
