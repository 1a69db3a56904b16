package lexicon

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var formsTests = []struct {
	name   string
	lemma  string
	ok     bool
	has    []string // forms that must be present
	hasNot []string // forms that must be absent
}{
	// the brief's cases
	{"sjukmelde both standards", "sjukmelde", true,
		[]string{"sjukmeldt", "sjukmelde", "sjukmeldte", "sjukmelder", "sykmeldt", "sykmeldte", "sykmelder", "sykemeldt"}, nil},
	{"barnevern same in both", "barnevern", true,
		[]string{"barnevern", "barnevernet", "barnevernets", "barnevernene", "barneverna"}, nil},
	{"mann irregular plural", "mann", true,
		[]string{"mann", "mannen", "menn", "mennene", "mennenes"}, []string{"manne"}},
	{"dårleg nynorsk lemma", "dårleg", true,
		[]string{"dårleg", "dårlegare", "dårlegast", "dårlegaste", "dårlig", "dårligere", "dårligst"}, nil},
	{"dårlig bokmål lemma", "dårlig", true,
		[]string{"dårlegare", "dårlegast", "dårligere", "dårligste"}, nil},
	{"unknown lemma", "xyzzy", false, nil, nil},
	{"inflected form is not a lemma", "menn", false, nil, nil},
	{"empty", "", false, nil, nil},

	// lookup by the other standard's lemma
	{"sykmelde bokmål lemma", "sykmelde", true, []string{"sjukmeldte", "sykmeldt"}, nil},
	{"sykemelde unlisted counterpart", "sykemelde", true, []string{"sjukmeldt", "sykmeldte"}, nil},
	{"skuffa nynorsk", "skuffa", true, []string{"skuffa", "skuffet", "skuffede", "skuffete"}, nil},
	{"skuffet bokmål", "skuffet", true, []string{"skuffa", "skuffet"}, nil},
	{"høyring", "høyring", true, []string{"høyringa", "høyringar", "høringen", "høringer"}, nil},
	{"innspill", "innspill", true, []string{"innspel", "innspela", "innspillene"}, nil},
	{"bebuar", "bebuar", true, []string{"bebuarane", "beboerne"}, nil},
	{"fagforening", "fagforening", true, []string{"fagforeininga", "fagforeningen"}, nil},

	// irregular inflection
	{"bok umlaut plural", "bok", true, []string{"bok", "boka", "boken", "bøker", "bøkene"}, nil},
	{"gå strong verb", "gå", true, []string{"gå", "går", "gikk", "gjekk", "gått", "gående", "gåande"}, nil},
	{"god suppletive comparison", "god", true, []string{"godt", "bedre", "betre", "best", "beste"}, nil},

	// translations that are other words are not merged
	{"gå is not løpe", "gå", true, nil, []string{"løpe", "løper", "henvende"}},
	{"søknad is not ansøkning", "søknad", true, []string{"søknaden", "søknadar"}, []string{"ansøkning"}},

	// compound-only analyses are left out
	{"no compound-only forms", "barn", true, []string{"barnet", "barna", "barns"}, []string{"barne"}},

	// part of speech
	{"skade noun", "skade/n", true, []string{"skade", "skaden", "skadene"}, []string{"skadet", "skadd"}},
	{"skade verb", "skade/v", true, []string{"skade", "skadet", "skada", "skadd", "skader"}, []string{"skaden", "skadene"}},
	{"skade any part of speech", "skade", true, []string{"skaden", "skadet"}, nil},
	{"participles belong to the verb", "sjukmelde/v", true, []string{"sjukmeldt", "sjukmeldte"}, nil},
	{"adjective used as a noun", "gravid/adj", true, []string{"gravid", "gravide", "gravides"}, nil},
	{"part of speech the lemma lacks", "mann/v", false, nil, nil},
	{"part of speech not listed", "sikte/n", false, nil, nil},
	{"listed part of speech", "sikte/v", true, []string{"sikta", "siktet"}, nil},
	{"unknown part of speech", "mann/x", false, nil, nil},
	{"empty part of speech", "mann/", false, nil, nil},

	// input folding
	{"upper case", "Mann", true, []string{"menn"}, nil},
	{"decomposed å", norm.NFD.String("gå"), true, []string{"gikk"}, nil},
	{"surrounding space", " bok ", true, []string{"bøker"}, nil},
	{"part of speech in upper case", "skade/N", true, []string{"skaden"}, []string{"skadet"}},
}

func TestForms(t *testing.T) {
	for _, tt := range formsTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Forms(tt.lemma)
			if ok != tt.ok {
				t.Fatalf("Forms(%q): got ok=%v, want %v", tt.lemma, ok, tt.ok)
			}
			if !ok && got != nil {
				t.Errorf("Forms(%q): got %q with ok=false, want nil", tt.lemma, got)
			}
			for _, f := range tt.has {
				if !slices.Contains(got, f) {
					t.Errorf("Forms(%q): %q missing from %q", tt.lemma, f, got)
				}
			}
			for _, f := range tt.hasNot {
				if slices.Contains(got, f) {
					t.Errorf("Forms(%q): got %q, want it absent", tt.lemma, f)
				}
			}
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Errorf("Forms(%q): got %q, want sorted without duplicates", tt.lemma, got)
			}
		})
	}
}

func TestFormsReturnsCopy(t *testing.T) {
	for _, lemma := range []string{"mann", "skade"} { // one line, two lines
		a, _ := Forms(lemma)
		want := slices.Clone(a)
		for i := range a {
			a[i] = "x"
		}
		if b, _ := Forms(lemma); !slices.Equal(b, want) {
			t.Errorf("Forms(%q) after changing an earlier result: got %q, want %q", lemma, b, want)
		}
	}
	l := Lemmas()
	l[0] = "x"
	if Lemmas()[0] == "x" {
		t.Error("Lemmas: changing the result changed the table")
	}
}

func TestLemmas(t *testing.T) {
	ls := Lemmas()
	if !slices.IsSorted(ls) || len(slices.Compact(slices.Clone(ls))) != len(ls) {
		t.Errorf("Lemmas: got %q, want sorted without duplicates", ls)
	}
	for _, l := range ls {
		if _, ok := Forms(l); !ok {
			t.Errorf("Forms(%q): got ok=false for a lemma Lemmas lists", l)
		}
	}
	// Counterparts found by the generator are lemmas too.
	for _, l := range []string{"sykemelde", "beboer", "høring"} {
		if !slices.Contains(ls, l) {
			t.Errorf("Lemmas: %q missing", l)
		}
	}
}

// partsOfSpeech are the codes the package doc lists.
var partsOfSpeech = []string{"n", "v", "adj", "adv", "prop", "prep", "pron", "det", "num", "conj", "interj", "abbr"}

// TestDataFile checks the embedded file line by line, so a hand edit or a
// broken generator fails here and not at run time.
func TestDataFile(t *testing.T) {
	for _, want := range []string{"DO NOT EDIT", "go run ./shared/lexicon/gen", "apertium-nno-nob", "GPL-2+", "Norsk ordbank", "CC BY 4.0"} {
		if !strings.Contains(header(data), want) {
			t.Errorf("forms.tsv header: %q missing", want)
		}
	}
	if _, err := parse(data); err != nil {
		t.Fatalf("parse(forms.tsv): %v", err)
	}
	n := 0
	for i, line := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		n++
		e, err := parseLine(line)
		if err != nil {
			t.Errorf("forms.tsv:%d: %v", i+1, err)
			continue
		}
		if !slices.Contains(partsOfSpeech, e.pos) {
			t.Errorf("forms.tsv:%d: part of speech %q is not one of %q", i+1, e.pos, partsOfSpeech)
		}
		for _, f := range append(slices.Clone(e.lemmas), e.forms...) {
			if f != strings.ToLower(f) || !norm.NFC.IsNormalString(f) {
				t.Errorf("forms.tsv:%d: %q is not lower case NFC", i+1, f)
			}
		}
	}
	if n == 0 {
		t.Error("forms.tsv has no entries")
	}
}

func header(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

// TestParseErrors covers what parse must refuse.
func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"no entries", "# only a comment\n"},
		{"two fields", "mann\tn\n"},
		{"upper case form", "mann\tn\tMann menn\n"},
		{"unsorted forms", "mann\tn\tmenn mann\n"},
		{"duplicate form", "mann\tn\tmann mann\n"},
		{"empty form", "mann\tn\tmann  menn\n"},
		{"decomposed form", "gå\tv\t" + norm.NFD.String("gå") + "\n"},
		{"empty part of speech", "mann\t\tmann\n"},
		{"lemma twice with one part of speech", "mann\tn\tmann\nmann\tn\tmenn\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parse(tt.in); err == nil {
				t.Errorf("parse(%q): got no error, want one", tt.in)
			}
		})
	}
}

// TestLemmasTxtAgrees fails when lemmas.txt was edited without running the
// generator: every listed lemma must have forms, and every line of the data
// file must come from a listed lemma.
func TestLemmasTxtAgrees(t *testing.T) {
	f, err := os.Open("lemmas.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string][]string{} // lemma → parts of speech ("" for all)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		s, _, _ := strings.Cut(sc.Text(), "#")
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, ok := Forms(s); !ok {
			t.Errorf("lemmas.txt:%d: %q has no forms in forms.tsv; run go run ./shared/lexicon/gen", n, s)
		}
		lemma, pos, _ := strings.Cut(s, "/")
		listed[lemma] = append(listed[lemma], pos)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, e := range load().entries {
		justified := false
		for _, l := range e.lemmas {
			for _, pos := range listed[l] {
				justified = justified || pos == "" || pos == e.pos
			}
		}
		if !justified {
			t.Errorf("forms.tsv: %s/%s comes from no lemma in lemmas.txt; run go run ./shared/lexicon/gen", strings.Join(e.lemmas, ","), e.pos)
		}
	}
}
