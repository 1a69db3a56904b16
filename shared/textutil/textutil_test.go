package textutil

import (
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestUTF16(t *testing.T) {
	tests := []struct {
		name string
		s    string
		offs []int
		want []int
	}{
		// ascii
		{"empty", "", []int{0}, []int{0}},
		{"ascii", "abc def", []int{0, 3, 7}, []int{0, 3, 7}},
		// norwegian letters are two bytes, one unit
		{"æøå", "æøå x", []int{2, 4, 6, 8}, []int{1, 2, 3, 5}},
		{"fødselsnummer", "Mitt fødselsnummer: 1", []int{5, 19, 22}, []int{5, 18, 21}},
		// emoji outside the BMP are two units
		{"emoji", "🎉 fest", []int{4, 5, 9}, []int{2, 3, 7}},
		{"flag", "🇳🇴!", []int{8, 9}, []int{4, 5}},
		// offsets inside a character count as its start
		{"inside ø", "ø", []int{1}, []int{0}},
		{"inside emoji", "a🎉", []int{3}, []int{1}},
		// whole-draft findings keep -1
		{"negative", "abc", []int{-1, 2}, []int{-1, 2}},
		// unsorted input still converts
		{"unsorted", "æææ", []int{6, 2, 4}, []int{3, 1, 2}},
		// invalid bytes are one unit each
		{"invalid", "a\xffb", []int{1, 2, 3}, []int{1, 2, 3}},
		{"past end", "ab", []int{5}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := append([]int(nil), tt.offs...)
			UTF16(tt.s, got)
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("UTF16(%q, %v) = %v, want %v", tt.s, tt.offs, got, tt.want)
				}
			}
		})
	}
}

func TestUTF16LenMatchesStdlib(t *testing.T) {
	for _, s := range []string{"", "abc", "æøå ÆØÅ", "🎉🇳🇴 hei", "sjukmeld\u0301"} {
		if got, want := UTF16Len(s), len(utf16.Encode([]rune(s))); got != want {
			t.Errorf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
		identity       bool
	}{
		{"ascii", "Hei NAV", "hei nav", true},
		{"norwegian", "FØDSELSNUMMER Ærlig Åse", "fødselsnummer ærlig åse", true},
		// decomposed å (a + combining ring) becomes one character
		{"nfc", "Ha\u030akon", "håkon", false},
		// a rune whose lower case has another length
		{"kelvin", "\u212a", "k", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Fold(tt.in, nil)
			if f.S != tt.want {
				t.Fatalf("Fold(%q) = %q, want %q", tt.in, f.S, tt.want)
			}
			if f.Identity() != tt.identity {
				t.Fatalf("Fold(%q).Identity() = %v, want %v", tt.in, f.Identity(), tt.identity)
			}
			if got := f.OrigOffset(len(f.S)); got != len(tt.in) {
				t.Fatalf("OrigOffset(end) = %d, want %d", got, len(tt.in))
			}
		})
	}
	// Offsets after a changed character map back to the original.
	f := Fold("Ha\u030akon er her", nil)
	if i := len("håkon "); f.OrigOffset(i) != len("Ha\u030akon ") {
		t.Fatalf("OrigOffset(%d) = %d, want %d", i, f.OrigOffset(i), len("Ha\u030akon "))
	}
}

func TestSegment(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		words []string
		sents int
	}{
		{"simple", "Hei Kari! Ring oss.", []string{"hei", "kari", "ring", "oss"}, 2},
		{"clock and abbreviations", "Flytt bilen før kl. 22.00 tirsdag. Ok", []string{"flytt", "bilen", "før", "kl", "22.00", "tirsdag", "ok"}, 2},
		{"dates", "Fra 1. april til 20. august.", []string{"fra", "1", "april", "til", "20", "august"}, 1},
		{"lines", "Hei\nHilsen Kari", []string{"hei", "hilsen", "kari"}, 2},
		{"case number", "saksnr. 2026/0412 mangler", []string{"saksnr", "2026/0412", "mangler"}, 1},
		{"hyphen", "NAV-kontoret", []string{"nav", "kontoret"}, 1},
		// emoji in place of a full stop
		{"emoji ends sentence", "Fest kl. 17.00 🎄 Etterpå gløgg", []string{"fest", "kl", "17.00", "etterpå", "gløgg"}, 2},
		{"emoji sequence", "Takk 👍🏽❤️ Kari", []string{"takk", "kari"}, 2},
		{"emoji mid-sentence", "Vi 🎉 feirer i dag", []string{"vi", "feirer", "i", "dag"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Fold(tt.in, nil)
			ws, ss := Segment(&f, nil, nil)
			var got []string
			for _, w := range ws {
				got = append(got, f.S[w.Start:w.End])
			}
			if len(got) != len(tt.words) {
				t.Fatalf("words = %q, want %q", got, tt.words)
			}
			for i := range got {
				if got[i] != tt.words[i] {
					t.Fatalf("words = %q, want %q", got, tt.words)
				}
			}
			if len(ss) != tt.sents {
				t.Fatalf("sentences = %d, want %d", len(ss), tt.sents)
			}
		})
	}
}

func FuzzSegment(f *testing.F) {
	for _, s := range []string{"Hei Kari! Ring 912 34 567.", "æøå. ÆØÅ\n\n🎉", "Ha\u030akon", "\xff\xfe. A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fo := Fold(s, nil)
		ws, ss := Segment(&fo, nil, nil)
		prev := int32(0)
		for _, w := range ws {
			if w.Start < prev || w.End <= w.Start || int(w.End) > len(fo.S) {
				t.Fatalf("bad word %+v in %q", w, fo.S)
			}
			if int(w.Sent) >= len(ss) {
				t.Fatalf("word %+v points past %d sentences", w, len(ss))
			}
			prev = w.End
			o := fo.OrigOffset(int(w.Start))
			if o < 0 || o > len(s) {
				t.Fatalf("OrigOffset out of range")
			}
		}
		offs := []int{0, len(s) / 2, len(s)}
		UTF16(s, offs)
		if offs[2] != UTF16Len(s) && utf8.ValidString(s) {
			t.Fatalf("UTF16(end) = %d, want %d", offs[2], UTF16Len(s))
		}
	})
}
