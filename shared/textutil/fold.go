// Package textutil prepares a draft for matching: it normalises the text
// (NFC, lower case) while keeping a map back to the original bytes, splits it
// into words and sentences, and converts byte offsets to the UTF-16 code
// units that browsers use. Every offset conversion in Postvakt goes through
// UTF16 in this package; nothing else counts code units.
//
// Folding allocates O(len(text)) once per draft and nothing per word.
package textutil

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folded is a draft's text in NFC and lower case, with a map from folded
// byte offsets back to the original.
type Folded struct {
	Orig string
	S    string
	// m[i] is the original offset of folded byte i; m has len(S)+1 entries.
	// m is nil when folding kept every byte offset (the common case: Norwegian
	// letters keep their UTF-8 length when lower-cased).
	m []int32
}

// Fold normalises s. buf is reused for the folded bytes when large enough.
func Fold(s string, buf []byte) Folded {
	if norm.NFC.IsNormalString(s) {
		out, same := lowerSameLen(s, buf[:0])
		if same {
			return Folded{Orig: s, S: string(out)}
		}
	}
	return foldSlow(s)
}

// lowerSameLen lower-cases s rune by rune and reports whether every rune kept
// its encoded length, so offsets are unchanged.
func lowerSameLen(s string, out []byte) ([]byte, bool) {
	if cap(out) < len(s) {
		out = make([]byte, 0, len(s))
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError {
			// Keep invalid bytes as they are; they never match a word.
			out = append(out, s[i:i+n]...)
			i += n
			continue
		}
		l := unicode.ToLower(r)
		if utf8.RuneLen(l) != n {
			return out, false
		}
		out = utf8.AppendRune(out, l)
		i += n
	}
	return out, true
}

func foldSlow(s string) Folded {
	out := make([]byte, 0, len(s)+8)
	m := make([]int32, 0, len(s)+9)
	var it norm.Iter
	it.InitString(norm.NFC, s)
	for !it.Done() {
		start := it.Pos()
		seg := it.Next()
		for j := 0; j < len(seg); {
			r, n := utf8.DecodeRune(seg[j:])
			before := len(out)
			if r == utf8.RuneError && n <= 1 {
				out = append(out, seg[j])
				n = 1
			} else {
				out = utf8.AppendRune(out, unicode.ToLower(r))
			}
			for k := before; k < len(out); k++ {
				m = append(m, int32(start))
			}
			j += n
		}
	}
	m = append(m, int32(len(s)))
	return Folded{Orig: s, S: string(out), m: m}
}

// Orig maps an offset in the folded text to the original text. An offset
// inside a character that folding changed maps to the character's start.
func (f *Folded) OrigOffset(i int) int {
	if f.m == nil {
		return i
	}
	if i < 0 {
		return 0
	}
	if i >= len(f.m) {
		return len(f.Orig)
	}
	return int(f.m[i])
}

// Identity reports whether folded offsets equal original offsets.
func (f *Folded) Identity() bool { return f.m == nil }
