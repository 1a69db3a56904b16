package engine

import (
	"strings"
	"testing"

	"github.com/postvakt/postvakt/shared/classify"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
)

func text3(s string) rules.Text { return rules.Text{NB: s, NN: s, EN: s} }

// learnedBundle has a politics frame (party × praise) and a classifier
// that reports as it, trained on a few sentences.
func learnedBundle(t *testing.T) *rules.Bundle {
	t.Helper()
	var samples []classify.Sample
	for _, s := range []string{"høgre sviktar bygda totalt", "frp sviktar eldre igjen", "høgre sviktar skulen", "ap sviktar alle", "frp sviktar kommunen"} {
		samples = append(samples, classify.Sample{Text: s, Label: "politics.opinion"})
	}
	for _, s := range []string{"høgre held møte på tysdag", "frp har stand på torget", "biblioteket opnar klokka ti", "ap held møte i kveld", "konserten byrjar kl 19"} {
		samples = append(samples, classify.Sample{Text: s, Label: classify.None})
	}
	m, err := classify.Train(samples, classify.TrainOptions{Dim: 1 << 12, Epochs: 30, LearningRate: 1, L2: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	base := rules.Rule{ID: "politics.opinion", Category: "politics", Severity: "warn", Enabled: true,
		Message: text3("Politisk vurdering"), Suggestion: text3("Skriv nøytralt"), Source: "Kilde", Kind: rules.KindFrame,
		Frame: &rules.FrameRule{Roles: []rules.Role{
			{Name: "target", Label: text3("Mål"), Classes: []rules.FrameClass{{Name: "party", Label: text3("parti"), Words: []string{"høgre", "frp", "ap"}}}},
			{Name: "stance", Label: text3("Vurdering"), Classes: []rules.FrameClass{{Name: "praise", Label: text3("ros"), Words: []string{"flott*"}}}},
		}, Unless: []string{"seier han"}, Merge: true}}
	learned := rules.Rule{ID: "politics.opinion.learned", Category: "politics", Severity: "warn", Enabled: true,
		Message: text3("Lært"), Suggestion: text3("Skriv nøytralt"), Source: "Kilde", Kind: rules.KindClassifier,
		Classifier: &rules.ClassifierRule{Model: "meaning", Class: "politics.opinion", Report: "politics.opinion", Threshold: 0.5}}
	b := &rules.Bundle{Version: "t", Org: rules.Org{Name: "X"}, Rules: []rules.Rule{base, learned},
		Models: map[string]classify.Encoded{"meaning": enc}}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClassifierRule(t *testing.T) {
	e, err := New(learnedBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       int    // politics.opinion findings
		why        string // in the first finding's explanation
	}{
		{"the frame finds it", "Høgre er flotte.", 1, "«Høgre» (parti)"},
		{"the model finds what the frame's lists miss", "Høgre sviktar bygda totalt og heilt i år.", 1, "Lært modell"},
		{"a neutral sentence with the same target", "Høgre held møte på tysdag i rådhuset.", 0, ""},
		{"no first role, so the model is not asked", "Vi sviktar ingen som kjem til oss.", 0, ""},
		{"the frame's unless holds for the model", "Høgre sviktar bygda totalt og heilt, seier han.", 0, ""},
		{"too short to judge", "Høgre sviktar bygda totalt.", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := e.Check(draft.Draft{ID: "t", Text: tt.text}, Options{})
			var got []draft.Finding
			for _, f := range rep.Findings {
				if f.Rule == "politics.opinion" {
					got = append(got, f)
				}
				if f.Rule == "politics.opinion.learned" {
					t.Errorf("a learned finding under its own id: %+v", f)
				}
			}
			if len(got) != tt.want {
				t.Fatalf("%q: %d findings %+v, want %d", tt.text, len(got), got, tt.want)
			}
			if tt.want > 0 && !strings.Contains(got[0].Why, tt.why) {
				t.Errorf("why = %q, want %q", got[0].Why, tt.why)
			}
		})
	}
}

// TestCorruptModelRefused: a bundle whose model does not decode does not
// compile, so the last good bundle stays in force wherever it is loaded.
func TestCorruptModelRefused(t *testing.T) {
	b := learnedBundle(t)
	enc := b.Models["meaning"]
	enc.Weights = enc.Weights[:len(enc.Weights)/2]
	b.Models["meaning"] = enc
	if _, err := New(b); err == nil || !strings.Contains(err.Error(), "models.meaning") {
		t.Fatalf("New: %v, want an error at models.meaning", err)
	}
}
