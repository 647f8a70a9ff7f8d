package main

import (
	"context"

	"carecircle/internal/match"
)

// cmdMatch runs "carecircle match solve|greedy". The logic lives in
// internal/match so it is tested there even while this package is in flux.
func cmdMatch(ctx context.Context, e env, args []string) int {
	return match.RunCommand(ctx, args, e.stdin, e.stdout, e.stderr)
}
