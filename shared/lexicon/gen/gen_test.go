package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// tinyATT imitates lt-print output for an analyser with two sections:
//
//	mann   → mann<n><sg>
//	menn   → mann<n><pl>       (irregular: e:a)
//	manns  → mann¹<n><gen>     (a homonym number)
//	manne  → manne<vblex><inf> (another lemma that starts like mann)
//	mann-  loops back to the start through <cmp-split>, as compounds do
//	mannen → mann<n><def>      (second section)
const tinyATT = "0\t1\tm\tm\t0.000000\t\n" +
	"1\t2\ta\ta\t0.000000\t\n" +
	"2\t3\tn\tn\t0.000000\t\n" +
	"3\t4\tn\tn\t0.000000\t\n" +
	"4\t5\tε\t<n>\t0.000000\t\n" +
	"5\t6\tε\t<sg>\t0.000000\t\n" +
	"0\t7\tm\tm\t0.000000\t\n" +
	"7\t8\te\ta\t0.000000\t\n" +
	"8\t9\tn\tn\t0.000000\t\n" +
	"9\t10\tn\tn\t0.000000\t\n" +
	"10\t11\tε\t<n>\t0.000000\t\n" +
	"11\t6\tε\t<pl>\t0.000000\t\n" +
	"4\t12\te\te\t0.000000\t\n" +
	"12\t13\tε\t<vblex>\t0.000000\t\n" +
	"13\t6\tε\t<inf>\t0.000000\t\n" +
	"4\t14\tε\t¹\t0.000000\t\n" +
	"14\t15\ts\t<n>\t0.000000\t\n" +
	"15\t6\tε\t<gen>\t0.000000\t\n" +
	"6\t0\t-\t<cmp-split>\t0.000000\t\n" +
	"6\t0.000000\n" +
	"--\n" +
	"0\t1\tm\tm\t0.000000\t\n" +
	"1\t2\ta\ta\t0.000000\t\n" +
	"2\t3\tn\tn\t0.000000\t\n" +
	"3\t4\tn\tn\t0.000000\t\n" +
	"4\t5\te\t<n>\t0.000000\t\n" +
	"5\t6\tn\t<def>\t0.000000\t\n" +
	"6\t0.000000\n"

func TestLookup(t *testing.T) {
	f, err := parseATT(strings.NewReader(tinyATT))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		side  int
		lemma string
		want  []string // "surface analysis", sorted
	}{
		{"analyses of a lemma", outputSide, "mann", []string{
			"mann mann<n><sg>", "mannen mann<n><def>", "manns mann¹<n><gen>", "menn mann<n><pl>"}},
		{"another lemma with the same start", outputSide, "manne", []string{"manne manne<vblex><inf>"}},
		{"a prefix is not a lemma", outputSide, "man", nil},
		{"unknown", outputSide, "kvinne", nil},
		{"by surface", inputSide, "menn", nil}, // the surface side has no tags
	} {
		t.Run(tt.name, func(t *testing.T) {
			paths, err := f.lookup(tt.side, tt.lemma)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range paths {
				got = append(got, strings.Join(p.in, "")+" "+strings.Join(p.out, ""))
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("lookup(%d, %q): got %q, want %q", tt.side, tt.lemma, got, tt.want)
			}
		})
	}
}

func TestParseATTErrors(t *testing.T) {
	for _, in := range []string{"0\t1\tm\n", "x\t1\tm\tm\t0\n", "-1\t0.0\n"} {
		if _, err := parseATT(strings.NewReader(in)); err == nil {
			t.Errorf("parseATT(%q): got no error, want one", in)
		}
	}
}

func TestParseStream(t *testing.T) {
	for _, tt := range []struct {
		line    string
		surface string
		want    []string // "lemma tags…"
		ok      bool
	}{
		{"^menn/mann<n><m><pl><ind>/mann<n><m><pl><ind><compound-R>$", "menn",
			[]string{"mann n m pl ind", "mann n m pl ind compound-R"}, true},
		{"^barnevern/barnevern¹<n><nt><sg><ind>$", "barnevern", []string{"barnevern¹ n nt sg ind"}, true},
		{"^sykmelde/*sykmelde$", "", nil, false},
		{"^a/b<n>$^c/d<n>$", "", nil, false}, // split into two tokens
		{"^gå på/gå<vblex><inf>+på<pr>$", "gå på", nil, true},
		{"plain", "", nil, false},
	} {
		t.Run(tt.line, func(t *testing.T) {
			surface, as, ok := parseStream(tt.line)
			var got []string
			for _, a := range as {
				got = append(got, strings.Join(append([]string{a.lemma}, a.tags...), " "))
			}
			if ok != tt.ok || surface != tt.surface || !slices.Equal(got, tt.want) {
				t.Errorf("parseStream(%q): got %q %q %v, want %q %q %v", tt.line, surface, got, ok, tt.surface, tt.want, tt.ok)
			}
		})
	}
}

func TestCoarsePOS(t *testing.T) {
	for _, tt := range []struct {
		tags string
		want string
	}{
		{"n m pl def", "n"},
		{"vblex pret", "v"},
		{"adj pp pl", "v"},
		{"adj pprs", "v"},
		{"adj sint comp un sp", "adj"},
		{"n xcomp sg def gen", "adj"},
		{"np top", "prop"},
		{"n m sg ind cmp compound-only-L", ""},
		{"n m sg ind compound-R", ""},
		{"n nt sg ind cmp detriple compound-only-L", ""},
		{"sent", ""},
		{"", ""},
	} {
		if got := coarsePOS(strings.Fields(tt.tags)); got != tt.want {
			t.Errorf("coarsePOS(%q): got %q, want %q", tt.tags, got, tt.want)
		}
	}
}

func TestSpellingVariant(t *testing.T) {
	for _, tt := range []struct {
		seed, other string
		want        bool
	}{
		// spellings of one word
		{"sjukmelde", "sykmelde", true},
		{"sjukmelde", "sykemelde", true},
		{"skuffa", "skuffet", true},
		{"dårleg", "dårlig", true},
		{"sjuk", "syk", true},
		{"bebuar", "beboer", true},
		{"fagforeining", "fagforening", true},
		// other words the bilingual dictionaries offer as translations
		{"gå", "løpe", false},
		{"søknad", "ansøkning", false},
		{"skuffa", "vonbroten", false},
		{"skade", "beskadige", false},
	} {
		if got := spellingVariant(tt.seed, tt.other); got != tt.want {
			t.Errorf("spellingVariant(%q, %q): got %v, want %v", tt.seed, tt.other, got, tt.want)
		}
	}
}

func TestParseLemmas(t *testing.T) {
	got, err := parseLemmas(strings.NewReader("# comment\n\nmann\n~skade/n  # noun\nskade/v\n"))
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, r := range got {
		s = append(s, fmt.Sprintf("%d:%s", r.line, r))
	}
	if want := []string{"3:mann", "4:skade/n", "5:skade/v"}; !slices.Equal(s, want) {
		t.Errorf("parseLemmas: got %q, want %q", s, want)
	}

	for _, tt := range []struct{ name, in, want string }{
		{"upper case", "Mann\n", "lemmas.txt:1: write"},
		{"unknown part of speech", "mann/noun\n", "unknown part of speech"},
		{"two words", "gå på\n", "not a single word"},
		{"duplicate", "mann\n\nmann\n", "already listed on line 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLemmas(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseLemmas(%q): got error %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	g := func(pos string, lemmas ...string) *group {
		gr := &group{pos: pos, nodes: map[node]bool{}}
		for i, l := range lemmas {
			gr.nodes[node{i % 2, l, pos}] = true
		}
		return gr
	}
	got := merge([]*group{
		g("v", "sjukmelde", "sykemelde"),
		g("v", "sykmelde"),
		g("n", "skade"),
		g("v", "skade"),
		g("v", "sykmelde", "sjukmelde"), // bridges the first two
	})
	var s []string
	for _, gr := range got {
		s = append(s, strings.Join(gr.lemmas(), ",")+"/"+gr.pos)
	}
	slices.Sort(s)
	if want := []string{"sjukmelde,sykemelde,sykmelde/v", "skade/n", "skade/v"}; !slices.Equal(s, want) {
		t.Errorf("merge: got %q, want %q", s, want)
	}
}

func TestWriteTSV(t *testing.T) {
	var b bytes.Buffer
	groups := []*group{
		{pos: "n", nodes: map[node]bool{{0, "mann", "n"}: true}, forms: []string{"mann", "menn"}},
		{pos: "adj", nodes: map[node]bool{{0, "dårlig", "adj"}: true, {1, "dårleg", "adj"}: true}, forms: []string{"dårleg", "dårlig"}},
	}
	if err := writeTSV(&b, "1.5.0", groups); err != nil {
		t.Fatal(err)
	}
	want := header("1.5.0") + "dårleg,dårlig\tadj\tdårleg dårlig\nmann\tn\tmann menn\n"
	if got := b.String(); got != want {
		t.Errorf("writeTSV: got\n%s\nwant\n%s", got, want)
	}
}

// TestUpToDate regenerates the data in memory and compares it with
// forms.tsv. It needs the Apertium tools, so it runs only where a developer
// installed them.
func TestUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating takes seconds; skipped with -short")
	}
	for _, prog := range []string{"lt-proc", "lt-print"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s is not installed (Debian: apt-get install %s apertium-nno-nob); cannot regenerate forms.tsv", prog, toolPackage[prog])
		}
	}
	var stdout, stderr bytes.Buffer
	noenv := func(string) string { return "" }
	if err := run(context.Background(), []string{"-check"}, noenv, nil, &stdout, &stderr); err != nil {
		t.Fatalf("gen -check: %v\n%s", err, stderr.String())
	}
}
