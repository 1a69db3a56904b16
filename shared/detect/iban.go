package detect

// IBANs: an account number in its international form, «NO93 8601 1117
// 947» or «NO9386011117947»: two capital letters for the country, two
// check digits and the national account number (BBAN), in groups of four
// or together. The scanner reads an IBAN as one token, so that the digits
// of a foreign IBAN («DE89 3704 0044 0532 0130 00») are never read as a
// card or a phone number, and BankAccounts reports it when its check
// digits hold (ISO 13616: the number moved to the end, letters as 10–35,
// mod 97 = 1; for Norway also the account's own mod-11 digit).

// ibanLen returns the length of the IBANs of a country (ISO 13616, SWIFT's
// IBAN registry), or 0 for a country not listed here, whose IBANs may have
// any length from 15 to 34.
func ibanLen(cc string) int {
	switch cc {
	case "NO":
		return 15
	case "BE":
		return 16
	case "DK", "FI", "FO", "GL", "NL":
		return 18
	case "AT", "EE", "LT":
		return 20
	case "CH", "LI", "LV":
		return 21
	case "DE", "GB", "IE":
		return 22
	case "ES", "SE":
		return 24
	case "IS":
		return 26
	case "FR", "IT", "MC":
		return 27
	case "PL", "HU":
		return 28
	}
	return 0
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func isAlnumUpper(c byte) bool { return isDigit(c) || isUpper(c) }

// ibanAt reads an IBAN-shaped token starting at i (two capital letters
// and two digits, then capital letters and digits, in groups joined by
// single spaces or written together) and returns where it ends, whether
// it has the shape of an IBAN of its country, and whether its check digits
// hold. It allocates nothing.
func ibanAt(s string, i int) (end int, shaped, valid bool) {
	if i+4 > len(s) || !isUpper(s[i]) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return i, false, false
	}
	want := ibanLen(s[i : i+2])
	// The remainder mod 97 of the digits as read so far, BBAN first; the
	// country and check digits are folded in at the end.
	rem := 0
	fold := func(c byte) {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	n := 4
	j := i + 4
	digitsOnly := true
	for j < len(s) && (want == 0 && n < 34 || n < want) {
		c := s[j]
		if c == ' ' && (n-4)%4 == 0 && j+1 < len(s) && isAlnumUpper(s[j+1]) && s[j-1] != ' ' {
			j++
			continue
		}
		if !isAlnumUpper(c) {
			break
		}
		if !isDigit(c) {
			digitsOnly = false
		}
		fold(c)
		n++
		j++
	}
	if n < 15 || want != 0 && n != want {
		return i, false, false
	}
	// The token must end here: not run on into a word or more digits.
	if j < len(s) && (isAlnumUpper(s[j]) || 'a' <= s[j] && s[j] <= 'z') {
		return i, false, false
	}
	if j > 0 && s[j-1] == ' ' {
		j--
	}
	fold(s[i])
	fold(s[i+1])
	fold(s[i+2])
	fold(s[i+3])
	valid = rem == 1
	if valid && s[i] == 'N' && s[i+1] == 'O' {
		valid = digitsOnly && norwegianBBAN(s, i+4, j)
	}
	return j, true, valid
}

// norwegianBBAN checks the mod-11 digit of the 11 account digits between
// i and j.
func norwegianBBAN(s string, i, j int) bool {
	var d [maxDigits]byte
	n := 0
	for ; i < j; i++ {
		if isDigit(s[i]) {
			if n == 11 {
				return false
			}
			d[n] = s[i]
			n++
		}
	}
	return n == 11 && accountValid(&d)
}
