package detect

// Phones appends every Norwegian phone number in text: eight digits whose
// first is 4 or 9 (mobile) or 2, 3, 5, 6, 7 (landline), written 2-2-2-2
// («55 30 10 00»), 3-2-3 («912 34 567»), 4-4 («9123 4567») or together, optionally after +47, 0047 or (+47). Prices,
// organisation numbers, account and reference numbers are left alone by
// their grouping and by the word in front or after. Numbers joined by a
// slash («42963497/55298227») are read one by one, and a phone number
// written next to another group of digits («Rom 214 912 34 567») is read
// when the run as a whole is none.
func Phones(text string, dst []Match) []Match {
	var sc scanner
	var w number
	for sc.init(text, 8); sc.next(); {
		nb := &sc.nb
		if nb.n < 8 {
			continue
		}
		if start, ok := phone(text, nb, ctxUnread); ok {
			dst = append(dst, Match{start, nb.end})
			continue
		}
		if nb.ng < 2 || nb.n > 8*maxGroups {
			continue
		}
		if nb.hasSep('/') || nb.hasSep('~') || nb.sepsAre(" ") && allGroups(nb, 8) {
			if notPhoneCtx(contextBefore(text, nb.start)) {
				continue
			}
			dst = slashList(text, nb, &w, dst)
			continue
		}
		dst = phoneWindow(text, nb, &w, dst)
	}
	return dst
}

// hasSep reports whether sep joins any two groups of nb.
func (nb *number) hasSep(sep byte) bool {
	for i := 0; i < nb.ng-1; i++ {
		if nb.seps[i] == sep {
			return true
		}
	}
	return false
}

// allGroups reports whether every group of nb has n digits.
func allGroups(nb *number, n uint8) bool {
	for i := 0; i < nb.ng; i++ {
		if nb.groups[i] != n {
			return false
		}
	}
	return true
}

// slashList reads the parts of a run joined by slashes or spaced dashes
// (or eight-digit groups joined by spaces) as phone numbers of their own,
// when every part is one: «42963497/55298227», «912 34 567/41 52 75 89»,
// «41 52 75 89 - 92 97 92 62», «41527589 92979262». A part that is not
// («2026/0412») leaves the run alone.
func slashList(s string, nb *number, w *number, dst []Match) []Match {
	n0 := len(dst)
	a := 0
	eights := !nb.hasSep('/') && !nb.hasSep('~')
	for b := 1; b <= nb.ng; b++ {
		if b < nb.ng && nb.seps[b-1] != '/' && nb.seps[b-1] != '~' && !eights {
			continue
		}
		nb.sub(a, b, w)
		if a > 0 {
			w.plus = false
		}
		start, ok := phone(s, w, ctxNone)
		if !ok {
			return dst[:n0]
		}
		dst = append(dst, Match{start, w.end})
		a = b
	}
	return dst
}

// phoneWindow looks for a phone number at the start or the end of a run
// of groups that is no number as a whole: «Rom 214 912 34 567», «912 34
// 567 2 stk.». A run of equal groups, but perhaps the last («12 34 56 78
// 90 12», «4326 6166 3049 4039 123»), is a series of its own and is left
// alone, and so is a run joined by anything but spaces.
func phoneWindow(s string, nb *number, w *number, dst []Match) []Match {
	if !nb.sepsAre(" ") {
		return dst
	}
	uniform := true
	for i := 1; i < nb.ng-1; i++ {
		if nb.groups[i] != nb.groups[0] {
			uniform = false
		}
	}
	if uniform || nb.n < 9 {
		return dst
	}
	// The words in front are read once, and only when a window fits.
	checked, refused := false, false
	ok := func() bool {
		if !checked {
			checked = true
			refused = notPhoneCtx(contextBefore(s, nb.start))
		}
		return !refused
	}
	// The end first: a label's number comes before the phone number. A
	// pair of digits or a lone digit next to the window is a series of
	// small numbers («Lotto: 2 7 13 21 29 31 33»), and more than two
	// groups left over are a list, not a label's number.
	for a := 1; a < nb.ng; a++ {
		if nb.digitsIn(a, nb.ng) != 8 {
			continue
		}
		if a <= 2 && nb.groups[a-1] >= 3 && nb.window(a, nb.ng, w) && ok() {
			if start, ok := phone(s, w, ctxNone); ok {
				return append(dst, Match{start, w.end})
			}
		}
		break
	}
	for b := nb.ng - 1; b > 0; b-- {
		if nb.digitsIn(0, b) != 8 {
			continue
		}
		if nb.ng-b <= 2 && nb.window(0, b, w) && ok() {
			if start, ok := phone(s, w, ctxNone); ok {
				return append(dst, Match{start, w.end})
			}
		}
		break
	}
	return dst
}

// phone reports whether nb is a phone number and where it starts; c is
// what the words in front announce.
func phone(s string, nb *number, c ctx) (int, bool) {
	if nb.gluedEnd {
		return 0, false
	}
	start := nb.start
	off := 0 // digits of a country code to skip
	g := nb.groups[:nb.ng]
	switch {
	case nb.plus && nb.n == 10 && nb.digits[0] == '4' && nb.digits[1] == '7' && (g[0] == 2 || len(g) == 1):
		off = 2
		if g[0] == 2 {
			g = g[1:]
		} else {
			g = eight[:]
		}
	case !nb.plus && nb.n == 12 && string(nb.digits[:4]) == "0047" && (g[0] == 4 || len(g) == 1):
		off = 4
		if g[0] == 4 {
			g = g[1:]
		} else {
			g = eight[:]
		}
	case !nb.plus && nb.n == 8:
		// «(+47) 912 34 567»
		if p := start - 6; p >= 0 && s[p:start] == "(+47) " {
			start = p
		} else if p := start - 5; p >= 0 && s[p:start] == "(+47)" {
			start = p
		}
	default:
		return 0, false
	}
	if nb.n-off != 8 {
		return 0, false
	}
	// Mobile numbers start with 4 or 9, landlines with 2, 3, 5, 6 or 7.
	// The 8 series holds service numbers (800 free phone, 810, 815, 820,
	// 829) that belong to businesses, not people; 0 and 1 are prefixes and
	// short numbers.
	switch nb.digits[off] {
	case '2', '3', '4', '5', '6', '7', '9':
	default:
		return 0, false
	}
	// Eight digits together that read as a date («22052026», «20260522»)
	// are a date; few phone numbers look like one.
	if off == 0 && nb.ng == 1 && isDate8(nb.digits[:8]) {
		return 0, false
	}
	// Two years side by side («2025 2026») are not a 4-4 phone number.
	if len(g) == 2 && g[0] == 4 && isYear(nb.digits[off:off+4]) && isYear(nb.digits[off+4:off+8]) {
		return 0, false
	}
	// A year, a dash and a serial («løyve nr. 2026-0415», «sak 2025-1234»)
	// is a reference; phone numbers are not written with a dash after
	// four digits that read as a year.
	if len(g) == 2 && g[0] == 4 && nb.seps[nb.ng-2] == '-' && isYear(nb.digits[off:off+4]) {
		return 0, false
	}
	if !phoneLayout(g) {
		return 0, false
	}
	// A number is written with one kind of separator; «20-22 23-25» is
	// two ranges. Only the gap after a country code may differ.
	for i := nb.ng - len(g) + 1; i < nb.ng-1; i++ {
		if nb.seps[i] != nb.seps[nb.ng-len(g)] {
			return 0, false
		}
	}
	// Dotted groups are dates and times («12.03.20.26» is not written).
	for i := 0; i < nb.ng-1; i++ {
		if nb.seps[i] == '.' && !(len(g) == 4 && nb.sameSeps()) {
			return 0, false
		}
	}
	// Slashes and spaced dashes join numbers, not the groups of one.
	if nb.hasSep('/') || nb.hasSep('~') {
		return 0, false
	}
	if c == ctxUnread {
		c = contextBefore(s, nb.start)
	}
	if notPhoneCtx(c) {
		return 0, false
	}
	if priceAfter(s, nb.end) {
		return 0, false
	}
	return start, true
}

var eight = [1]uint8{8}

// ctxUnread asks phone to read the words in front itself, once the
// digits could be a phone number.
const ctxUnread ctx = -1

// notPhoneCtx reports whether the words in front announce a number that
// is not a phone number.
func notPhoneCtx(c ctx) bool {
	switch c {
	case ctxPrice, ctxOrg, ctxRef, ctxAccount, ctxID, ctxCard:
		return true
	}
	return false
}

// isDate8 reports whether eight digits are a date written DDMMYYYY or
// YYYYMMDD with a year from 1900 to 2099.
func isDate8(d []byte) bool {
	two := func(k int) int { return int(d[k]-'0')*10 + int(d[k+1]-'0') }
	if isYear(d[4:8]) && two(0) >= 1 && two(0) <= 31 && two(2) >= 1 && two(2) <= 12 {
		return true
	}
	return isYear(d[0:4]) && two(4) >= 1 && two(4) <= 12 && two(6) >= 1 && two(6) <= 31
}

// isYear reports whether four digits read as a year from 1900 to 2099.
func isYear(d []byte) bool {
	return d[0] == '1' && d[1] == '9' || d[0] == '2' && d[1] == '0'
}

func phoneLayout(g []uint8) bool {
	switch len(g) {
	case 1:
		return g[0] == 8
	case 2:
		return g[0] == 4 && g[1] == 4 || g[0] == 3 && g[1] == 5
	case 3:
		return g[0] == 3 && g[1] == 2 && g[2] == 3
	case 4:
		return g[0] == 2 && g[1] == 2 && g[2] == 2 && g[3] == 2
	}
	return false
}

// PhoneKey returns the eight national digits of a phone number written in
// any form («+47 55 30 10 00», «0047 55301000»), or "".
func PhoneKey(s string) string {
	var b [16]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if n == len(b) {
				return ""
			}
			b[n] = s[i]
			n++
		}
	}
	d := b[:n]
	switch {
	case n == 12 && string(d[:4]) == "0047":
		d = d[4:]
	case n == 10 && string(d[:2]) == "47":
		d = d[2:]
	}
	if len(d) != 8 {
		return ""
	}
	return string(d)
}
