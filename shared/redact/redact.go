// Package redact masks the fragment a finding is about, so that an audit
// entry can say what kind of thing was found and roughly where without
// carrying the personal data itself: «01******345», «k***@gmail.com».
//
// Guarantees: Mask never returns more than MaxRunes runes; of a number it
// keeps at most the first two and the last three digits (none of a number
// shorter than eight digits); of an e-mail address the first letter of the
// local part and the domain; of any other text the first letter of each
// word. Everything else becomes '*'. Mask is pure and safe for concurrent
// use.
package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxRunes bounds the length of a masked excerpt.
const MaxRunes = 40

// Mask returns the masked form of fragment, which a finding of rule is
// about. The rule decides how much shape is kept: numbers keep their
// separators, e-mail addresses their domain.
func Mask(rule, fragment string) string {
	fragment = strings.TrimSpace(fragment)
	if fragment == "" {
		return ""
	}
	if strings.Contains(fragment, "@") && (rule == "pii.email" || strings.Count(fragment, "@") == 1 && !strings.ContainsAny(fragment, " \n")) {
		return clip(maskEmail(fragment))
	}
	if digits(fragment) >= 6 && letters(fragment) == 0 {
		return clip(maskNumber(fragment))
	}
	return clip(maskWords(fragment))
}

// digits counts the decimal digits of s in any script («٥» too), so that
// maskNumber masks every one of them.
func digits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// maskNumber keeps the first two and last three digits of numbers of
// eight digits or more, and the separators.
func maskNumber(s string) string {
	total := digits(s)
	keepHead, keepTail := 2, 3
	if total < 8 {
		keepHead, keepTail = 0, 0
	}
	var b strings.Builder
	b.Grow(len(s))
	k := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			if k < keepHead || k >= total-keepTail {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			k++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskEmail keeps the first character of the local part and the domain.
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if !isDomain(domain) {
		// Only a domain is safe to keep; «a@b Emma har diabetes» is not one.
		domain = maskWords(domain)
	}
	r, n := utf8.DecodeRuneInString(local)
	if n == 0 {
		return "***@" + domain
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		r = '*'
	}
	return string(r) + "***@" + domain
}

// isDomain reports whether s is made of letters, digits, '-' and '.' only.
func isDomain(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.' {
			return false
		}
	}
	return s != ""
}

// maskWords keeps the first letter of each word and masks the rest;
// digits are masked, punctuation and spaces are kept.
func maskWords(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if start {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			start = false
		case unicode.IsDigit(r):
			b.WriteByte('*')
			start = false
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
			start = true
		default:
			b.WriteRune(r)
			start = !unicode.IsMark(r)
		}
	}
	return b.String()
}

// clip cuts s to MaxRunes runes, ending in «…» when cut.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= MaxRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxRunes-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
