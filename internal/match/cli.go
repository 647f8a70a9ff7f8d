package match

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Usage is the help text of the "carecircle match" command.
const Usage = `usage: carecircle match SUBCOMMAND

subcommands:
  solve    read an instance as JSON on stdin, write the optimal assignment as JSON on stdout
  greedy   same input and output, using the greedy nearest-first baseline (for comparison only)

exit status: 0 success, 1 output or internal failure, 2 bad usage or bad input
`

// RunCommand implements "carecircle match ARGS..." so the command's whole
// behaviour is testable here; cmd/carecircle only forwards to it. It
// returns the exit status. On any error nothing is written to stdout.
func RunCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, Usage)
		return 0
	case "solve", "greedy":
	default:
		fmt.Fprintf(stderr, "carecircle match: unknown subcommand %q\n%s", args[0], Usage)
		return 2
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "carecircle match %s: unexpected arguments %q\n%s", args[0], args[1:], Usage)
		return 2
	}
	in, err := DecodeInstance(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "carecircle match %s: %v\n", args[0], err)
		return 2
	}
	var r Result
	if args[0] == "greedy" {
		r = Greedy(in)
	} else if r, err = SolveContext(ctx, in); err != nil {
		fmt.Fprintf(stderr, "carecircle match solve: %v\n", err)
		var ve *ValidationError
		if errors.As(err, &ve) {
			return 2
		}
		return 1
	}
	if err := EncodeResult(stdout, r); err != nil {
		fmt.Fprintf(stderr, "carecircle match %s: writing result: %v\n", args[0], err)
		return 1
	}
	return 0
}
