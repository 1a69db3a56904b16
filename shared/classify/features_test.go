package classify

import (
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fnv32a hashes s with the standard library's FNV-1a, the reference the
// incremental hashing in Features must agree with.
func fnv32a(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// grams lists the typed strings Features hashes for one word, in its
// order: unigram, bigram with prev (if any), character n-grams.
func grams(prev, word string) []string {
	out := []string{"w" + word}
	if prev != "" {
		out = append(out, "b"+prev+" "+word)
	}
	r := []rune("<" + word + ">")
	for i := range r {
		for n := minN; n <= maxN && i+n <= len(r); n++ {
			out = append(out, "c"+string(r[i:i+n]))
		}
	}
	return out
}

func TestFeatures(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // the typed strings whose hashes Features returns
	}{
		// words
		{"empty", "", nil},
		{"no tokens", " .,!? – «»", nil},
		{"one letter", "å", []string{"wå", "c<å>"}},
		{"two letters", "ja", []string{"wja", "c<ja", "c<ja>", "cja>"}},
		{"bigram", "ja takk", slices.Concat(grams("", "ja"), grams("ja", "takk"))},
		{"long word keeps 3 to 5", "stortinget", grams("", "stortinget")},
		{"digits are words", "kl 20", slices.Concat(grams("", "kl"), grams("kl", "20"))},
		// hyphens and punctuation split words
		{"hyphen", "e-post", slices.Concat(grams("", "e"), grams("e", "post"))},
		{"comma", "ja,nei", slices.Concat(grams("", "ja"), grams("ja", "nei"))},
		// nynorsk and multibyte letters count as one character each
		{"nynorsk", "eg høyrde", slices.Concat(grams("", "eg"), grams("eg", "høyrde"))},
		{"æøå", "blåbærsyltetøy", grams("", "blåbærsyltetøy")},
		{"combining mark stays in the word", "e\u0301n", grams("", "e\u0301n")},
		{"a mark starts no word", "\u0301", nil},
		{"keycap", "1️⃣", grams("", "1")},
		// emoji are tokens of their own, without character n-grams
		{"emoji", "👏", []string{"w👏"}},
		{"emoji after word", "bra👏", slices.Concat(grams("", "bra"), []string{"w👏", "bbra 👏"})},
		{"emoji between words", "ja 🙄 nei", slices.Concat(grams("", "ja"), []string{"w🙄", "bja 🙄"}, grams("🙄", "nei"))},
		{"two emoji", "😡🎉", []string{"w😡", "w🎉", "b😡 🎉"}},
		{"dingbat", "✅ ok", slices.Concat([]string{"w✅"}, grams("✅", "ok"))},
		{"skin tone dropped", "👍🏽", []string{"w👍"}},
		{"variation selector dropped", "❤️", []string{"w❤"}},
		// invalid UTF-8 separates words
		{"invalid byte", "ja\xffnei", slices.Concat(grams("", "ja"), grams("ja", "nei"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []uint32
			for _, s := range tt.want {
				want = append(want, fnv32a(s))
			}
			got := Features(tt.text, nil)
			if !slices.Equal(got, want) {
				t.Errorf("Features(%q): got %d features %x, want %d %x (%q)", tt.text, len(got), got, len(want), want, tt.want)
			}
		})
	}
}

func TestFeaturesAppends(t *testing.T) {
	dst := []uint32{7}
	got := Features("ja takk", dst)
	if got[0] != 7 || len(got) != 1+len(Features("ja takk", nil)) {
		t.Errorf("got %x, want 7 followed by the features", got)
	}
}

func TestFeaturesAllocs(t *testing.T) {
	text := strings.Repeat("regjeringa burde gå av 👎 ", 10)
	dst := Features(text, nil)
	if n := testing.AllocsPerRun(100, func() { dst = Features(text, dst[:0]) }); n != 0 {
		t.Errorf("got %v allocations per call, want 0", n)
	}
}

// FuzzFeatures checks that Features never panics, that it only appends,
// that it agrees with itself, and that the number of features stays
// within 3 per byte (a 1-byte word has a unigram, a bigram and one
// n-gram; every further byte adds at most 3 n-grams).
func FuzzFeatures(f *testing.F) {
	for _, s := range []string{"", "ja takk", "e-post 👍🏽 ❤️", "blåbærsyltetøy", "ja\xffnei", "e\u0301n", "\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Features(s, []uint32{1, 2})
		if got[0] != 1 || got[1] != 2 {
			t.Fatalf("Features(%q) changed dst's prefix: %x", s, got[:2])
		}
		got = got[2:]
		if len(got) > 3*len(s) {
			t.Fatalf("Features(%q): %d features from %d bytes", s, len(got), len(s))
		}
		if again := Features(s, nil); !slices.Equal(again, got) {
			t.Fatalf("Features(%q) not deterministic: got %x, then %x", s, got, again)
		}
		if utf8.ValidString(s) && len(s) > 0 && len(got) == 0 {
			for _, r := range s {
				if isWordStart(r) || isEmoji(r) {
					t.Fatalf("Features(%q) found nothing, but %q is a token", s, r)
				}
			}
		}
	})
}
