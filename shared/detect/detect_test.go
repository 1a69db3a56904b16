package detect

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// fnr builds an 11-digit number from nine digits with both check digits
// computed by the classic rule, or "" when a check digit would be 10.
// Tests use synthetic and test dates, never real people's numbers.
func fnr(nine string) string {
	var d [maxDigits]byte
	copy(d[:], nine)
	sum := 0
	for i, w := range k1Weights {
		sum += int(d[i]-'0') * w
	}
	k1 := (11 - sum%11) % 11
	if k1 == 10 {
		return ""
	}
	d[9] = byte('0' + k1)
	sum = 0
	for i, w := range k2Weights {
		sum += int(d[i]-'0') * w
	}
	k2 := (11 - sum%11) % 11
	if k2 == 10 {
		return ""
	}
	d[10] = byte('0' + k2)
	return string(d[:11])
}

// first returns the first valid number for a date prefix and individnummer
// from 100 up.
func first(prefix6 string) string {
	for ind := 100; ind < 1000; ind++ {
		if n := fnr(fmt.Sprintf("%s%03d", prefix6, ind)); n != "" {
			return n
		}
	}
	panic("no valid number for " + prefix6)
}

// with2032 returns a number valid only by the 2032 rule: k1 shifted so
// that the weighted sum leaves rest 1, and k2 recomputed.
func with2032(nine string) string {
	var d [maxDigits]byte
	copy(d[:], nine)
	sum := 0
	for i, w := range k1Weights {
		sum += int(d[i]-'0') * w
	}
	for rest := 1; rest <= 3; rest++ {
		k1 := (11 + rest - sum%11) % 11
		if k1 == 10 {
			continue
		}
		d[9] = byte('0' + k1)
		s2 := 0
		for i, w := range k2Weights {
			s2 += int(d[i]-'0') * w
		}
		k2 := (11 - s2%11) % 11
		if k2 == 10 {
			continue
		}
		d[10] = byte('0' + k2)
		return string(d[:11])
	}
	return ""
}

// account returns a mod-11-valid account number from ten digits.
func account(ten string) string {
	sum := 0
	for i, w := range k2Weights {
		sum += int(ten[i]-'0') * w
	}
	k := (11 - sum%11) % 11
	if k == 10 {
		return ""
	}
	return ten + string(rune('0'+k))
}

func spaced(n string, cuts ...int) string {
	var parts []string
	prev := 0
	for _, c := range cuts {
		parts = append(parts, n[prev:c])
		prev = c
	}
	return strings.Join(append(parts, n[prev:]), " ")
}

type tcase struct {
	name string
	text string
	want []string // the matched fragments
}

func run(t *testing.T, find func(string, []Match) []Match, tests []tcase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range find(tt.text, nil) {
				got = append(got, tt.text[m.Start:m.End])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("in %q: got %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

var (
	plain   = first("010190") // 1 January 1990
	dnum    = first("410190") // D-number: day + 40
	hnum    = first("014190") // H-number: month + 40
	nav65   = first("016690") // month + 65: no published scheme
	tenor   = first("018190") // Tenor synthetic: month + 80
	leap    = first("290200") // 29 February 2000 (individnummer 100 → 1900s: invalid)
	fh      = first("812345")
	new2032 = with2032("150390123")
	// The century is unknown for numbers issued from 2032, so 29 February
	// «00» is a leap day even with individnummer 100.
	leap2032 = with2032("290200100")
	acct     = account("1503112233")
)

func TestNationalIDs(t *testing.T) {
	run(t, NationalIDs, []tcase{
		// valid
		{"plain", "fnr " + plain + " ok", []string{plain}},
		{"D-number", "D-nummer " + dnum, []string{dnum}},
		{"H-number", "hjelpenummer " + hnum, []string{hnum}},
		{"NAV synthetic is month+40", "testperson " + hnum, []string{hnum}},
		{"month+65 is no scheme", "testperson " + nav65, nil},
		{"Tenor synthetic", "syntetisk " + tenor, []string{tenor}},
		{"FH-number", "FH " + fh, []string{fh}},
		// separators
		{"space", "fødselsnummer " + spaced(plain, 6) + ".", []string{spaced(plain, 6)}},
		{"dash", "(" + plain[:6] + "-" + plain[6:] + ")", []string{plain[:6] + "-" + plain[6:]}},
		{"dotted date", "født " + plain[:2] + "." + plain[2:4] + "." + plain[4:6] + " " + plain[6:], []string{plain[:2] + "." + plain[2:4] + "." + plain[4:6] + " " + plain[6:]}},
		{"no-break space", plain[:6] + "\u00a0" + plain[6:], []string{plain[:6] + "\u00a0" + plain[6:]}},
		{"en dash", plain[:6] + "–" + plain[6:], []string{plain[:6] + "–" + plain[6:]}},
		{"dot after the date", "personnr. " + plain[:6] + "." + plain[6:] + " stemmer", []string{plain[:6] + "." + plain[6:]}},
		{"spaced date", "født " + spaced(plain, 2, 4, 6), []string{spaced(plain, 2, 4, 6)}},
		{"followed by a number", "fnr " + plain + " 2 barn", []string{plain}},
		{"after a date", "12.03.2026 " + spaced(plain, 6), []string{spaced(plain, 6)}},
		{"followed by a path", "nr " + plain + " 12/27", []string{plain}},
		// 2032 rule
		{"2032 rule before 2032 is an account", "nr " + new2032, nil},
		{"2032 rule named", "fnr " + new2032, []string{new2032}},
		{"2032 rule written as id", spaced(new2032, 6), []string{spaced(new2032, 6)}},
		{"2032 rule on 29 February 2000", "personnummer " + leap2032, []string{leap2032}},
		{"2032 rule on 29 February 2000 as id", spaced(leap2032, 6), []string{spaced(leap2032, 6)}},
		{"2032 rule with k2 wrong", "sak " + new2032[:10] + string(rune('0'+(int(new2032[10]-'0')+1)%10)), nil},
		// tricky negatives
		{"wrong check digit", plain[:10] + string(rune('0'+(int(plain[10]-'0')+1)%10)), nil},
		{"invalid date", first("320190")[:0] + "32019012345", nil},
		{"29 February 1900", "nr " + leap, nil},
		{"inside a longer number", "1" + plain, nil},
		{"glued to letters", "ID" + plain, nil},
		{"part of a URL path", "https://x.no/" + plain, nil},
		{"URL slug", "https://x.no/sak-" + plain + "?a=1", nil},
		{"www URL", "www.x.no/side-" + plain, nil},
		{"dotted date is not split", plain[:4] + "." + plain[4:6] + "." + plain[6:] + " 2", nil},
		{"organisation number", "org.nr. 974 760 673", nil},
		{"phone with +47", "+47 " + plain[:8], nil},
		// clash with account
		{"written as account", plain[:4] + "." + plain[4:6] + "." + plain[6:], nil},
		{"written as account with spaces", spaced(plain, 4, 6), nil},
		{"account context", "kontonummer " + plain, nil},
		{"plain valid as both", "nr " + plain, []string{plain}},
		// multibyte
		{"after æøå and emoji", "Søknad 🎉 " + plain + " – ok", []string{plain}},
		{"between guillemets", "«" + plain + "»", []string{plain}},
		{"after a no-break space", "fnr.\u00a0" + plain, []string{plain}},
	})
}

// TestReaderFrom2032 checks that a number valid only under the 2032 rule
// is read as a fødselsnummer from 2032 on, and as the account it also is
// before.
func TestReaderFrom2032(t *testing.T) {
	for _, tt := range []struct {
		year     int
		ids, acc int
	}{{2026, 0, 1}, {2031, 0, 1}, {2032, 1, 0}, {2040, 1, 0}} {
		r := Reader{Year: tt.year}
		text := "nr " + new2032
		if ids, acc := len(r.NationalIDs(text, nil)), len(r.BankAccounts(text, nil)); ids != tt.ids || acc != tt.acc {
			t.Errorf("%d: %q: got %d ids and %d accounts, want %d and %d", tt.year, text, ids, acc, tt.ids, tt.acc)
		}
	}
}

func TestBankAccounts(t *testing.T) {
	run(t, BankAccounts, []tcase{
		{"dotted", "konto " + acct[:4] + "." + acct[4:6] + "." + acct[6:], []string{acct[:4] + "." + acct[4:6] + "." + acct[6:]}},
		{"spaced", "til " + spaced(acct, 4, 6) + ",", []string{spaced(acct, 4, 6)}},
		{"plain", "kontonummer " + acct, []string{acct}},
		// clash with national id
		{"fnr written as account", plain[:4] + "." + plain[4:6] + "." + plain[6:], []string{plain[:4] + "." + plain[4:6] + "." + plain[6:]}},
		{"fnr in id form", spaced(plain, 6), nil},
		{"fnr plain", "nr " + plain, nil},
		// tricky negatives
		{"bad check digit", "konto " + acct[:10] + string(rune('0'+(int(acct[10]-'0')+1)%10)), nil},
		{"ten digits", "konto " + acct[:10], nil},
		{"mixed separators", acct[:4] + "." + acct[4:6] + " " + acct[6:], nil},
	})
}

func TestPaymentCards(t *testing.T) {
	run(t, PaymentCards, []tcase{
		{"visa grouped", "kort 4326 6166 3049 4039.", []string{"4326 6166 3049 4039"}},
		{"visa plain", "5226991023740951", []string{"5226991023740951"}},
		{"amex 4-6-5", "3746-111393-09555", []string{"3746-111393-09555"}},
		{"mastercard 2-series", "2221 0000 0000 0009", []string{"2221 0000 0000 0009"}},
		// tricky negatives
		{"luhn fails", "4326 6166 3049 4038", nil},
		{"KID with unknown prefix", "KID 2014 5384 0191 6146", nil},
		{"KID context", "KID 4326616630494039", nil},
		{"odd grouping", "43 2661 6630 494039", nil},
		{"inside longer run", "14326616630494039", nil},
		// windows
		{"followed by expiry", "kort 4326 6166 3049 4039 12/27", []string{"4326 6166 3049 4039"}},
		{"en dashes", "4326–6166–3049–4039", []string{"4326–6166–3049–4039"}},
		{"in a URL", "https://x.no/betal/4326616630494039", nil},
	})
}

func TestPhones(t *testing.T) {
	run(t, Phones, []tcase{
		// layouts
		{"2-2-2-2", "ring 55 30 10 00 i dag", []string{"55 30 10 00"}},
		{"3-2-3", "på 912 34 567.", []string{"912 34 567"}},
		{"4-4", "tlf 9123 4567", []string{"9123 4567"}},
		{"plain", "mobil 40843646,", []string{"40843646"}},
		{"+47", "ring +47 929 79 262", []string{"+47 929 79 262"}},
		{"+47 plain", "+4741527589", []string{"+4741527589"}},
		{"0047", "fra utlandet 0047 55 30 10 00", []string{"0047 55 30 10 00"}},
		{"(+47)", "(+47) 912 34 567", []string{"(+47) 912 34 567"}},
		{"no-break space", "912\u00a034\u00a0567", []string{"912\u00a034\u00a0567"}},
		// multibyte
		{"after æøå", "nås på 912 34 567 før kl. 15", []string{"912 34 567"}},
		{"in guillemets", "«41527589»", []string{"41527589"}},
		{"glued to ø", "ø41527589", nil},
		{"two numbers", "Hilde på 929 79 262 eller Jon på 41527589", []string{"929 79 262", "41527589"}},
		{"slash list", "tlf. 929 79 262/ 41527589", []string{"929 79 262", "41527589"}},
		// tricky negatives: prices, dates, times, organisation numbers
		{"price kroner", "48 750 000 kroner", nil},
		{"price kr before", "kr 24 500 000 til skolen", nil},
		{"price 8 digits plain", "kr 12500000", nil},
		{"price ,-", "12500000,-", nil},
		{"date", "fredag 22.05.2026: kl. 08.00–12.00", nil},
		{"date ddmmyyyy dotted", "12.03.20.26", nil},
		{"clock", "kl. 07.40 og 09.00–15.30", nil},
		{"year and serial", "parkeringsløyve nr. 2026-0415 for Sjøgata", nil},
		{"4-4 with a space after a year-like group", "ring 2026 0415", []string{"2026 0415"}},
		{"organisation number", "org.nr. 974 760 673", nil},
		{"nine digits", "974760673", nil},
		{"short numbers", "Ring 110, 112, 113 eller 116 117.", nil},
		{"five digits", "politiet på 02800", nil},
		{"starts with 0 or 1", "01234567 og 12345678", nil},
		{"KID", "KID 20267017", nil},
		{"inside longer number", "123456789", nil},
		{"case number", "saksnr. 2026/0412", nil},
		{"year range", "2026–2038", nil},
		{"decimal", "1,23456789", nil},
		{"service number", "grønt nummer 800 12 345", nil},
		{"two years", "budsjettet for 2025 2026", nil},
		{"year range en dash", "planen for 2026–2030", nil},
		{"two ranges", "åpent 20-22 23-25", nil},
		{"mixed separators", "55 30-10 00", nil},
		{"+47 then dashes", "+47 912-34-567", []string{"+47 912-34-567"}},
		{"date ddmmyyyy", "møtet 22052026 er avlyst", nil},
		{"date yyyymmdd", "versjon 20260522", nil},
		{"in a URL", "https://x.no/kontakt/41527589", nil},
		{"percent", "45678912 %", nil},
		{"percent glued", "45678912%", nil},
		{"millioner", "45 12 34 56 millioner", nil},
		{"account number", "konto 1503 11 22334", nil},
	})
}

func TestEmails(t *testing.T) {
	run(t, Emails, []tcase{
		{"simple", "skriv til kari@gmail.com.", []string{"kari@gmail.com"}},
		{"dots and plus", "(ola.nordmann+post@online.no)", []string{"ola.nordmann+post@online.no"}},
		{"æøå", "ørjan.sæther@domene.no, takk", []string{"ørjan.sæther@domene.no"}},
		{"subdomain", "post@mail.fjordvik.kommune.no", []string{"post@mail.fjordvik.kommune.no"}},
		{"two", "a@b.no og c@d.com", []string{"a@b.no", "c@d.com"}},
		// negatives
		{"no tld", "kari@localhost", nil},
		{"handle", "@fjordvikkommune på X", nil},
		{"numeric tld", "a@b.123", nil},
		{"user information in a URL", "https://www.fjordvik.kommune.no@klikk-her.example/logg-inn", nil},
		{"mailto", "mailto:kari@gmail.com", []string{"kari@gmail.com"}},
	})
}

func TestKeys(t *testing.T) {
	for _, tt := range []struct {
		fn       func(string) string
		in, want string
	}{
		{PhoneKey, "+47 55 30 10 00", "55301000"},
		{PhoneKey, "0047 55301000", "55301000"},
		{PhoneKey, "55 30 10 00", "55301000"},
		{PhoneKey, "112", ""},
		{AccountKey, "7260.18.15908", "72601815908"},
		{AccountKey, "7260 18 15908", "72601815908"},
		{AccountKey, "7260", ""},
		{AccountKey, "NO93 8601 1117 947", "86011117947"}, // an own account written as an IBAN is still allowed
		{AccountKey, "NO9386011117947", "86011117947"},
		{EmailDomain, "Kari@Fjordvik.Kommune.no", "fjordvik.kommune.no"},
		{EmailDomain, "nope", ""},
	} {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNoAllocWithoutMatch(t *testing.T) {
	text := strings.Repeat("Kommunen bruker 48 750 000 kroner, org.nr. 974 760 673, kl. 09.00, se https://x.no/sak-2026-0412 og 12 34 56 78 90 12 34. ", 20)
	dst := make([]Match, 0, 8)
	for name, f := range map[string]func(string, []Match) []Match{"NationalIDs": NationalIDs, "PaymentCards": PaymentCards, "BankAccounts": BankAccounts, "Phones": Phones, "Emails": Emails} {
		if n := testing.AllocsPerRun(20, func() { dst = f(text, dst[:0]) }); n != 0 {
			t.Errorf("%s allocates %.0f times on text without matches, want 0", name, n)
		}
	}
}

// fuzzFinder checks what every finder promises: no panic, spans inside
// the text, on character boundaries, non-empty, sorted and non-overlapping,
// and the same answer twice. Seeds are in testdata/fuzz/.
func fuzzFinder(f *testing.F, find func(string, []Match) []Match) {
	for _, s := range []string{plain, spaced(plain, 6), "ring +47 912 34 567", "4326 6166 3049 4039", "kari@gmail.com", "1234.56.78903", "\xff9\u00a0", "(+47) 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms := find(s, nil)
		prev := 0
		for _, m := range ms {
			if m.Start < prev || m.End <= m.Start || m.End > len(s) {
				t.Fatalf("bad match %+v (prev end %d) in %q", m, prev, s)
			}
			// In valid UTF-8 a span must not cut a character in two.
			if utf8.ValidString(s) && (!utf8.RuneStart(s[m.Start]) || m.End < len(s) && !utf8.RuneStart(s[m.End])) {
				t.Fatalf("match %+v splits a character in %q", m, s)
			}
			prev = m.End
		}
		again := find(s, make([]Match, 1, 4))[1:]
		if fmt.Sprint(again) != fmt.Sprint(ms) {
			t.Fatalf("not deterministic on %q: got %v, want %v", s, again, ms)
		}
	})
}

func FuzzNationalIDs(f *testing.F) {
	fuzzFinder(f, func(s string, dst []Match) []Match {
		ids := NationalIDs(s, dst)
		// The clash: no span may be both a national ID and an account.
		for _, a := range BankAccounts(s, nil) {
			for _, id := range ids[len(dst):] {
				if a.Start < id.End && id.Start < a.End {
					panic(fmt.Sprintf("span %+v is an account and national ID %+v in %q", a, id, s))
				}
			}
		}
		return ids
	})
}

func FuzzPaymentCards(f *testing.F) { fuzzFinder(f, PaymentCards) }
func FuzzBankAccounts(f *testing.F) { fuzzFinder(f, BankAccounts) }
func FuzzPhones(f *testing.F)       { fuzzFinder(f, Phones) }
func FuzzEmails(f *testing.F)       { fuzzFinder(f, Emails) }

// benchText is about 4 KB of Norwegian post text with every kind of number
// the finders must find or leave alone.
var benchText = strings.Repeat("Hei! Ring 912 34 567 eller skriv til kari@gmail.com. Budsjettet er på 48 750 000 kroner, org.nr. 974 760 673, og møtet er 12.03.2026 kl. 18.00. Fødselsnummer "+spaced(plain, 6)+" og konto 1234.56.78903. ", 20)

// BenchmarkDetectors reports MB/s and allocations of all finders together
// (what the engine runs per keystroke) and of each alone.
func BenchmarkDetectors(b *testing.B) {
	finders := []struct {
		name string
		find func(string, []Match) []Match
	}{
		{"NationalIDs", NationalIDs}, {"PaymentCards", PaymentCards}, {"BankAccounts", BankAccounts}, {"Phones", Phones}, {"Emails", Emails},
	}
	b.Run("all", func(b *testing.B) {
		dst := make([]Match, 0, 64)
		b.SetBytes(int64(len(benchText)))
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range finders {
				dst = f.find(benchText, dst[:0])
			}
		}
	})
	for _, f := range finders {
		b.Run(f.name, func(b *testing.B) {
			dst := make([]Match, 0, 64)
			b.SetBytes(int64(len(benchText)))
			b.ReportAllocs()
			for b.Loop() {
				dst = f.find(benchText, dst[:0])
			}
		})
	}
}

func TestHelpersMakeNumbers(t *testing.T) {
	for name, n := range map[string]string{"plain": plain, "new2032": new2032, "leap2032": leap2032, "acct": acct} {
		if len(n) != 11 {
			t.Errorf("%s: got %q, want 11 digits", name, n)
		}
	}
}
