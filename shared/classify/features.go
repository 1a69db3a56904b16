package classify

import (
	"unicode"
	"unicode/utf8"
)

// 32-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/).
const (
	fnvOffset uint32 = 2166136261
	fnvPrime  uint32 = 16777619
)

// Each feature's hash starts with a byte naming its type, and tokens never
// contain a space, so a unigram, a bigram and a character n-gram are
// different byte strings before hashing: types collide only as any two
// hashes may, never by construction.
const (
	tagWord   = 'w' // "w" + token
	tagBigram = 'b' // "b" + token + " " + token
	tagChar   = 'c' // "c" + 3 to 5 characters of "<" + word + ">"
)

// The shortest and the longest character n-gram, in characters (runes).
const (
	minN = 3
	maxN = 5
)

var (
	seedWord   = fnvByte(fnvOffset, tagWord)
	seedBigram = fnvByte(fnvOffset, tagBigram)
	seedChar   = fnvByte(fnvOffset, tagChar)
)

func fnvByte(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// Features appends the hashed features of one sentence to dst and returns
// the extended slice. The text must already be folded as the model's
// samples were (lower case, NFC: textutil.Fold in Postvakt).
//
// A token is a word, a letter or digit followed by letters, digits and
// combining marks (so «e-post» is two words), or a single emoji rune
// («👏», «🙄»); everything else, including skin-tone modifiers, variation
// selectors and joiners, only separates tokens. For each token in order,
// Features appends the hash of its unigram, "w"+token; of the bigram with
// the token before it, "b"+previous+" "+token; and, for words, of every
// character n-gram of 3 to 5 runes of "<"+word+">", "c"+n-gram, by start
// and then by length. The hashes are 32-bit FNV-1a; the first byte keeps
// the feature types apart, and a model reduces a hash to its dimension
// with h & (dim-1).
//
// Features hashes incrementally and allocates only when dst must grow.
func Features(text string, dst []uint32) []uint32 {
	var prev uint32 // the hash of "b" + previous token + " "
	havePrev := false
	for i := 0; i < len(text); {
		r, n := decode(text, i)
		var tok string
		word := false
		switch {
		case isWordStart(r):
			j := i + n
			for j < len(text) {
				r2, n2 := decode(text, j)
				if !isWordRune(r2) {
					break
				}
				j += n2
			}
			tok, word = text[i:j], true
		case isEmoji(r):
			tok = text[i : i+n]
		default:
			i += n
			continue
		}
		i += len(tok)
		dst = append(dst, fnvString(seedWord, tok))
		if havePrev {
			dst = append(dst, fnvString(prev, tok))
		}
		prev, havePrev = fnvByte(fnvString(seedBigram, tok), ' '), true
		if word {
			dst = charGrams(tok, dst)
		}
	}
	return dst
}

// charGrams appends the n-grams of "<"+w+">" without building that
// string: each start position hashes forward up to maxN characters and
// emits the hash at every length from minN. A character is a lead byte
// and the continuation bytes after it; w is valid UTF-8, since
// Features's tokens are made of decoded runes.
func charGrams(w string, dst []uint32) []uint32 {
	// start == -1 stands for the '<' in front of the word.
	for start := -1; start < len(w); {
		h, n, j := seedChar, 0, start
		if j < 0 {
			h, n, j = fnvByte(h, '<'), 1, 0
		}
		for n < maxN {
			if j < len(w) {
				h = fnvByte(h, w[j])
				for j++; j < len(w) && w[j]&0xC0 == 0x80; j++ {
					h = fnvByte(h, w[j])
				}
			} else if j == len(w) {
				h = fnvByte(h, '>')
				j++
			} else {
				break // past the '>'
			}
			n++
			if n >= minN {
				dst = append(dst, h)
			}
		}
		for start++; start < len(w) && w[start]&0xC0 == 0x80; start++ {
		}
	}
	return dst
}

func decode(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isWordStart reports whether r can start a word: a letter or a digit.
func isWordStart(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isWordRune reports whether r can continue a word: a letter, a digit or
// a combining mark. Variation selectors are marks too, but they only
// choose how the character before them looks («❤️» is «❤» and U+FE0F).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) && !unicode.Is(unicode.Variation_Selector, r)
}

// isEmoji reports whether r is a pictographic symbol, with the ranges
// textutil uses to end sentences at emoji: the emoji blocks, the
// miscellaneous symbols and dingbats. Skin-tone modifiers are left out so
// «👍🏽» and «👍» are the same token.
func isEmoji(r rune) bool {
	if r >= 0x1F3FB && r <= 0x1F3FF {
		return false
	}
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x2B00 && r <= 0x2BFF
}
