// Command postvakt is Postvakt's one binary: the server (`serve`), the
// checker used to score corpora (`check`), and the admin tools (`rules`,
// `user`, `audit`).
//
// main only calls run; every subcommand has the signature of command, so
// tests drive the binary in-process with their own arguments, environment
// and streams.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
)

// command is a subcommand. Subcommands register themselves in init by
// adding to commands (check.go, rules.go, serve.go, ...).
type command struct {
	usage string
	run   func(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// errUsage marks an error whose message is usage help; it exits with 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "postvakt:", err)
		}
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// exitError exits with a status without printing more.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stderr)
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		// Asked-for help is the answer: standard output, status 0.
		printUsage(stdout)
		return nil
	case "-version", "--version", "version":
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		printUsage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	if wantsHelp(args[1:]) {
		// A subcommand prints its usage where it prints errors; help that
		// was asked for goes to standard output and is no failure.
		err := c.run(ctx, args[1:], getenv, stdin, stdout, stdout)
		if errors.Is(err, errUsage) {
			return nil
		}
		return err
	}
	return c.run(ctx, args[1:], getenv, stdin, stdout, stderr)
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// version is set at link time for releases (-ldflags "-X main.version=v1.2.3");
// otherwise the module version and the commit Go recorded are shown.
var version = ""

func versionString() string {
	v, rev, dirty := version, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := "postvakt " + v
	if rev != "" {
		out += " " + rev[:min(12, len(rev))]
		if dirty {
			out += "+changes"
		}
	}
	return out + " " + runtime.Version()
}

func printUsage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: postvakt <command> [arguments]\n       postvakt --version\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].usage)
	}
	fmt.Fprintln(w, "\n«postvakt <command> --help» describes a command.")
}

// joinLines is a small helper for multi-line help texts.
func joinLines(ls ...string) string { return strings.Join(ls, "\n") }
