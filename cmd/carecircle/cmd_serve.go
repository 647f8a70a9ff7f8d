package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/demo"
	"carecircle/internal/gctune"
	"carecircle/internal/notify"
	"carecircle/internal/outbox"
	"carecircle/internal/ratelimit"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
	"carecircle/internal/web"
)

// Login throttling: failures per username before delays start, and the
// longest delay (internal/ratelimit).
const (
	loginLimit    = 10
	loginMaxDelay = 15 * time.Minute
)

// DefaultDemoPassword is the password of the demo accounts unless one is
// given; it exists only for demo data, never for a real administrator.
const DefaultDemoPassword = "carecircle-demo"

func cmdServe(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	db.mayCreateKey = true
	addr := fs.String("addr", "127.0.0.1:8080", "listen address HOST:PORT")
	withDemo := fs.Bool("demo", false, "fill the demo street when the database is empty and print the demo accounts")
	demoPassword := fs.String("demo-password", DefaultDemoPassword, "password of the demo accounts (with --demo)")
	geoRadius := fs.Int("geo-radius", store.GeoRadiusDefault, "metres within which a phone's position verifies a visit")
	lateEntry := fs.Int("late-entry-hours", int(care.DefaultLateEntry/time.Hour), "how many hours back a volunteer may log a service; older ones are entered by community staff from the paper card")
	trackCfg := tracker.DefaultConfig()
	httpsProxy := fs.Bool("https-proxy", false, "the server is reached only through a proxy that terminates TLS: cookies are Secure and answers carry Strict-Transport-Security")
	fs.IntVar(&trackCfg.AlertHour, "alert-hour", trackCfg.AlertHour, "hour (0-23, Asia/Shanghai) from which an elder living alone not greeted that day raises an alert")
	reminderTime := fs.String("reminder-time", "09:00", "local time (HH:MM, Asia/Shanghai) from which the day's reminders are sent (README \"Reminders\")")
	var notifyCfg notifyFlags
	notifyCfg.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := notifyCfg.check(); err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 2
	}
	if err := trackCfg.Validate(); err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve: --alert-hour must be between 0 and 23")
		return 2
	}
	remindAt, err := parseClock(*reminderTime)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve: --reminder-time must be HH:MM, e.g. 09:00")
		return 2
	}
	if *geoRadius < 10 || *geoRadius > 5000 {
		fmt.Fprintln(e.stderr, "carecircle serve: --geo-radius must be between 10 and 5000 metres")
		return 2
	}
	if *lateEntry < 1 || *lateEntry > 24*366 {
		fmt.Fprintln(e.stderr, "carecircle serve: --late-entry-hours must be between 1 and 8784")
		return 2
	}
	senders, err := notifyCfg.senders()
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	defer gctune.Server()()
	release, err := lockServe(db.dsn)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 1
	}
	defer release()
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 1
	}
	defer st.Close()
	st.GeoRadius = *geoRadius
	st.LateEntry = time.Duration(*lateEntry) * time.Hour
	st.AlertHour = trackCfg.AlertHour
	if *withDemo {
		if err := fillDemo(ctx, e, st, *demoPassword); err != nil {
			fmt.Fprintln(e.stderr, "carecircle serve: demo:", err)
			return 1
		}
	} else if n, err := st.CountAdmins(ctx); err == nil && n == 0 {
		fmt.Fprintf(e.stdout, "No administrator yet. Create one:\n  carecircle user add --db %s --username admin --role admin\n", db.dsn)
	}
	go func() {
		if _, err := st.RefreshPriorities(ctx); err != nil {
			log.Error("refresh priorities", "err", err)
		}
		refreshDaily(ctx, st, log)
	}()
	trackCfg.Log = log
	tr, err := tracker.New(st, trackCfg)
	if err == nil {
		// The compliance state of every street loads in the background:
		// the server answers (its health check at once) while it does, and
		// compliance answers wait for their street's state.
		err = tr.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve: compliance:", err)
		return 1
	}
	tr.RaiseOnStart(ctx)             // a start after the alert hour raises the day's alerts
	tr.StartReminders(ctx, remindAt) // on the server leading "reminders"

	handler, err := newHandler(st, log, tr, *httpsProxy)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 1
	}
	outboxDone := startOutbox(ctx, st, senders, log)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	fmt.Fprintf(e.stdout, "CareCircle is listening on http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(e.stderr, "carecircle serve:", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(e.stderr, "carecircle serve: shutdown:", err)
	}
	tr.Wait() // the compliance work ends before the store closes
	<-outboxDone
	return 0
}

// startOutbox runs this server's outbox worker until ctx ends (every
// server runs one; on PostgreSQL they share the outbox) and says which
// channels wait for want of a sender. The channel it returns closes when
// the worker has stopped.
func startOutbox(ctx context.Context, st *store.DB, senders map[notify.Channel]outbox.Sender, log *slog.Logger) <-chan struct{} {
	w := outbox.New(st, senders, outbox.Config{Log: log})
	log.Info("notifications", "channels", w.Channels())
	if pending, err := st.OutboxPending(ctx); err == nil {
		for _, ch := range []notify.Channel{notify.ChannelSMS, notify.ChannelEmail} {
			if senders[ch] == nil && pending[ch] > 0 {
				log.Warn("notifications wait in the outbox: no channel configured (serve --notify-webhook, --smtp)", "channel", ch, "pending", pending[ch])
			}
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return done
}

// newHandler wires the web UI, the JSON API and the health check behind
// the security headers; httpsProxy is serve --https-proxy.
func newHandler(st *store.DB, log *slog.Logger, tr *tracker.Tracker, httpsProxy bool) (http.Handler, error) {
	limiter := ratelimit.NewWithStore(loginLimit, loginMaxDelay, st)
	ui, err := web.New(st, log, limiter)
	if err != nil {
		return nil, err
	}
	ui.SetTracker(tr)
	ui.SetHTTPSProxy(httpsProxy)
	apiServer := api.New(st, log, limiter)
	apiServer.SetTracker(tr)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("/api/v1/", apiServer)
	mux.Handle("/", ui)
	return securityHeaders(mux, httpsProxy), nil
}

// refreshDaily recomputes priorities after midnight, when elders turn 80,
// and forgets idempotency keys older than a week.
func refreshDaily(ctx context.Context, st *store.DB, log *slog.Logger) {
	for {
		now := st.Now().In(st.Loc)
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 5, 0, 0, st.Loc)
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
		if _, err := st.RefreshPriorities(ctx); err != nil {
			log.Error("refresh priorities", "err", err)
		}
		if _, err := st.PurgeAttempts(ctx); err != nil {
			log.Error("purge idempotency keys", "err", err)
		}
		if err := st.PurgeLogins(ctx, ratelimit.Forget); err != nil {
			log.Error("purge login attempts", "err", err)
		}
		if err := st.PurgeImportJobs(ctx); err != nil {
			log.Error("purge import jobs", "err", err)
		}
	}
}

func fillDemo(ctx context.Context, e env, st *store.DB, password string) error {
	empty, err := demo.IsEmpty(ctx, st)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(e.stdout, "The database already holds data; the demo street is not added again.")
		return nil
	}
	start := time.Now()
	accounts, err := demo.Fill(ctx, st, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Demo street filled in %.1fs. Demo accounts (password: %s):\n", time.Since(start).Seconds(), password)
	for _, a := range accounts {
		fmt.Fprintf(e.stdout, "  %-12s %-10s %s\n", a.Username, a.Role, a.Description)
	}
	return nil
}

func cmdDemo(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	db.mayCreateKey = true
	password := fs.String("password", DefaultDemoPassword, "password of every demo account")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle demo:", err)
		return 1
	}
	defer st.Close()
	empty, err := demo.IsEmpty(ctx, st)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle demo:", err)
		return 1
	}
	if !empty {
		fmt.Fprintln(e.stderr, "carecircle demo: the database is not empty; the demo street goes only into an empty database")
		return 1
	}
	if err := fillDemo(ctx, e, st, *password); err != nil {
		fmt.Fprintln(e.stderr, "carecircle demo:", err)
		return 1
	}
	return 0
}

func cmdMigrate(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	db.mayCreateKey = true
	if err := fs.Parse(args); err != nil {
		return 2
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle migrate:", err)
		return 1
	}
	st.Close()
	fmt.Fprintln(e.stdout, "schema is up to date")
	return 0
}

// parseClock reads a local time of day HH:MM as the time since midnight.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
