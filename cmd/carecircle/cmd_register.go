package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/report"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
)

const (
	importUsage = "usage: carecircle import elders|volunteers FILE --db DSN [--dry-run] [--confirm-rows 2,5] [--as USERNAME] [--street-id N] [--lang zh|en]"
	exportUsage = "usage: carecircle export elders|volunteers --db DSN --format xlsx|csv --out FILE [--reveal-ids] [--as USERNAME] [--street-id N]\n" +
		"       [--community-id N] [--status S] [--category C] [--self-care S] [--priority N] [--kind K] [--q TEXT]"
)

// actorFlags say whom a register command acts as: by default the station
// of the only street (the command line is the street's own tool), or the
// account --as names, whose scope then applies as on the web.
type actorFlags struct {
	as       string
	streetID int64
}

func (f *actorFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.as, "as", "", "act as this account (its role and scope apply); default: the station of the street")
	fs.Int64Var(&f.streetID, "street-id", 0, "the street, when the database holds several")
}

var cliAdmin = care.Actor{Role: care.RoleAdmin, Username: "cli"}

func (f *actorFlags) actor(ctx context.Context, st *store.DB) (care.Actor, error) {
	if f.as != "" {
		users, err := st.Users(ctx, cliAdmin)
		if err != nil {
			return care.Actor{}, err
		}
		for i := range users {
			if users[i].Username == f.as && !users[i].Disabled {
				return care.ActorOf(&users[i]), nil
			}
		}
		return care.Actor{}, care.Errorf(care.EInvalid, "no active account named %q", f.as)
	}
	streets, err := st.Streets(ctx, cliAdmin)
	if err != nil {
		return care.Actor{}, err
	}
	var ids []string
	for _, s := range streets {
		if s.ID == f.streetID || (f.streetID == 0 && len(streets) == 1) {
			return care.Actor{Role: care.RoleStation, StreetID: s.ID, Username: "cli"}, nil
		}
		ids = append(ids, fmt.Sprintf("%d %s", s.ID, s.Name))
	}
	if f.streetID != 0 || len(streets) == 0 {
		return care.Actor{}, care.Errorf(care.EInvalid, "no street %d in the database (streets: %s)", f.streetID, strings.Join(ids, ", "))
	}
	return care.Actor{}, care.Errorf(care.EInvalid, "the database holds several streets; choose one with --street-id (%s)", strings.Join(ids, ", "))
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (carecircle import elders FILE --db DSN).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exitFor maps an error to the exit status: 2 for what the user can fix
// (bad input, a role that may not do this), 1 for everything else.
func exitFor(e env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "carecircle %s: %v\n", cmd, err)
	switch care.ErrorCode(err) {
	case care.EInvalid, care.EForbidden, care.ENotFound:
		return 2
	}
	return 1
}

// cmdImport imports (or with --dry-run checks) a register file and prints
// the report. Exit status: 0 imported (or a clean dry run), 2 bad rows or
// bad usage (nothing imported), 1 other failures.
func cmdImport(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	var who actorFlags
	who.register(fs)
	dryRun := fs.Bool("dry-run", false, "check the file and print the report; import nothing")
	lang := fs.String("lang", "zh", "language of the report: zh or en")
	confirmFlag := fs.String("confirm-rows", "", "row numbers (e.g. 2,5) confirmed as other people than the elder they look like (可能重复)")
	pos, err := parseInterspersed(fs, args)
	kind, ok := register.Kind(""), false
	if err == nil && len(pos) == 2 {
		kind, ok = register.ParseKind(pos[0])
	}
	confirm, rowsOK := register.ParseRows(*confirmFlag)
	if !ok || !rowsOK {
		fmt.Fprintln(e.stderr, importUsage)
		return 2
	}
	data, err := os.ReadFile(pos[1])
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle import:", err)
		return 2
	}
	if len(data) > register.MaxFileSize {
		fmt.Fprintf(e.stderr, "carecircle import: %s is larger than %d MB\n", pos[1], register.MaxFileSize>>20)
		return 2
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle import:", err)
		return 1
	}
	defer st.Close()
	a, err := who.actor(ctx, st)
	if err != nil {
		return exitFor(e, "import", err)
	}
	rep, err := register.Import(ctx, st, a, kind, filepath.Base(pos[1]), data, register.Options{DryRun: *dryRun, ConfirmRows: confirm})
	if err != nil {
		return exitFor(e, "import", err)
	}
	rep.WriteText(e.stdout, *dryRun, *lang)
	if rows := rep.Lookalikes; len(rows) > 0 && !rep.Committed {
		list := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(rows)), ","), "[]")
		if *lang == "en" {
			fmt.Fprintf(e.stdout, "possible duplicates: rows %s; once sure they are other people, import again with --confirm-rows %s\n", list, list)
		} else {
			fmt.Fprintf(e.stdout, "可能重复的行：%s；确认是另一位老人后，加 --confirm-rows %s 再导入\n", list, list)
		}
	}
	if !rep.OK() {
		return 2
	}
	return 0
}

// cmdExport writes the elders or volunteers of the actor's scope, filtered
// like the lists, to an .xlsx or .csv file. ID numbers are masked unless
// --reveal-ids is given; every export is written to the audit log.
func cmdExport(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	var who actorFlags
	who.register(fs)
	format := fs.String("format", "", "xlsx or csv (default: from --out)")
	out := fs.String("out", "", "file to write")
	reveal := fs.Bool("reveal-ids", false, "write full ID numbers (audited)")
	var ef store.ElderFilter
	var vf store.VolunteerFilter
	fs.Int64Var(&ef.CommunityID, "community-id", 0, "only this community")
	fs.StringVar(&ef.Status, "status", "", "only this status")
	fs.StringVar(&ef.Category, "category", "", "elders: only this category")
	fs.StringVar(&ef.SelfCare, "self-care", "", "elders: only this self-care ability")
	fs.IntVar(&ef.Priority, "priority", 0, "elders: only this priority")
	fs.StringVar(&vf.Kind, "kind", "", "volunteers: only this kind")
	fs.StringVar(&ef.Q, "q", "", "part of a name or phone")
	pos, err := parseInterspersed(fs, args)
	kind, ok := register.Kind(""), false
	if err == nil && len(pos) == 1 && *out != "" {
		kind, ok = register.ParseKind(pos[0])
	}
	f, fok := register.ParseFormat(*format)
	if *format == "" {
		f, fok = register.FormatOf(*out)
	}
	if !ok || !fok {
		fmt.Fprintln(e.stderr, exportUsage)
		return 2
	}
	vf.CommunityID, vf.Status, vf.Q = ef.CommunityID, ef.Status, ef.Q
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle export:", err)
		return 1
	}
	defer st.Close()
	a, err := who.actor(ctx, st)
	if err != nil {
		return exitFor(e, "export", err)
	}
	n, err := writeExport(ctx, st, a, kind, f, ef, vf, *reveal, *out)
	if err != nil {
		return exitFor(e, "export", err)
	}
	ids := "ID numbers masked"
	if kind == register.Elders && *reveal {
		ids = "full ID numbers (the export is in the audit log)"
	}
	fmt.Fprintf(e.stdout, "exported %s %s to %s (%s)\n", strconv.Itoa(n), kind, *out, ids)
	return 0
}

// writeExport writes the register whole or not at all, readable by its
// owner only: it holds personal data.
func writeExport(ctx context.Context, st *store.DB, a care.Actor, kind register.Kind, f register.Format,
	ef store.ElderFilter, vf store.VolunteerFilter, reveal bool, out string) (int, error) {
	var n int
	err := writeAtomically(out, func(w io.Writer) (err error) {
		if kind == register.Elders {
			n, err = register.ExportElders(ctx, st, a, ef, f, reveal, w)
		} else {
			n, err = register.ExportVolunteers(ctx, st, a, vf, f, w)
		}
		return err
	})
	return n, err
}

const reportUsage = "usage: carecircle report --db DSN --period 2026-11|2026-Q4 --unit STREET_OR_COMMUNITY --format xlsx|csv|json --out FILE [--as USERNAME] [--lang zh|en]"

// cmdReport writes the statistics report of a unit for a month or a
// quarter. It acts as the station of the unit's street (a district report
// as a district viewer, counts under 5 shown as "<5"), or as --as.
// Exit status: 0 written, 2 bad usage, unit or period, 1 other failures.
func cmdReport(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var db dbFlags
	db.register(fs)
	as := fs.String("as", "", "act as this account (its role, scope and masking apply)")
	period := fs.String("period", "", "a month (2026-11) or a quarter (2026-Q4)")
	unit := fs.String("unit", "", "a street or community name (or a district, for a district report)")
	format := fs.String("format", "", "xlsx, csv or json (default: from --out)")
	out := fs.String("out", "", "file to write (- for standard output)")
	lang := fs.String("lang", "zh", "language of the report: zh or en")
	pos, err := parseInterspersed(fs, args)
	if *format == "" {
		*format = strings.TrimPrefix(filepath.Ext(*out), ".")
	}
	if err != nil || len(pos) != 0 || *period == "" || *unit == "" || *out == "" || !slices.Contains(report.Formats, *format) {
		fmt.Fprintln(e.stderr, reportUsage)
		return 2
	}
	st, err := db.open(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle report:", err)
		return 1
	}
	defer st.Close()
	a, err := reportActor(ctx, st, *as, *unit)
	if err != nil {
		return exitFor(e, "report", err)
	}
	cfg := tracker.DefaultConfig()
	tr, err := tracker.New(st, cfg)
	if err == nil {
		err = tr.Prepare(ctx)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "carecircle report:", err)
		return 1
	}
	rep, err := report.Build(ctx, st, tr, a, report.Options{Unit: *unit, Period: *period, Lang: *lang})
	if err != nil {
		return exitFor(e, "report", err)
	}
	if *out == "-" {
		if err := rep.Write(e.stdout, *format); err != nil {
			return exitFor(e, "report", err)
		}
		return 0
	}
	if err := writeAtomically(*out, func(w io.Writer) error { return rep.Write(w, *format) }); err != nil {
		return exitFor(e, "report", err)
	}
	fmt.Fprintf(e.stderr, "wrote %s: %s (%d tables)\n", *out, rep.Title, len(rep.Tables))
	return 0
}

// reportActor is the account --as names or, by default, the station of
// the unit's street; a district is reported as a district viewer sees it.
func reportActor(ctx context.Context, st *store.DB, as, unit string) (care.Actor, error) {
	if as != "" {
		return (&actorFlags{as: as}).actor(ctx, st)
	}
	district := care.Actor{Role: care.RoleViewer, Username: "cli"}
	u, err := st.ResolveReportUnit(ctx, district, unit)
	if err != nil {
		return care.Actor{}, err
	}
	if u.Kind == store.UnitDistrict {
		return district, nil
	}
	return care.Actor{Role: care.RoleStation, StreetID: u.StreetID, Username: "cli"}, nil
}

// writeAtomically writes to a temporary file beside out and renames it, so
// a failure never leaves half a file behind. The file is readable by its
// owner only (0600, whatever the umask): exports and reports come from
// personal data.
func writeAtomically(out string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".carecircle-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		err = write(tmp)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
