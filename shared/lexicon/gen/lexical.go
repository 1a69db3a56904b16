package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// posCodes maps Apertium's part-of-speech tags to the codes rule authors
// write after a slash («~skade/n»). The first tag of an analysis decides,
// except that participles (adj + pp or pprs) belong to their verb.
var posCodes = map[string]string{
	"n":       "n",
	"np":      "prop",
	"vblex":   "v",
	"vbmod":   "v",
	"vbser":   "v",
	"vbhaver": "v",
	"vaux":    "v",
	"adj":     "adj",
	"adv":     "adv",
	"pr":      "prep",
	"prn":     "pron",
	"det":     "det",
	"num":     "num",
	"cnjcoo":  "conj",
	"cnjsub":  "conj",
	"cnjadv":  "conj",
	"ij":      "interj",
	"abbr":    "abbr",
}

// validPOS reports whether code is a part of speech lemmas.txt may name.
func validPOS(code string) bool {
	for _, c := range posCodes {
		if c == code {
			return true
		}
	}
	return false
}

// posNames lists the codes for error messages.
func posNames() string {
	var cs []string
	for _, c := range posCodes {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	return strings.Join(slices.Compact(cs), ", ")
}

// coarsePOS returns the rule author's part of speech for an analysis's tags,
// or "" when the analysis is one Postvakt never expands: compound parts and
// tags it does not know.
func coarsePOS(tags []string) string {
	if len(tags) == 0 || isCompoundOnly(tags) {
		return ""
	}
	if tags[0] == "adj" && (slices.Contains(tags, "pp") || slices.Contains(tags, "pprs")) {
		return "v" // «sjukmeldt», «gåande»: participles of the verb
	}
	if tags[0] == "n" && slices.ContainsFunc(tags, isNominalised) {
		return "adj" // «den gravides»: an adjective used as a noun
	}
	return posCodes[tags[0]]
}

// isNominalised reports Apertium's tags for adjectives used as nouns
// (<n><xpst>, <n><xcomp>, <n><xsup>, …), whose lemma is the adjective.
func isNominalised(tag string) bool {
	switch tag {
	case "xpst", "xpsts", "xpsto", "xcomp", "xsup":
		return true
	}
	return false
}

// isCompoundOnly reports tags that mark an analysis as a part of a compound
// rather than a word: <cmp><compound-only-L> for left parts (often an
// inflected form that only occurs inside compounds), <compound-R> for the
// duplicate readings the analyser keeps for right parts.
func isCompoundOnly(tags []string) bool {
	for _, t := range tags {
		if t == "cmp" || t == "cmp-split" || t == "detriple" || strings.HasPrefix(t, "compound") {
			return true
		}
	}
	return false
}

// baseLemma strips a homonym number: «barnevern¹» → «barnevern».
func baseLemma(l string) string {
	return strings.TrimRight(l, "¹²³⁴⁵⁶⁷⁸⁹⁰")
}

// canon is the form Postvakt stores and matches: NFC, lower case.
func canon(s string) string {
	return norm.NFC.String(strings.ToLower(s))
}

// spellingVariant reports whether a bilingual counterpart is the same word
// spelt in the other standard («sjukmelde»/«sykmelde», «skuffa»/«skuffet»)
// rather than a different word the bilingual dictionary also offers as a
// translation (nynorsk «gå» → bokmål «løpe»). Counterparts are compared with
// the lemma the rule author wrote, so chains of links cannot drift.
func spellingVariant(seed, other string) bool {
	n := min(len([]rune(seed)), len([]rune(other)))
	return levenshtein(seed, other) <= max(2, n/3)
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// A request is one line of lemmas.txt.
type request struct {
	line  int
	lemma string
	pos   string // "" for every part of speech
}

func (r request) String() string {
	if r.pos == "" {
		return r.lemma
	}
	return r.lemma + "/" + r.pos
}

// parseLemmas reads lemmas.txt: one lemma per line with an optional
// "/pos", blank lines and "#" comments (also after a lemma) ignored.
func parseLemmas(r io.Reader) ([]request, error) {
	var out []request
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		lemma, pos, _ := strings.Cut(s, "/")
		lemma = strings.TrimPrefix(lemma, "~")
		if lemma == "" || strings.ContainsAny(lemma, " \t<>/") {
			return nil, fmt.Errorf("lemmas.txt:%d: %q is not a single word", n, s)
		}
		if canon(lemma) != lemma {
			return nil, fmt.Errorf("lemmas.txt:%d: write %q in lower case (NFC)", n, lemma)
		}
		if pos != "" && !validPOS(pos) {
			return nil, fmt.Errorf("lemmas.txt:%d: unknown part of speech %q; use one of %s", n, pos, posNames())
		}
		req := request{line: n, lemma: lemma, pos: pos}
		if prev, ok := seen[req.String()]; ok {
			return nil, fmt.Errorf("lemmas.txt:%d: %s already listed on line %d", n, req, prev)
		}
		seen[req.String()] = n
		out = append(out, req)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("lemmas.txt: %w", err)
	}
	return out, nil
}
