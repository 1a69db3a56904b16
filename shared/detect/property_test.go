package detect

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// FuzzWrittenForms is a property test over generated numbers: a number of
// each kind, made from the fuzzer's seed, in each written form and each
// sentence, is found with exactly its span by its own finder and by no
// other. The seeds in f.Add make it a unit test of every form; `go test
// -fuzz FuzzWrittenForms` explores further.
func FuzzWrittenForms(f *testing.F) {
	for seed := range uint64(48) {
		f.Add(seed, uint8(seed))
	}
	f.Fuzz(func(t *testing.T, seed uint64, form uint8) {
		g := &gen{r: rand.New(rand.NewPCG(seed, 11))}
		var text, span, rule string
		year := 2026
		switch form % 6 {
		case 0: // a fødselsnummer in every form, after a word naming it
			id := ""
			for id == "" {
				id = classicID(g.birth(), 0, 0)
			}
			forms := idForms(id)
			span = forms[int(seed)%len(forms)]
			text, rule = "Fødselsnummer: "+span+", takk.", "national_id"
		case 1: // the same, valid by the classic rule, without a word, in a form made for ids
			id := ""
			for id == "" {
				id = classicID(g.birth(), 40*int(seed%2), 40*int(seed/2%3))
			}
			forms := idForms(id)
			span = forms[int(seed)%len(forms)]
			text, rule = "Det gjelder "+span+" i dag.", "national_id"
		case 2: // a 2032 number in 2032
			id := ""
			for id == "" || nationalID(digitsOf(id)) != id2032 {
				id = with2032(g.birth())
			}
			span, text, rule, year = id, "Se "+id+".", "national_id", 2032
		case 3: // an account
			forms := accountForms(g.account())
			span = forms[int(seed)%len(forms)]
			text, rule = "Gaver til konto "+span+".", "bank_account"
		case 4: // a card
			p := cardPrefixes[int(seed)%len(cardPrefixes)]
			n := g.luhnNumber(p.prefix, p.n)
			forms := []string{n, groups4(n, " "), groups4(n, "-"), groups4(n, ".")}
			span = forms[int(seed)%len(forms)]
			text, rule = "Kortet "+span+" er sperret.", "payment_card"
		case 5: // a phone
			n := g.pick("4", "9", "2", "5", "7") + g.digits(7)
			if isDate8([]byte(n)) || isYear([]byte(n[:4])) && isYear([]byte(n[4:])) {
				return
			}
			forms := []string{n, n[:3] + " " + n[3:5] + " " + n[5:], n[:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:], n[:4] + " " + n[4:], "+47 " + n}
			span = forms[int(seed)%len(forms)]
			text, rule = "Ring "+span+" i dag.", "phone"
		}
		got := findAll(Reader{Year: year}, text)
		want := rule + "\x00" + span
		if !got[want] || len(got) != 1 {
			var keys []string
			for k := range got {
				keys = append(keys, strings.ReplaceAll(k, "\x00", " "))
			}
			t.Fatalf("in %q (year %d): got %q, want only %s %q", text, year, keys, rule, span)
		}
	})
}

// FuzzIBAN checks the IBAN reader against a plain implementation of ISO
// 13616 with big integers: no panic, an end inside the text, and «valid»
// exactly when the check digits hold.
func FuzzIBAN(f *testing.F) {
	for _, s := range []string{"NO93 8601 1117 947", "NO9386011117947", "DE89 3704 0044 0532 0130 00", "GB29 NWBK 6016 1331 9268 19", "NO93 8601 1117 948", "NO93 8601 1117 9471", "XX00 ", "NO9386011117947 og"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end, shaped, valid := ibanAt(s, 0)
		if end < 0 || end > len(s) {
			t.Fatalf("end %d outside %q", end, s)
		}
		if !shaped {
			if valid {
				t.Fatalf("%q: valid but not shaped", s)
			}
			return
		}
		compact := strings.ReplaceAll(s[:end], " ", "")
		want := mod97(compact)
		if compact[:2] == "NO" {
			// A Norwegian BBAN is the 11 digits of an account.
			want = want && strings.Trim(compact[4:], "0123456789") == "" && accountValid(digitsOf(compact[4:]))
		}
		if valid != want {
			t.Fatalf("%q: got valid %v, want %v", s[:end], valid, want)
		}
	})
}

// mod97 is the IBAN check of ISO 13616, done the slow way.
func mod97(iban string) bool {
	var b strings.Builder
	for _, c := range iban[4:] + iban[:4] {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&b, int(c-'A')+10)
		} else {
			b.WriteRune(c)
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// TestPropertyIDsAndAccounts checks on every written form that a number is
// never both a national id and an account, and that a valid fødselsnummer
// written 6+5 is always an id, whatever the year.
func TestPropertyIDsAndAccounts(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(11, 4))}
	for i := range 500 {
		id := classicID(g.birth(), 0, 0)
		if id == "" {
			continue
		}
		for _, f := range idForms(id) {
			for _, year := range []int{2026, 2032} {
				r := Reader{Year: year}
				text := "Se " + f + "."
				ids, accts := r.NationalIDs(text, nil), r.BankAccounts(text, nil)
				if len(ids) > 0 && len(accts) > 0 {
					t.Fatalf("%d: %q is both an id and an account", i, text)
				}
				if f == id[:6]+" "+id[6:] && len(ids) != 1 {
					t.Fatalf("%q in %d: got %d ids, want 1", text, year, len(ids))
				}
			}
		}
	}
}

// FuzzNextDigit checks the eight-bytes-at-a-time digit search against a
// byte loop.
func FuzzNextDigit(f *testing.F) {
	for _, s := range []string{"", "abc", "abcdefgh9", "æøå 12", "\x2f\x3a/:9", "\xff\xb0\xb9 0"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, from uint8) {
		i := min(int(from), len(s))
		want := i
		for want < len(s) && !isDigit(s[want]) {
			want++
		}
		if got := nextDigit(s, i); got != want {
			t.Fatalf("nextDigit(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}
