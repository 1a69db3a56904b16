package engine

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fpattern is an RE2 pattern with the set of bytes a match can start
// with, when that set can be worked out, so a sentence without any of them
// is skipped without running the matcher. Patterns without a literal
// prefix (an emoji class, «[^»]+») otherwise cost a backtracking attempt
// at every byte of every sentence, on every keystroke.
type fpattern struct {
	re    *regexp.Regexp
	first *[256]bool // nil: any byte may start a match
	// need lists words of which every match holds one (requiredWords);
	// a sentence with none of them is skipped without running the
	// matcher. Nil: no such list is known.
	need []string
}

func newFPattern(re *regexp.Regexp) fpattern {
	fp := fpattern{re: re, need: requiredWords(re.String())}
	if prog, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		var set [256]bool
		if firstBytes(prog.Simplify(), &set) {
			fp.first = &set
		}
	}
	return fp
}

// firstBytes adds to set every byte that can start a match of re and
// reports whether it could tell (false for anything that may match the
// empty string at its start, or for constructs it does not know).
func firstBytes(re *syntax.Regexp, set *[256]bool) bool {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return false
		}
		return addRuneFirst(re.Rune[0], re.Rune[0], re.Flags&syntax.FoldCase != 0, set)
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if !addRuneFirst(re.Rune[i], re.Rune[i+1], false, set) {
				return false
			}
		}
		return true
	case syntax.OpCapture:
		return firstBytes(re.Sub[0], set)
	case syntax.OpPlus:
		return firstBytes(re.Sub[0], set)
	case syntax.OpRepeat:
		return re.Min > 0 && firstBytes(re.Sub[0], set)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !firstBytes(s, set) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		// The first element must consume input; word boundaries before it
		// are zero-width and do not change the first byte.
		for _, s := range re.Sub {
			switch s.Op {
			case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
				continue
			}
			return firstBytes(s, set)
		}
	}
	return false
}

// addRuneFirst adds the first UTF-8 bytes of the runes lo..hi. Wide
// ranges are refused rather than enumerated.
func addRuneFirst(lo, hi rune, fold bool, set *[256]bool) bool {
	if hi-lo > 4096 {
		return false
	}
	if fold && hi >= utf8.RuneSelf {
		return false // case folding beyond ASCII can change the first byte (Σ, σ)
	}
	var buf [utf8.UTFMax]byte
	for r := lo; r <= hi; r++ {
		utf8.EncodeRune(buf[:], r)
		set[buf[0]] = true
		if fold {
			for f := 'a'; f <= 'z'; f++ {
				if f == r|0x20 {
					set[byte(f)], set[byte(f-32)] = true, true
				}
			}
		}
	}
	return true
}

// findAll is re.FindAllStringIndex(s, -1), skipping s when no byte can
// start a match.
func (fp *fpattern) findAll(s string) [][]int {
	if fp.first != nil && !anyByte(s, fp.first) || !fp.hasNeeded(s) {
		return nil
	}
	return fp.re.FindAllStringIndex(s, -1)
}

// match is re.MatchString(s) with the same shortcut.
func (fp *fpattern) match(s string) bool {
	if fp.first != nil && !anyByte(s, fp.first) || !fp.hasNeeded(s) {
		return false
	}
	return fp.re.MatchString(s)
}

func anyByte(s string, set *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		if set[s[i]] {
			return true
		}
	}
	return false
}

func (fp *fpattern) hasNeeded(s string) bool {
	if fp.need == nil {
		return true
	}
	for _, w := range fp.need {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// requiredWords finds, in an admin-written pattern, a group of plain
// alternatives that every match must contain: a parenthesised list of
// words at the top level, with no quantifier after it and no top-level
// «|» in the pattern («\bsend( [^ .!?]+){0,3}? (innspel|merknad)\b» needs
// «innspel» or «merknad»). Of several such groups it takes the one whose
// shortest word is longest, the most selective. Patterns like these have
// no literal prefix, so without this the matcher would try every byte of
// every sentence on every keystroke; with it a sentence without those
// words costs a few substring searches. Nil when no group qualifies.
func requiredWords(src string) []string {
	if strings.HasPrefix(src, "(?") {
		return nil // flags (case folding) change what the words match
	}
	var best []string
	bestMin := 0
	// A plain word the pattern starts with («\\bsom (kom|…)») is required
	// too; Go's regexp finds no literal prefix behind \\b, so it would
	// otherwise try every byte.
	if lead := leadingWord(src); len(lead) >= 3 {
		best, bestMin = []string{lead}, len(lead)
	}
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\\':
			i++
		case '[':
			// Skip a character class; «]» right after «[» or «[^» is literal.
			j := i + 1
			if j < len(src) && src[j] == '^' {
				j++
			}
			if j < len(src) && src[j] == ']' {
				j++
			}
			for j < len(src) && src[j] != ']' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '|':
			if depth == 0 {
				return nil
			}
		case '(':
			if depth == 0 {
				if end := strings.IndexByte(src[i:], ')'); end > 0 {
					body := src[i+1 : i+end]
					after := i + end + 1
					quantified := after < len(src) && strings.IndexByte("?*+{", src[after]) >= 0
					if ws, ok := plainWords(body); ok && !quantified {
						m := len(ws[0])
						for _, w := range ws {
							m = min(m, len(w))
						}
						if m > bestMin {
							best, bestMin = ws, m
						}
					}
				}
			}
			depth++
		case ')':
			depth--
		}
	}
	return best
}

// leadingWord returns the run of lower-case letters and spaces a pattern
// starts with, after an optional \\b, short of a letter a quantifier
// makes optional.
func leadingWord(src string) string {
	rest := strings.TrimPrefix(src, `\b`)
	end := 0
	for end < len(rest) {
		r, size := utf8.DecodeRuneInString(rest[end:])
		if r != ' ' && !unicode.IsLower(r) {
			break
		}
		end += size
	}
	if end < len(rest) && strings.IndexByte("?*+{", rest[end]) >= 0 && end > 0 {
		_, size := utf8.DecodeLastRuneInString(rest[:end])
		end -= size
	}
	if end < len(rest) && rest[end] == '|' {
		return "" // the first of several alternatives
	}
	return rest[:end]
}

// plainWords splits «a|b c|d» into its alternatives when each is lower-case
// letters and spaces only.
func plainWords(body string) ([]string, bool) {
	ws := strings.Split(body, "|")
	for _, w := range ws {
		if w == "" {
			return nil, false
		}
		for _, r := range w {
			if r != ' ' && !unicode.IsLower(r) {
				return nil, false
			}
		}
	}
	return ws, true
}
