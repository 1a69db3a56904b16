// Package detect finds personal numbers and e-mail addresses in text:
// Norwegian national identity numbers (fødselsnummer, D-, H-, FH- and
// synthetic numbers, with the check-digit rule that applies from 2032),
// payment cards, bank account numbers (also as IBANs), Norwegian phone
// numbers and e-mail addresses.
//
// Every finder scans the text once, byte by byte, and returns half-open byte
// offsets. Nothing is allocated for a candidate that turns out not to be a
// match, because the finders run on every keystroke inside WebAssembly. The
// package is pure: no I/O, no clock, no global state that changes. What
// depends on the day of the check (numbers valid only under the 2032 rule)
// is read through a Reader that carries the year.
//
// Numbers are read as runs of digit groups joined by single separators
// (space, no-break space, '-', '.', '/', or a dash between spaces); the
// grouping is what tells a phone number («912 34 567») from a price («48
// 750 000 kroner») and an account number («1234.56.78903») from a
// fødselsnummer («010190 12345»), together with the check digits, the
// date, and the words in front: specific words («fødselsnummer»,
// «konto», «tlf.») and any label read by its ending («Medlemsnummer»,
// «Art.nr.», «Bruker-ID», «Deres ref.»), which names a reference. Where a
// run of groups is not a match as a whole, national IDs, accounts, cards
// and phones are also looked for in windows of it whose edges are plain
// spaces («fnr 01019012345 2 barn», «Rom 214 912 34 567»). Numbers glued
// to letters or to a code prefix («ABC-91234567»), inside longer digit
// runs, inside IBANs or inside URLs are never reported.
//
// The finders are compared with published validators (NAV's
// fnrvalidator, python-stdnum, libphonenumber) and scored on a labelled
// suite in testdata/numbers; see peers_test.go and suite_test.go.
package detect

// Match is one detection; Start and End are half-open byte offsets into the
// text given.
type Match struct{ Start, End int }

const maxDigits = 24
const maxGroups = 8

// number is a candidate: a run of digit groups joined by single separators.
type number struct {
	start, end int
	digits     [maxDigits]byte
	n          int
	groups     [maxGroups]uint8
	seps       [maxGroups]byte // seps[i] joins groups[i] and groups[i+1]; ' ' for any space, '~' for a spaced dash
	ng         int
	gpos       [maxGroups]int32 // byte offset where each group starts
	gend       [maxGroups]int32 // byte offset where each group ends
	overflow   bool
	plus       bool // preceded by '+' (country code)
	gluedEnd   bool // the last group runs on into a word, a path or a decimal
	iban       bool // a whole IBAN with valid check digits; no digits are copied
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// sepAt reports the separator starting at i and its length in bytes: a
// space, a no-break space (U+00A0), a thin or narrow no-break space
// (U+2009, U+202F), '-' or '.'. A non-breaking hyphen (U+2011) and an en
// dash (U+2013) count as '-', because word processors and phone keyboards
// put them in place of the hyphen in «010190–12345».
//
// Two more join the groups of one number but are told apart from those,
// since they bind differently: a dash with a space on each side («010190 -
// 12345», «010190 – 12345»), returned as '~', and a slash («010190/12345»,
// «42963497/55298227», «2026/0412»), returned as '/'.
func sepAt(s string, i int) (byte, int) {
	if i >= len(s) {
		return 0, 0
	}
	switch c := s[i]; c {
	case ' ':
		if i+2 < len(s) && s[i+1] == '-' && s[i+2] == ' ' {
			return '~', 3
		}
		if i+4 < len(s) && s[i+1] == 0xE2 && s[i+2] == 0x80 && (s[i+3] == 0x93 || s[i+3] == 0x91) && s[i+4] == ' ' {
			return '~', 5
		}
		return ' ', 1
	case '-', '.', '/':
		return c, 1
	case 0xC2:
		if i+1 < len(s) && s[i+1] == 0xA0 {
			return ' ', 2
		}
	case 0xE2:
		if i+2 < len(s) && s[i+1] == 0x80 {
			switch s[i+2] {
			case 0x89, 0xAF:
				return ' ', 3
			case 0x91, 0x93:
				return '-', 3
			}
		}
	}
	return 0, 0
}

// isWordByteBefore reports whether the byte before i continues a word
// (a letter, a digit, or a UTF-8 continuation of a letter), so a number
// glued to a word («ABC123», «nr123») is not read.
func gluedBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	c := s[i-1]
	if (c == ',' || c == '.') && i >= 2 && isDigit(s[i-2]) {
		return true // the decimals of «1,5» or «kl. 10.30»
	}
	if c == '-' && i >= 2 && ('a' <= s[i-2] && s[i-2] <= 'z' || 'A' <= s[i-2] && s[i-2] <= 'Z') {
		return true // a code with a prefix: «ABC-91234567», «INV-2026-0412»
	}
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '/' || c >= 0x80 && !isSpaceBefore(s, i)
}

// isSpaceBefore reports whether the character ending at i is a multi-byte
// space or dash (no-break space, en dash, ...), which do not glue.
func isSpaceBefore(s string, i int) bool {
	if i >= 2 && s[i-2] == 0xC2 && (s[i-1] == 0xA0 || s[i-1] == 0xAB || s[i-1] == 0xBB) {
		return true // no-break space, «, »
	}
	if i >= 3 && s[i-3] == 0xE2 && s[i-2] == 0x80 {
		return true // dashes, thin spaces, quotes
	}
	return false
}

func gluedAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	if isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '@' {
		return true
	}
	// «/» continues a case number («2026/0412») or a URL path; a comma or
	// dot followed by a digit continues a decimal number. A «/» followed by
	// a space or the end ends a list item instead («912 34 567/ 22 33 44 55»).
	if c == '/' && i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\n' || (c == ',' || c == '.') && i+1 < len(s) && isDigit(s[i+1]) {
		return true
	}
	if c >= 0x80 {
		// Letters such as æøå glue; punctuation such as «–» does not.
		return c == 0xC3 || c == 0xC5
	}
	return false
}

// scanner yields the candidate numbers of a text in order:
//
//	var sc scanner
//	for sc.init(s, 8); sc.next(); { use(&sc.nb) }
//
// It is a struct rather than a callback so that nothing escapes to the heap.
type scanner struct {
	s   string
	i   int
	min int // runs of fewer digits are passed over (IBANs are always yielded)
	nb  number
}

// init starts a scan of s that yields runs of at least minDigits digits.
func (sc *scanner) init(s string, minDigits int) { sc.s, sc.i, sc.min = s, 0, minDigits }

func (sc *scanner) next() bool {
	s := sc.s
	for i := sc.i; i < len(s); {
		if !isDigit(s[i]) {
			i = nextDigit(s, i+1)
			continue
		}
		if i >= 2 && isUpper(s[i-1]) && isUpper(s[i-2]) && (i == 2 || !isAlnumUpper(s[i-3]) && !('a' <= s[i-3] && s[i-3] <= 'z')) {
			// «NO93 8601 1117 947», «DE89 3704 0044 0532 0130 00»: an
			// IBAN is one token; its digits are nothing else.
			if end, shaped, valid := ibanAt(s, i-2); shaped {
				sc.i = end
				if valid {
					sc.nb = number{start: i - 2, end: end, iban: true}
					return true
				}
				i = end
				continue
			}
		}
		if gluedBefore(s, i) || inURL(s, i) {
			// Skip the rest of this glued token.
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			continue
		}
		nb := &sc.nb
		*nb = number{start: i}
		if i > 0 && s[i-1] == '+' {
			nb.plus = true
			nb.start = i - 1
		}
		j := i
		for {
			g := 0
			if nb.ng < maxGroups {
				nb.gpos[nb.ng] = int32(j)
			}
			// Locals, so the loop runs in registers rather than through nb.
			n, start := nb.n, j
			for j < len(s) && isDigit(s[j]) {
				if n < maxDigits {
					nb.digits[n] = s[j]
					n++
				}
				j++
			}
			g = j - start
			if nb.n+g > maxDigits {
				nb.overflow = true
			}
			nb.n = n
			if nb.ng < maxGroups {
				nb.groups[nb.ng] = uint8(min(g, 255))
				nb.gend[nb.ng] = int32(j)
			} else {
				nb.overflow = true
			}
			var sep byte
			var w int
			if j+1 < len(s) && (s[j] == ' ' || s[j] == '.' || s[j] == '-') && isDigit(s[j+1]) {
				sep, w = s[j], 1 // the common case, without the call
			} else {
				sep, w = sepAt(s, j)
			}
			if w == 0 || j+w >= len(s) || !isDigit(s[j+w]) {
				nb.ng++
				break
			}
			if nb.ng < maxGroups {
				nb.seps[nb.ng] = sep
			}
			nb.ng++
			j += w
		}
		nb.end = j
		i = j
		if nb.overflow || nb.n < sc.min {
			continue
		}
		// A run glued to what follows is still yielded: its leading groups
		// may stand alone («4326 6166 3049 4039 12/27»), which the finders
		// check through window.
		nb.gluedEnd = gluedAfter(s, j)
		sc.i = i
		return true
	}
	sc.i = len(s)
	return false
}

// nextDigit returns the index of the first ASCII digit at or after i, or
// len(s). Text is mostly letters, so it tests eight bytes at a time: a
// byte b has 0x2F < b < 0x3A exactly when the classic «has a byte
// between» test sets its high bit (bytes from 0x80 up are masked out by
// ^x), which keeps every finder's scan fast enough to run per keystroke.
func nextDigit(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		low := x & (ones * 127)
		if (ones*(127+0x3A)-low)&^x&(low+ones*(127-0x2F))&highs != 0 {
			break
		}
	}
	for ; i < len(s) && !isDigit(s[i]); i++ {
	}
	return i
}

// inURL reports whether the digit at i is inside a URL: the token it
// belongs to (back to the last space) starts with a scheme («https://») or
// «www.». Numbers in a URL path or query are identifiers of pages, not of
// people. The walk back is bounded so that a long token costs little.
func inURL(s string, i int) bool {
	lo := max(0, i-512)
	for j := i - 1; j >= lo; j-- {
		switch c := s[j]; {
		case c == ' ' || c == '\n' || c == '\t' || c == '(' || c == '<' || c == '"' || c == '\'':
			return hasPrefixFold(s[j+1:i], "www.")
		case c == '/' && j >= 2 && s[j-1] == '/' && s[j-2] == ':':
			return true
		}
	}
	return lo == 0 && hasPrefixFold(s[:i], "www.")
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for k := 0; k < len(prefix); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[k] {
			return false
		}
	}
	return true
}

// window copies groups a to b-1 of nb into w as a number of its own, and
// reports whether they may stand alone: the groups outside the window are
// joined to it by a plain space (a dot or dash binds groups into one
// number), the window does not run on into a word, and only a window that
// starts the run keeps a leading '+'. The finders try the whole run first
// and windows only when it fails, so «fnr 01019012345 2 barn» is still
// found while «1234.56.78903» is never split.
func (nb *number) window(a, b int, w *number) bool {
	if a > 0 && nb.seps[a-1] != ' ' || b < nb.ng && nb.seps[b-1] != ' ' {
		return false
	}
	if b == nb.ng && nb.gluedEnd {
		return false
	}
	nb.sub(a, b, w)
	return true
}

// sub copies groups a to b-1 of nb into w, whatever joins them to the rest.
func (nb *number) sub(a, b int, w *number) {
	d := 0
	for k := 0; k < a; k++ {
		d += int(nb.groups[k])
	}
	*w = number{start: int(nb.gpos[a]), end: int(nb.gend[b-1]), plus: nb.plus && a == 0}
	if w.plus {
		w.start = nb.start
	}
	for k := a; k < b; k++ {
		g := int(nb.groups[k])
		copy(w.digits[w.n:], nb.digits[d:d+g])
		w.n += g
		d += g
		w.groups[w.ng] = nb.groups[k]
		w.gpos[w.ng], w.gend[w.ng] = nb.gpos[k], nb.gend[k]
		if k < b-1 {
			w.seps[w.ng] = nb.seps[k]
		}
		w.ng++
	}
	if b == nb.ng {
		w.gluedEnd = nb.gluedEnd
	}
}

// digitsIn returns the number of digits in groups a to b-1.
func (nb *number) digitsIn(a, b int) int {
	d := 0
	for k := a; k < b; k++ {
		d += int(nb.groups[k])
	}
	return d
}

// val returns digit k as a number.
func (nb *number) val(k int) int { return int(nb.digits[k] - '0') }

func (nb *number) str() string { return string(nb.digits[:nb.n]) }

// layout reports whether the groups are exactly gs.
func (nb *number) layout(gs ...uint8) bool {
	if nb.ng != len(gs) {
		return false
	}
	for i, g := range gs {
		if nb.groups[i] != g {
			return false
		}
	}
	return true
}

// sepsAre reports whether every separator is one of set.
func (nb *number) sepsAre(set string) bool {
	for i := 0; i < nb.ng-1; i++ {
		ok := false
		for k := 0; k < len(set); k++ {
			if nb.seps[i] == set[k] {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// sameSeps reports whether all separators are the same character.
func (nb *number) sameSeps() bool {
	for i := 1; i < nb.ng-1; i++ {
		if nb.seps[i] != nb.seps[0] {
			return false
		}
	}
	return true
}
