// Package rules is the rule-bundle model: the versioned JSON document that
// admins edit and that every checker (wasm in the browser, the server's test
// box, the command line) runs. Rules are data and detector kinds are code:
// a bundle names a kind per rule and this package validates the whole
// document, reporting every problem with its location (`rules[3].phrase.
// patterns[0]: ...`) so an admin can fix a broken bundle before it is
// published. Parsing never panics on any input and never compiles a
// backtracking regular expression: patterns are RE2 (linear time).
package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/postvakt/postvakt/shared/classify"
	"github.com/postvakt/postvakt/shared/draft"
)

// Bundle is a versioned set of rules plus the organisation settings they
// assume and example drafts that prove them.
type Bundle struct {
	// Version identifies a published bundle, e.g. "2026-11-22.3".
	Version  string    `json:"version"`
	Name     string    `json:"name,omitempty"`
	Org      Org       `json:"org"`
	Rules    []Rule    `json:"rules"`
	Examples []Example `json:"examples,omitempty"`
	// Models are learned classifiers that rules of kind "classifier" name.
	Models map[string]classify.Encoded `json:"models,omitempty"`
}

// Org holds the organisation's own settings: what is allowed because it
// belongs to the organisation, and what is blocked.
type Org struct {
	Name             string   `json:"name"`
	OwnDomains       []string `json:"own_domains"`
	AllowedPhones    []string `json:"allowed_phones"`
	AllowedAccounts  []string `json:"allowed_accounts"`
	AllowedAddresses []string `json:"allowed_addresses"`
	BlockedDomains   []string `json:"blocked_domains"`
	CrisisTeam       []string `json:"crisis_team"`
	// RetentionDays is how long audit entry contents are kept; 0 means
	// the server's default.
	RetentionDays int `json:"retention_days,omitempty"`
	// JournalComments is how citizens' personal data in comments saved
	// for journalføring is handled: "keep" (the default) keeps it for the
	// archive, "mask" also writes a public copy with commenters' names
	// masked (see server/noark).
	JournalComments string `json:"journal_comments,omitempty"`
	// The organisation's profile (the setup and profile pages): its
	// organisasjonsnummer (nine digits, mod 11), postal and visiting
	// addresses (allowed in posts, like AllowedAddresses) and its units
	// (names that are not persons in signatures and references).
	OrgNumber       string   `json:"org_number,omitempty"`
	PostalAddress   string   `json:"postal_address,omitempty"`
	VisitingAddress string   `json:"visiting_address,omitempty"`
	Units           []string `json:"units,omitempty"`
}

// Text is a user-facing string in the three supported languages.
type Text struct {
	NB string `json:"nb"`
	NN string `json:"nn"`
	EN string `json:"en"`
}

// In returns the text in lang ("nb", "nn" or "en"), falling back to bokmål.
func (t Text) In(lang string) string {
	switch lang {
	case "nn":
		if t.NN != "" {
			return t.NN
		}
	case "en":
		if t.EN != "" {
			return t.EN
		}
	}
	return t.NB
}

// Rule kinds.
const (
	KindDetector    = "detector"
	KindPhrase      = "phrase"
	KindLink        = "link"
	KindImage       = "image"
	KindLength      = "length"
	KindReadability = "readability"
	KindCrisis      = "crisis"
)

// Kinds lists every rule kind, in the order error messages show them.
var Kinds = []string{KindDetector, KindPhrase, KindFrame, KindClassifier, KindLink, KindImage, KindLength, KindReadability, KindCrisis}

// Detectors lists the built-in detectors a rule of kind "detector" may name.
var Detectors = []string{"national_id", "payment_card", "bank_account", "phone", "email", "address", "sensitive", "signature"}

// Link checks a rule of kind "link" may name.
var LinkChecks = []string{"own_site_missing", "shortener", "blocked"}

// Image checks a rule of kind "image" may name.
var ImageChecks = []string{"undeclared", "consent", "consent_minor", "alt_text"}

// Rule is one rule of a bundle. Exactly one of the kind-specific fields
// (Detector, Phrase, Frame, Link, Image, Length, Readability) is set, matching Kind;
// kind "crisis" has none.
type Rule struct {
	ID         string `json:"id"`
	Category   string `json:"category"`
	Severity   string `json:"severity"`
	Enabled    bool   `json:"enabled"`
	Message    Text   `json:"message"`
	Suggestion Text   `json:"suggestion"`
	// Source cites the guideline document and the sentence the rule enforces.
	Source string  `json:"source"`
	Scope  *Scope  `json:"scope,omitempty"`
	Active *Window `json:"active,omitempty"`
	// Archive marks findings of this rule as requiring journalføring.
	Archive bool `json:"archive,omitempty"`
	// YieldTo names rules whose findings take precedence: a finding this
	// rule makes that overlaps one of theirs is dropped, so that a call to
	// vote («Stem Senterpartiet for å redde skulane!») is reported once,
	// as the campaign rule that blocks it, and not also by the learned
	// opinion model that files its findings under politics.opinion.
	YieldTo []string `json:"yield_to,omitempty"`

	Kind        string           `json:"kind"`
	Detector    *DetectorRule    `json:"detector,omitempty"`
	Phrase      *PhraseRule      `json:"phrase,omitempty"`
	Link        *LinkRule        `json:"link,omitempty"`
	Image       *ImageRule       `json:"image,omitempty"`
	Length      *LengthRule      `json:"length,omitempty"`
	Readability *ReadabilityRule `json:"readability,omitempty"`
	Frame       *FrameRule       `json:"frame,omitempty"`
	Classifier  *ClassifierRule  `json:"classifier,omitempty"`
}

// Scope limits a rule to some platforms, kinds of draft or units. An empty
// list means no limit.
type Scope struct {
	Platforms []string `json:"platforms,omitempty"`
	Kinds     []string `json:"kinds,omitempty"`
	Units     []string `json:"units,omitempty"`
}

// Window limits a rule to a period (RFC 3339 or YYYY-MM-DD; From inclusive,
// To exclusive). Either end may be empty.
type Window struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// DetectorRule runs a built-in detector. Params are detector-specific word
// lists and numbers; see the engine's documentation of each detector.
type DetectorRule struct {
	Name   string       `json:"name"`
	Params DetectorArgs `json:"params,omitempty"`
}

// DetectorArgs are the parameters a detector accepts. Lists use the term
// syntax of phrase rules.
type DetectorArgs struct {
	// Terms are the words the detector looks for (sensitive facts, words
	// that say where someone lives, ...).
	Terms []string `json:"terms,omitempty"`
	// Persons are references to a private person («eleven», «pasienten»).
	Persons []string `json:"persons,omitempty"`
	// Unless suppresses a finding when one of these terms is in the same sentence.
	Unless []string `json:"unless,omitempty"`
	// Within is a distance in words (0: the same sentence).
	Within int `json:"within,omitempty"`
	// Kinds limits a detector to some kinds of draft (signature: reply, message).
	Kinds []string `json:"kinds,omitempty"`
}

// PhraseRule matches word lists or RE2 patterns on normalised text (NFC,
// lower case). Term syntax: words separated by spaces must follow each other;
// a trailing `*` matches any ending (compounds and inflections:
// «fødselsnummer*»), a leading `*` any beginning («*sjukmeld*»). The special
// term `@name` matches a personal name (a capitalised word that does not
// start a sentence). Patterns are RE2 and run on the normalised text.
type PhraseRule struct {
	Words    []string `json:"words,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	// Near requires one of its terms within Near.Within words of the match.
	Near *Near `json:"near,omitempty"`
	// Unless drops a match when one of its terms is in the same sentence.
	Unless []string `json:"unless,omitempty"`
	// Sentence widens a finding to the sentence it is in.
	Sentence bool `json:"sentence,omitempty"`
	// Once reports only the first match in a draft.
	Once bool `json:"once,omitempty"`
}

// Near is the conditional part of a phrase rule (Vale's "conditional").
type Near struct {
	Words    []string `json:"words,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	// Within is the distance in words; 0 means the same sentence.
	Within int `json:"within,omitempty"`
}

// LinkRule checks the draft's links.
type LinkRule struct {
	Check string `json:"check"`
	// Domains are the shorteners (check "shortener"); "blocked" uses the
	// organisation's blocked_domains plus these, "own_site_missing" the
	// organisation's own_domains plus these.
	Domains []string `json:"domains,omitempty"`
	// Kinds limits the check to some kinds of draft (own_site_missing: post).
	Kinds []string `json:"kinds,omitempty"`
}

// ImageRule checks each image declaration.
type ImageRule struct {
	Check string `json:"check"`
}

// LengthRule limits the length per platform, in characters as the platform
// counts them; URLWeight gives platforms that count every link as a fixed
// length (X: 23).
type LengthRule struct {
	Limits    map[string]int `json:"limits"`
	URLWeight map[string]int `json:"url_weight,omitempty"`
}

// ReadabilityRule flags drafts whose LIX exceeds MaxLIX.
type ReadabilityRule struct {
	MaxLIX   float64 `json:"max_lix"`
	MinWords int     `json:"min_words,omitempty"`
}

// Example is a draft a bundle carries with the findings it must produce;
// the same shape as a labelled corpus line.
type Example struct {
	Draft  draft.Draft `json:"draft"`
	Expect Expect      `json:"expect"`
	Note   string      `json:"note,omitempty"`
}

// Expect is the expected outcome of an example.
type Expect struct {
	Verdict  string          `json:"verdict"`
	Findings []ExpectFinding `json:"findings"`
}

// ExpectFinding is one expected finding: the rule, and either the exact
// fragment it is about, the image index, or neither for whole-draft findings.
type ExpectFinding struct {
	Rule  string `json:"rule"`
	Text  string `json:"text,omitempty"`
	Image *int   `json:"image,omitempty"`
}

// MaxBundleSize bounds what Parse accepts.
const MaxBundleSize = 4 << 20

// Parse decodes and validates a bundle. Unknown fields are errors. The
// returned error is a ValidationErrors when the JSON was well formed but
// the bundle is not valid, or a *SyntaxError locating malformed JSON.
func Parse(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, ValidationErrors{ve("", "", "bundle is %d bytes, more than the limit of %d", len(data), MaxBundleSize)}
	}
	var b Bundle
	if err := decodeStrict(data, &b); err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

// ParseOrg decodes an organisation section (the format of a bundle's "org").
func ParseOrg(data []byte) (Org, error) {
	var o Org
	if err := decodeStrict(data, &o); err != nil {
		return Org{}, err
	}
	var errs ValidationErrors
	validateOrg(&o, "org", &errs)
	if len(errs) > 0 {
		return Org{}, errs
	}
	return o, nil
}

// SyntaxError is malformed JSON, located by line and column.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return locate(data, err)
	}
	if dec.More() {
		off := int(dec.InputOffset())
		l, c := lineCol(data, off)
		return &SyntaxError{Line: l, Col: c, Msg: "unexpected data after the JSON document"}
	}
	return nil
}

func locate(data []byte, err error) error {
	var off int64 = -1
	msg := err.Error()
	switch e := err.(type) {
	case *json.SyntaxError:
		// Offset is just past the offending byte; point at it.
		off = e.Offset - 1
		if strings.Contains(e.Error(), "unexpected end") {
			off = int64(len(data))
			msg = "unexpected end of JSON"
		}
	case *json.UnmarshalTypeError:
		off = e.Offset
		msg = TypeErrorMessage(e)
	}
	if strings.HasPrefix(msg, "json: unknown field ") {
		msg = "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	msg = strings.TrimPrefix(msg, "json: ")
	if off < 0 {
		if msg == "EOF" || msg == "unexpected EOF" {
			l, c := lineCol(data, len(data))
			return &SyntaxError{Line: l, Col: c, Msg: "unexpected end of JSON"}
		}
		return &SyntaxError{Line: 0, Col: 0, Msg: msg}
	}
	l, c := lineCol(data, int(off))
	return &SyntaxError{Line: l, Col: c, Msg: msg}
}

func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line, col := 1, 1
	for _, ch := range data[:off] {
		if ch == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

//go:embed builtin.json
var builtinJSON []byte

// BuiltinJSON returns the embedded built-in bundle as published.
func BuiltinJSON() []byte { return bytes.Clone(builtinJSON) }

// Builtin returns a fresh copy of the built-in bundle. It panics if the
// embedded bundle is invalid, which a test rules out.
func Builtin() *Bundle {
	b, err := Parse(builtinJSON)
	if err != nil {
		panic("rules: built-in bundle is invalid: " + err.Error())
	}
	return b
}

// TypeErrorMessage says what a JSON field should have held in the words of
// JSON, not of Go: «rules: want a list, got an object» rather than «want
// []rules.Rule, got object».
func TypeErrorMessage(e *json.UnmarshalTypeError) string {
	field := e.Field
	// An embedded struct's name is no field of the JSON («Draft.text»).
	field = strings.TrimPrefix(strings.TrimPrefix(field, "."), "Draft.")
	if field == "" {
		field = "value"
	}
	got := e.Value
	switch got {
	case "object", "array":
		got = jsonKindName(got)
	case "string":
		got = "text"
	case "bool":
		got = "true or false"
	}
	if strings.HasPrefix(got, "number") {
		got = "a number"
	}
	return fmt.Sprintf("%s: want %s, got %s", field, jsonTypeName(e.Type), got)
}

func jsonKindName(k string) string {
	if k == "array" {
		return "a list"
	}
	return "an object"
}

// jsonTypeName names the JSON value a Go type is decoded from.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "text (base64)"
		}
		return "a list"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "another kind of value"
}
