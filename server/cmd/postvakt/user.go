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
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
)

func init() {
	commands["user"] = command{usage: "manage accounts (user add NAME --role ROLE --password-stdin)", run: runUser}
}

// MinPasswordLen is the shortest password user add accepts.
const MinPasswordLen = 10

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := func() error {
		fmt.Fprintln(stderr, joinLines(
			"usage: postvakt user add NAME --role ROLE[,ROLE...] [--unit UNIT] --password-stdin [--data DIR] [--db DB]",
			"",
			"Roles: staff, admin, compliance (one user may have several; --role may repeat).",
			"The password is the first line of stdin, never an argument."))
		return errUsage
	}
	if len(args) == 0 || args[0] != "add" {
		return usage()
	}
	args = args[1:]
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var roles []string
	fs.Func("role", "a `ROLE`: staff, admin or compliance (repeat or separate with commas)", func(s string) error {
		for _, r := range strings.Split(s, ",") {
			r = strings.TrimSpace(r)
			if !slices.Contains(server.Roles, r) {
				return fmt.Errorf("unknown role %q (want staff, admin or compliance)", r)
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
	if err := db.CreateUser(ctx, u); err != nil {
		return errors.New(server.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "added user %s (%s)\n", u.Name, strings.Join(u.Roles, ", "))
	return nil
}
