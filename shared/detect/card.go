package detect

// PaymentCards appends every payment card number in text: 13 to 19 digits
// that pass the Luhn check, start with a card issuer's prefix (Visa,
// Mastercard, American Express, Discover, JCB, Diners, Maestro, UnionPay,
// Mir, RuPay) and are written together, in groups of four (joined by
// spaces, dashes or dots), 4-6-5 (American Express) or 4-8-4. Norwegian
// KID numbers, which are Luhn-checked too, are told apart by their prefix,
// the word in front and the payment they are written with; a number whose
// label names something else («Sporingsnummer», «Avtalenummer») is not a
// card, nor are the digits of an IBAN.
func PaymentCards(text string, dst []Match) []Match {
	var sc scanner
	var w number
	for sc.init(text, 13); sc.next(); {
		nb := &sc.nb
		if nb.n < 13 {
			continue
		}
		// The longest window first, so a card followed by its expiry
		// («4326 6166 3049 4039 12/27») is found and a 16-digit card is
		// not cut to 13 digits.
		for a := 0; a < nb.ng; a++ {
			for b := nb.ng; b > a; b-- {
				if d := nb.digitsIn(a, b); d < 13 || d > 19 || !nb.window(a, b, &w) {
					continue
				}
				if w.plus || !cardLayout(&w) || !luhn(w.digits[:w.n]) || !cardIIN(w.digits[:w.n]) {
					continue
				}
				if b < nb.ng && continuesGroups(nb, b) || a > 0 && continuesGroups(nb, a) {
					// «4326 6166 3049 4039 123» is one number of 19
					// digits, not a card and three more.
					continue
				}
				if c := contextBefore(text, w.start); c == ctxRef || c == ctxAccount || c == ctxID || c == ctxOrg || c == ctxPhone {
					continue
				}
				if w.ng == 1 && paymentBefore(text, w.start) {
					continue
				}
				dst = append(dst, Match{w.start, w.end})
				a = b - 1
				break
			}
		}
	}
	return dst
}

// continuesGroups reports whether the group at k (after a window ending
// there, or before one starting there) reads as more of the same number:
// a group of four or fewer digits joined by the separator of the groups
// before it, in a run of groups of four.
func continuesGroups(nb *number, k int) bool {
	if k >= nb.ng || k < 1 {
		return false
	}
	if nb.groups[k] > 4 || nb.groups[k-1] != 4 {
		return false
	}
	if k >= 2 && nb.seps[k-1] != nb.seps[k-2] {
		return false
	}
	// The group after must end the run, or be joined as the others are.
	return k == nb.ng-1 || nb.seps[k] == nb.seps[k-1]
}

// paymentBefore reports whether the sentence before i speaks of paying a
// bill or giving money («Merk innbetalingen med …», «Betal til konto …
// med …», «Gaver kan gis til …») and names no card: a plain string of
// digits there is a KID, not a card, and eleven digits an account.
func paymentBefore(s string, i int) bool {
	lo := i - 120
	if lo < 0 {
		lo = 0
	}
	pay := false
	for j := i - 1; j >= lo; j-- {
		c := s[j]
		if c == '.' && j+1 < len(s) && s[j+1] == ' ' || c == '\n' || c == '!' || c == '?' {
			break
		}
		if j > 0 && isLetterASCII(s[j-1]) || !isLetterASCII(c) {
			continue
		}
		switch {
		case hasPrefixFold(s[j:i], "kort"), hasPrefixFold(s[j:i], "visa"), hasPrefixFold(s[j:i], "mastercard"), hasPrefixFold(s[j:i], "card"),
			hasPrefixFold(s[j:i], "kredittkort"), hasPrefixFold(s[j:i], "bankkort"), hasPrefixFold(s[j:i], "debetkort"):
			return false
		case hasPrefixFold(s[j:i], "betal"), hasPrefixFold(s[j:i], "innbetal"), hasPrefixFold(s[j:i], "giro"), hasPrefixFold(s[j:i], "forfall"),
			hasPrefixFold(s[j:i], "merk "), hasPrefixFold(s[j:i], "merkes"), hasPrefixFold(s[j:i], "merk betal"), hasPrefixFold(s[j:i], "overfør"),
			hasPrefixFold(s[j:i], "gave"), hasPrefixFold(s[j:i], "innsamling"), hasPrefixFold(s[j:i], "bidrag"):
			pay = true
		}
	}
	return pay
}

func isLetterASCII(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func cardLayout(nb *number) bool {
	if nb.ng == 1 {
		return true
	}
	if !nb.sepsAre(" -.") || !nb.sameSeps() {
		return false
	}
	if nb.layout(4, 6, 5) || nb.layout(4, 6, 4) || nb.layout(4, 8, 4) {
		return true
	}
	for i := 0; i < nb.ng-1; i++ {
		if nb.groups[i] != 4 {
			return false
		}
	}
	last := nb.groups[nb.ng-1]
	return last >= 1 && last <= 4
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// cardIIN reports whether the number starts with a known issuer prefix of
// the right length.
func cardIIN(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	p3 := p4 / 10
	p6 := p4*100 + int(d[4]-'0')*10 + int(d[5]-'0')
	switch {
	case p4 >= 2200 && p4 <= 2204: // Mir
		return n >= 16
	case p2 == 81 || p2 == 82: // RuPay (60, 65, 508 and 353/356 are below)
		return n == 16
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p2 == 65, p3 >= 644 && p3 <= 649, p6 >= 622126 && p6 <= 622925: // Discover
		return n >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p2 == 36, p2 == 38, p3 >= 300 && p3 <= 305: // Diners Club
		return n >= 14
	case p2 == 62: // UnionPay
		return n >= 16
	case p2 == 50, p2 >= 56 && p2 <= 69: // Maestro
		return n >= 12
	}
	return false
}
