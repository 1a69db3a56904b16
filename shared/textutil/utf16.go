package textutil

import "unicode/utf8"

// UTF16 converts byte offsets in s to UTF-16 code-unit offsets, in place.
// Offsets must be sorted ascending for the single pass to be linear; an
// unsorted list is still converted correctly, restarting the scan where
// needed. An offset inside a multi-byte character counts as that
// character's start, so a converted span never splits a character; an
// invalid byte counts as one code unit (it becomes U+FFFD in JavaScript).
// Negative offsets are left as they are (they mean "the whole draft").
func UTF16(s string, offs []int) {
	pos, units := 0, 0
	for k, o := range offs {
		if o < 0 {
			continue
		}
		if o > len(s) {
			o = len(s)
		}
		if o < pos {
			pos, units = 0, 0
		}
		for pos < o {
			c := s[pos]
			if c < utf8.RuneSelf {
				pos++
				units++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[pos:])
			if pos+n > o {
				// o is inside this character: stop at its start.
				break
			}
			pos += n
			if r >= 0x10000 {
				units += 2
			} else {
				units++
			}
		}
		offs[k] = units
	}
}

// UTF16Len is the length of s in UTF-16 code units.
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			n++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
