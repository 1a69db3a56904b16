package redact

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, rule, in, want string
	}{
		// numbers
		{"fødselsnummer", "pii.national_id", "01019012345", "01******345"},
		{"fødselsnummer with space", "pii.national_id", "010190 12345", "01**** **345"},
		{"dotted date", "pii.national_id", "21.08.01 81423", "21.**.** **423"},
		{"phone", "pii.phone", "+47 912 34 567", "+47 *** ** 567"},
		{"phone plain", "pii.phone", "912 34 567", "91* ** 567"},
		{"card", "pii.payment_card", "4326 6166 3049 4039", "43** **** **** *039"},
		{"account", "pii.bank_account", "1234.56.78903", "12**.**.**903"},
		{"case number", "case.processing", "2026/0412", "20**/*412"},
		// e-mail
		{"email", "pii.email", "kari.nordmann@gmail.com", "k***@gmail.com"},
		{"email æøå", "pii.email", "ørjan@online.no", "ø***@online.no"},
		{"email with text after", "pii.email", "a@b Emma har diabetes", "a***@b E*** h** d*******"},
		{"email clipped", "pii.email", "k@" + strings.Repeat("sub.", 12) + "no", "k***@" + strings.Repeat("sub.", 8) + "su…"},
		// words
		{"address", "pii.address", "Heiaveien 7", "H******** *"},
		{"sensitive", "pii.sensitive", "Emma (8) i 3B, som har diabetes", "E*** (*) i **, s** h** d*******"},
		{"newline", "politics.opinion", "Dessverre\nvalgte", "D******** v*****"},
		{"empty", "pii.phone", "  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mask(tt.rule, tt.in); got != tt.want {
				t.Fatalf("Mask(%q, %q) = %q, want %q", tt.rule, tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskClips(t *testing.T) {
	long := strings.Repeat("Dessverre valgte flertallet å kutte ", 5)
	got := Mask("politics.opinion", long)
	if n := utf8.RuneCountInString(got); n != MaxRunes {
		t.Fatalf("len = %d runes, want %d: %q", n, MaxRunes, got)
	}
	if !strings.HasSuffix(got, "…") {
		t.Fatalf("clipped excerpt %q does not end in …", got)
	}
}

// FuzzMask checks the guarantees of the package doc: at most MaxRunes
// runes, and no run of original letters or digits longer than the
// documented keep rules allow.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"01019012345", "kari@gmail.com", "Emma har diabetes", "🎉 4326 6166 3049 4039", "a@b@c", "\xff\xfe"} {
		f.Add("pii.phone", s)
		f.Add("pii.email", s)
	}
	f.Add("pii.email", "a@b Emma har diabetes")
	f.Fuzz(func(t *testing.T, rule, s string) {
		got := Mask(rule, s)
		if n := utf8.RuneCountInString(got); n > MaxRunes {
			t.Fatalf("Mask returned %d runes, more than %d", n, MaxRunes)
		}
		// Outside an e-mail domain, no two letters in a row survive, and
		// at most five digits in all.
		body := got
		if at := strings.LastIndexByte(got, '@'); at >= 0 {
			// A domain is kept whole only when it is one word; other
			// text after '@' is masked like words.
			if !strings.ContainsAny(got[at+1:], " \t\n") {
				body = got[:at]
			}
		}
		prevLetter := false
		kept := 0
		for _, r := range body {
			if unicode.IsDigit(r) {
				kept++
			}
			isL := unicode.IsLetter(r)
			if isL && prevLetter {
				t.Fatalf("Mask(%q, %q) = %q keeps two letters in a row", rule, s, got)
			}
			prevLetter = isL
		}
		if kept > 5 {
			t.Fatalf("Mask(%q, %q) = %q keeps %d digits", rule, s, got, kept)
		}
	})
}
