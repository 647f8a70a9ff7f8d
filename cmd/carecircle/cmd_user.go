package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"carecircle/internal/care"
)

// cmdUser manages accounts from the command line; this is how the first
// administrator is created outside demo mode (there is no built-in password).
func cmdUser(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(e.stderr, "usage: carecircle user add --db DSN --username U --role ROLE [--password P] [--display-name N] [--street-id N] [--community-id N] [--volunteer-id N] [--clinic-id N]\n(without --password the password is read from the first line of standard input)")
		return 2
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	var u care.User
	fs.StringVar(&u.Username, "username", "", "login name")
	fs.StringVar(&u.Role, "role", "", "admin, station, community, volunteer, clinic or viewer")
	fs.StringVar(&u.DisplayName, "display-name", "", "name shown in the UI")
	fs.Int64Var(&u.StreetID, "street-id", 0, "street (station, viewer)")
	fs.Int64Var(&u.CommunityID, "community-id", 0, "community (community staff)")
	fs.Int64Var(&u.VolunteerID, "volunteer-id", 0, "volunteer record (volunteer)")
	fs.Int64Var(&u.ClinicID, "clinic-id", 0, "clinic (clinic staff)")
	fs.StringVar(&u.Lang, "lang", "zh", "zh or en")
	password := fs.String("password", "", "password (at least 8 characters); read from stdin when omitted")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *password == "" {
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		*password = strings.TrimRight(line, "\r\n")
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle user add:", err)
		return 1
	}
	defer st.Close()
	cli := care.Actor{Role: care.RoleAdmin, Username: "cli"}
	if err := st.CreateUser(ctx, cli, &u, *password); err != nil {
		fmt.Fprintln(e.stderr, "carecircle user add:", err)
		if care.ErrorCode(err) == care.EInvalid {
			return 2
		}
		return 1
	}
	fmt.Fprintf(e.stdout, "created %s account %q (id %d)\n", u.Role, u.Username, u.ID)
	return 0
}
