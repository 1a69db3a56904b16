package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// An fst is one compiled lttoolbox dictionary as printed by lt-print in AT&T
// text format: a list of sections, each a transducer starting in state 0.
// lt-proc runs all sections of a dictionary side by side, so a lookup here
// searches every section too.
type fst struct {
	sections []*section
}

type section struct {
	arcs  [][]arc // by source state
	final []bool
}

// An arc reads in and writes out; either is "" for epsilon. A symbol is one
// character or one tag such as "<n>".
type arc struct {
	to      int32
	in, out string
}

// epsilon is how lt-print writes the empty symbol.
const epsilon = "ε"

// parseATT reads lt-print output: lines "src dst in out weight" for arcs and
// "state weight" for final states, tab-separated, with "--" between sections.
func parseATT(r io.Reader) (*fst, error) {
	t := &fst{}
	cur := &section{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	grow := func(s int) {
		for len(cur.arcs) <= s {
			cur.arcs = append(cur.arcs, nil)
			cur.final = append(cur.final, false)
		}
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "--" {
			t.sections = append(t.sections, cur)
			cur = &section{}
			continue
		}
		// Symbols may be a space, so split on tabs only. Lines end with a tab.
		f := strings.Split(strings.TrimRight(text, "\t"), "\t")
		switch len(f) {
		case 1, 2:
			s, err := strconv.Atoi(f[0])
			if err != nil || s < 0 {
				return nil, fmt.Errorf("att line %d: bad final state %q", line, f[0])
			}
			grow(s)
			cur.final[s] = true
		case 4, 5:
			src, err1 := strconv.Atoi(f[0])
			dst, err2 := strconv.Atoi(f[1])
			if err1 != nil || err2 != nil || src < 0 || dst < 0 {
				return nil, fmt.Errorf("att line %d: bad states in %q", line, text)
			}
			grow(max(src, dst))
			a := arc{to: int32(dst), in: f[2], out: f[3]}
			if a.in == epsilon {
				a.in = ""
			}
			if a.out == epsilon {
				a.out = ""
			}
			cur.arcs[src] = append(cur.arcs[src], a)
		default:
			return nil, fmt.Errorf("att line %d: %d fields in %q", line, len(f), text)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("att: %w", err)
	}
	t.sections = append(t.sections, cur)
	return t, nil
}

// A path is one accepted pair of symbol strings.
type path struct {
	in, out []string
}

// Which tape of a transducer a lookup constrains.
const (
	inputSide  = 0
	outputSide = 1
)

// maxPaths bounds one lookup so that a mistake (a lemma that matches a
// looping section) fails loudly instead of running forever.
const maxPaths = 20000

// maxDepth bounds the length of one path in symbols.
const maxDepth = 200

// lookup returns every path whose tape side spells lemma, then optionally
// homonym superscripts (barnevern¹), then at least one tag. The other tape
// is unconstrained. Paths that revisit a state are cut: in Apertium's
// analysers such loops only join compound parts, which Postvakt excludes.
func (t *fst) lookup(side int, lemma string) ([]path, error) {
	want := symbols(lemma)
	var out []path
	for _, sec := range t.sections {
		if len(sec.arcs) == 0 {
			continue
		}
		l := &lookupState{sec: sec, side: side, want: want, onPath: make([]bool, len(sec.arcs))}
		l.walk(0, 0, false)
		if l.err != nil {
			return nil, fmt.Errorf("lookup %q: %w", lemma, l.err)
		}
		out = append(out, l.found...)
		if len(out) > maxPaths {
			return nil, fmt.Errorf("lookup %q: more than %d paths", lemma, maxPaths)
		}
	}
	return out, nil
}

type lookupState struct {
	sec     *section
	side    int
	want    []string
	onPath  []bool
	in, out []string
	found   []path
	err     error
}

// walk extends the current path from state s. matched counts the symbols of
// the lemma read so far on the constrained side; tagged is true once a tag
// followed the lemma there.
func (l *lookupState) walk(s int32, matched int, tagged bool) {
	if l.err != nil {
		return
	}
	if len(l.in)+len(l.out) > 2*maxDepth {
		l.err = fmt.Errorf("path longer than %d symbols", maxDepth)
		return
	}
	if tagged && l.sec.final[s] {
		l.found = append(l.found, path{in: clone(l.in), out: clone(l.out)})
		if len(l.found) > maxPaths {
			l.err = fmt.Errorf("more than %d paths", maxPaths)
			return
		}
	}
	l.onPath[s] = true
	defer func() { l.onPath[s] = false }()
	for _, a := range l.sec.arcs[s] {
		if l.onPath[a.to] {
			continue
		}
		sym := a.in
		if l.side == outputSide {
			sym = a.out
		}
		m, tg := matched, tagged
		if sym != "" && !tagged {
			switch {
			case m < len(l.want):
				if sym != l.want[m] {
					continue
				}
				m++
			case isSuperscript(sym):
				// A homonym number between lemma and tags.
			case isTag(sym):
				tg = true
			default:
				continue
			}
		}
		n, k := len(l.in), len(l.out)
		if a.in != "" {
			l.in = append(l.in, a.in)
		}
		if a.out != "" {
			l.out = append(l.out, a.out)
		}
		l.walk(a.to, m, tg)
		l.in, l.out = l.in[:n], l.out[:k]
	}
}

func clone(s []string) []string { return append([]string(nil), s...) }

// symbols splits a lemma into one-character symbols.
func symbols(s string) []string {
	var out []string
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

func isTag(sym string) bool {
	return len(sym) > 2 && sym[0] == '<' && sym[len(sym)-1] == '>'
}

func isSuperscript(sym string) bool {
	return strings.ContainsAny(sym, "¹²³⁴⁵⁶⁷⁸⁹⁰") && len([]rune(sym)) == 1
}

// split divides a symbol string into its characters and its tags: the
// characters before the first tag, and every tag (without brackets). ok is
// false when characters follow a tag, as in multiword analyses
// ("gå<vblex>#på"), which Postvakt does not expand.
func split(syms []string) (word string, tags []string, ok bool) {
	var b strings.Builder
	for _, s := range syms {
		if isTag(s) {
			tags = append(tags, s[1:len(s)-1])
			continue
		}
		if len(tags) > 0 {
			return "", nil, false
		}
		b.WriteString(s)
	}
	return b.String(), tags, true
}
