package detect

import (
	"strings"
	"unicode/utf8"
)

type ctx int

const (
	ctxNone    ctx = iota
	ctxID          // «fødselsnummer», «fnr.», «D-nummeret»
	ctxAccount     // «kontonummer», «konto»
	ctxPrice       // «kr», «NOK», «beløp»
	ctxOrg         // «org.nr.», «organisasjonsnummer»
	ctxRef         // «KID», «ref.», «saksnr.», and any label for a number that names no person's number: «Bestillingsnr.», «Medlemsnummer», «Vedtak nr.», «Journalpost»
	ctxPhone       // «tlf.», «telefon», «mobil», «ring»
	ctxCard        // «kort», «kortnummer», «Visa»
)

// contextBefore reads the words in front of a number and says what they
// announce: the nearest of the two words before that means something, or
// a word naming a fødselsnummer or an account up to four words before
// («fødselsnummeret mitt er …»). It compares in place and allocates nothing.
func contextBefore(s string, i int) ctx {
	for k := 0; k < 4; k++ {
		w, start := wordBefore(s, i)
		if w == "" {
			break
		}
		c := classifyWord(w)
		if c == ctxRef && isBareNumberWord(w) {
			// «Vedtak nr.», «Telefon nr.», «mitt nr.»: the word before a
			// bare «nr.» says what it numbers.
			p, _ := wordBefore(s, start)
			switch pc := classifyWord(p); {
			case pc != ctxNone && pc != ctxRef:
				c = pc
			case len(p) < 4 || isFunctionWord(p):
				c = ctxNone
			}
		}
		// The nearest word that means something decides; beyond the
		// second word only a word naming a fødselsnummer or an account
		// still does («Kontonummeret vårt er …»).
		if c != ctxNone && (k < 2 || c == ctxID || c == ctxAccount) {
			return c
		}
		if start > 0 && (s[start-1] == '.' || s[start-1] == '!' || s[start-1] == '?' || s[start-1] == '\n') {
			break
		}
		i = start
	}
	return ctxNone
}

// wordBefore returns the token ending before i (skipping spaces and
// «:,(»), made of letters, '.', '-' and '/', and where it starts.
func wordBefore(s string, i int) (string, int) {
	j := i
	for j > 0 {
		c := s[j-1]
		if c == ' ' || c == ':' || c == ',' || c == '(' || c == '\t' {
			j--
			continue
		}
		if c == 0xA0 && j >= 2 && s[j-2] == 0xC2 {
			j -= 2
			continue
		}
		break
	}
	end := j
	for j > 0 {
		c := s[j-1]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '-' || c >= 0x80 && c != 0xA0 {
			j--
			continue
		}
		break
	}
	if end-j > 40 {
		return "", j
	}
	return strings.TrimRight(s[j:end], ".-"), j
}

// ctxWords are the words whose meaning is specific: they say whose number
// follows (a person's, an account's, a card's, a phone's, an
// organisation's) or that an amount follows. Any other label for a number
// is read by its ending (see labelHead).
var ctxWords = []struct {
	prefix string
	c      ctx
}{
	{"fødselsnum", ctxID}, {"fødselsnr", ctxID}, {"fødselsdato", ctxID}, {"personnum", ctxID}, {"personnr", ctxID},
	{"d-num", ctxID}, {"h-num", ctxID}, {"fh-num", ctxID}, {"dnr", ctxID}, {"hjelpenum", ctxID}, {"id-num", ctxID},
	{"identitetsnum", ctxID}, {"fnr", ctxID}, {"f.nr", ctxID}, {"pnr", ctxID}, {"syntetisk", ctxID},
	{"konto", ctxAccount}, {"kto", ctxAccount}, {"bankkonto", ctxAccount}, {"kontonr", ctxAccount}, {"iban", ctxAccount},
	{"kr", ctxPrice}, {"nok", ctxPrice}, {"beløp", ctxPrice}, {"pris", ctxPrice}, {"sum", ctxPrice},
	{"org", ctxOrg}, {"organisasjonsnum", ctxOrg}, {"foretaksnum", ctxOrg}, {"orgnr", ctxOrg},
	{"kid", ctxRef}, {"ref", ctxRef}, {"referanse", ctxRef}, {"saksnr", ctxRef}, {"saksnum", ctxRef}, {"faktura", ctxRef},
	{"ordre", ctxRef}, {"kundenum", ctxRef}, {"sak", ctxRef}, {"gebyr", ctxRef}, {"bilag", ctxRef},
	{"tlf", ctxPhone}, {"telefon", ctxPhone}, {"mobil", ctxPhone}, {"mob", ctxPhone}, {"ring", ctxPhone}, {"sms", ctxPhone}, {"nås", ctxPhone},
	{"kort", ctxCard}, {"kredittkort", ctxCard}, {"bankkort", ctxCard}, {"visa", ctxCard}, {"mastercard", ctxCard}, {"card", ctxCard},
}

// labelHeads are the endings that make a word a label for a number: a
// Norwegian compound takes its meaning from its last part, so
// «Bestillingsnr.», «Medlemsnummer», «Art.nr.», «Journalpost»,
// «Rabattkode», «Bruker-ID» and «Deres ref.» all name a number, and unless
// the first part is a phone, card, account or person word they name a
// reference, not a person's number.
var labelHeads = []string{"nr", "nummer", "nummeret", "numre", "numrene", "no", "id", "ref", "kode", "koden", "post", "posten"}

func classifyWord(w string) ctx {
	// Lower-case into a buffer once (ASCII and the capitals ÆØÅ), then
	// compare bytes: this runs for every number candidate.
	var buf [40]byte
	if len(w) > len(buf) {
		return ctxNone
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case i > 0 && w[i-1] == 0xC3 && 0x80 <= c && c <= 0x9E:
			c += 0x20
		}
		buf[i] = c
	}
	lw := buf[:len(w)]
	for _, cw := range ctxWords {
		if len(lw) >= len(cw.prefix) && lw[0] == cw.prefix[0] && string(lw[:len(cw.prefix)]) == cw.prefix {
			// Short words must match whole, or begin a label: «kr» is
			// not «kringkasting», but «tlf.nr» is a phone label.
			if len(cw.prefix) <= 3 && len(w) > len(cw.prefix)+1 && cw.c != ctxID && !hasHead(lw) {
				continue
			}
			// «kort» is also an adjective («kort tid»); only a card word
			// when it stands for the card.
			if cw.c == ctxCard && cw.prefix == "kort" && len(w) > 4 && !hasHead(lw) {
				continue
			}
			return cw.c
		}
	}
	if hasHead(lw) {
		return ctxRef
	}
	return ctxNone
}

// hasHead reports whether w ends in a label head. «post» alone and «no»
// alone are not labels (the mail, the country); a head must end a
// compound or stand after a word.
func hasHead(w []byte) bool {
	if len(w) < 2 {
		return false
	}
	switch w[len(w)-1] {
	case 'r', 'e', 'o', 'd', 'f', 't', 'n':
	default:
		return false
	}
	for _, h := range labelHeads {
		if len(w) < len(h) || string(w[len(w)-len(h):]) != h {
			continue
		}
		if len(w) == len(h) {
			return h != "post" && h != "posten" && h != "no"
		}
		if h == "no" || h == "id" {
			// «Art.no», «bruker-ID», «kunde-id»; not «Oslo», «tid».
			c := w[len(w)-len(h)-1]
			return c == '.' || c == '-'
		}
		return true
	}
	return false
}

// isBareNumberWord reports whether w is «nr», «nummer» or «no.» alone,
// which take their meaning from the word before.
func isBareNumberWord(w string) bool {
	return strings.EqualFold(w, "nr") || strings.EqualFold(w, "nummer") || strings.EqualFold(w, "nummeret") || strings.EqualFold(w, "no")
}

// isFunctionWord reports whether w is a pronoun, preposition or verb that
// may stand before a bare «nr.» without saying what it numbers («mitt nr.
// er», «samme nummer»).
func isFunctionWord(w string) bool {
	for _, f := range [...]string{"mitt", "ditt", "sitt", "vårt", "deres", "hennes", "hans", "dette", "samme", "nytt", "eget", "mobilt", "eller", "også"} {
		if strings.EqualFold(w, f) {
			return true
		}
	}
	return false
}

// priceAfter reports whether the number is followed by a unit that makes
// it an amount or a quantity («kroner», «kr», «,-», «mill.», «%»).
func priceAfter(s string, i int) bool {
	if strings.HasPrefix(s[i:], ",-") || strings.HasPrefix(s[i:], "%") {
		return true
	}
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == 0xC2 || s[j] == 0xA0) {
		j++
	}
	if j < len(s) && s[j] == '%' {
		return true // «45 %», as Norwegian typography writes it
	}
	k := j
	for k < len(s) {
		r, n := utf8.DecodeRuneInString(s[k:])
		if r == utf8.RuneError || !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r > 0x80 && r != 0xA0) {
			break
		}
		k += n
	}
	w := strings.TrimRight(s[j:k], ".")
	for _, unit := range []string{"kr", "kroner", "krone", "nok", "mill", "millioner", "milliarder", "mrd", "prosent", "kvm", "kvadratmeter", "meter", "km", "tonn", "liter", "euro", "dollar", "innbyggere", "innbyggjarar", "personer", "deltakere"} {
		if strings.EqualFold(w, unit) {
			return true
		}
	}
	return false
}
