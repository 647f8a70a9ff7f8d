package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

const userUsage = `usage: carecircle user add --db DSN --username U --role ROLE [--display-name N] [--street-id N] [--community-id N] [--volunteer-id N] [--clinic-id N]
       carecircle user disable|enable|revoke --db DSN --username U
       carecircle user reset-password --db DSN --username U
(add and reset-password read the password from the first line of standard input;
 it is never given on the command line, where other users of the machine could read it)`

// cli is the actor of account commands: whoever runs the binary on the
// database is its administrator.
var cli = care.Actor{Role: care.RoleAdmin, Username: "cli"}

// cmdUser manages accounts from the command line; this is how the first
// administrator is created outside demo mode (there is no built-in password)
// and how a locked-out administrator gets back in.
func cmdUser(ctx context.Context, e env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, userUsage)
		return 2
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(ctx, e, args[1:])
	case "disable", "enable", "reset-password", "revoke":
		return cmdUserLifecycle(ctx, e, args[0], args[1:])
	}
	fmt.Fprintln(e.stderr, userUsage)
	return 2
}

// readPassword reads the first line of standard input.
func readPassword(r io.Reader) string {
	line, _ := bufio.NewReader(r).ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

// failed reports err and picks the exit status: 2 for bad input, 1 else.
func failed(e env, name string, err error) int {
	fmt.Fprintf(e.stderr, "carecircle user %s: %v\n", name, err)
	if c := care.ErrorCode(err); c == care.EInvalid || c == care.ENotFound {
		return 2
	}
	return 1
}

func cmdUserAdd(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	db.mayCreateKey = true
	var u care.User
	fs.StringVar(&u.Username, "username", "", "login name")
	fs.StringVar(&u.Role, "role", "", "admin, station, community, volunteer, clinic or viewer")
	fs.StringVar(&u.DisplayName, "display-name", "", "name shown in the UI")
	fs.Int64Var(&u.StreetID, "street-id", 0, "street (station, viewer)")
	fs.Int64Var(&u.CommunityID, "community-id", 0, "community (community staff)")
	fs.Int64Var(&u.VolunteerID, "volunteer-id", 0, "volunteer record (volunteer)")
	fs.Int64Var(&u.ClinicID, "clinic-id", 0, "clinic (clinic staff)")
	fs.StringVar(&u.Lang, "lang", "zh", "zh or en")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	password := readPassword(e.stdin)
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle user add:", err)
		return 1
	}
	defer st.Close()
	if err := st.CreateUser(ctx, cli, &u, password); err != nil {
		return failed(e, "add", err)
	}
	fmt.Fprintf(e.stdout, "created %s account %q (id %d)\n", u.Role, u.Username, u.ID)
	return 0
}

// cmdUserLifecycle disables, enables, resets the password of, or revokes
// every session of one account.
func cmdUserLifecycle(ctx context.Context, e env, action string, args []string) int {
	fs := flag.NewFlagSet("user "+action, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	username := fs.String("username", "", "the account's login name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if strings.TrimSpace(*username) == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, userUsage)
		return 2
	}
	var password string
	if action == "reset-password" {
		password = readPassword(e.stdin)
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "carecircle user %s: %v\n", action, err)
		return 1
	}
	defer st.Close()
	id, err := st.UserID(ctx, cli, *username)
	if err != nil {
		return failed(e, action, err)
	}
	msg, err := lifecycle(ctx, st, action, id, password)
	if err != nil {
		return failed(e, action, err)
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", care.NormalizeUsername(*username), msg)
	return 0
}

func lifecycle(ctx context.Context, st *store.DB, action string, id int64, password string) (string, error) {
	switch action {
	case "disable":
		return "disabled; every session and API token ended", st.SetUserDisabled(ctx, cli, id, true)
	case "enable":
		return "enabled", st.SetUserDisabled(ctx, cli, id, false)
	case "reset-password":
		return "password reset; it must be changed at the next login", st.ResetPassword(ctx, cli, id, password)
	}
	n, err := st.RevokeSessions(ctx, cli, id)
	return fmt.Sprintf("%d sessions and API tokens ended", n), err
}
