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
	ctxRef         // «KID», «ref.», «saksnr.», «faktura»
	ctxPhone       // «tlf.», «telefon», «mobil», «ring»
)

// contextBefore reads the one or two words in front of a number and says
// what they announce. It compares in place and allocates nothing.
func contextBefore(s string, i int) ctx {
	for k := 0; k < 2; k++ {
		w, start := wordBefore(s, i)
		if w == "" {
			return ctxNone
		}
		if c := classifyWord(w); c != ctxNone {
			return c
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
	{"tlf", ctxPhone}, {"telefon", ctxPhone}, {"mobil", ctxPhone}, {"ring", ctxPhone}, {"sms", ctxPhone}, {"nås", ctxPhone},
}

func classifyWord(w string) ctx {
	for _, cw := range ctxWords {
		if len(w) >= len(cw.prefix) && strings.EqualFold(w[:len(cw.prefix)], cw.prefix) {
			// Short words must match whole: «kr» is not «kringkasting».
			if len(cw.prefix) <= 3 && len(w) > len(cw.prefix)+1 && cw.c != ctxID {
				continue
			}
			return cw.c
		}
	}
	return ctxNone
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
