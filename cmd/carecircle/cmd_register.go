package main

import (
	"context"
	"fmt"
)

// cmdImport and cmdExport are replaced by the register work (issue 6).
func cmdImport(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "carecircle import: not available yet")
	return 1
}

func cmdExport(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "carecircle export: not available yet")
	return 1
}

// cmdReport is replaced by the reports work (issue 6).
func cmdReport(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "carecircle report: not available yet")
	return 1
}
