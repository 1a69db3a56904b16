package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/shared/draft"
)

func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestCheckReadsDraftsAndLabelledLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"Ring Kari på 912 34 567.","kind":"reply"}`,
		``,
		`{"draft":{"id":"b","text":"Stem på Høyre! https://www.eksempel.kommune.no/valg"},"expect":{"verdict":"block"}}`,
		`{"id":"c","text":"not closed"`,
		`[1,2]`,
		`{"text":"no id"}`,
		`{"id":"d","text":"Hei! Hilsen Kari","kind":"reply"}`,
	}, "\n")
	out, errOut, err := runCmd(t, in, "check")
	if err == nil || !strings.Contains(err.Error(), "3 malformed") {
		t.Fatalf("err = %v, want a count of 3 malformed lines", err)
	}
	for _, want := range []string{"line 4: not a JSON object", "line 5: not a JSON object", `line 6: draft has no "id"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	var ids, verdicts []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r draft.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("report line %q: %v", line, err)
		}
		ids = append(ids, r.ID)
		verdicts = append(verdicts, r.Verdict)
	}
	if strings.Join(ids, ",") != "a,b,d" || strings.Join(verdicts, ",") != "warn,block,ok" {
		t.Fatalf("reports %v %v, want a,b,d with warn,block,ok", ids, verdicts)
	}
}

func TestCheckOrgReplacesOrganisation(t *testing.T) {
	dir := t.TempDir()
	org := filepath.Join(dir, "org.json")
	os.WriteFile(org, []byte(`{"name":"Fjordvik kommune","own_domains":["fjordvik.kommune.no"],"allowed_phones":["+47 912 34 567"],"allowed_accounts":[],"allowed_addresses":[],"blocked_domains":[],"crisis_team":[]}`), 0o644)
	in := `{"id":"a","text":"Ring 912 34 567. https://www.fjordvik.kommune.no/x"}`
	out, _, err := runCmd(t, in, "check")
	if err != nil || !strings.Contains(out, "pii.phone") || !strings.Contains(out, "link.own_site_missing") {
		t.Fatalf("built-in org: err %v, out %s; want pii.phone and link.own_site_missing", err, out)
	}
	out, _, err = runCmd(t, in, "check", "--org", org)
	if err != nil || !strings.Contains(out, `"verdict":"ok"`) {
		t.Fatalf("with --org: err %v, out %s; want ok (own phone, own domain)", err, out)
	}
	if _, _, err := runCmd(t, in, "check", "--org", filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("missing --org file: no error")
	}
	os.WriteFile(org, []byte(`{"name":"X","own_domains":["not a domain"]}`), 0o644)
	if _, _, err := runCmd(t, in, "check", "--org", org); err == nil || !strings.Contains(err.Error(), "own_domains[0]") {
		t.Fatalf("broken --org: err %v, want the located error", err)
	}
}

func TestCheckLanguage(t *testing.T) {
	out, _, err := runCmd(t, `{"id":"a","text":"Vannet er stengt."}`, "check", "--lang", "en")
	if err != nil || !strings.Contains(out, "does not link to the organisation") {
		t.Fatalf("err %v, out %s; want the English message", err, out)
	}
}

func TestRulesValidateAndTest(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		inOut   string
	}{
		{"builtin validates", []string{"rules", "validate", "builtin"}, "", "valid bundle"},
		{"builtin examples pass", []string{"rules", "test", "builtin"}, "", "examples pass"},
		{"broken bundle", []string{"rules", "validate", "testdata/broken-bundle.json"}, "2 error(s)", ""},
		{"failing examples", []string{"rules", "test", "testdata/failing-examples.json"}, "1 of 2 examples fail", ""},
		{"missing file", []string{"rules", "validate", "testdata/nope.json"}, "no such file", ""},
		{"usage", []string{"rules", "lint", "x"}, "usage", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runCmd(t, "", tt.args...)
			if tt.wantErr == "" {
				if err != nil || !strings.Contains(out, tt.inOut) {
					t.Fatalf("err %v, out %q, stderr %q; want success with %q", err, out, errOut, tt.inOut)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want %q (stderr %q)", err, tt.wantErr, errOut)
			}
		})
	}
	_, errOut, _ := runCmd(t, "", "rules", "validate", "testdata/broken-bundle.json")
	for _, want := range []string{`rules[0].severity (rule politics.campaign): "fatal" is not one of info, warn, block`, "rules[0].phrase.patterns[0] (rule politics.campaign): invalid RE2 pattern"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	_, errOut, _ = runCmd(t, "", "rules", "test", "testdata/failing-examples.json")
	if !strings.Contains(errOut, `examples[1] (e2): verdict ok, want block`) || !strings.Contains(errOut, `missing politics.campaign on "Velg oss"`) {
		t.Errorf("stderr does not name the failing example:\n%s", errOut)
	}
}

// FuzzParseDraftLine: any input line gives a draft with an id or an error,
// never a panic.
func FuzzParseDraftLine(f *testing.F) {
	for _, s := range []string{`{"id":"a","text":"x"}`, `{"draft":{"id":"b"}}`, `{"draft":null}`, `[]`, `{"id":1}`, "\x00toolong", `{"id":"a","images":[{"persons":3}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d, err := parseDraftLine(line)
		if err == nil && d.ID == "" {
			t.Fatalf("accepted %q without an id", line)
		}
	})
}
