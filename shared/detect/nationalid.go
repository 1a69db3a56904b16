package detect

import "strings"

var (
	k1Weights = [9]int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	k2Weights = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// k2Valid reports whether the last of 11 digits is the mod-11 check digit of
// the first ten with weights 5 4 3 2 7 6 5 4 3 2. That is the second check
// digit of a fødselsnummer and also the check digit of a Norwegian bank
// account number, which is why every valid fødselsnummer is a valid
// account number too.
func k2Valid(d *[maxDigits]byte) bool {
	sum := 0
	for i, w := range k2Weights {
		sum += int(d[i]-'0') * w
	}
	k := 11 - sum%11
	if k == 11 {
		k = 0
	}
	return k < 10 && k == int(d[10]-'0')
}

// k1Rest returns (weighted sum of the first nine digits + k1) mod 11. The
// classic rule demands 0; the rule for numbers issued from 1 January 2032
// accepts 0, 1, 2 or 3 («k1 = {11,12,13,14} - (sum MOD 11)»), so the first
// check digit may take up to four values, while k2 keeps exactly one valid
// value and a check digit of 10 still discards the number. The new rule
// applies to every number issued from 2032, also to people born before,
// so both rules must be accepted side by side (Skatteetaten, «Nytt
// fødselsnummer fra 2032»:
// https://skatteetaten.github.io/folkeregisteret-api-dokumentasjon/nytt-fodselsnummer-fra-2032/).
func k1Rest(d *[maxDigits]byte) int {
	sum := 0
	for i, w := range k1Weights {
		sum += int(d[i]-'0') * w
	}
	return (sum + int(d[9]-'0')) % 11
}

// idKind classifies 11 digits as a national identity number.
type idKind int

const (
	notID     idKind = iota
	idClassic        // date and both check digits valid by the classic rule
	id2032           // valid only by the relaxed 2032 rule for k1
)

// nationalID checks 11 digits: the date (with the offsets of D-numbers
// (day+40), H-numbers and NAV's synthetic test numbers (month+40) and
// Skatteetaten's Tenor synthetic numbers (month+80)) and the check digits.
// No published scheme adds anything else to the month. FH-numbers start
// with 8 or 9, carry no date and are valid by their check digits.
func nationalID(d *[maxDigits]byte) idKind {
	if !k2Valid(d) {
		return notID
	}
	rest := k1Rest(d)
	if rest > 3 {
		return notID
	}
	kind := id2032
	if rest == 0 {
		kind = idClassic
	}
	if d[0] == '8' || d[0] == '9' {
		// FH-number: no date; only the classic rule is established.
		if kind == idClassic {
			return idClassic
		}
		return notID
	}
	day, month, ok := birthDate(d)
	if !ok {
		return notID
	}
	yy := int(d[4]-'0')*10 + int(d[5]-'0')
	ind := int(d[6]-'0')*100 + int(d[7]-'0')*10 + int(d[8]-'0')
	if c, ok := centuryOf(yy, ind); kind == idClassic && ok && day <= daysIn(month, c+yy) {
		return idClassic
	}
	// From 2032 the individnummer no longer tells the century
	// («Individnummeret vil ikke lenger angi århundre», Skatteetaten, link
	// above), and rest 0 is one of the four the new rule accepts, so 29
	// February is accepted whenever 20yy is a leap year, as Skatteetaten's
	// reference validator does: «290200 49357» is valid only by the 2032
	// rule although its first check digit is the classic one.
	if day > daysIn(month, 2000+yy) {
		return notID
	}
	return id2032
}

// birthDate returns the day and month of the first four digits with the
// D-, H- and synthetic offsets taken away, and whether they can be a date
// in some year.
func birthDate(d *[maxDigits]byte) (day, month int, ok bool) {
	day = int(d[0]-'0')*10 + int(d[1]-'0')
	month = int(d[2]-'0')*10 + int(d[3]-'0')
	if day > 40 {
		day -= 40 // D-number
	}
	switch {
	case month >= 81 && month <= 92:
		month -= 80 // Tenor synthetic
	case month >= 41 && month <= 52:
		month -= 40 // H-number, NAV synthetic
	}
	return day, month, month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, 2000)
}

// century derives the century of a number issued before 2032 from the
// individnummer ranges: 000–499 1900–1999, 500–749 1854–1899, 900–999
// 1940–1999, 500–999 2000–2039. Unassigned combinations read as 2000s,
// the more permissive reading for the leap-year check.
func century(yy, ind int) int {
	c, _ := centuryOf(yy, ind)
	return c
}

// centuryOf is century, and whether the classic table assigns the
// combination at all: 500–749 with 40–53 and 750–899 with 40–99 were never
// issued, so a number carrying one is valid only under the 2032 rule,
// where the individnummer no longer tells the century.
func centuryOf(yy, ind int) (int, bool) {
	switch {
	case ind <= 499:
		return 1900, true
	case ind <= 749 && yy >= 54:
		return 1800, true
	case ind >= 900 && yy >= 40:
		return 1900, true
	case yy < 40:
		return 2000, true
	default:
		return 2000, false
	}
}

// bornAfter reports whether a fødselsnummer issued by the classic rule
// names a birth year after year: no such number exists yet, so on that
// day the digits are something else.
func bornAfter(d *[maxDigits]byte, year int) bool {
	if d[0] == '8' || d[0] == '9' {
		return false
	}
	yy := int(d[4]-'0')*10 + int(d[5]-'0')
	ind := int(d[6]-'0')*100 + int(d[7]-'0')*10 + int(d[8]-'0')
	return century(yy, ind)+yy > year
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// accountValid reports whether 11 digits are a valid Norwegian account
// number (mod 11 on the last digit).
func accountValid(d *[maxDigits]byte) bool { return k2Valid(d) }

// The written forms of an 11-digit number.
type form int

const (
	formPlain   form = iota // 11 digits, or groups that favour neither reading («0101 9012345», «010 190 123 45»)
	formID                  // 6+5 («010190 12345», «010190-12345», «010190 - 12345», «010190/12345», «010190 123 45») or a dotted date («01.01.90 12345»)
	formAccount             // 4.2.5 («1234.56.78903», «1234 56 78903»)
	formOther
)

func (nb *number) form11() form {
	switch {
	case nb.layout(11):
		return formPlain
	case nb.layout(6, 5) && nb.sepsAre(" -.~/"):
		return formID
	case nb.layout(6, 3, 2) && nb.seps[0] != '/' && nb.seps[1] == ' ' && nb.sepsAre(" -~"):
		return formID
	case nb.layout(2, 2, 2, 5) && nb.seps[0] == '.' && nb.seps[1] == '.' && (nb.seps[2] == ' ' || nb.seps[2] == '-'):
		return formID
	case nb.layout(2, 2, 2, 5) && nb.sameSeps() && nb.seps[0] == ' ':
		return formID
	case nb.layout(4, 2, 5) && nb.sameSeps() && nb.sepsAre(" .-"):
		return formAccount
	case (nb.layout(4, 7) || nb.layout(3, 3, 3, 2)) && nb.sameSeps() && nb.seps[0] == ' ':
		return formPlain
	}
	return formOther
}

// A Reader reads numbers as they are read on the day of the check.
// Numbers valid only under the check-digit rule for fødselsnumre issued
// from 1 January 2032 are not issued before then, so until then such a
// number is a fødselsnummer only when its written form or a word in front
// says so, and otherwise the account number it also is. The zero Reader
// reads as before 2032.
type Reader struct {
	// Year is the year of the check (the draft's time, or the host's
	// clock); the package reads no clock itself.
	Year int
}

// NationalIDs appends every national identity number in text to dst.
func (r Reader) NationalIDs(text string, dst []Match) []Match { return r.elevens(text, dst, true) }

// BankAccounts appends every valid Norwegian account number in text that
// is not read as a national identity number, and every valid IBAN.
func (r Reader) BankAccounts(text string, dst []Match) []Match {
	return r.elevens(text, dst, false)
}

// NationalIDs appends every national identity number in text to dst, as
// read before 2032 (see Reader).
func NationalIDs(text string, dst []Match) []Match { return Reader{}.NationalIDs(text, dst) }

// BankAccounts appends every account number in text, as read before 2032
// (see Reader).
func BankAccounts(text string, dst []Match) []Match { return Reader{}.BankAccounts(text, dst) }

// classify11 settles what an 11-digit candidate is: a national identity
// number, an account number, or neither. The written form decides first
// (4.2.5 is how account numbers are written, 6+5 and dotted dates how
// fødselsnumre are), then the word in front («kontonummer», «fnr.»), then
// the sentence (money paid or given goes to an account), then the check
// digits: the classic first check digit and a valid date make a
// fødselsnummer; a number valid only under the 2032 rule is one from 2032,
// and before that the account number it also is. Right after a word that
// names a fødselsnummer («Fødselsnummeret 01019012346», «fnr. er …»),
// eleven digits are one to a reader even with a check digit wrong; further
// off («Fødselsnummeret du sendte (…) har en skrivefeil») they are not.
func (r Reader) classify11(s string, nb *number) (id, account bool) {
	f := nb.form11()
	if f == formOther {
		return false, false
	}
	kind := nationalID(&nb.digits)
	acct := accountValid(&nb.digits)
	if f == formAccount {
		return false, acct
	}
	if f == formID && kind != notID {
		return true, false
	}
	c := contextBefore(s, nb.start)
	switch {
	case c == ctxID:
		return kind != notID || idWordNext(s, nb.start), false
	case f == formID:
		return false, false
	case c == ctxAccount:
		return false, acct
	case acct && paymentBefore(s, nb.start):
		// «Gaver kan gis til 15031122334», «Pengene overføres til …»:
		// money goes to an account, whatever its digits also spell.
		return false, true
	case kind == idClassic && (r.Year == 0 || !bornAfter(&nb.digits, r.Year)), kind == id2032 && r.Year >= 2032:
		return true, false
	}
	return false, acct
}

// idWordNext reports whether the word right before i, or before a
// copula right before i («fnr. er …», «Fødselsnummeret var …»), names a
// fødselsnummer.
func idWordNext(s string, i int) bool {
	w, start := wordBefore(s, i)
	if strings.EqualFold(w, "er") || strings.EqualFold(w, "var") || strings.EqualFold(w, "blir") {
		w, _ = wordBefore(s, start)
	}
	return w != "" && classifyWord(w) == ctxID
}

// elevens finds the 11-digit numbers of text, the whole run of digit groups
// or a window of it («fnr 01019012345 2 barn»), and appends the national
// identity numbers (wantID) or the account numbers and IBANs. Both finders
// classify the same windows the same way, so no span is reported by both.
func (r Reader) elevens(text string, dst []Match, wantID bool) []Match {
	var sc scanner
	var w number
	for sc.init(text, 11); sc.next(); {
		nb := &sc.nb
		if nb.iban {
			if !wantID {
				dst = append(dst, Match{nb.start, nb.end})
			}
			continue
		}
		if nb.n < 11 {
			continue
		}
		for a := 0; a < nb.ng; {
			b, d := a, 0
			for b < nb.ng && d < 11 {
				d += int(nb.groups[b])
				b++
			}
			if d == 11 && nb.window(a, b, &w) && !w.plus {
				id, acct := r.classify11(text, &w)
				if id && wantID || acct && !wantID {
					dst = append(dst, Match{w.start, w.end})
				}
				if id || acct {
					a = b
					continue
				}
			}
			a++
		}
	}
	return dst
}

// AccountKey returns the 11 digits of an account number written in any
// form, or "" if s does not hold exactly 11 digits.
func AccountKey(s string) string {
	var b [11]byte
	n := 0
	i := 0
	if len(s) >= 4 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'O' || s[1] == 'o') && isDigit(s[2]) && isDigit(s[3]) {
		i = 4 // a Norwegian IBAN: the account follows the check digits
	}
	for ; i < len(s); i++ {
		if isDigit(s[i]) {
			if n == 11 {
				return ""
			}
			b[n] = s[i]
			n++
		}
	}
	if n != 11 {
		return ""
	}
	return string(b[:])
}
