package engine

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

func builtin(t testing.TB) *Engine {
	t.Helper()
	e, err := New(rules.Builtin())
	if err != nil {
		t.Fatalf("New(builtin): %v", err)
	}
	return e
}

// fragment returns the text of a finding, from UTF-16 offsets.
func fragment(text string, f draft.Finding) string {
	if f.Start < 0 {
		return ""
	}
	u := utf16.Encode([]rune(text))
	return string(utf16.Decode(u[f.Start:f.End]))
}

// render is the stable text form of a report used by the golden files:
// one finding per line, `rule start:end severity «fragment» excerpt`.
func render(text string, rep draft.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict %s archive %v\n", rep.Verdict, rep.Archive)
	for _, f := range rep.Findings {
		where := fmt.Sprintf("%d:%d", f.Start, f.End)
		if f.Image >= 0 {
			where = fmt.Sprintf("image %d", f.Image)
		} else if f.Start < 0 {
			where = "draft"
		}
		fmt.Fprintf(&b, "%s %s %s «%s» %s\n", f.Rule, where, f.Severity, fragment(text, f), f.Excerpt)
	}
	return b.String()
}

// TestGolden checks every testdata/*.json draft against its .golden file.
// Run `go test ./shared/engine -run TestGolden -update` to rewrite them
// after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	e := builtin(t)
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata/*.json")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var d draft.Draft
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got := render(d.Text, e.Check(d, Options{}))
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s: findings differ\n--- got\n%s--- want\n%s", file, got, want)
			}
		})
	}
}

// TestOK checks that known-clean drafts in testdata/ok yield nothing.
func TestOK(t *testing.T) {
	e := builtin(t)
	files, _ := filepath.Glob("testdata/ok/*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata/ok/*.txt")
	}
	for _, file := range files {
		data, _ := os.ReadFile(file)
		d := draft.Draft{ID: file, Text: string(data), Platform: "facebook", Kind: "post"}
		rep := e.Check(d, Options{})
		for _, f := range rep.Findings {
			if f.Rule == "form.readability" {
				continue
			}
			t.Errorf("%s: got %s on «%s», want no findings", file, f.Rule, fragment(d.Text, f))
		}
	}
}

func TestExamplesOfBuiltin(t *testing.T) {
	for _, f := range builtin(t).RunExamples() {
		t.Error(f)
	}
}

func TestDeterministic(t *testing.T) {
	e := builtin(t)
	data, _ := os.ReadFile("testdata/bench/typical.txt")
	d := draft.Draft{ID: "d", Text: string(data), Platform: "facebook", Kind: "reply", Images: []draft.Image{{Persons: "minors"}}}
	first, _ := json.Marshal(e.Check(d, Options{}))
	for i := 0; i < 50; i++ {
		got, _ := json.Marshal(e.Check(d, Options{}))
		if !bytes.Equal(got, first) {
			t.Fatalf("run %d differs:\n%s\nwant\n%s", i, got, first)
		}
	}
}

func TestVerdictAndOrder(t *testing.T) {
	e := builtin(t)
	d := draft.Draft{ID: "v", Text: "Ring Kari på 912 34 567 i dag.", Platform: "facebook", Kind: "post",
		Images: []draft.Image{{Alt: "", Persons: "minors", Consent: "given"}}}
	rep := e.Check(d, Options{})
	if rep.Verdict != draft.VerdictBlock {
		t.Fatalf("verdict %s, want block", rep.Verdict)
	}
	var rulesGot []string
	for _, f := range rep.Findings {
		rulesGot = append(rulesGot, f.Rule)
	}
	// Whole-draft and image findings (-1) first, sorted by rule; then by position.
	want := []string{"image.alt_text", "image.consent_minor", "link.own_site_missing", "pii.phone"}
	if !reflect.DeepEqual(rulesGot, want) {
		t.Fatalf("rules %v, want %v", rulesGot, want)
	}
	if rep.Bundle != rules.Builtin().Version {
		t.Fatalf("bundle %q, want %q", rep.Bundle, rules.Builtin().Version)
	}
}

func TestLanguages(t *testing.T) {
	e := builtin(t)
	d := draft.Draft{ID: "l", Text: "Vannet er stengt.", Kind: "post"}
	for lang, word := range map[string]string{"nb": "ikke", "nn": "ikkje", "en": "does not", "": "ikke"} {
		rep := e.Check(d, Options{Lang: lang})
		if len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, word) {
			t.Errorf("lang %q: findings %+v, want a message containing %q", lang, rep.Findings, word)
		}
	}
}

func TestCrisis(t *testing.T) {
	b := rules.Builtin()
	b.Org.CrisisTeam = []string{"kari"}
	e, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	d := draft.Draft{ID: "c", Text: "Info: https://www.eksempel.kommune.no/x", Kind: "post", User: "ola"}
	on := &Crisis{Active: true, Message: "Krisestab er satt. Alt går via kriseledelsen."}
	tests := []struct {
		name   string
		user   string
		crisis *Crisis
		block  bool
	}{
		{"no crisis", "ola", nil, false},
		{"crisis off", "ola", &Crisis{Active: false}, false},
		{"crisis on", "ola", on, true},
		{"crisis on, anonymous", "", on, true},
		{"crisis team in bundle", "Kari", on, false},
		{"crisis team in state", "per", &Crisis{Active: true, Team: []string{"per"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.User = tt.user
			rep := e.Check(d, Options{Crisis: tt.crisis})
			if got := rep.Verdict == draft.VerdictBlock; got != tt.block {
				t.Fatalf("blocked = %v, want %v (%+v)", got, tt.block, rep.Findings)
			}
			if tt.block && rep.Findings[0].Message != on.Message && tt.crisis == on {
				t.Fatalf("message %q, want the admin's %q", rep.Findings[0].Message, on.Message)
			}
		})
	}
}

func TestScopeAndWindow(t *testing.T) {
	b := rules.Builtin()
	for i := range b.Rules {
		if b.Rules[i].ID == "politics.campaign" {
			b.Rules[i].Scope = &rules.Scope{Platforms: []string{"x"}}
			b.Rules[i].Active = &rules.Window{From: "2026-08-01", To: "2026-09-15"}
		}
	}
	e, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	text := "Stem på Høyre! https://www.eksempel.kommune.no/valg"
	tests := []struct {
		platform, at string
		fire         bool
	}{
		{"x", "2026-09-01T10:00:00Z", true},
		{"facebook", "2026-09-01T10:00:00Z", false},
		{"x", "2026-07-31T23:00:00Z", false},
		{"x", "2026-09-15T00:00:00Z", false},
	}
	for _, tt := range tests {
		rep := e.Check(draft.Draft{ID: "s", Text: text, Platform: tt.platform, At: tt.at}, Options{})
		if got := rep.Verdict == draft.VerdictBlock; got != tt.fire {
			t.Errorf("%s at %s: fired = %v, want %v", tt.platform, tt.at, got, tt.fire)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"Fødselsnummer 010190 12345, ring 912 34 567 eller skriv til kari@gmail.com 🎉",
		"Hilsen Kari", "æøå ÆØÅ\n\nHa\u030akon bor i Storgata 5", "https://bit.ly/x www.a.no a.example/b",
		"\xff\xfe 4326 6166 3049 4039", "Søknaden din om plass er innvilget. saksnr. 2026/0412",
	} {
		f.Add(s, "reply")
	}
	e := builtin(f)
	f.Fuzz(func(t *testing.T, text, kind string) {
		d := draft.Draft{ID: "f", Text: text, Kind: kind, Platform: "x", Images: []draft.Image{{}}}
		rep := e.Check(d, Options{})
		n := len(utf16.Encode([]rune(strings.ToValidUTF8(text, "\uFFFD"))))
		if !utf8.ValidString(text) {
			n = len(text) * 2 // loose bound: invalid bytes are one unit each
		}
		for _, f := range rep.Findings {
			if f.Start == -1 && f.End == -1 {
				continue
			}
			if f.Start < 0 || f.End < f.Start || f.End > n {
				t.Fatalf("finding %s at %d:%d outside text of %d units", f.Rule, f.Start, f.End, n)
			}
			if utf8.ValidString(text) {
				// Offsets fall on character boundaries: never between the
				// two halves of a surrogate pair.
				u := utf16.Encode([]rune(text))
				for _, o := range []int{f.Start, f.End} {
					if o > 0 && o < len(u) && utf16.IsSurrogate(rune(u[o])) && u[o] >= 0xDC00 {
						t.Fatalf("finding %s offset %d splits a surrogate pair", f.Rule, o)
					}
				}
			}
		}
		again, _ := json.Marshal(e.Check(d, Options{}))
		first, _ := json.Marshal(rep)
		if !bytes.Equal(first, again) {
			t.Fatalf("not deterministic")
		}
	})
}

// TestLabelled runs the labelled drafts (the corpus format) against the
// built-in rules and reports every difference the way the corpus scorer
// counts them: testdata/labelled.jsonl with testdata/org.json, and
// testdata/holdout.jsonl, drafts written for the «Fjordvik kommune» of the
// development corpus, with testdata/fjordvik/org.json (a copy of
// ../shared/corpus/org.json); testdata/fjordvik/holdout-b.jsonl and
// holdout-c.jsonl are smaller sets, each written after the previous one
// was fixed, and testdata/fjordvik/probes.jsonl holds one-sentence cases
// for the fixes (negatives above all).
func TestLabelled(t *testing.T) {
	for _, set := range []struct{ drafts, org string }{
		{"testdata/labelled.jsonl", "testdata/org.json"},
		{"testdata/holdout.jsonl", "testdata/fjordvik/org.json"},
		{"testdata/fjordvik/holdout-b.jsonl", "testdata/fjordvik/org.json"},
		{"testdata/fjordvik/holdout-c.jsonl", "testdata/fjordvik/org.json"},
		{"testdata/fjordvik/probes.jsonl", "testdata/fjordvik/org.json"},
	} {
		t.Run(filepath.Base(set.drafts), func(t *testing.T) {
			b := rules.Builtin()
			orgData, err := os.ReadFile(set.org)
			if err != nil {
				t.Fatal(err)
			}
			if b.Org, err = rules.ParseOrg(orgData); err != nil {
				t.Fatal(err)
			}
			e, err := New(b)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(set.drafts)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
				var ex rules.Example
				if err := json.Unmarshal(line, &ex); err != nil {
					t.Fatalf("%s line %d: %v", set.drafts, i+1, err)
				}
				t.Run(ex.Draft.ID, func(t *testing.T) {
					rep := e.Check(ex.Draft, Options{})
					for _, d := range Compare(ex.Draft, ex.Expect, rep) {
						t.Errorf("%s: %s\n  text: %s", ex.Draft.ID, d, ex.Draft.Text)
					}
				})
			}
		})
	}
}

// FuzzNew: any bundle that parses compiles, and checks a draft without
// panicking (rule constructors validate once; Check only matches).
func FuzzNew(f *testing.F) {
	f.Add([]byte(`{"version":"1","org":{"name":"x","own_domains":[],"allowed_phones":[],"allowed_accounts":[],"allowed_addresses":[],"blocked_domains":[],"crisis_team":[]},"rules":[{"id":"a.b","category":"a","severity":"warn","enabled":true,"message":{"nb":"a","nn":"a","en":"a"},"suggestion":{"nb":"a","nn":"a","en":"a"},"source":"s","kind":"phrase","phrase":{"words":["*x*","y z*"],"patterns":["q+"],"near":{"words":["@name"],"within":2},"unless":["w"],"sentence":true}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := rules.Parse(data)
		if err != nil {
			return
		}
		e, err := New(b)
		if err != nil {
			t.Fatalf("Parse accepted a bundle that New refuses: %v", err)
		}
		e.Check(draft.Draft{ID: "x", Text: "Kari bor i Storgata 5. X y zz q 912 34 567", Kind: "reply", Images: []draft.Image{{}}}, Options{})
	})
}

func TestCheckFailsClosedOnBrokenBundle(t *testing.T) {
	b := rules.Builtin()
	b.Rules[0].Severity = "fatal"
	rep := Check(draft.Draft{ID: "x", Text: "hei"}, b)
	if rep.Verdict != draft.VerdictBlock || len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, "severity") {
		t.Fatalf("report %+v, want a block naming the invalid severity", rep)
	}
	if rep := Check(draft.Draft{ID: "y", Text: "Ring 912 34 567"}, rules.Builtin()); rep.Verdict != draft.VerdictWarn {
		t.Fatalf("valid bundle: verdict %s, want warn", rep.Verdict)
	}
}

// TestDetectorRunners: every detector a bundle may name has code, and no
// code is left without a name.
func TestDetectorRunners(t *testing.T) {
	for _, name := range rules.Detectors {
		if detectorRunners[name] == nil {
			t.Errorf("detector %q has no runner", name)
		}
	}
	for name := range detectorRunners {
		if !slices.Contains(rules.Detectors, name) {
			t.Errorf("runner %q is not a detector rules.Validate accepts", name)
		}
	}
}

// TestSignedAfterEmojiOrLink: a sign-off on the same line as the text,
// after an emoji or a link instead of a full stop, is a signature.
func TestSignedAfterEmojiOrLink(t *testing.T) {
	e, err := New(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	for text, signed := range map[string]bool{
		"Husk å svare innen 14 dager 😊 Hilsen Berit Lunde, barnehagekontoret":            true,
		"Påmelding her: fjordvik.kommune.no/kurs Helsing Anne Krogh, Frivilligsentralen": true,
		"Søknaden er godkjend frå 1. juli 👍 – Per, renovasjon":                           true,
		"Husk å svare innen 14 dager 😊 Hilsen barnehagekontoret":                         false,
		"Du får svar i posten i løpet av uka 👍 Mia Haugland, kommunikasjon":              true,
		"Søknaden er innvilget. Terje Hovland, havnesjef":                                true,
		"Ok, takk for beskjed!": false,
		"Vi kan ikkje handsame han før den er på plass. Mvh Byggesak": false,
		"Husk å svare innen 14 dager 😊":                               false,
	} {
		rep := e.Check(draft.Draft{ID: "t", Text: text, Kind: "reply"}, Options{})
		missing := false
		for _, f := range rep.Findings {
			missing = missing || f.Rule == "form.signature_missing"
		}
		if missing == signed {
			t.Errorf("%q: signature_missing = %v, want %v", text, missing, !signed)
		}
	}
}

// TestYieldTo: a finding made by a rule that yields to another is dropped
// where that rule's finding overlaps it, and kept elsewhere.
func TestYieldTo(t *testing.T) {
	b := rules.Builtin()
	var campaign, opinion *rules.Rule
	for i := range b.Rules {
		switch b.Rules[i].ID {
		case "politics.campaign":
			campaign = &b.Rules[i]
		case "politics.opinion":
			opinion = &b.Rules[i]
		}
	}
	// The frame yields here, for the test; in the built-in bundle only the
	// learned model does.
	opinion.YieldTo = []string{campaign.ID}
	e, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	count := func(text, rule string) int {
		n := 0
		for _, f := range e.Check(draft.Draft{ID: "y", Text: text, Platform: "facebook", Kind: "post"}, Options{}).Findings {
			if f.Rule == rule {
				n++
			}
		}
		return n
	}
	both := "Stem Høyre, det einaste partiet som skjønar skulen! https://www.eksempel.kommune.no"
	apart := "Høyre er det einaste partiet som skjønar skulen. Stem Senterpartiet! https://www.eksempel.kommune.no"
	if n := count(both, "politics.campaign"); n != 1 {
		t.Fatalf("%q: %d campaign findings, want 1", both, n)
	}
	if n := count(both, "politics.opinion"); n != 0 {
		t.Errorf("%q: the opinion overlapping the call to vote was kept", both)
	}
	if n := count(apart, "politics.opinion"); n != 1 {
		t.Errorf("%q: %d opinion findings, want 1 (it overlaps no campaign finding)", apart, n)
	}

	opinion.YieldTo = []string{"politics.nonexistent"}
	if _, err := New(b); err == nil || !strings.Contains(err.Error(), "yield_to") {
		t.Errorf("yield_to naming no rule: err = %v, want a located error", err)
	}
}
