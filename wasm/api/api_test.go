package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
)

func report(t *testing.T, out string) draft.Report {
	t.Helper()
	var r draft.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Verdict == "" {
		t.Fatalf("not a report: %s", out)
	}
	return r
}

func errCode(out string) string {
	var e errorBody
	json.Unmarshal([]byte(out), &e)
	return e.Error.Code
}

func TestCheckWithBuiltinBundle(t *testing.T) {
	var a API
	r := report(t, a.Check(`{"id":"d","text":"Ring Kari på 912 34 567. https://www.eksempel.kommune.no/x"}`, `{"lang":"en"}`))
	if r.Verdict != "warn" || len(r.Findings) != 1 || r.Findings[0].Rule != "pii.phone" || !strings.Contains(r.Findings[0].Message, "phone number") {
		t.Fatalf("report %+v, want one English pii.phone warning", r)
	}
}

func TestCheckRefusesBadInput(t *testing.T) {
	var a API
	for _, tt := range []struct{ draft, opts, code string }{
		{`{"id":`, "", EInvalid},
		{`{"id":"d","text":"x"}`, `{"lang":`, EInvalid},
		{`{"id":"d","text":"` + strings.Repeat("x", MaxDraftBytes) + `"}`, "", EInvalid},
	} {
		if got := errCode(a.Check(tt.draft, tt.opts)); got != tt.code {
			t.Errorf("Check(%.30q): code %q, want %q", tt.draft, got, tt.code)
		}
	}
}

func TestCrisisAndClockFromHost(t *testing.T) {
	var a API
	d := `{"id":"d","text":"Info: https://www.eksempel.kommune.no/x","user":"ola"}`
	r := report(t, a.Check(d, `{"crisis":{"active":true,"message":"Krisestab satt"},"now":"2026-11-22T10:00:00Z"}`))
	if r.Verdict != "block" || r.Findings[0].Message != "Krisestab satt" {
		t.Fatalf("report %+v, want crisis block with the admin's message", r)
	}
}

func TestLoadBundleKeepsLastGoodOnFailure(t *testing.T) {
	var a API
	b := rules.Builtin()
	b.Version = "test-2"
	good, _ := json.Marshal(b)
	if out := a.LoadBundle(string(good)); !strings.Contains(out, `"version":"test-2"`) {
		t.Fatalf("LoadBundle(good) = %s", out)
	}
	// Broken JSON, an invalid rule, and failing examples are all refused.
	if got := errCode(a.LoadBundle(`{"version":`)); got != EInvalid {
		t.Errorf("broken JSON: code %q, want %s", got, EInvalid)
	}
	b.Rules[0].Severity = "fatal"
	bad, _ := json.Marshal(b)
	if out := a.LoadBundle(string(bad)); errCode(out) != EBundle || !strings.Contains(out, "rules[0].severity") {
		t.Errorf("invalid rule: %s, want EBUNDLE naming rules[0].severity", out)
	}
	b = rules.Builtin()
	b.Examples[0].Expect.Verdict = "ok"
	failing, _ := json.Marshal(b)
	if got := errCode(a.LoadBundle(string(failing))); got != EBundle {
		t.Errorf("failing examples: code %q, want %s", got, EBundle)
	}
	r := report(t, a.Check(`{"id":"d","text":"x"}`, ""))
	if r.Bundle != "test-2" {
		t.Fatalf("bundle in force %q, want the last good one test-2", r.Bundle)
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	out := Guard(func() string { panic("boom") })
	if errCode(out) != EInternal || !strings.Contains(out, "boom") {
		t.Fatalf("Guard = %s, want EINTERNAL with the panic", out)
	}
}

func TestTextHashMatchesAudit(t *testing.T) {
	var a API
	x, y := a.TextHash("Hei  Kari\n"), a.TextHash("Hei Kari")
	if x != y || !strings.Contains(x, "sha256") {
		t.Fatalf("TextHash not normalised: %s vs %s", x, y)
	}
}

func TestDetectFacesNeedsCascade(t *testing.T) {
	var a API
	if got := errCode(a.DetectFaces(make([]byte, 4), 1, 1)); got != ENoFaces {
		t.Fatalf("code %q, want %s", got, ENoFaces)
	}
	if got := errCode(a.LoadCascade([]byte("nope"))); got != EInvalid {
		t.Fatalf("bad cascade: code %q, want %s", got, EInvalid)
	}
}
