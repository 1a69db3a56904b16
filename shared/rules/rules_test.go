package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestBuiltinIsValid(t *testing.T) {
	b, err := Parse(BuiltinJSON())
	if err != nil {
		t.Fatalf("built-in bundle: %v", err)
	}
	ids := map[string]bool{}
	for _, r := range b.Rules {
		ids[r.ID] = true
		if !strings.Contains(r.Source, "«") && r.ID != "form.length" && r.ID != "form.readability" {
			t.Errorf("rule %s: source does not quote the guideline sentence: %q", r.ID, r.Source)
		}
	}
	// Every rule of the catalogue in PRODUCT.md.
	for _, id := range []string{"pii.national_id", "pii.payment_card", "pii.bank_account", "pii.phone", "pii.email", "pii.address", "pii.sensitive",
		"link.own_site_missing", "link.shortener", "link.blocked", "politics.opinion", "politics.campaign", "case.processing", "case.confidential",
		"archive.journal", "image.undeclared", "image.consent", "image.consent_minor", "image.alt_text", "form.signature_missing", "form.length",
		"form.readability", "crisis.active"} {
		if !ids[id] {
			t.Errorf("built-in bundle lacks rule %s", id)
		}
	}
}

// minimal returns a valid one-rule bundle as a map to be broken by a test.
func minimal() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(`{"version":"t1","org":{"name":"X","own_domains":["x.no"],"allowed_phones":[],"allowed_accounts":[],"allowed_addresses":[],"blocked_domains":[],"crisis_team":[]},
	"rules":[{"id":"politics.campaign","category":"politics","severity":"block","enabled":true,
	"message":{"nb":"a","nn":"b","en":"c"},"suggestion":{"nb":"a","nn":"b","en":"c"},"source":"Kilde «x»",
	"kind":"phrase","phrase":{"words":["stem på"]}}]}`), &m)
	return m
}

func rule0(m map[string]any) map[string]any { return m["rules"].([]any)[0].(map[string]any) }

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		path  string
		inMsg string
	}{
		{"ok", func(m map[string]any) {}, "", ""},
		// top level
		{"no version", func(m map[string]any) { delete(m, "version") }, "version", "required"},
		{"no rules", func(m map[string]any) { m["rules"] = []any{} }, "rules", "at least one"},
		{"bad own domain", func(m map[string]any) { m["org"].(map[string]any)["own_domains"] = []any{"not a domain"} }, "org.own_domains[0]", "not a domain"},
		// rule fields
		{"bad id", func(m map[string]any) { rule0(m)["id"] = "Politics Campaign" }, "rules[0].id", "lower-case"},
		{"category mismatch", func(m map[string]any) { rule0(m)["category"] = "pii" }, "rules[0].category", "does not match"},
		{"severity", func(m map[string]any) { rule0(m)["severity"] = "fatal" }, "rules[0].severity", `"fatal" is not one of info, warn, block`},
		{"message missing nn", func(m map[string]any) { rule0(m)["message"] = map[string]any{"nb": "a", "en": "c"} }, "rules[0].message", "nb, nn and en"},
		{"no source", func(m map[string]any) { rule0(m)["source"] = " " }, "rules[0].source", "cite"},
		{"scope platform", func(m map[string]any) { rule0(m)["scope"] = map[string]any{"platforms": []any{"myspace"}} }, "rules[0].scope.platforms[0]", "myspace"},
		{"active window", func(m map[string]any) { rule0(m)["active"] = map[string]any{"from": "2026-09-01", "to": "2026-08-01"} }, "rules[0].active", "after"},
		{"active date", func(m map[string]any) { rule0(m)["active"] = map[string]any{"from": "1. september"} }, "rules[0].active.from", "not a date"},
		// kinds
		{"unknown kind", func(m map[string]any) { rule0(m)["kind"] = "magic" }, "rules[0].kind", "valid kinds are detector, phrase"},
		{"kind without config", func(m map[string]any) { delete(rule0(m), "phrase") }, "rules[0].phrase", "required"},
		{"two configs", func(m map[string]any) { rule0(m)["image"] = map[string]any{"check": "alt_text"} }, "rules[0].image", "kind is \"phrase\""},
		{"bad pattern", func(m map[string]any) { rule0(m)["phrase"] = map[string]any{"patterns": []any{"(?<=a)b"}} }, "rules[0].phrase.patterns[0]", "invalid RE2"},
		{"empty-matching pattern", func(m map[string]any) { rule0(m)["phrase"] = map[string]any{"patterns": []any{"a*"}} }, "rules[0].phrase.patterns[0]", "empty string"},
		{"bad term", func(m map[string]any) { rule0(m)["phrase"] = map[string]any{"words": []any{"st*em"}} }, "rules[0].phrase.words[0]", "may only start or end"},
		{"punctuation term", func(m map[string]any) { rule0(m)["phrase"] = map[string]any{"words": []any{"offl. §"}} }, "rules[0].phrase.words[0]", "use a pattern"},
		{"near within", func(m map[string]any) {
			rule0(m)["phrase"] = map[string]any{"words": []any{"a"}, "near": map[string]any{"words": []any{"b"}, "within": 500}}
		}, "rules[0].phrase.near.within", "between 0 and 100"},
		{"unknown detector", func(m map[string]any) {
			rule0(m)["kind"] = "detector"
			delete(rule0(m), "phrase")
			rule0(m)["detector"] = map[string]any{"name": "ssn"}
		}, "rules[0].detector.name", "valid detectors are national_id"},
		{"length platform", func(m map[string]any) {
			rule0(m)["kind"] = "length"
			delete(rule0(m), "phrase")
			rule0(m)["length"] = map[string]any{"limits": map[string]any{"mastodon": 500}}
		}, "rules[0].length.limits.mastodon", "not a platform"},
		// examples
		{"example unknown rule", func(m map[string]any) {
			m["examples"] = []any{map[string]any{"draft": map[string]any{"id": "e1", "text": "x"}, "expect": map[string]any{"verdict": "ok", "findings": []any{map[string]any{"rule": "no.such"}}}}}
		}, "examples[0].expect.findings[0].rule", "no rule"},
		{"example text not in draft", func(m map[string]any) {
			m["examples"] = []any{map[string]any{"draft": map[string]any{"id": "e1", "text": "x"}, "expect": map[string]any{"verdict": "block", "findings": []any{map[string]any{"rule": "politics.campaign", "text": "y"}}}}}
		}, "examples[0].expect.findings[0].text", "does not occur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := minimal()
			tt.edit(m)
			wantValidationError(t, m, tt.path, tt.inMsg)
		})
	}
}

// wantValidationError parses bundle m and wants an error at path whose
// message contains inMsg, or no error at all when path is empty.
func wantValidationError(t *testing.T, m map[string]any, path, inMsg string) {
	t.Helper()
	data, _ := json.Marshal(m)
	_, err := Parse(data)
	if path == "" {
		if err != nil {
			t.Fatalf("Parse: %v, want no error", err)
		}
		return
	}
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Parse error = %v, want ValidationErrors", err)
	}
	for _, e := range ve {
		if e.Path == path && strings.Contains(e.Msg, inMsg) {
			return
		}
	}
	t.Fatalf("errors = %q, want one at %s containing %q", ve.Error(), path, inMsg)
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
		inMsg     string
	}{
		{"truncated", "{\n \"version\": \"1\",\n", 3, 1, "unexpected end"},
		{"bad token", "{\n \"version\": x}", 2, 13, "invalid character"},
		{"unknown field", "{\"version\":\"1\",\"colour\":1}", 0, 0, `unknown field "colour"`},
		{"wrong type", "{\"version\": 3}", 1, 14, "version: want text, got a number"},
		{"trailing data", "{\"version\":\"1\"} {}", 1, 17, "after the JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v, want *SyntaxError", err)
			}
			if !strings.Contains(se.Msg, tt.inMsg) || (tt.line != 0 && (se.Line != tt.line || se.Col != tt.col)) {
				t.Fatalf("got %v (line %d col %d), want line %d col %d containing %q", se, se.Line, se.Col, tt.line, tt.col, tt.inMsg)
			}
		})
	}
}

func TestParseTerm(t *testing.T) {
	tests := []struct {
		in   string
		want []WordPat
	}{
		{"fødselsnummer*", []WordPat{{Text: "fødselsnummer", Prefix: true}}},
		{"*sjukmeld*", []WordPat{{Text: "sjukmeld", Prefix: true, Suffix: true}}},
		{"Unntatt  Offentlighet", []WordPat{{Text: "unntatt"}, {Text: "offentlighet"}}},
		{"*søknaden din", []WordPat{{Text: "søknaden", Suffix: true}, {Text: "din"}}},
	}
	for _, tt := range tests {
		got, err := ParseTerm(tt.in)
		if err != nil {
			t.Fatalf("ParseTerm(%q): %v", tt.in, err)
		}
		if len(got.Words) != len(tt.want) {
			t.Fatalf("ParseTerm(%q) = %+v, want %+v", tt.in, got.Words, tt.want)
		}
		for i := range got.Words {
			if !reflect.DeepEqual(got.Words[i], tt.want[i]) {
				t.Fatalf("ParseTerm(%q) = %+v, want %+v", tt.in, got.Words, tt.want)
			}
		}
	}
	if got, _ := ParseTerm("@name"); !got.Name {
		t.Fatalf("ParseTerm(@name).Name = false, want true")
	}
	for _, bad := range []string{"", "  ", "*", "a*b", "a.b", "\xff"} {
		if _, err := ParseTerm(bad); err == nil {
			t.Errorf("ParseTerm(%q) = nil error, want one", bad)
		}
	}
}

func FuzzParseBundle(f *testing.F) {
	f.Add(BuiltinJSON())
	m := minimal()
	data, _ := json.Marshal(m)
	f.Add(data)
	f.Add([]byte(`{"version":"1","rules":[{"id":"a.b","kind":"phrase","phrase":{"patterns":["(("]}}]}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err == nil {
			if b == nil || b.Validate() != nil {
				t.Fatalf("Parse accepted an invalid bundle")
			}
			return
		}
		var ve ValidationErrors
		var se *SyntaxError
		switch {
		case errors.As(err, &ve):
			for _, e := range ve {
				if e.Msg == "" {
					t.Fatalf("validation error without a message: %+v", e)
				}
				if e.Path == "" && !strings.Contains(e.Msg, "bytes") {
					t.Fatalf("validation error without a location: %+v", e)
				}
			}
		case errors.As(err, &se):
			if se.Msg == "" {
				t.Fatalf("syntax error without a message")
			}
		default:
			t.Fatalf("Parse returned %T %v, want ValidationErrors or *SyntaxError", err, err)
		}
	})
}

// TestBuiltinPatternsHaveLiteralPrefix keeps the built-in bundle fast: a
// pattern without a literal prefix of a few bytes makes regexp step through
// every byte of the draft on every keystroke (a campaign pattern starting
// with \b once halved the engine's throughput). Word lists are the fast
// path; patterns are for what they cannot say.
func TestBuiltinPatternsHaveLiteralPrefix(t *testing.T) {
	for _, r := range Builtin().Rules {
		if r.Phrase == nil {
			continue
		}
		for _, p := range r.Phrase.Patterns {
			re, err := CompilePattern(p)
			if err != nil {
				t.Fatal(err)
			}
			if prefix, _ := re.LiteralPrefix(); len(prefix) < 3 {
				t.Errorf("rule %s: pattern %q has literal prefix %q, want at least 3 bytes", r.ID, p, prefix)
			}
		}
	}
}

// TestASCIIWordBoundaryRefused: RE2's \b knows only ASCII letters, so a
// pattern with \b before «ø» or «å» never matches those words. It is a
// located error, not a silent miss.
func TestASCIIWordBoundaryRefused(t *testing.T) {
	for _, tt := range []struct {
		pat string
		ok  bool
	}{
		{`\bønskjer`, false},
		{`\b(send|ønskjer) innspel`, false},
		{`(send|gi)\b`, true},
		{`\bsend innspel`, true},
		{`(^|[^\pL\pN])ønskjer`, true},
	} {
		_, err := CompilePattern(tt.pat)
		if (err == nil) != tt.ok {
			t.Errorf("CompilePattern(%q): err = %v, want ok = %v", tt.pat, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "ASCII") {
			t.Errorf("CompilePattern(%q): %v does not explain the ASCII boundary", tt.pat, err)
		}
	}
}
