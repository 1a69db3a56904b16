package rules

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/postvakt/postvakt/shared/classify"
)

// tinyModel trains a small model on a handful of sentences.
func tinyModel(t *testing.T) classify.Encoded {
	t.Helper()
	var samples []classify.Sample
	for _, s := range []string{"høgre er eit flott parti", "frp gjer ein elendig jobb", "kommunestyret sviktar igjen", "ordføraren er fantastisk"} {
		samples = append(samples, classify.Sample{Text: s, Label: "politics.opinion"})
	}
	for _, s := range []string{"biblioteket opnar klokka ti", "brøytebilen kjem i morgon", "konserten byrjar kl 19", "vi har ope hus på laurdag"} {
		samples = append(samples, classify.Sample{Text: s, Label: classify.None})
	}
	m, err := classify.Train(samples, classify.TrainOptions{Dim: 1 << 12, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// classifierBundle is a valid bundle with a frame rule and a classifier
// rule that reports as it, to be broken by a test.
func classifierBundle(t *testing.T) map[string]any {
	m := frameBundle()
	enc := tinyModel(t)
	var em map[string]any
	data, _ := json.Marshal(enc)
	_ = json.Unmarshal(data, &em)
	m["models"] = map[string]any{"meaning": em}
	cr := map[string]any{}
	for k, v := range rule0(m) {
		cr[k] = v
	}
	delete(cr, "frame")
	cr["id"], cr["kind"] = "politics.opinion.learned", "classifier"
	cr["classifier"] = map[string]any{"model": "meaning", "class": "politics.opinion", "report": "politics.opinion", "threshold": 0.9}
	m["rules"] = append(m["rules"].([]any), cr)
	return m
}

func cls(m map[string]any) map[string]any {
	return m["rules"].([]any)[1].(map[string]any)["classifier"].(map[string]any)
}

func TestValidateClassifier(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		path  string
		inMsg string
	}{
		{"ok", func(m map[string]any) {}, "", ""},
		{"unknown model", func(m map[string]any) { cls(m)["model"] = "other" }, "rules[1].classifier.model", "no model \"other\""},
		{"unknown class", func(m map[string]any) { cls(m)["class"] = "pii.sensitive" }, "rules[1].classifier.class", "not a class of model"},
		{"none is no class to flag", func(m map[string]any) { cls(m)["class"] = "none" }, "rules[1].classifier.class", "not a class of model"},
		{"threshold", func(m map[string]any) { cls(m)["threshold"] = 1.5 }, "rules[1].classifier.threshold", "below 1"},
		{"report unknown", func(m map[string]any) { cls(m)["report"] = "politics.other" }, "rules[1].classifier.report", "no rule"},
		{"corrupt weights", func(m map[string]any) {
			m["models"].(map[string]any)["meaning"].(map[string]any)["weights"] = base64.StdEncoding.EncodeToString([]byte("not a model"))
		}, "models.meaning", "cannot be used"},
		{"weights not base64", func(m map[string]any) {
			m["models"].(map[string]any)["meaning"].(map[string]any)["weights"] = "%%%"
		}, "models.meaning", "cannot be used"},
		{"oversized model", func(m map[string]any) {
			m["models"].(map[string]any)["meaning"].(map[string]any)["weights"] = base64.StdEncoding.EncodeToString(make([]byte, classify.MaxModelBytes+1))
		}, "models.meaning", "cannot be used"},
		{"bad model name", func(m map[string]any) {
			m["models"].(map[string]any)["Meaning!"] = m["models"].(map[string]any)["meaning"]
		}, "models.Meaning!", "not a model name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := classifierBundle(t)
			tt.edit(m)
			wantValidationError(t, m, tt.path, tt.inMsg)
		})
	}
}

// TestBuiltinModel: the built-in bundle carries a model that decodes and
// knows the four meaning rules.
func TestBuiltinModel(t *testing.T) {
	b := Builtin()
	models, errs := b.DecodeModels()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := models["meaning"]
	if m == nil {
		t.Fatal("no model «meaning» in the built-in bundle")
	}
	for _, c := range []string{"politics.opinion", "pii.sensitive", "case.processing", "archive.journal", classify.None} {
		found := false
		for _, k := range m.Classes() {
			found = found || k == c
		}
		if !found {
			t.Errorf("model classes %v lack %q", m.Classes(), c)
		}
	}
}
