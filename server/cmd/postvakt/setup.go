package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/shared/rules"
)

func init() {
	commands["setup"] = command{usage: "the first run without a browser: first accounts and the organisation profile", run: runSetup}
}

// runSetup does what the /setup page does, for scripted installs: the
// first admin (and, with --compliance, a compliance account) and the
// organisation profile, published as a new bundle version, in one
// transaction, only while the store has no account.
func runSetup(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.String("admin", "", "the first admin's user `NAME`")
	unit := fs.String("unit", "", "the admin's `UNIT`")
	compliance := fs.String("compliance", "", "also create a compliance account called `NAME`")
	orgFile := fs.String("org", "", "the organisation profile: a JSON `FILE` in the format of a bundle's \"org\" (as postvakt check --org)")
	sf := addStoreFlags(fs, getenv)
	fs.Usage = func() {
		fmt.Fprintln(stdout, joinLines(
			"usage: postvakt setup --admin NAME [--unit UNIT] [--compliance NAME] --org FILE [--data DIR] [--db DB] < passwords",
			"",
			"The first run, as the /setup page does it: creates the first admin (roles",
			"admin and staff) and, with --compliance, a compliance account, and publishes",
			"the organisation profile in FILE as a new version of the published bundle.",
			"The passwords are read from stdin, one a line (the admin's, then the",
			"compliance account's), never from arguments. Refused once any account exists.",
			"",
			"FILE, for example:",
			`  {"name": "Fjordvik kommune", "own_domains": ["fjordvik.kommune.no"],`,
			`   "allowed_phones": ["55 12 34 56"], "org_number": "974760673",`,
			`   "visiting_address": "Rådhusgata 1, 5999 Fjordvik", "units": ["Servicetorget"]}`,
			"",
			"Flags:"))
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if *admin == "" || *orgFile == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: postvakt setup --admin NAME [--unit UNIT] [--compliance NAME] --org FILE < passwords (see postvakt setup --help)")
		return errUsage
	}
	data, err := os.ReadFile(*orgFile)
	if err != nil {
		return err
	}
	org, err := rules.ParseOrg(data)
	if err != nil {
		return fmt.Errorf("%s: %v", *orgFile, err)
	}
	if len(org.OwnDomains) == 0 {
		return fmt.Errorf("%s: own_domains: give at least one of the organisation's own domains", *orgFile)
	}
	users := []*server.User{{Name: *admin, Unit: *unit, Roles: []string{server.RoleAdmin, server.RoleStaff}}}
	if *compliance != "" {
		users = append(users, &server.User{Name: *compliance, Roles: []string{server.RoleCompliance}})
	}
	in := bufio.NewReader(stdin)
	for i, u := range users {
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw := strings.TrimRight(line, "\r\n")
		if len([]rune(pw)) < MinPasswordLen {
			return fmt.Errorf("the password of %s (line %d of stdin) must be at least %d characters", u.Name, i+1, MinPasswordLen)
		}
		if u.PasswordHash, err = pvhttp.HashPassword(pw, 0); err != nil {
			return err
		}
	}
	db, _, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedBuiltin(ctx, db, time.Now()); err != nil {
		return fmt.Errorf("publish the built-in bundle: %w", err)
	}
	svc := &server.Admin{Rules: db, Now: time.Now}
	v, err := svc.Setup(ctx, server.CommandLine, users, org)
	if err != nil {
		if server.ErrorCode(err) == server.ECONFLICT {
			return errors.New("postvakt is already set up: an account exists (add more with postvakt user add)")
		}
		var pe *server.Error
		if errors.As(err, &pe) {
			if ps, ok := pe.Details.([]server.Problem); ok {
				var b strings.Builder
				b.WriteString(pe.Message)
				for _, p := range ps {
					fmt.Fprintf(&b, "\n  %s: %s", p.Path, p.Message)
				}
				return errors.New(b.String())
			}
		}
		return errors.New(server.ErrorMessage(err))
	}
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = fmt.Sprintf("%s (%s)", u.Name, strings.Join(u.Roles, ", "))
	}
	fmt.Fprintf(stdout, "set up: accounts %s; the organisation profile of %s is published as version %s\n", strings.Join(names, ", "), org.Name, v.Version)
	return nil
}
