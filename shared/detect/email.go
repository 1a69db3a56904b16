package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Emails appends every e-mail address in text: a local part of letters
// (æøå too), digits and «._%+-», an '@', and a domain with at least one dot
// and a top-level domain of two or more letters. Trailing punctuation is
// not part of the match.
func Emails(text string, dst []Match) []Match {
	from, floor := 0, 0
	for {
		k := strings.IndexByte(text[from:], '@')
		if k < 0 {
			return dst
		}
		at := from + k
		from = at + 1
		// Local part.
		a := at
		for a > floor {
			r, n := utf8.DecodeLastRuneInString(text[:a])
			if !isLocalRune(r) {
				break
			}
			a -= n
		}
		for a < at && text[a] == '.' {
			a++
		}
		if a == at {
			continue
		}
		// «https://www.kommune.no@evil.example/» is a URL whose host is
		// evil.example; the part before '@' is user information, not a
		// mailbox. The link rules report it.
		if a >= 3 && text[a-3:a] == "://" {
			continue
		}
		// Domain.
		b := at + 1
		lastDot := -1
		for b < len(text) {
			r, n := utf8.DecodeRuneInString(text[b:])
			if r == '.' {
				lastDot = b
			} else if !isDomainRune(r) {
				break
			}
			b += n
		}
		for b > at+1 && (text[b-1] == '.' || text[b-1] == '-') {
			b--
		}
		if lastDot >= b-1 {
			// The last dot was trailing punctuation; find the real one.
			lastDot = strings.LastIndexByte(text[at+1:b], '.')
			if lastDot >= 0 {
				lastDot += at + 1
			}
		}
		if lastDot <= at+1 || !tldOK(text[lastDot+1:b]) {
			continue
		}
		dst = append(dst, Match{a, b})
		from, floor = b, b
	}
}

func isLocalRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._%+-", r)) ||
		r >= utf8.RuneSelf && unicode.IsLetter(r)
}

func isDomainRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') ||
		r >= utf8.RuneSelf && unicode.IsLetter(r)
}

func tldOK(t string) bool {
	if len(t) < 2 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// EmailDomain returns the lower-cased domain of an address, or "".
func EmailDomain(s string) string {
	k := strings.LastIndexByte(s, '@')
	if k < 0 {
		return ""
	}
	return strings.ToLower(s[k+1:])
}
