// Command gen regenerates shared/lexicon/forms.tsv from
// shared/lexicon/lemmas.txt with Apertium's Norwegian dictionaries.
//
//	go run ./shared/lexicon/gen          # rewrite forms.tsv
//	go run ./shared/lexicon/gen -check   # fail if forms.tsv is stale
//
// It is a developer tool: nothing imports it and CI never runs it, because
// it needs lt-proc and lt-print (Debian: lttoolbox, lttoolbox-dev) and the
// dictionaries of apertium-nno-nob. The data it writes is all that ships.
//
// For each lemma it reads the analyser transducers (printed by lt-print) for
// every surface form whose analysis has that lemma and part of speech,
// leaving out compound parts; it follows both bilingual dictionaries to the
// lemma's spellings in the other standard; it adds what the generators
// produce for each tag set; and it keeps only forms that lt-proc analyses
// back to the same lemma and part of speech. Irregular forms (menn, bøker,
// gikk) need no special handling: they are paths of the analyser like any
// other.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lemmasPath := fs.String("lemmas", "", "lemma list (default: shared/lexicon/lemmas.txt in this module)")
	outPath := fs.String("out", "", "data file to write (default: shared/lexicon/forms.tsv in this module)")
	dir := fs.String("apertium", "", "directory of the apertium-nno-nob dictionaries (default: $APERTIUM_NNO_NOB or /usr/share/apertium/apertium-nno-nob)")
	check := fs.Bool("check", false, "do not write; fail if the data file differs from what would be written")
	verbose := fs.Bool("v", false, "also print the data lines to stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dir == "" {
		*dir = getenv("APERTIUM_NNO_NOB")
	}
	if *dir == "" {
		*dir = "/usr/share/apertium/apertium-nno-nob"
	}
	if *lemmasPath == "" || *outPath == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		if *lemmasPath == "" {
			*lemmasPath = filepath.Join(root, "shared", "lexicon", "lemmas.txt")
		}
		if *outPath == "" {
			*outPath = filepath.Join(root, "shared", "lexicon", "forms.tsv")
		}
	}

	lf, err := os.Open(*lemmasPath)
	if err != nil {
		return err
	}
	reqs, err := parseLemmas(lf)
	lf.Close()
	if err != nil {
		return err
	}

	t := tools{dir: *dir}
	b := &builder{tools: t, stds: standards(), stderr: stderr, noted: map[string]bool{}}
	var files []string
	for _, s := range b.stds {
		files = append(files, s.morf, s.gen, s.bil)
	}
	if err := t.check(files...); err != nil {
		return err
	}
	version := sourceVersion(ctx, stderr)
	if err := b.load(ctx); err != nil {
		return err
	}

	var groups []*group
	var errs []error
	for _, r := range reqs {
		gs, err := b.expand(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		groups = append(groups, gs...)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	groups = merge(groups)
	if err := b.fill(ctx, groups); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeTSV(&buf, version, groups); err != nil {
		return err
	}
	if *verbose {
		for l := range strings.Lines(buf.String()) {
			if !strings.HasPrefix(l, "#") {
				fmt.Fprint(stdout, l)
			}
		}
	}
	if *check {
		old, err := os.ReadFile(*outPath)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, buf.Bytes()) {
			return fmt.Errorf("%s is stale: run go run ./shared/lexicon/gen", *outPath)
		}
		fmt.Fprintf(stdout, "%s is up to date (%d lines)\n", *outPath, len(groups))
		return nil
	}
	if err := os.WriteFile(*outPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d lines, %d bytes, from %d lemmas\n", *outPath, len(groups), buf.Len(), len(reqs))
	return nil
}

// moduleRoot walks up from the working directory to go.mod, so the defaults
// work from the module root (go run ./shared/lexicon/gen) and from the
// package directory (go generate).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory; pass -lemmas and -out")
		}
		dir = parent
	}
}

// sourceVersion asks dpkg for the upstream version of apertium-nno-nob, so
// the data file names exactly what it was derived from.
func sourceVersion(ctx context.Context, stderr io.Writer) string {
	out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${Version}", "apertium-nno-nob").Output()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		fmt.Fprintln(stderr, "note: dpkg-query cannot tell the apertium-nno-nob version; recording it as unknown")
		return "(version unknown)"
	}
	// Drop the Debian revision: "1.5.0-1" → "1.5.0".
	if i := strings.LastIndexByte(v, '-'); i > 0 {
		v = v[:i]
	}
	return v
}
