package engine

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var prefilterPatterns = []string{
	"[🙄😉🙃😂🤦]", "«[^»]{2,25}»", `^\s*[–-]`, `[–-] (sier|seier|sa) `, `\b(frå|fra) (syria|eritrea)\b`,
	`(?i)Høgre|venstre`, `(?i)Σx|ab`, `x*y`, `a?b`, `\d{2}/\d{4}`, `saksn(r|ummer)\.?:?\s*\d{2,4}/\d{2,6}`, `(ab|cd)+e`, `\bi [1-9][a-e]\b`,
}

// TestPrefilterAgrees: skipping by first byte never changes what a
// pattern finds.
func TestPrefilterAgrees(t *testing.T) {
	texts := []string{"", "hei", "takk, kommunestyret 🙃", "«reform» no", "– dette, sier han", "ho kom frå syria i fjor",
		"høgre og venstre", "σx og ΣX", "xxxy", "b", "sak 26/1234", "saksnr. 2026/0412", "ababcde", "eleven i 4b", "ikkje noko her"}
	for _, p := range prefilterPatterns {
		re := regexp.MustCompile(p)
		fp := newFPattern(re)
		for _, s := range texts {
			if got, want := fp.findAll(s), re.FindAllStringIndex(s, -1); !slices.EqualFunc(got, want, slices.Equal[[]int]) {
				t.Errorf("%q on %q: prefiltered %v, want %v", p, s, got, want)
			}
			if got, want := fp.match(s), re.MatchString(s); got != want {
				t.Errorf("%q on %q: match %v, want %v", p, s, got, want)
			}
		}
	}
}

// TestPrefilterKnowsFirstBytes: the patterns the frames use get a filter.
func TestPrefilterKnowsFirstBytes(t *testing.T) {
	for _, p := range []string{"[🙄😉🙃😂🤦]", "«[^»]{2,25}»", `\b(frå|fra) (syria|eritrea)\b`} {
		if newFPattern(regexp.MustCompile(p)).first == nil {
			t.Errorf("%q: no first-byte filter", p)
		}
	}
	for _, p := range []string{`x*y`, `a?b`, `^\s*[–-]`} {
		if newFPattern(regexp.MustCompile(p)).first != nil {
			t.Errorf("%q: a filter for a pattern that may start with anything", p)
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	f.Add("takk 🙃 «x»", 0)
	f.Add("frå syria", 4)
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 {
			i = -i
		}
		re := regexp.MustCompile(prefilterPatterns[i%len(prefilterPatterns)])
		fp := newFPattern(re)
		if got, want := fp.findAll(s), re.FindAllStringIndex(s, -1); !slices.EqualFunc(got, want, slices.Equal[[]int]) {
			t.Fatalf("%q on %q: prefiltered %v, want %v", re, s, got, want)
		}
	})
}

// TestRequiredWords: the words every match of a pattern must hold are
// found only where they are truly required.
func TestRequiredWords(t *testing.T) {
	for _, tt := range []struct {
		pat  string
		want []string
	}{
		{`\bsend( [^ .!?]+){0,3}? (innspel|merknad)\b`, []string{"innspel", "merknad"}},
		{`\b(vite|høyre) (kva|korleis) (du|de)\b`, []string{"vite", "høyre"}},
		{`(den|det)( (klart|aller))+ (beste|verste)`, []string{"beste", "verste"}},
		{`(ein|en)? av (barna|elevane)`, []string{"barna", "elevane"}},
		{`(a|b)|c`, nil}, // a top-level alternative: nothing is required
		{`(send|gi)?( innspel)`, []string{" innspel"}}, // the optional group is not required; the other is
		{`(?i)(Send|Gi) innspel`, nil},                 // case folding
		{`[(]x(innspel|merknad)`, []string{"innspel", "merknad"}},
		{`\((innspel|merknad)\)`, []string{"innspel", "merknad"}},
		{`([0-9]+|x)y`, nil},
		{`\bsom (kom|sende) med`, []string{"som "}},
		{`\bsaksnr?\.? \d`, []string{"saksn"}},
		{`\bab (c|d)`, []string{"ab "}}, // the leading word is the more selective
		{`abc|d`, nil},
	} {
		got := requiredWords(tt.pat)
		if !slices.Equal(got, tt.want) {
			t.Errorf("requiredWords(%q) = %q, want %q", tt.pat, got, tt.want)
		}
		re := regexp.MustCompile(tt.pat)
		for _, s := range []string{"send oss innspel", "vite kva du", "den klart beste", "ein av barna", "b", "gi innspel", "(xinnspel", "(merknad)"} {
			if m := re.MatchString(s); m && tt.want != nil && !slices.ContainsFunc(tt.want, func(w string) bool { return strings.Contains(s, w) }) {
				t.Errorf("%q matches %q without any of %q", tt.pat, s, tt.want)
			}
		}
	}
}
