package rules

import (
	"fmt"
	"slices"
	"sort"

	"github.com/postvakt/postvakt/shared/classify"
)

// KindClassifier is a rule that flags the sentences a learned model
// (shared/classify, trained by `postvakt rules train` from labelled
// sentences) puts in one of its classes. Frames find what their lists
// name; the model finds wordings nobody listed. An organisation can
// retrain it from its own samples and publish the result as a new
// bundle version.
const KindClassifier = "classifier"

// ClassifierRule names a model of the bundle (Bundle.Models) and the
// class it flags.
type ClassifierRule struct {
	Model string `json:"model"`
	Class string `json:"class"`
	// Threshold overrides the model's calibrated threshold for the class
	// (0: the model's).
	Threshold float64 `json:"threshold,omitempty"`
	// Report files the findings under another rule (its id, severity and
	// messages), so the model adds to politics.opinion instead of being a
	// rule of its own; sentences that rule already flagged are skipped.
	Report string `json:"report,omitempty"`
}

// MaxModels bounds the models a bundle carries.
const MaxModels = 4

// DecodeModels decodes the bundle's models. Errors are located at
// models.NAME.
func (b *Bundle) DecodeModels() (map[string]*classify.Model, ValidationErrors) {
	var errs ValidationErrors
	out := map[string]*classify.Model{}
	if len(b.Models) > MaxModels {
		errs = append(errs, ve("models", "", "has %d models, more than the limit of %d", len(b.Models), MaxModels))
		return out, errs
	}
	names := make([]string, 0, len(b.Models))
	for n := range b.Models {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !nameRe.MatchString(n) {
			errs = append(errs, ve("models."+n, "", "%q is not a model name (lower-case letters, digits and _, starting with a letter)", n))
			continue
		}
		m, err := classify.Decode(b.Models[n])
		if err != nil {
			errs = append(errs, ve("models."+n, "", "the model cannot be used: %s", err.Error()))
			continue
		}
		out[n] = m
	}
	return out, errs
}

// validateClassifiers checks what classifier rules refer to: a model of
// the bundle, one of its classes, and a rule to report as.
func (b *Bundle) validateClassifiers(models map[string]*classify.Model, seen map[string]int, errs *ValidationErrors) {
	for i := range b.Rules {
		r := &b.Rules[i]
		if r.Kind != KindClassifier || r.Classifier == nil {
			continue
		}
		p := fmt.Sprintf("rules[%d].classifier", i)
		c := r.Classifier
		add := func(path, format string, args ...any) {
			*errs = append(*errs, ve(path, r.ID, format, args...))
		}
		if c.Threshold < 0 || c.Threshold >= 1 {
			add(p+".threshold", "must be at least 0 and below 1")
		}
		if c.Report != "" {
			j, ok := seen[c.Report]
			switch {
			case !ok:
				add(p+".report", "no rule with this id in the bundle")
			case b.Rules[j].Kind == KindClassifier:
				add(p+".report", "%q is itself a classifier rule", c.Report)
			}
		}
		_, known := b.Models[c.Model]
		m := models[c.Model]
		switch {
		case c.Model == "":
			add(p+".model", "is required")
		case !known:
			add(p+".model", "the bundle has no model %q", c.Model)
		case m == nil:
			// The model itself is reported at models.NAME.
		case c.Class == "" || c.Class == classify.None || !slices.Contains(m.Classes(), c.Class):
			add(p+".class", "%q is not a class of model %q; its classes are %v", c.Class, c.Model, m.Classes())
		}
	}
}
