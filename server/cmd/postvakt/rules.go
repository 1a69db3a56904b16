package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

func init() {
	commands["rules"] = command{
		usage: "validate a rule bundle, run its example drafts, or train its classifier (rules validate|test FILE, rules train)",
		run:   runRules,
	}
}

func runRules(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "train" {
		return runTrain(args[1:], stdin, stdout, stderr)
	}
	if len(args) != 2 || (args[0] != "validate" && args[0] != "test") || wantsHelp(args) {
		fmt.Fprintln(stderr, "usage: postvakt rules validate FILE\n       postvakt rules test FILE\n       postvakt rules train [--bundle FILE] [--model NAME] --out FILE SAMPLES.jsonl...\n\nFILE may be - for stdin, or builtin for the built-in bundle.")
		return errUsage
	}
	var data []byte
	var err error
	switch args[1] {
	case "-":
		data, err = io.ReadAll(io.LimitReader(stdin, rules.MaxBundleSize+1))
	case "builtin":
		data = rules.BuiltinJSON()
	default:
		data, err = os.ReadFile(args[1])
	}
	if err != nil {
		return err
	}
	b, err := rules.Parse(data)
	if err != nil {
		var ve rules.ValidationErrors
		if errors.As(err, &ve) {
			for _, e := range ve {
				fmt.Fprintf(stderr, "%s: %s\n", args[1], e.Error())
			}
			return fmt.Errorf("%s: %d error(s)", args[1], len(ve))
		}
		return fmt.Errorf("%s: %w", args[1], err)
	}
	e, err := engine.New(b)
	if err != nil {
		return err
	}
	if args[0] == "validate" {
		fmt.Fprintf(stdout, "%s: valid bundle %s with %d rules and %d examples\n", args[1], b.Version, len(b.Rules), len(b.Examples))
		return nil
	}
	fails := e.RunExamples()
	for _, f := range fails {
		fmt.Fprintf(stderr, "%s: %s\n", args[1], f.Error())
	}
	if len(fails) > 0 {
		failed := map[int]bool{}
		for _, f := range fails {
			failed[f.Example] = true
		}
		return fmt.Errorf("%s: %d of %d examples fail", args[1], len(failed), len(b.Examples))
	}
	fmt.Fprintf(stdout, "%s: all %d examples pass\n", args[1], len(b.Examples))
	return nil
}
