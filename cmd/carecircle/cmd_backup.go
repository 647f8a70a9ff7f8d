package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"carecircle/internal/store"
)

// cmdBackup writes an online backup (a SQLite file) while the server runs.
func cmdBackup(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	out := fs.String("out", "", "backup file to create (SQLite)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(e.stderr, "carecircle backup: --out FILE is required")
		return 2
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle backup:", err)
		return 1
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, *out); err != nil {
		fmt.Fprintln(e.stderr, "carecircle backup:", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "backup written to %s in %.1fs; keep the data key with it (without the key the ID numbers cannot be read)\n",
		*out, time.Since(start).Seconds())
	return 0
}

// cmdRestore copies a backup into an empty database (SQLite or PostgreSQL)
// with the key that exists (it never makes one); a restore that fails
// leaves nothing behind.
func cmdRestore(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	from := fs.String("from", "", "backup file made by carecircle backup")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" {
		fmt.Fprintln(e.stderr, "carecircle restore: --from FILE is required")
		return 2
	}
	v, err := db.loadKey(ctx, e)
	if err == nil {
		err = store.Restore(ctx, db.dsn, v, *from)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle restore:", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "restored %s into %s; run carecircle verify to check the history\n", *from, db.dsn)
	return 0
}
