package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

// cmdVerify walks every elder's chain of service records (with each
// record's sealed id), every card signature, the cases and their history,
// and the audit log; it exits 0 when the history is intact and 1 when
// anything was changed or removed behind the application's back, naming
// each place.
func cmdVerify(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle verify:", err)
		return 1
	}
	defer st.Close()
	start := time.Now()
	rep, err := st.Verify(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle verify:", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "checked %d elders, %d service records, %d signatures, %d cases (%d history entries), %d audit entries in %.1fs\n",
		rep.Elders, rep.Records, rep.Signatures, rep.Cases, rep.CaseEvents, rep.Audit, time.Since(start).Seconds())
	if len(rep.Problems) == 0 {
		fmt.Fprintln(e.stdout, "history intact")
		return 0
	}
	for _, p := range rep.Problems {
		if p.ElderID == 0 {
			fmt.Fprintf(e.stdout, "TAMPERED: %s\n", p)
			continue
		}
		fmt.Fprintf(e.stdout, "TAMPERED: %s (%s)\n", p, st.ElderName(ctx, p.ElderID))
	}
	fmt.Fprintf(e.stdout, "%d problems found\n", len(rep.Problems))
	return 1
}
