package main

import (
	"context"
	"fmt"
)

// cmdVerify is replaced by the service card work (issue 4).
func cmdVerify(ctx context.Context, e env, args []string) int {
	fmt.Fprintln(e.stderr, "carecircle verify: not available yet")
	return 1
}
