package rules

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/postvakt/postvakt/shared/lexicon"
)

func validateKind(r *Rule, p string, errs *ValidationErrors) {
	id := r.ID
	add := func(path, format string, args ...any) {
		*errs = append(*errs, ve(path, id, format, args...))
	}
	set := map[string]bool{
		KindDetector:    r.Detector != nil,
		KindPhrase:      r.Phrase != nil,
		KindLink:        r.Link != nil,
		KindImage:       r.Image != nil,
		KindLength:      r.Length != nil,
		KindReadability: r.Readability != nil,
		KindFrame:       r.Frame != nil,
		KindClassifier:  r.Classifier != nil,
	}
	if !slices.Contains(Kinds, r.Kind) {
		add(p+".kind", "%q is not a rule kind; valid kinds are %s", r.Kind, strings.Join(Kinds, ", "))
		return
	}
	for _, k := range Kinds {
		if set[k] && k != r.Kind {
			add(p+"."+k, "is set but the rule's kind is %q", r.Kind)
		}
	}
	if r.Kind != KindCrisis && !set[r.Kind] {
		add(p+"."+r.Kind, "is required for a rule of kind %q", r.Kind)
		return
	}
	switch r.Kind {
	case KindDetector:
		d := r.Detector
		if !slices.Contains(Detectors, d.Name) {
			add(p+".detector.name", "%q is not a built-in detector; valid detectors are %s", d.Name, strings.Join(Detectors, ", "))
		}
		checkTerms(p+".detector.params.terms", id, d.Params.Terms, errs)
		checkTerms(p+".detector.params.persons", id, d.Params.Persons, errs)
		checkTerms(p+".detector.params.unless", id, d.Params.Unless, errs)
		checkList(p+".detector.params.kinds", id, d.Params.Kinds, kindsDraft, errs)
		if d.Params.Within < 0 || d.Params.Within > 100 {
			add(p+".detector.params.within", "must be between 0 and 100 words")
		}
		if (d.Name == "sensitive" || d.Name == "address") && len(d.Params.Terms) == 0 {
			add(p+".detector.params.terms", "the %s detector needs terms", d.Name)
		}
	case KindPhrase:
		ph := r.Phrase
		if len(ph.Words) == 0 && len(ph.Patterns) == 0 {
			add(p+".phrase", "needs words or patterns")
		}
		checkTerms(p+".phrase.words", id, ph.Words, errs)
		checkPatterns(p+".phrase.patterns", id, ph.Patterns, errs)
		checkTerms(p+".phrase.unless", id, ph.Unless, errs)
		if ph.Near != nil {
			if len(ph.Near.Words) == 0 && len(ph.Near.Patterns) == 0 {
				add(p+".phrase.near", "needs words or patterns")
			}
			checkTerms(p+".phrase.near.words", id, ph.Near.Words, errs)
			checkPatterns(p+".phrase.near.patterns", id, ph.Near.Patterns, errs)
			if ph.Near.Within < 0 || ph.Near.Within > 100 {
				add(p+".phrase.near.within", "must be between 0 and 100 words")
			}
		}
	case KindFrame:
		validateFrame(r.Frame, p, id, errs)
	case KindLink:
		if !slices.Contains(LinkChecks, r.Link.Check) {
			add(p+".link.check", "%q is not a link check; valid checks are %s", r.Link.Check, strings.Join(LinkChecks, ", "))
		}
		for i, d := range r.Link.Domains {
			if !isDomain(d) {
				add(fmt.Sprintf("%s.link.domains[%d]", p, i), "%q is not a domain name", d)
			}
		}
		if r.Link.Check == "shortener" && len(r.Link.Domains) == 0 {
			add(p+".link.domains", "the shortener check needs the shortener domains")
		}
		checkList(p+".link.kinds", id, r.Link.Kinds, kindsDraft, errs)
	case KindImage:
		if !slices.Contains(ImageChecks, r.Image.Check) {
			add(p+".image.check", "%q is not an image check; valid checks are %s", r.Image.Check, strings.Join(ImageChecks, ", "))
		}
	case KindLength:
		if len(r.Length.Limits) == 0 {
			add(p+".length.limits", "needs a limit for at least one platform")
		}
		for _, k := range sortedKeys(r.Length.Limits) {
			if !slices.Contains(platforms, k) {
				add(p+".length.limits."+k, "%q is not a platform; valid platforms are %s", k, strings.Join(platforms, ", "))
			} else if r.Length.Limits[k] <= 0 {
				add(p+".length.limits."+k, "must be a positive number of characters")
			}
		}
		for _, k := range sortedKeys(r.Length.URLWeight) {
			if !slices.Contains(platforms, k) {
				add(p+".length.url_weight."+k, "%q is not a platform", k)
			} else if r.Length.URLWeight[k] <= 0 {
				add(p+".length.url_weight."+k, "must be positive")
			}
		}
	case KindReadability:
		if r.Readability.MaxLIX <= 0 || r.Readability.MaxLIX > 100 {
			add(p+".readability.max_lix", "must be between 0 and 100 (55 is the usual limit)")
		}
		if r.Readability.MinWords < 0 {
			add(p+".readability.min_words", "must not be negative")
		}
	}
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func checkTerms(p, id string, terms []string, errs *ValidationErrors) {
	if len(terms) > MaxTermsPerList {
		*errs = append(*errs, ve(p, id, "has %d terms, more than the limit of %d", len(terms), MaxTermsPerList))
		return
	}
	for i, t := range terms {
		if _, err := ParseTerm(t); err != nil {
			*errs = append(*errs, fromErr(fmt.Sprintf("%s[%d]", p, i), id, err))
		}
	}
}

func checkPatterns(p, id string, pats []string, errs *ValidationErrors) {
	for i, s := range pats {
		if len(s) > MaxPatternLen {
			*errs = append(*errs, ve(fmt.Sprintf("%s[%d]", p, i), id, "pattern is longer than %d bytes", MaxPatternLen))
			continue
		}
		if _, err := CompilePattern(s); err != nil {
			*errs = append(*errs, fromErr(fmt.Sprintf("%s[%d]", p, i), id, err))
		}
	}
}

// CompilePattern compiles an admin-written RE2 pattern the way the engine
// runs it: on normalised, lower-cased text, so the pattern is matched
// case-insensitively. Go's regexp runs in linear time; lookarounds and
// backreferences are not available and are reported as errors.
func CompilePattern(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, newMsg("pattern is empty")
	}
	// The text is already lower case, so a pattern without upper-case
	// letters needs no (?i), which would disable regexp's literal-prefix
	// scan and make every pattern several times slower.
	src := s
	if strings.ToLower(s) != s {
		src = "(?i)" + s
	}
	re, err := regexp.Compile(src)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		return nil, newMsg("invalid RE2 pattern: %s", msg)
	}
	if re.MatchString("") {
		return nil, newMsg("pattern %q matches the empty string", s)
	}
	if r, ok := asciiBoundaryBefore(src); ok {
		return nil, newMsg("pattern %q: \\b is an ASCII word boundary in RE2 and never matches before %q; write (^|[^\\pL\\pN]) instead", s, string(r))
	}
	return re, nil
}

// asciiBoundaryBefore finds a \b or \B followed by a letter outside ASCII:
// RE2's word boundary knows only [0-9A-Za-z_], so «\bønskjer» can never
// match, and a list of alternatives that starts with it silently loses
// those words («\b(send|ønskjer)»). It returns the first such letter.
func asciiBoundaryBefore(src string) (rune, bool) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return 0, false
	}
	var walk func(re *syntax.Regexp) (rune, bool)
	walk = func(re *syntax.Regexp) (rune, bool) {
		if re.Op == syntax.OpConcat {
			for i := 0; i+1 < len(re.Sub); i++ {
				if b := re.Sub[i].Op; b != syntax.OpWordBoundary && b != syntax.OpNoWordBoundary {
					continue
				}
				for _, r := range firstRunes(re.Sub[i+1]) {
					if r > unicode.MaxASCII && unicode.IsLetter(r) {
						return r, true
					}
				}
			}
		}
		for _, sub := range re.Sub {
			if r, ok := walk(sub); ok {
				return r, true
			}
		}
		return 0, false
	}
	return walk(re)
}

// firstRunes lists the literal runes a match of re can start with, as far
// as literals, captures, alternations and concatenations tell.
func firstRunes(re *syntax.Regexp) []rune {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) > 0 {
			return re.Rune[:1]
		}
	case syntax.OpCapture, syntax.OpPlus, syntax.OpRepeat:
		return firstRunes(re.Sub[0])
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return firstRunes(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out []rune
		for _, sub := range re.Sub {
			out = append(out, firstRunes(sub)...)
		}
		return out
	}
	return nil
}

// Term is a parsed word-list entry: one or more word patterns that must
// follow each other.
type Term struct {
	Words []WordPat
	// Name is true for the special term "@name".
	Name bool
}

// WordPat matches one word of normalised text.
type WordPat struct {
	Text string // lower case, NFC
	// Prefix: the word may continue after Text ("fødselsnummer*").
	Prefix bool
	// Suffix: the word may begin before Text ("*sjukmeld*").
	Suffix bool
	// Lemma: Text is a lemma, optionally with "/pos" («~sjukmelde»,
	// «~skade/n»), standing for every inflected form in bokmål and
	// nynorsk (shared/lexicon). The engine expands it when it compiles
	// the bundle; Forms holds the forms.
	Lemma bool
	Forms []string
}

// ParseTerm parses the term syntax of phrase rules. Text is folded to lower
// case; callers normalise it to NFC (the engine does).
func ParseTerm(s string) (Term, error) {
	if !utf8.ValidString(s) {
		return Term{}, newMsg("term is not valid UTF-8")
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return Term{}, newMsg("term is empty")
	}
	if len(t) > MaxTermLen {
		return Term{}, newMsg("term is longer than %d bytes", MaxTermLen)
	}
	if t == "@name" {
		return Term{Name: true}, nil
	}
	var out Term
	for _, w := range strings.Fields(t) {
		if strings.HasPrefix(w, "~") {
			lemma := strings.ToLower(w[1:])
			if lemma == "" || strings.ContainsAny(lemma, "*~") {
				return Term{}, newMsg("term %q: `~` must be followed by a lemma", s)
			}
			forms, ok := lexicon.Forms(lemma)
			if !ok {
				return Term{}, newMsg("term %q: %q is not in the lexicon; list the forms as words instead, or add the lemma to shared/lexicon/lemmas.txt", s, lemma)
			}
			out.Words = append(out.Words, WordPat{Text: lemma, Lemma: true, Forms: forms})
			continue
		}
		wp := WordPat{}
		if strings.HasPrefix(w, "*") {
			wp.Suffix = true
			w = w[1:]
		}
		if strings.HasSuffix(w, "*") {
			wp.Prefix = true
			w = w[:len(w)-1]
		}
		if w == "" {
			return Term{}, newMsg("term %q has a word that is only a wildcard", s)
		}
		if strings.Contains(w, "*") {
			return Term{}, newMsg("term %q: `*` may only start or end a word", s)
		}
		for _, r := range w {
			if !IsWordRune(r) {
				return Term{}, newMsg("term %q: %q is not a letter or digit; use a pattern for punctuation", s, r)
			}
		}
		wp.Text = strings.ToLower(w)
		out.Words = append(out.Words, wp)
	}
	return out, nil
}

// IsWordRune reports whether r belongs to a word: letters, digits and
// marks. Hyphenated compounds («NAV-kontoret») are separate words.
func IsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// parseWhen parses a window end: empty (open), YYYY-MM-DD or RFC 3339.
func parseWhen(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	return ParseTime(s)
}

// ParseTime accepts RFC 3339 or YYYY-MM-DD (midnight UTC).
func ParseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
