package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

func inboxMsg(id string, to care.Actor, text string) notify.Message {
	return notify.Message{ID: id, Kind: notify.KindReminder, Channel: notify.ChannelInbox, To: notify.Recipient{UserID: to.UserID, Name: to.Username}, Text: text}
}

// TestEnqueueJoinsTheEventTransaction: a message written with an event
// that rolls back does not exist; with one that commits it does, once,
// however often the event's messages are written.
func TestEnqueueJoinsTheEventTransaction(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		sms := notify.Message{ID: notify.EventID("test", 1), Kind: notify.KindMissedGreeting, Channel: notify.ChannelSMS,
			To: notify.Recipient{Name: "张伟", Phone: "13900000000"}, Text: "王秀英今天还没有被问候", ElderID: f.Elder1.ID}
		raised := func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE elders SET notes = 'event' WHERE id = "+itoa(f.Elder1.ID))
			return err
		}
		boom := errors.New("the event failed after its messages were written")
		if err := db.WithEvent(ctx, raised, boom, sms, inboxMsg("in-1", f.Comm1, "x")); !errors.Is(err, boom) {
			t.Fatalf("want the event's error, got %v", err)
		}
		for _, id := range []string{sms.ID, "in-1"} {
			if _, err := db.GetOutboxMessage(ctx, id); care.ErrorCode(err) != care.ENotFound {
				t.Fatalf("a rolled-back event left message %s: %v", id, err)
			}
		}
		if n, _ := db.UnreadCount(ctx, f.Comm1); n != 0 {
			t.Fatalf("unread after a rollback: %d", n)
		}
		for range 2 { // the second time changes nothing
			if err := db.WithEvent(ctx, raised, nil, sms, inboxMsg("in-1", f.Comm1, "x")); err != nil {
				t.Fatal(err)
			}
		}
		m, err := db.GetOutboxMessage(ctx, sms.ID)
		if err != nil || m.Status != notify.StatusPending || m.Attempts != 0 || m.ElderID != f.Elder1.ID || !m.NextAttemptAt.Equal(db.Now()) {
			t.Fatalf("committed sms: %+v %v", m, err)
		}
		in, err := db.GetOutboxMessage(ctx, "in-1")
		if err != nil || in.Status != notify.StatusDelivered || in.DeliveredAt.IsZero() {
			t.Fatalf("an inbox message is delivered when written: %+v %v", in, err)
		}
		if n, _ := db.UnreadCount(ctx, f.Comm1); n != 1 {
			t.Fatalf("unread: %d", n)
		}
		// An invalid message fails the whole transaction.
		bad := sms
		bad.ID, bad.To.Phone = "bad", ""
		if err := db.WithEvent(ctx, raised, nil, inboxMsg("in-2", f.Comm1, "y"), bad); care.ErrorCode(err) != care.EInvalid {
			t.Fatalf("invalid message: %v", err)
		}
		if _, err := db.GetOutboxMessage(ctx, "in-2"); care.ErrorCode(err) != care.ENotFound {
			t.Fatal("the valid message of a failed transaction was kept")
		}
	})
}

// TestInbox: a person sees only their own delivered messages, newest
// first, with the unread count; marking read is theirs alone.
func TestInbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		base := db.Now()
		for i, m := range []notify.Message{inboxMsg("a", f.Comm1, "第一条"), inboxMsg("b", f.Comm1, "第二条"), inboxMsg("c", f.Comm2, "别人的")} {
			m.CreatedAt = base.Add(time.Duration(i) * time.Minute)
			if err := db.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		later := inboxMsg("later", f.Comm1, "明天早上的提醒")
		later.NotBefore = base.Add(20 * time.Hour)
		if err := db.Enqueue(ctx, later); err != nil {
			t.Fatal(err)
		}
		items, unread, err := db.Inbox(ctx, f.Comm1, 0)
		if err != nil || unread != 2 || len(items) != 2 || items[0].ID != "b" || items[1].ID != "a" || items[0].ReadAt != nil {
			t.Fatalf("inbox: %+v unread %d %v", items, unread, err)
		}
		if err := db.MarkRead(ctx, f.Comm1, "c"); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("marking another's message: %v", err)
		}
		if err := db.MarkRead(ctx, f.Comm1, "later"); care.ErrorCode(err) != care.ENotFound {
			t.Fatalf("marking a message not yet delivered: %v", err)
		}
		for range 2 {
			if err := db.MarkRead(ctx, f.Comm1, "a"); err != nil {
				t.Fatal(err)
			}
		}
		items, unread, _ = db.Inbox(ctx, f.Comm1, 0)
		if unread != 1 || items[1].ReadAt == nil || !items[1].ReadAt.Equal(db.Now()) {
			t.Fatalf("after reading a: %+v %d", items, unread)
		}
		if n, _ := db.UnreadCount(ctx, f.Comm2); n != 1 {
			t.Fatalf("community 2's count: %d", n)
		}
		if n, err := db.MarkAllRead(ctx, f.Comm1); n != 1 || err != nil {
			t.Fatalf("mark all: %d %v", n, err)
		}
		if n, _ := db.UnreadCount(ctx, f.Comm1); n != 0 {
			t.Fatalf("after all read: %d", n)
		}
	})
}

// TestNotifySettings: settings are validated with every field named,
// saved per account, and turn an event into the right messages.
func TestNotifySettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		bad := notify.Settings{SMS: true, Mail: true, Email: "x@", QuietFrom: "22:00"}
		err := db.SaveNotifySettings(ctx, f.Comm1, &bad)
		var ce *care.Error
		if !errors.As(err, &ce) || len(ce.Fields) != 3 || ce.Fields["phone"].ZH == "" || ce.Fields["email"].ZH == "" || ce.Fields["quiet_to"].ZH == "" {
			t.Fatalf("want errors on phone, email and quiet_to: %v", err)
		}
		if s, _ := db.NotifySettings(ctx, f.Comm1.UserID); s != (notify.Settings{}) {
			t.Fatalf("a refused change was saved: %+v", s)
		}
		s := notify.Settings{Phone: "138-0013-8000", SMS: true, Email: "c1@example.com", QuietFrom: "22:00", QuietTo: "07:00"}
		if err := db.SaveNotifySettings(ctx, f.Comm1, &s); err != nil {
			t.Fatal(err)
		}
		s.Mail = true
		if err := db.SaveNotifySettings(ctx, f.Comm1, &s); err != nil {
			t.Fatal(err)
		}
		got, err := db.NotifySettings(ctx, f.Comm1.UserID)
		if err != nil || got != (notify.Settings{Phone: "13800138000", SMS: true, Mail: true, Email: "c1@example.com", QuietFrom: "22:00", QuietTo: "07:00"}) {
			t.Fatalf("saved: %+v %v", got, err)
		}
		users := []care.User{{ID: f.Comm1.UserID, Username: "c1"}, {ID: f.Comm2.UserID, Username: "c2", DisplayName: "安康社区值班"}}
		night := time.Date(2026, 11, 29, 23, 0, 0, 0, db.Loc)
		msgs, err := db.MessagesFor(ctx, notify.Message{ID: "ev", Kind: notify.KindReminder, Text: "提醒", CreatedAt: night}, users)
		if err != nil || len(msgs) != 4 {
			t.Fatalf("c1: inbox, sms, e-mail; c2: inbox: %+v %v", msgs, err)
		}
		for _, m := range msgs {
			wantWait := m.Channel != notify.ChannelInbox
			if waits := m.NotBefore.Equal(time.Date(2026, 11, 30, 7, 0, 0, 0, db.Loc)); waits != wantWait {
				t.Errorf("%s to %s: not before %v", m.Channel, m.To.Name, m.NotBefore)
			}
			if m.To.UserID == f.Comm2.UserID && m.To.Name != "安康社区值班" {
				t.Errorf("the display name is the recipient's name: %q", m.To.Name)
			}
		}
		if err := db.SaveNotifySettings(ctx, care.Actor{Role: care.RoleAdmin}, &notify.Settings{}); care.ErrorCode(err) != care.EForbidden {
			t.Fatalf("an actor without an account: %v", err)
		}
	})
}
