package detect

// PaymentCards appends every payment card number in text: 13 to 19 digits
// that pass the Luhn check, start with a card issuer's prefix (Visa,
// Mastercard, American Express, Discover, JCB, Diners, Maestro, UnionPay)
// and are written together, in groups of four, or 4-6-5 (American
// Express). Norwegian KID numbers, which are Luhn-checked too, are told
// apart by their prefix and the word in front.
func PaymentCards(text string, dst []Match) []Match {
	var sc scanner
	var w number
	for sc.init(text); sc.next(); {
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
				if !w.plus && cardLayout(&w) && luhn(w.digits[:w.n]) && cardIIN(w.digits[:w.n]) && contextBefore(text, w.start) != ctxRef {
					dst = append(dst, Match{w.start, w.end})
					a = b - 1
					break
				}
			}
		}
	}
	return dst
}

func cardLayout(nb *number) bool {
	if nb.ng == 1 {
		return true
	}
	if !nb.sepsAre(" -") || !nb.sameSeps() {
		return false
	}
	if nb.layout(4, 6, 5) || nb.layout(4, 6, 4) {
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
