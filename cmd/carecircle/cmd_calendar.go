package main

import (
	"context"
	"flag"
	"fmt"

	"carecircle/internal/calendar"
	"carecircle/internal/compliance"
	"carecircle/internal/tracker"
)

// cmdFestivals is `carecircle festivals --year Y [--json]`.
func cmdFestivals(_ context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("festivals", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	year := fs.Int("year", 0, "the festival year, "+fmt.Sprint(calendar.MinYear)+"–"+fmt.Sprint(calendar.MaxYear))
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "carecircle festivals: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *year == 0 {
		fmt.Fprintln(e.stderr, "carecircle festivals: --year is required")
		return 2
	}
	if err := calendar.CheckYear(*year); err != nil {
		fmt.Fprintln(e.stderr, "carecircle festivals:", err)
		return 2
	}
	if err := calendar.WriteFestivals(e.stdout, calendar.Festivals(*year, nil), *asJSON); err != nil {
		fmt.Fprintln(e.stderr, "carecircle festivals:", err)
		return 1
	}
	return 0
}

// cmdCompliance is `carecircle compliance evaluate` (a scenario on stdin,
// statuses on stdout) and `carecircle compliance rebuild --db DSN` (the
// server's compliance state rebuilt from every record, for repair).
func cmdCompliance(ctx context.Context, e env, args []string) int {
	switch {
	case len(args) == 1 && args[0] == "evaluate":
		return compliance.RunEvaluate(e.stdin, e.stdout, e.stderr)
	case len(args) >= 1 && args[0] == "rebuild":
		fs := flag.NewFlagSet("compliance rebuild", flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		var db dbFlags
		db.register(fs)
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return 2
		}
		st, err := db.open(ctx, e)
		if err != nil {
			fmt.Fprintln(e.stderr, "carecircle compliance rebuild:", err)
			return 1
		}
		defer st.Close()
		if err := tracker.RebuildAll(ctx, st, e.stdout); err != nil {
			fmt.Fprintln(e.stderr, "carecircle compliance rebuild:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(e.stderr, "usage: carecircle compliance evaluate < scenario.json\n       carecircle compliance rebuild --db DSN")
	return 2
}
