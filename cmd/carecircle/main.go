// Command carecircle runs the CareCircle (关爱服务圈) community elderly-care
// volunteer programme: the web server, the JSON API and the command-line tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env carries what a command may read from the process, so commands are
// testable without touching the real environment.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run dispatches a subcommand and returns the process exit status:
// 0 success, 1 failure, 2 bad usage or bad input.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, e, rest)
	case "demo":
		return cmdDemo(ctx, e, rest)
	case "migrate":
		return cmdMigrate(ctx, e, rest)
	case "user":
		return cmdUser(ctx, e, rest)
	case "match":
		return cmdMatch(ctx, e, rest)
	case "festivals":
		return cmdFestivals(ctx, e, rest)
	case "compliance":
		return cmdCompliance(ctx, e, rest)
	case "import":
		return cmdImport(ctx, e, rest)
	case "export":
		return cmdExport(ctx, e, rest)
	case "report":
		return cmdReport(ctx, e, rest)
	case "verify":
		return cmdVerify(ctx, e, rest)
	case "backup":
		return cmdBackup(ctx, e, rest)
	case "restore":
		return cmdRestore(ctx, e, rest)
	case "simulate":
		return cmdSimulate(ctx, e, rest)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "carecircle: unknown command %q\n", cmd)
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: carecircle COMMAND [flags]

commands:
  serve --addr HOST:PORT --db DSN [--demo]   run the web UI and JSON API
  demo --db DSN [--password P]               fill the demo street into an empty database
  migrate --db DSN                           create or upgrade the schema
  user add --db DSN --username U --role R    create an account (password from --password or stdin)
  match solve                                 optimal pairing: JSON instance on stdin, assignment on stdout
  festivals --year Y --json                   the year's festival dates
  compliance evaluate                         standards + records on stdin, statuses on stdout
  import elders|volunteers FILE --db DSN [--dry-run]
  export elders|volunteers --db DSN --format xlsx|csv --out FILE [--reveal-ids]
  report --db DSN --period 2026-11|2026-Q4 --unit UNIT --format xlsx|csv|json --out FILE
  verify --db DSN                             check the records' chains and ids, signatures, cases and audit log
  backup --db DSN --out FILE                  online backup
  restore --db DSN --from FILE                restore a backup into an empty database
  simulate --elders N --days D --seed S [--miss-rate 0.05] [--webhook-failure-rate 0.2] [--json]
                                              a street's days in accelerated time on a temporary database
`)
}
