// Package lexicon expands a lemma to its inflected forms in bokmål and
// nynorsk, so that a rule author can write «~sjukmelde» once and match
// «sykmeldt», «sjukmeldte» and every other form of the word in both written
// standards.
//
// The forms come from a real morphological lexicon, not from suffix rules:
// forms.tsv is generated from Apertium's Norwegian dictionaries (whose data
// derives from Norsk ordbank) for the lemmas listed in lemmas.txt, and is
// embedded in the binary. The package reads no files and makes no network
// calls at run time; SOURCES.md records the source, the licences and how to
// regenerate the data.
//
// A lemma may name a part of speech after a slash: «skade/n» (the noun),
// «skade/v» (the verb); without one, every part of speech the table holds.
// The codes are n, v, adj, adv, prop, prep, pron, det, num, conj, interj and
// abbr. Participles belong to their verb («sjukmeldt» is a form of
// «sjukmelde/v»), and adjectives used as nouns to their adjective («den
// gravides» of «gravid/adj»).
//
// Forms and Lemmas are safe for concurrent use. The table is parsed once, on
// first use.
package lexicon

//go:generate go run ./gen

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
)

//go:embed forms.tsv
var data string

// An entry is one line of forms.tsv: the spellings of one word in both
// standards, its part of speech and its forms.
type entry struct {
	lemmas []string
	pos    string
	forms  []string
}

type table struct {
	entries []entry
	byLemma map[string][]int // spelling → indexes into entries
	lemmas  []string         // sorted keys of byLemma
}

// load parses the embedded table once. The generator writes it and the
// tests parse it, so a parse error here means the file was edited by hand.
var load = sync.OnceValue(func() *table {
	t, err := parse(data)
	if err != nil {
		panic("lexicon: embedded forms.tsv: " + err.Error())
	}
	return t
})

// Forms returns every form of lemma in bokmål and nynorsk, including the
// forms of its counterpart spellings in the other standard, in lower case
// and NFC, sorted by byte order and without duplicates. The lemma may end
// in "/pos" to keep one part of speech. It is folded to lower case and NFC
// before lookup, and may be spelt in either standard («sykmelde» or
// «sjukmelde»). ok is false when the table does not hold the lemma (with
// that part of speech). The caller owns the returned slice.
func Forms(lemma string) (forms []string, ok bool) {
	word, pos, hasPOS := strings.Cut(lemma, "/")
	word, pos = fold(strings.TrimSpace(word)), fold(strings.TrimSpace(pos))
	t := load()
	n := 0
	for _, i := range t.byLemma[word] {
		e := &t.entries[i]
		if hasPOS && e.pos != pos {
			continue
		}
		forms = append(forms, e.forms...)
		n++
	}
	if n == 0 {
		return nil, false
	}
	if n > 1 {
		slices.Sort(forms)
		forms = slices.Compact(forms)
	}
	return forms, true
}

// Lemmas returns every spelling Forms accepts without a part of speech,
// sorted. The caller owns the returned slice.
func Lemmas() []string {
	return slices.Clone(load().lemmas)
}

func fold(s string) string { return norm.NFC.String(strings.ToLower(s)) }

// parse reads forms.tsv: "#" comment lines, then one line per word with
// three tab-separated fields: comma-separated lemmas, part of speech, and
// space-separated forms. It checks everything Forms promises about its
// result, so that a corrupt file fails the tests rather than matching
// wrongly.
func parse(s string) (*table, error) {
	t := &table{byLemma: map[string][]int{}}
	n := 0
	for line := range strings.Lines(s) {
		n++
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		e, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		i := len(t.entries)
		for _, l := range e.lemmas {
			for _, j := range t.byLemma[l] {
				if t.entries[j].pos == e.pos {
					return nil, fmt.Errorf("line %d: %s/%s is also on another line", n, l, e.pos)
				}
			}
			t.byLemma[l] = append(t.byLemma[l], i)
		}
		t.entries = append(t.entries, e)
	}
	if len(t.entries) == 0 {
		return nil, errors.New("no entries")
	}
	for l := range t.byLemma {
		t.lemmas = append(t.lemmas, l)
	}
	slices.Sort(t.lemmas)
	return t, nil
}

func parseLine(line string) (entry, error) {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return entry{}, fmt.Errorf("%d fields, want 3", len(f))
	}
	e := entry{lemmas: strings.Split(f[0], ","), pos: f[1], forms: strings.Split(f[2], " ")}
	if e.pos == "" || fold(e.pos) != e.pos || strings.ContainsAny(e.pos, " /,") {
		return entry{}, fmt.Errorf("bad part of speech %q", e.pos)
	}
	if err := checkWords("lemmas", e.lemmas); err != nil {
		return entry{}, err
	}
	if err := checkWords("forms", e.forms); err != nil {
		return entry{}, err
	}
	return e, nil
}

// checkWords requires non-empty, folded, strictly increasing words.
func checkWords(what string, ws []string) error {
	for i, w := range ws {
		switch {
		case w == "" || strings.ContainsAny(w, " \t,/"):
			return fmt.Errorf("%s: bad word %q", what, w)
		case fold(w) != w:
			return fmt.Errorf("%s: %q is not lower case NFC", what, w)
		case i > 0 && ws[i-1] >= w:
			return fmt.Errorf("%s: %q after %q: not sorted or duplicated", what, w, ws[i-1])
		}
	}
	return nil
}
