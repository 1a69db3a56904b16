package textutil

import (
	"unicode"
	"unicode/utf8"
)

// Word is one word of the folded text: [Start, End) in folded bytes, the
// index of its sentence, and whether the original started with a capital
// letter.
type Word struct {
	Start, End int32
	Sent       int32
	Cap        bool
}

// Sentence is [Start, End) in folded bytes with its first word index and
// one past its last.
type Sentence struct {
	Start, End int32
	W0, W1     int32
}

// Segment splits f into words and sentences, appending to the given
// slices (reused between drafts). A sentence ends at a line break, or at
// '.', '!', '?' or '…' followed by white space and then a capital letter, a
// digit-free line start or the end of the text, so that «kl. 22.00» and
// «f.eks. dette» do not end sentences. In social-media text an emoji often
// takes the place of the full stop («kl. 17.00 🎄 Etterpå …»), so an emoji
// followed by white space and a capital letter ends a sentence too.
func Segment(f *Folded, words []Word, sents []Sentence) ([]Word, []Sentence) {
	s := f.S
	words, sents = words[:0], sents[:0]
	sentStart, w0 := 0, 0
	closeSent := func(end int) {
		if len(words) > w0 || end > sentStart {
			sents = append(sents, Sentence{Start: int32(sentStart), End: int32(end), W0: int32(w0), W1: int32(len(words))})
		}
		w0 = len(words)
	}
	i := 0
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if isWordRune(r) {
			j := i + n
			for j < len(s) {
				r2, n2 := rune(s[j]), 1
				if r2 >= utf8.RuneSelf {
					r2, n2 = utf8.DecodeRuneInString(s[j:])
				}
				if !isWordRune(r2) {
					// Keep «22.00», «1,5» and «2026/0412» as one token.
					if (r2 == '.' || r2 == ',' || r2 == '/' || r2 == ':') && isDigit(s, j-1) && isDigit(s, j+1) {
						j++
						continue
					}
					break
				}
				j += n2
			}
			words = append(words, Word{Start: int32(i), End: int32(j), Sent: int32(len(sents)), Cap: startsUpper(f, i)})
			i = j
			continue
		}
		switch r {
		case '\n':
			closeSent(i)
			sentStart = i + 1
		case '.', '!', '?', '…':
			// «Dr. Hansen», «St. Olav», «nr. 4»: a full stop after a
			// title or abbreviation ends no sentence.
			if r == '.' && len(words) > 0 && int(words[len(words)-1].End) == i && isAbbrev(s[words[len(words)-1].Start:i]) {
				break
			}
			j := i + n
			for j < len(s) && (s[j] == '.' || s[j] == '!' || s[j] == '?' || s[j] == '"' || s[j] == ')') {
				j++
			}
			if j >= len(s) || (s[j] == ' ' || s[j] == '\t') && nextStartsSentence(f, j) || s[j] == '\n' {
				closeSent(j)
				sentStart = j
				i = j
				continue
			}
		default:
			if isEmoji(r) {
				j := i + n
				for j < len(s) {
					r2, n2 := utf8.DecodeRuneInString(s[j:])
					if !isEmoji(r2) && r2 != 0x200D && r2 != 0xFE0F && !(r2 >= 0x1F3FB && r2 <= 0x1F3FF) {
						break
					}
					j += n2
				}
				if j < len(s) && (s[j] == ' ' || s[j] == '\t') && nextStartsCapital(f, j) {
					closeSent(j)
					sentStart = j
					i = j
					continue
				}
				i = j
				continue
			}
		}
		i += n
	}
	closeSent(len(s))
	for k := range words {
		if words[k].Sent >= int32(len(sents)) {
			words[k].Sent = int32(len(sents) - 1)
		}
	}
	return words, sents
}

// abbrevs are words written with a full stop that rarely end a sentence.
var abbrevs = map[string]bool{
	"dr": true, "st": true, "nr": true, "mr": true, "prof": true, "ca": true, "jf": true, "ref": true,
	"tlf": true, "pr": true, "vs": true, "dvs": true, "bl": true, "mfl": true, "evt": true, "ev": true,
	"ang": true, "iflg": true, "inkl": true, "eks": true, "avd": true, "adr": true,
}

func isAbbrev(w string) bool { return len(w) <= 5 && abbrevs[w] }

// isEmoji reports whether r is a pictographic symbol: the emoji blocks,
// the miscellaneous symbols and dingbats, and regional indicators.
// IsEmoji reports whether r is a pictographic symbol: the emoji blocks,
// the miscellaneous symbols and dingbats, and the arrows and shapes after
// them.
func IsEmoji(r rune) bool { return isEmoji(r) }

func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x2B00 && r <= 0x2BFF
}

// nextStartsCapital looks past spaces from folded offset j and reports
// whether the next character is an upper-case letter.
func nextStartsCapital(f *Folded, j int) bool {
	s := f.S
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	return unicode.IsLetter(r) && startsUpper(f, j)
}

func isDigit(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// startsUpper reports whether the original character at folded offset i is
// an upper-case letter.
func startsUpper(f *Folded, i int) bool {
	o := f.OrigOffset(i)
	if o >= len(f.Orig) {
		return false
	}
	c := f.Orig[o]
	if c < utf8.RuneSelf {
		return 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(f.Orig[o:])
	return unicode.IsUpper(r)
}

// nextStartsSentence looks past spaces from folded offset j and reports
// whether the next character is an upper-case letter, a quote, a dash or an
// emoji/symbol (not a digit or a lower-case letter).
func nextStartsSentence(f *Folded, j int) bool {
	s := f.S
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	if unicode.IsDigit(r) {
		return false
	}
	if unicode.IsLetter(r) {
		return startsUpper(f, j)
	}
	return true
}
