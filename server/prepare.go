package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

// Problem is one located problem in a bundle or a request: a validation
// error or a failing example. It is the element of an EINVALID error's
// Details.
type Problem struct {
	Path    string `json:"path"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
	// MessageNB is the message in bokmål when there is one (validation
	// errors); the admin pages show it.
	MessageNB string `json:"message_nb,omitempty"`
}

// PrepareBundle validates a bundle document and makes the version to
// store: the JSON re-indented (key order kept, so diffs stay readable),
// its strong ETag and its rule count. Malformed JSON is EMALFORMED; an
// invalid bundle, or one whose own examples fail, is EINVALID with every
// problem in Details ([]Problem).
func PrepareBundle(data []byte) (*BundleVersion, *rules.Bundle, error) {
	b, err := rules.Parse(data)
	var ve rules.ValidationErrors
	var se *rules.SyntaxError
	switch {
	case errors.As(err, &ve):
		ps := make([]Problem, len(ve))
		for i, e := range ve {
			ps[i] = Problem{Path: e.Path, Rule: e.Rule, Message: e.Msg, MessageNB: e.NB}
		}
		return nil, nil, &Error{Code: EINVALID, Message: fmt.Sprintf("The bundle has %d error(s).", len(ps)), Details: ps}
	case errors.As(err, &se):
		return nil, nil, Errorf(EMALFORMED, "The bundle is not valid JSON: %s.", se.Error())
	case err != nil:
		return nil, nil, Errorf(EMALFORMED, "The bundle cannot be read: %v.", err)
	}
	if ps := ExampleProblems(b); len(ps) > 0 {
		return nil, nil, &Error{Code: EINVALID, Message: fmt.Sprintf("%d example(s) of the bundle fail.", len(ps)), Details: ps}
	}
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, nil, Errorf(EMALFORMED, "The bundle is not valid JSON.")
	}
	json.Indent(&out, compact.Bytes(), "", "  ")
	out.WriteByte('\n')
	return &BundleVersion{Version: b.Version, JSON: out.Bytes(), ETag: ETag(out.Bytes()), Rules: len(b.Rules)}, b, nil
}

// ExampleProblems runs the bundle's own examples and returns each failure.
func ExampleProblems(b *rules.Bundle) []Problem {
	e, err := engine.New(b)
	if err != nil {
		return []Problem{{Path: "", Message: err.Error()}}
	}
	var ps []Problem
	for _, f := range e.RunExamples() {
		ps = append(ps, Problem{Path: fmt.Sprintf("examples[%d]", f.Example), Message: fmt.Sprintf("%s: %s", f.DraftID, f.Msg)})
	}
	return ps
}

// ETag returns the strong entity tag of a document.
func ETag(data []byte) string {
	h := sha256.Sum256(data)
	return `"` + hex.EncodeToString(h[:16]) + `"`
}
