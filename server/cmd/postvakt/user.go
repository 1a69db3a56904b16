package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
)

func init() {
	commands["user"] = command{usage: "manage accounts (user add|list|disable|enable|roles|reset-password)", run: runUser}
}

// MinPasswordLen is the shortest password user add accepts.
const MinPasswordLen = 10

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := func() error {
		fmt.Fprintln(stderr, joinLines(
			"usage: postvakt user add NAME --role ROLE[,ROLE...] [--unit UNIT] --password-stdin [--data DIR] [--db DB]",
			"       postvakt user list",
			"       postvakt user disable|enable NAME",
			"       postvakt user roles NAME --role ROLE[,ROLE...] [--unit UNIT]",
			"       postvakt user reset-password NAME [--password-stdin]",
			"",
			"Roles: staff, admin, compliance, arkiv (one user may have several; --role may repeat).",
			"The password is the first line of stdin, never an argument. reset-password",
			"without --password-stdin prints a one-time code (valid 24 hours) with which",
			"the user chooses a new password at /reset. Every change but list ends the",
			"account's sessions and tokens within seconds and is recorded in the audit log."))
		return errUsage
	}
	if len(args) == 0 {
		return usage()
	}
	sub := args[0]
	switch sub {
	case "add", "list", "disable", "enable", "roles", "reset-password":
	default:
		return usage()
	}
	args = args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var roles []string
	fs.Func("role", "a `ROLE`: "+strings.Join(server.Roles, ", ")+" (repeat or separate with commas)", func(s string) error {
		for _, r := range strings.Split(s, ",") {
			r = strings.TrimSpace(r)
			if !slices.Contains(server.Roles, r) {
				return fmt.Errorf("unknown role %q (want %s)", r, strings.Join(server.Roles, ", "))
			}
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
		return nil
	})
	unit := fs.String("unit", "", "the user's `UNIT` (stamped on their audit entries)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	sf := addStoreFlags(fs, getenv)
	// The name may come before, between or after the flags.
	var name string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		if name != "" {
			return usage()
		}
		name, rest = fs.Arg(0), fs.Args()[1:]
	}
	if sub != "add" {
		return userChange(ctx, sub, name, roles, fs, unit, *pwStdin, sf, stdin, stdout, usage)
	}
	if name == "" || len(roles) == 0 {
		return usage()
	}
	if len(name) > 100 || strings.ContainsAny(name, " \t\r\n<>\"'&") {
		return errors.New("a user name is at most 100 characters, without spaces, quotes, <, > or &")
	}
	if !*pwStdin {
		return errors.New("give the password on stdin with --password-stdin (never as an argument)")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	if len([]rune(password)) < MinPasswordLen {
		return fmt.Errorf("the password must be at least %d characters", MinPasswordLen)
	}
	hash, err := pvhttp.HashPassword(password, 0)
	if err != nil {
		return err
	}
	db, _, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	u := &server.User{Name: name, Unit: *unit, Roles: roles, PasswordHash: hash, CreatedAt: time.Now()}
	accts := &server.Accounts{Users: db, Log: db, Now: time.Now}
	if err := accts.Create(ctx, server.CommandLine, u); err != nil {
		return errors.New(server.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "added user %s (%s)\n", u.Name, strings.Join(u.Roles, ", "))
	return nil
}

// readPassword reads the password from the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	password := strings.TrimRight(line, "\r\n")
	if len([]rune(password)) < MinPasswordLen {
		return "", fmt.Errorf("the password must be at least %d characters", MinPasswordLen)
	}
	return password, nil
}

// userChange runs user list|disable|enable|roles|reset-password.
func userChange(ctx context.Context, sub, name string, roles []string, fs *flag.FlagSet, unit *string, pwStdin bool, sf storeFlags, stdin io.Reader, stdout io.Writer, usage func() error) error {
	if (sub == "list") != (name == "") || (sub == "roles") != (len(roles) > 0) {
		return usage()
	}
	unitSet := false
	fs.Visit(func(f *flag.Flag) { unitSet = unitSet || f.Name == "unit" })
	var password string
	if sub == "reset-password" && pwStdin {
		var err error
		if password, err = readPassword(stdin); err != nil {
			return err
		}
	}
	db, _, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	accts := &server.Accounts{Users: db, Log: db, Now: time.Now}
	fail := func(err error) error {
		if server.ErrorCode(err) == server.EINTERNAL {
			return err
		}
		return errors.New(server.ErrorMessage(err))
	}
	switch sub {
	case "list":
		us, err := db.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLES\tUNIT\tSTATUS\tLAST SIGN-IN")
		for _, u := range us {
			status, last := "enabled", "never"
			if u.Disabled {
				status = "disabled"
			}
			if !u.LastLogin.IsZero() {
				last = u.LastLogin.UTC().Format("2006-01-02 15:04 UTC")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, strings.Join(u.Roles, ","), u.Unit, status, last)
		}
		return tw.Flush()
	case "disable", "enable":
		if _, err := accts.SetDisabled(ctx, server.CommandLine, name, sub == "disable"); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%sd user %s; its sessions and tokens end within seconds\n", sub, name)
	case "roles":
		u, err := db.FindUserByName(ctx, name)
		if err != nil {
			return fail(err)
		}
		newUnit := u.Unit
		if unitSet {
			newUnit = *unit
		}
		if u, err = accts.SetRoles(ctx, server.CommandLine, name, roles, newUnit); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "user %s now has roles %s (unit %q)\n", u.Name, strings.Join(u.Roles, ", "), u.Unit)
	case "reset-password":
		if pwStdin {
			hash, err := pvhttp.HashPassword(password, 0)
			if err != nil {
				return err
			}
			if _, err := accts.SetPassword(ctx, server.CommandLine, name, hash); err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "set a new password for %s; its sessions and tokens end within seconds\n", name)
			return nil
		}
		code, _, err := accts.ResetPassword(ctx, server.CommandLine, name)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "one-time code for %s (valid 24 hours; its sessions and tokens end within seconds):\n%s\nThe user opens /reset?code=%s on the server and chooses a new password.\n", name, code, code)
	}
	return nil
}
