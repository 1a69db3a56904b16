package engine

import (
	"strings"
	"testing"

	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
)

// TestFrames checks the built-in frames on sentences a writer would
// notice: which sentence is flagged, and what the explanation names.
func TestFrames(t *testing.T) {
	e, err := New(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, kind, text string
		rule             string // "" = no finding of the meaning rules
		span             string // the flagged text must contain this
		why              []string
	}{
		{"praise of a party", "post", "Gratulerer til Høyre med et velfortjent og sterkt valg!", "politics.opinion", "Høyre", []string{"«Høyre» (parti)", "(ros)"}},
		{"irony with an emoji", "post", "Vi registrerer at Frp igjen har en enkel løsning på alt 😉", "politics.opinion", "Frp", []string{"(ironi)"}},
		{"a back reference carries the target", "post", "Høgre vil kutte i kulturbudsjettet. Dette er eit feilgrep.", "politics.opinion", "feilgrep", []string{"«Høgre» (parti)", "«feilgrep» (kritikk)"}},
		{"an ironic emoji judges the sentence before", "post", "Nytt rådhus til 400 millionar vedteke. Heldigvis har vi pengar nok til alt anna òg 🙃", "politics.opinion", "Heldigvis", []string{"«vedteke» (sak under politisk behandling)"}},
		{"an evaluation carried on through the next sentence", "post", "Fylkeskommunen har bestemt at skulen skal leggjast ned. Genialt – no får elevane halvannan time buss kvar veg. Godt jobba.", "politics.opinion", "Godt jobba", []string{"«Fylkeskommunen» (politisk organ)", "«Genialt» (ros)"}},
		{"a neutral follow-up is not carried", "post", "Kommunestyret behandla saka om skulestruktur. Den kjem opp att i februar.", "", "", nil},
		{"neutral report", "post", "Kommunestyret vedtok budsjettet for 2027 med 19 mot 8 stemmer.", "", "", nil},
		{"attributed quote", "post", "– Dette er et flott vedtak for bygda, sier ordføreren.", "", "", nil},
		{"evaluation without a political target", "post", "For en fantastisk konsert i kulturhuset i går!", "", "", nil},
		{"a teacher's sick leave", "post", "Kontaktlæraren i 5B har vore sjukmeld sidan mars.", "pii.sensitive", "sjukmeld", []string{"Særlig kategori: «sjukmeld» (helse)", "Person: «"}},
		{"union membership", "reply", "Siden du er medlem i Fagforbundet, kan du få hjelp der. Hilsen Kari, personal", "pii.sensitive", "Fagforbundet", []string{"(fagforeining)"}},
		{"ethnic origin", "post", "Eleven med syrisk bakgrunn har bytt skule.", "pii.sensitive", "syrisk", []string{"(etnisk opphav)"}},
		{"«du» in a reply is the person answered", "reply", "Du har fått diagnosen diabetes, så vi set opp ein ny time. Helsing Eva, helsestasjonen", "pii.sensitive", "diabetes", []string{"«Du» (den du svarer)"}},
		{"«du» in a post is anyone", "post", "Har du diabetes, kan du få gratis kurs hos oss.", "", "", nil},
		{"a service as a workplace", "post", "Ingrid Moe er ny leiar for barnevernstenesta.", "", "", nil},
		{"general health information", "post", "Influensavaksinen er gratis for alle over 65 år.", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := e.Check(draft.Draft{ID: "t", Text: tt.text, Kind: tt.kind}, Options{})
			var got []draft.Finding
			for _, f := range rep.Findings {
				if f.Rule == "politics.opinion" || f.Rule == "pii.sensitive" {
					got = append(got, f)
				}
			}
			if tt.rule == "" {
				if len(got) > 0 {
					t.Fatalf("%q: unexpected %s (%s)", tt.text, got[0].Rule, got[0].Why)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != tt.rule {
				t.Fatalf("%q: findings %+v, want one %s", tt.text, got, tt.rule)
			}
			f := got[0]
			if frag := utf16Slice(tt.text, f.Start, f.End); !strings.Contains(frag, tt.span) {
				t.Errorf("flagged %q, want it to contain %q", frag, tt.span)
			}
			for _, w := range tt.why {
				if !strings.Contains(f.Why, w) {
					t.Errorf("why = %q, want it to name %q", f.Why, w)
				}
			}
		})
	}
}

func utf16Slice(s string, a, b int) string {
	var out []rune
	n := 0
	for _, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n >= a && n+w <= b {
			out = append(out, r)
		}
		n += w
	}
	return string(out)
}

// TestFrameWhyInLanguage: the explanation follows the check's language.
func TestFrameWhyInLanguage(t *testing.T) {
	e, err := New(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	d := draft.Draft{ID: "t", Text: "Gratulerer til Høyre med et velfortjent valg!"}
	for lang, want := range map[string]string{"nb": "Politisk sak eller aktør", "nn": "Politisk sak eller aktør", "en": "Political matter or actor"} {
		rep := e.Check(d, Options{Lang: lang})
		found := false
		for _, f := range rep.Findings {
			if f.Rule == "politics.opinion" && strings.HasPrefix(f.Why, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("lang %s: no politics.opinion finding explained with %q: %+v", lang, want, rep.Findings)
		}
	}
}

// TestLemmaTerms: a `~lemma` term matches every inflected form in both
// written standards, and only whole forms.
func TestLemmaTerms(t *testing.T) {
	b, err := rules.Parse([]byte(`{"version":"t","org":{"name":"X","own_domains":["x.no"],"allowed_phones":[],"allowed_accounts":[],"allowed_addresses":[],"blocked_domains":[],"crisis_team":[]},
	"rules":[{"id":"pii.sick","category":"pii","severity":"warn","enabled":true,"message":{"nb":"a","nn":"b","en":"c"},"suggestion":{"nb":"a","nn":"b","en":"c"},"source":"s",
	"kind":"phrase","phrase":{"words":["~sjukmelde", "~mann i"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]int{
		"Han er sykmeldt.":               1, // bokmål participle
		"Ho vart sjukmeld i mars.":       1, // nynorsk
		"Dei sykemeldte fekk brev.":      1, // a third spelling
		"Sjukmeldinga er registrert.":    0, // a noun, another lemma
		"To menn i 40-åra kom innom.":    1, // irregular plural in a two-word term
		"Mannskapet var på plass i dag.": 0,
	} {
		rep := e.Check(draft.Draft{ID: "t", Text: text}, Options{})
		if len(rep.Findings) != want {
			t.Errorf("%q: %d findings, want %d", text, len(rep.Findings), want)
		}
	}
	if _, err := rules.ParseTerm("~blåbærsyltetøy"); err == nil || !strings.Contains(err.Error(), "not in the lexicon") {
		t.Errorf("unknown lemma: err = %v, want «not in the lexicon»", err)
	}
}

// TestOverrule: a strong irony cue lifts the frame's exceptions, so the
// thanks an exception was written for («innsats») can still be mockery.
func TestOverrule(t *testing.T) {
	e, err := New(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	opinion := func(text string) bool {
		for _, f := range e.Check(draft.Draft{ID: "o", Text: text + " https://www.eksempel.kommune.no", Kind: "post"}, Options{}).Findings {
			if f.Rule == "politics.opinion" {
				return true
			}
		}
		return false
	}
	if opinion("Imponerande innsats i kommunestyret i går.") {
		t.Error("thanks for the council's effort flagged: the exception for «innsats» no longer holds")
	}
	if !opinion("Imponerande innsats i kommunestyret i går: tre timar debatt for å seie nei til gang- og sykkelvegen 👏👏") {
		t.Error("mockery with 👏👏 not flagged: the irony cue did not overrule the exception")
	}
}

// TestMergeAcrossEmoji: an emoji between two evaluating sentences does not
// split what a merging frame reports as one finding.
func TestMergeAcrossEmoji(t *testing.T) {
	e, err := New(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	text := "Endeleg eit kommunestyre med ryggrad! 🎭 Vedtaket om nytt kulturhus er det klokaste som er gjort på tiår. https://www.eksempel.kommune.no"
	var n int
	for _, f := range e.Check(draft.Draft{ID: "m", Text: text, Kind: "post"}, Options{}).Findings {
		if f.Rule == "politics.opinion" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d politics.opinion findings, want one over both sentences", n)
	}
}
