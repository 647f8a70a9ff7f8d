package outbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/notify"
	"carecircle/internal/outbox"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// clock is the store's clock in these tests: retries and leases are
// waited for by moving it, not by sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func useClock(db *store.DB) *clock {
	c := &clock{t: db.Now()}
	db.Now = c.Now
	return c
}

var secret = []byte("s3cret-key")

// gateway is an SMS gateway's webhook that fails on purpose: the first
// fail calls answer 503 (or hang past the timeout when slow), then 200.
type gateway struct {
	t      *testing.T
	mu     sync.Mutex
	fail   int
	slow   time.Duration
	bodies map[string][]string // id -> every body received
	ok     map[string]int      // id -> 2xx answers
	srv    *httptest.Server
}

func newGateway(t *testing.T, fail int) *gateway {
	g := &gateway{t: t, fail: fail, bodies: map[string][]string{}, ok: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		g.t.Errorf("want a JSON POST: %s %q", r.Method, r.Header.Get("Content-Type"))
	}
	if !notify.Verify(secret, body, r.Header.Get("X-CareCircle-Signature")) {
		g.t.Errorf("bad signature %q for %s", r.Header.Get("X-CareCircle-Signature"), body)
	}
	var b notify.WebhookBody
	if err := json.Unmarshal(body, &b); err != nil {
		g.t.Errorf("body: %v", err)
	}
	g.mu.Lock()
	g.bodies[b.ID] = append(g.bodies[b.ID], string(body))
	failing := g.fail > 0
	if failing {
		g.fail--
	}
	slow := g.slow
	if !failing {
		g.ok[b.ID]++
	}
	g.mu.Unlock()
	if failing && slow > 0 {
		time.Sleep(slow)
		return
	}
	if failing {
		http.Error(w, "gateway busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (g *gateway) counts() (bodies map[string][]string, ok map[string]int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	bodies, ok = map[string][]string{}, map[string]int{}
	for k, v := range g.bodies {
		bodies[k] = append([]string(nil), v...)
	}
	for k, v := range g.ok {
		ok[k] = v
	}
	return bodies, ok
}

func smsTo(id string, elder int64, kind notify.Kind) notify.Message {
	return notify.Message{ID: id, Kind: kind, Channel: notify.ChannelSMS, To: notify.Recipient{Name: "张伟", Phone: "13900000000"},
		Text: "王秀英今天还没有被问候，请联系", ElderID: elder}
}

func worker(db *store.DB, senders map[notify.Channel]outbox.Sender, owner string) *outbox.Worker {
	return outbox.New(db, senders, outbox.Config{Owner: owner, Batch: 7, BackoffBase: time.Second, BackoffCap: 4 * time.Second})
}

func get(t *testing.T, db *store.DB, id string) *store.OutboxMessage {
	t.Helper()
	m, err := db.GetOutboxMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWebhookRetriedUntilDelivered: a gateway failing three times gets the
// message four times, with the same id and the same signed bytes, and it
// is delivered once the gateway answers 200; the contract's body.
func TestWebhookRetriedUntilDelivered(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		g := newGateway(t, 3)
		w := worker(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: outbox.NewWebhook(g.srv.URL, secret, 0)}, "w1")
		m := smsTo(notify.EventID("alert", 1, "family"), f.Elder1.ID, notify.KindEscalation)
		if err := db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			if n, err := w.RunOnce(ctx); n != 1 || err != nil {
				t.Fatalf("attempt %d: claimed %d, %v", i, n, err)
			}
			got := get(t, db, m.ID)
			if got.Status != notify.StatusPending || got.Attempts != i || !strings.Contains(got.LastError, "503") || !got.NextAttemptAt.After(clk.Now()) || got.LeaseOwner != "" {
				t.Fatalf("after failure %d: %+v", i, got)
			}
			if n, _ := w.RunOnce(ctx); n != 0 {
				t.Fatal("retried before its backoff")
			}
			clk.Add(5 * time.Second)
		}
		if n, err := w.RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("last attempt: %d %v", n, err)
		}
		got := get(t, db, m.ID)
		if got.Status != notify.StatusDelivered || got.Attempts != 4 || got.LastError != "" || !got.DeliveredAt.Equal(clk.Now()) {
			t.Fatalf("delivered: %+v", got)
		}
		bodies, ok := g.counts()
		if len(bodies) != 1 || len(bodies[m.ID]) != 4 || ok[m.ID] != 1 {
			t.Fatalf("want 4 posts of one id, 1 answered: %v %v", bodies, ok)
		}
		for _, b := range bodies[m.ID] {
			if b != bodies[m.ID][0] {
				t.Fatalf("a retry sent other bytes:\n%s\n%s", b, bodies[m.ID][0])
			}
		}
		var body map[string]any
		json.Unmarshal([]byte(bodies[m.ID][0]), &body)
		to, _ := body["to"].(map[string]any)
		if body["id"] != m.ID || body["channel"] != "sms" || body["kind"] != "escalation" || to["name"] != "张伟" || to["phone"] != "13900000000" ||
			body["text"] != m.Text || body["elder_id"] != float64(f.Elder1.ID) || body["created_at"] != "2026-11-29T02:00:00Z" || len(body) != 7 {
			t.Fatalf("the contract's body: %s", bodies[m.ID][0])
		}
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatal("a delivered message was claimed again")
		}
	})
}

// TestWebhookTimeoutIsAFailure: a gateway that does not answer within the
// timeout (5 s; 100 ms here) counts as failed and is retried.
func TestWebhookTimeoutIsAFailure(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		g := newGateway(t, 1)
		g.slow = 600 * time.Millisecond
		w := worker(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: outbox.NewWebhook(g.srv.URL, secret, 100*time.Millisecond)}, "w1")
		m := smsTo("slow-1", 0, notify.KindReminder)
		if err := db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		w.RunOnce(ctx)
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Fatalf("the worker waited %v for a slow gateway", d)
		}
		got := get(t, db, m.ID)
		if got.Status != notify.StatusPending || got.Attempts != 1 || !strings.Contains(got.LastError, "Timeout") {
			t.Fatalf("after a timeout: %+v", got)
		}
		clk.Add(5 * time.Second)
		w.RunOnce(ctx)
		if got := get(t, db, m.ID); got.Status != notify.StatusDelivered || got.Attempts != 2 {
			t.Fatalf("after the gateway recovered: %+v", got)
		}
		if d := outbox.WebhookTimeout; d != 5*time.Second {
			t.Fatalf("the contract's timeout is 5 s, not %v", d)
		}
	})
}

// TestTwoWorkersDeliverEachOnce: two servers (two store handles on one
// PostgreSQL schema) working the same outbox at once deliver each of many
// messages exactly once.
func TestTwoWorkersDeliverEachOnce(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	db1, db2 := storetest.Open(t, dsn), storetest.Open(t, dsn)
	ctx := context.Background()
	g := newGateway(t, 0)
	const n = 300
	var msgs []notify.Message
	for i := range n {
		msgs = append(msgs, smsTo(notify.EventID("two", i), 0, notify.KindReminder))
	}
	if err := db1.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	claimed := make([]int, 2)
	for i, db := range []*store.DB{db1, db2} {
		w := worker(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: outbox.NewWebhook(g.srv.URL, secret, 0)}, "server"+string(rune('A'+i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, err := w.RunOnce(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if k == 0 {
					return
				}
				claimed[i] += k
			}
		}()
	}
	wg.Wait()
	bodies, ok := g.counts()
	if len(ok) != n {
		t.Fatalf("%d of %d messages delivered", len(ok), n)
	}
	for id, k := range ok {
		if k != 1 || len(bodies[id]) != 1 {
			t.Errorf("message %s posted %d times", id, len(bodies[id]))
		}
	}
	if claimed[0]+claimed[1] != n {
		t.Errorf("claims %v add up to %d, want %d", claimed, claimed[0]+claimed[1], n)
	}
	t.Logf("server A delivered %d, server B %d", claimed[0], claimed[1])
	pending, _ := db2.OutboxPending(ctx)
	if pending[notify.ChannelSMS] != 0 {
		t.Fatalf("pending: %v", pending)
	}
}

// TestLeaseOfAKilledWorkerRecovered: messages a worker claimed before it
// died wait for its lease to run out, then another worker delivers them;
// the dead worker's late word changes nothing.
func TestLeaseOfAKilledWorkerRecovered(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		g := newGateway(t, 0)
		if err := db.Enqueue(ctx, smsTo("k-1", 0, notify.KindReminder), smsTo("k-2", 0, notify.KindReminder)); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimOutbox(ctx, "killed", []notify.Channel{notify.ChannelSMS}, 10, time.Minute)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("the dead worker's claim: %v %v", claimed, err)
		}
		w := worker(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: outbox.NewWebhook(g.srv.URL, secret, 0)}, "alive")
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatal("a leased message was claimed again")
		}
		clk.Add(time.Minute)
		if n, _ := w.RunOnce(ctx); n != 2 {
			t.Fatalf("after the lease ran out: claimed %d", n)
		}
		for _, id := range []string{"k-1", "k-2"} {
			if m := get(t, db, id); m.Status != notify.StatusDelivered || m.Attempts != 2 {
				t.Fatalf("%s: %+v", id, m)
			}
		}
		if ok, err := db.OutboxDelivered(ctx, "killed", "k-1"); ok || err != nil {
			t.Fatalf("the dead worker's late word was taken: %v %v", ok, err)
		}
		if _, ok := g.counts(); len(ok) != 2 {
			t.Fatalf("delivered: %v", ok)
		}
	})
}

// TestQuietHoursDelayAReminderNotAnEmergency: at 23:00 with quiet hours
// 22:00–07:00 an emergency SMS goes out at once, a reminder at 07:00; both
// are in the inbox at once.
func TestQuietHoursDelayAReminderNotAnEmergency(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		clk.Add(13 * time.Hour) // 2026-11-29 23:00
		s := notify.Settings{Phone: "13800138000", SMS: true, QuietFrom: "22:00", QuietTo: "07:00"}
		if err := db.SaveNotifySettings(ctx, f.Comm1, &s); err != nil {
			t.Fatal(err)
		}
		users := []care.User{{ID: f.Comm1.UserID, Username: "c1"}}
		var all []notify.Message
		for _, kind := range []notify.Kind{notify.KindReminder, notify.KindEmergency} {
			msgs, err := db.MessagesFor(ctx, notify.Message{ID: "ev-" + string(kind), Kind: kind, Text: string(kind), ElderID: f.Elder1.ID, CreatedAt: clk.Now()}, users)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, msgs...)
		}
		if err := db.Enqueue(ctx, all...); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.UnreadCount(ctx, f.Comm1); n != 2 {
			t.Fatalf("the inbox does not wait: %d", n)
		}
		g := newGateway(t, 0)
		w := worker(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: outbox.NewWebhook(g.srv.URL, secret, 0)}, "w")
		w.RunOnce(ctx)
		bodies, _ := g.counts()
		if len(bodies) != 1 || !strings.Contains(strings.Join(flat(bodies), ""), `"kind":"emergency"`) {
			t.Fatalf("at 23:00 only the emergency: %v", bodies)
		}
		clk.Add(7*time.Hour + 59*time.Minute) // 06:59
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatal("the reminder went before quiet hours ended")
		}
		clk.Add(time.Minute)
		w.RunOnce(ctx)
		if bodies, _ := g.counts(); len(bodies) != 2 {
			t.Fatalf("at 07:00 the reminder: %v", bodies)
		}
	})
}

func flat(m map[string][]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v...)
	}
	return out
}

// TestWithoutAWebhookSMSWaits: a server without --notify-webhook leaves
// SMS pending (counted, never lost) and still delivers the inbox,
// including an inbox message scheduled for later.
func TestWithoutAWebhookSMSWaits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		later := notify.Message{ID: "in-later", Kind: notify.KindReminder, Channel: notify.ChannelInbox, To: notify.Recipient{UserID: f.Comm1.UserID},
			Text: "明天的提醒", NotBefore: clk.Now().Add(time.Hour)}
		if err := db.Enqueue(ctx, smsTo("s-1", 0, notify.KindReminder), later); err != nil {
			t.Fatal(err)
		}
		w := worker(db, nil, "w")
		if n, _ := db.UnreadCount(ctx, f.Comm1); n != 0 {
			t.Fatal("a scheduled inbox message showed early")
		}
		clk.Add(time.Hour)
		if n, _ := w.RunOnce(ctx); n != 1 {
			t.Fatalf("the worker delivers the scheduled inbox message only: %d", n)
		}
		if n, _ := db.UnreadCount(ctx, f.Comm1); n != 1 {
			t.Fatal("the scheduled inbox message is not delivered")
		}
		pending, err := db.OutboxPending(ctx)
		if err != nil || pending[notify.ChannelSMS] != 1 || len(pending) != 1 {
			t.Fatalf("pending: %v %v", pending, err)
		}
		if m := get(t, db, "s-1"); m.Attempts != 0 {
			t.Fatalf("an SMS was claimed by a worker without a gateway: %+v", m)
		}
	})
}

// smtpServer is a minimal SMTP server in the test process: enough of RFC
// 5321 for net/smtp, refusing the recipients in reject with 550.
type smtpServer struct {
	ln     net.Listener
	reject string
	mu     sync.Mutex
	mails  []received
}

type received struct{ from, to, data string }

func startSMTP(t *testing.T, reject string) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, reject: reject}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test.local ESMTP")
	var m received
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-test.local")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "HELO"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
			say("250 ok")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = received{from: strings.TrimSpace(line[len("MAIL FROM:"):])}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.to = strings.TrimSpace(line[len("RCPT TO:"):])
			if s.reject != "" && strings.Contains(m.to, s.reject) {
				say("550 5.1.1 no such mailbox")
				continue
			}
			say("250 ok")
		case cmd == "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = data.String()
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mails...)
}

// TestSMTP: e-mail goes through an SMTP relay (one started here); an
// address the relay refuses for good (550) is marked failed, a relay that
// is down is retried.
func TestSMTP(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		srv := startSMTP(t, "nobody@")
		w := worker(db, map[notify.Channel]outbox.Sender{notify.ChannelEmail: &outbox.SMTP{Addr: srv.ln.Addr().String(), From: "care@example.com"}}, "w")
		mail := func(id, to string) notify.Message {
			return notify.Message{ID: id, Kind: notify.KindMissedGreeting, Channel: notify.ChannelEmail, To: notify.Recipient{UserID: f.Comm1.UserID, Name: "幸福社区 值班", Email: to},
				Text: "王秀英（1栋2单元301）今天还没有被问候。", ElderID: f.Elder1.ID}
		}
		if err := db.Enqueue(ctx, mail("e-1", "duty@example.com"), mail("e-2", "nobody@example.com")); err != nil {
			t.Fatal(err)
		}
		w.RunOnce(ctx)
		got := srv.received()
		if len(got) != 1 || !strings.HasPrefix(got[0].from, "<care@example.com>") || got[0].to != "<duty@example.com>" ||
			!strings.Contains(got[0].data, "Message-ID: <e-1@carecircle.invalid>") || !strings.Contains(got[0].data, "Subject: =?UTF-8?") {
			t.Fatalf("received: %+v", got)
		}
		if m := get(t, db, "e-1"); m.Status != notify.StatusDelivered {
			t.Fatalf("e-1: %+v", m)
		}
		if m := get(t, db, "e-2"); m.Status != notify.StatusFailed || !strings.Contains(m.LastError, "550") {
			t.Fatalf("a refused address is failed for good: %+v", m)
		}
		// The relay goes down: retried later, not failed.
		addr := srv.ln.Addr().String()
		srv.ln.Close()
		if err := db.Enqueue(ctx, mail("e-3", "duty@example.com")); err != nil {
			t.Fatal(err)
		}
		w.RunOnce(ctx)
		if m := get(t, db, "e-3"); m.Status != notify.StatusPending || m.Attempts != 1 || m.LastError == "" {
			t.Fatalf("relay down: %+v", m)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("the relay's port was taken meanwhile: %v", err)
		}
		back := &smtpServer{ln: ln}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go back.serve(c)
			}
		}()
		defer ln.Close()
		clk.Add(5 * time.Second)
		w.RunOnce(ctx)
		if m := get(t, db, "e-3"); m.Status != notify.StatusDelivered || len(back.received()) != 1 {
			t.Fatalf("relay back: %+v", m)
		}
	})
}

// slowSender takes a minute of the store's clock per message.
type slowSender struct {
	clk  *clock
	sent []string
}

func (s *slowSender) Send(_ context.Context, m notify.Message) error {
	s.clk.Add(time.Minute + time.Second)
	s.sent = append(s.sent, m.ID)
	return nil
}

// TestSlowBatchHandedBack: when slow deliveries have eaten half of a
// claim's lease, the rest of the batch is handed back at once rather than
// sent under a lease about to run out.
func TestSlowBatchHandedBack(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		storetest.Seed(t, db)
		ctx := context.Background()
		clk := useClock(db)
		s := &slowSender{clk: clk}
		w := outbox.New(db, map[notify.Channel]outbox.Sender{notify.ChannelSMS: s}, outbox.Config{Owner: "w", Lease: 2 * time.Minute})
		if err := db.Enqueue(ctx, smsTo("s-1", 0, notify.KindReminder), smsTo("s-2", 0, notify.KindReminder)); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.RunOnce(ctx); n != 2 || len(s.sent) != 1 {
			t.Fatalf("claimed %d, sent %v", n, s.sent)
		}
		rest := "s-2"
		if s.sent[0] == "s-2" {
			rest = "s-1"
		}
		if m := get(t, db, rest); m.Status != notify.StatusPending || m.LeaseOwner != "" || m.NextAttemptAt.After(clk.Now()) {
			t.Fatalf("handed back for the next claim: %+v", m)
		}
		w.RunOnce(ctx)
		if len(s.sent) != 2 {
			t.Fatalf("sent %v", s.sent)
		}
	})
}
