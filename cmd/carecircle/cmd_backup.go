package main

import (
	"context"
	"fmt"
)

// cmdBackup and cmdRestore: online backup and restore (SPEC §11).
func cmdBackup(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "carecircle backup: not available yet")
	return 1
}

func cmdRestore(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "carecircle restore: not available yet")
	return 1
}
