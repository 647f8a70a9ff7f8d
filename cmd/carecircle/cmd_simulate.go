package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"carecircle/internal/notify"
	"carecircle/internal/simulate"
)

// cmdSimulate runs `carecircle simulate`: a street run through accelerated
// days on a temporary database (internal/simulate), its figures printed
// per day and in total, or as the contract's JSON with --json.
func cmdSimulate(ctx context.Context, e env, args []string) int {
	cfg := simulate.Defaults()
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.IntVar(&cfg.Elders, "elders", cfg.Elders, "elders on the simulated street")
	fs.IntVar(&cfg.Days, "days", cfg.Days, "days to simulate")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of every random choice: the same seed gives the same output")
	fs.Float64Var(&cfg.MissRate, "miss-rate", cfg.MissRate, "chance that an elder is not greeted on a day")
	fs.Float64Var(&cfg.WebhookFailureRate, "webhook-failure-rate", cfg.WebhookFailureRate, "chance that one SMS (or e-mail) delivery attempt fails")
	asJSON := fs.Bool("json", false, "print the totals as JSON")
	perDay := fs.Bool("per-day", false, "with --json, add the days' figures as per_day")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: carecircle simulate --elders N --days D --seed S [--miss-rate 0.05] [--webhook-failure-rate 0.2] [--json [--per-day]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "carecircle simulate: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "carecircle simulate: %v\n", err)
		fs.Usage()
		return 2
	}
	res, err := simulate.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "carecircle simulate: %s\n", strings.TrimPrefix(err.Error(), "simulate: "))
		return 1
	}
	if *asJSON {
		if !*perDay {
			res.PerDay = nil
		}
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(e.stderr, "carecircle simulate: %v\n", err)
			return 1
		}
		fmt.Fprintln(e.stdout, string(b))
		return 0
	}
	printSimulation(e.stdout, cfg, res)
	return 0
}

// printSimulation writes the human report: one line per day, the totals,
// and what else happened.
func printSimulation(w io.Writer, cfg simulate.Config, r *simulate.Result) {
	fmt.Fprintf(w, "simulated street: %d elders, %d days, seed %d, miss rate %g, webhook failure rate %g\n\n",
		cfg.Elders, cfg.Days, cfg.Seed, cfg.MissRate, cfg.WebhookFailureRate)
	head := "%-10s  %6s  %7s  %6s  %5s  %7s  %9s  %4s  %9s\n"
	row := "%-10s  %6d  %7d  %6s  %5d  %7d  %9d  %4d  %9.1f\n"
	fmt.Fprintf(w, head, "day", "missed", "alerted", "recall", "false", "created", "delivered", "lost", "max min")
	for _, d := range r.PerDay {
		fmt.Fprintf(w, row, d.Date, d.MissedGreetings, d.AlertedByDeadline, recallText(d.Recall), d.FalseAlarms,
			d.MessagesCreated, d.MessagesDelivered, d.MessagesLost, d.MaxMinutesToFirstPerson)
	}
	fmt.Fprintf(w, row, "total", r.MissedGreetings, r.AlertedByDeadline, recallText(r.Recall), r.FalseAlarms,
		r.MessagesCreated, r.MessagesDelivered, r.MessagesLost, r.MaxMinutesToFirstPerson)
	fmt.Fprintf(w, "\nmissed: lone elders not greeted by the alert hour; alerted: of those, alerted by then and a message delivered to a person;\n"+
		"false: alerts about an elder greeted (or not living alone); messages by the day created; lost: never delivered;\n"+
		"max min: minutes from the alert hour to the first message delivered to a person about a missed elder\n\n")
	fmt.Fprintf(w, "alerts raised %d, acknowledged %d, greetings after the alert %d, failed delivery attempts (retried) %d\n",
		r.Alerts, r.Acknowledged, r.LateGreetings, r.DeliveryFailures)
	fmt.Fprintf(w, "longest wait from the alert hour to the first SMS about a missed elder: %.1f min;\n"+
		"longest any message waited to be delivered (retries): %.1f min\n", r.MaxMinutesToFirstSMS, r.MaxDeliveryMinutes)
	var chans []string
	for c := range r.ByChannel {
		chans = append(chans, string(c))
	}
	slices.Sort(chans)
	fmt.Fprint(w, "messages by channel:")
	for _, c := range chans {
		fmt.Fprintf(w, " %s %d", c, r.ByChannel[notify.Channel(c)])
	}
	fmt.Fprintln(w)
}

// recallText is a recall as the JSON writes it (1.0, 0.9667).
func recallText(r simulate.Ratio) string {
	b, _ := r.MarshalJSON()
	return string(b)
}
