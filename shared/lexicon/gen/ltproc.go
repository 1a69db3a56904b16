package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tools runs the lttoolbox programs on the dictionaries of one
// apertium-nno-nob installation.
type tools struct {
	dir string // e.g. /usr/share/apertium/apertium-nno-nob
}

// The Debian packages that provide each program, for error messages.
var toolPackage = map[string]string{
	"lt-proc":  "lttoolbox",
	"lt-print": "lttoolbox-dev",
}

// check reports a clear error when a program or a dictionary is missing.
func (t tools) check(files ...string) error {
	for _, prog := range []string{"lt-proc", "lt-print"} {
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Errorf("%s not found in PATH; on Debian run: apt-get install %s apertium-nno-nob", prog, toolPackage[prog])
		}
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(t.dir, f)); err != nil {
			return fmt.Errorf("dictionary %s missing (is apertium-nno-nob installed? set -apertium): %w", f, err)
		}
	}
	return nil
}

func (t tools) run(ctx context.Context, stdin string, prog string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", prog, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// print loads a compiled dictionary through lt-print.
func (t tools) print(ctx context.Context, file string) (*fst, error) {
	out, err := t.run(ctx, "", "lt-print", filepath.Join(t.dir, file))
	if err != nil {
		return nil, err
	}
	f, err := parseATT(strings.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return f, nil
}

// analyse runs the analyser on each word and returns the analyses by word.
// Words are sent one per line, so lt-proc answers one line each.
func (t tools) analyse(ctx context.Context, file string, words []string) (map[string][]analysis, error) {
	if len(words) == 0 {
		return nil, nil
	}
	out, err := t.run(ctx, strings.Join(words, "\n")+"\n", "lt-proc", filepath.Join(t.dir, file))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(words) {
		return nil, fmt.Errorf("lt-proc %s: %d lines for %d words", file, len(lines), len(words))
	}
	res := make(map[string][]analysis, len(words))
	for i, line := range lines {
		surface, as, ok := parseStream(line)
		if !ok || surface != words[i] {
			// The word was split into several tokens or is not
			// analysable; it gets no analyses and will be dropped.
			continue
		}
		res[words[i]] = as
	}
	return res, nil
}

// generate runs a generator on lexical forms ("mann<n><m><pl><def>") and
// returns the surface form of each, or "" when the generator has none.
func (t tools) generate(ctx context.Context, file string, lexical []string) ([]string, error) {
	if len(lexical) == 0 {
		return nil, nil
	}
	var in strings.Builder
	for _, l := range lexical {
		in.WriteString("^" + l + "$\n")
	}
	out, err := t.run(ctx, in.String(), "lt-proc", "-g", filepath.Join(t.dir, file))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(lexical) {
		return nil, fmt.Errorf("lt-proc -g %s: %d lines for %d inputs", file, len(lines), len(lexical))
	}
	res := make([]string, len(lines))
	for i, l := range lines {
		// "#x" and "@x" mark forms the generator cannot produce; "~" marks
		// forms left for post-generation, which Postvakt does not run.
		if l == "" || strings.ContainsAny(l, "#@~^$/<> ") {
			continue
		}
		res[i] = l
	}
	return res, nil
}

// An analysis is one reading of a word: lemma (with any homonym number) and
// tags without brackets.
type analysis struct {
	lemma string
	tags  []string
}

// parseStream parses one lt-proc output unit "^surface/analysis/…$". ok is
// false for anything else, including unknown words ("^x/*x$").
func parseStream(line string) (surface string, as []analysis, ok bool) {
	if !strings.HasPrefix(line, "^") || !strings.HasSuffix(line, "$") || strings.Count(line, "^") != 1 {
		return "", nil, false
	}
	parts := strings.Split(line[1:len(line)-1], "/")
	if len(parts) < 2 || strings.HasPrefix(parts[1], "*") {
		return "", nil, false
	}
	for _, p := range parts[1:] {
		a, err := parseAnalysis(p)
		if err != nil {
			continue // multiword or joined analyses; never a plain form
		}
		as = append(as, a)
	}
	return parts[0], as, true
}

var errMultiword = errors.New("multiword analysis")

// parseAnalysis parses "lemma<tag><tag>".
func parseAnalysis(s string) (analysis, error) {
	i := strings.IndexByte(s, '<')
	if i <= 0 || strings.ContainsAny(s, "+#") {
		return analysis{}, errMultiword
	}
	a := analysis{lemma: s[:i]}
	rest := s[i:]
	for rest != "" {
		j := strings.IndexByte(rest, '>')
		if rest[0] != '<' || j < 0 {
			return analysis{}, errMultiword
		}
		a.tags = append(a.tags, rest[1:j])
		rest = rest[j+1:]
	}
	return a, nil
}
