package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// TestCommandLineConventions: help that was asked for goes to standard
// output with status 0, --version answers, values the checker does not know
// are refused instead of answered «ok» in bokmål, files are read as well as
// standard input, and errors speak JSON, not Go.
func TestCommandLineConventions(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"check", "--help"}, {"rules", "--help"}, {"rules", "validate", "--help"}, {"user", "--help"}, {"audit", "--help"}, {"serve", "-h"}} {
		out, errOut, err := runCmd(t, "", args...)
		if err != nil || !strings.Contains(out, "usage: postvakt") || errOut != "" {
			t.Errorf("%v: err %v, stdout %q, stderr %q; want usage on stdout and no error", args, err, out, errOut)
		}
	}
	if _, _, err := runCmd(t, ""); !errors.Is(err, errUsage) {
		t.Errorf("no arguments: err %v, want a usage error", err)
	}
	if out, _, err := runCmd(t, "", "--version"); err != nil || !strings.HasPrefix(out, "postvakt ") {
		t.Errorf("--version: err %v, out %q", err, out)
	}
	if _, errOut, err := runCmd(t, `{"id":"a","text":"hei"}`, "check", "--lang", "de"); err == nil || !strings.Contains(errOut, `--lang "de" is not one of nb, nn, en`) {
		t.Errorf("--lang de: err %v, stderr %q; want a refusal", err, errOut)
	}
	out, errOut, err := runCmd(t, `{"id":"a","text":"hei","kind":"tweet"}`+"\n"+`{"id":"b","text":5}`, "check")
	if err == nil || out != "" {
		t.Errorf("unknown kind and wrong type: err %v, out %q; want both lines refused", err, out)
	}
	for _, want := range []string{`line 1: draft "a": kind "tweet" is not one of post, reply, message`, "line 2: not a draft: text: want text, got a number"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "Go ") || strings.Contains(errOut, "struct") {
		t.Errorf("stderr names Go types:\n%s", errOut)
	}

	dir := t.TempDir()
	f1, f2 := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	// The first file has no newline at its end; its line must not merge
	// with the second file's first.
	os.WriteFile(f1, []byte(`{"id":"f1","text":"Ring 912 34 567"}`), 0o600)
	os.WriteFile(f2, []byte(`{"id":"f2","text":"hei"}`+"\n"), 0o600)
	out, errOut, err = runCmd(t, `{"id":"stdin","text":"hei"}`, "check", f1, "-", f2)
	if err != nil {
		t.Fatalf("check FILE - FILE: %v\n%s", err, errOut)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r draft.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "f1,stdin,f2" {
		t.Errorf("reports for %v, want f1,stdin,f2", ids)
	}
	if _, _, err := runCmd(t, "", "check", filepath.Join(dir, "missing.jsonl")); err == nil {
		t.Error("a missing file is no error")
	}
}
