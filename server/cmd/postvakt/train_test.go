package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/shared/rules"
)

// TestRulesTrain: `postvakt rules train` reports cross-validated figures
// and writes a bundle that validates, whose model the classifier rules
// use; bad samples are refused with their line.
func TestRulesTrain(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i, s := range []string{"høgre sviktar bygda", "frp gjer ein elendig jobb", "kommunestyret sviktar igjen", "ordføraren er fantastisk", "formannskapet trenerer saka", "regjeringa overkøyrer oss"} {
		for j := 0; j < 3; j++ {
			lines = append(lines, `{"text":"`+s+` `+strings.Repeat("!", i+j)+`","label":"politics.opinion"}`)
		}
	}
	for i, s := range []string{"biblioteket opnar klokka ti", "brøytebilen kjem i morgon", "konserten byrjar kl 19", "vi har ope hus på laurdag", "vassverket spyler leidningar", "ferja går som normalt"} {
		for j := 0; j < 3; j++ {
			lines = append(lines, `{"text":"`+s+` `+strings.Repeat("!", i+j)+`","label":"none"}`)
		}
	}
	samples := filepath.Join(dir, "s.jsonl")
	if err := os.WriteFile(samples, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "bundle.json")
	out, errOut, err := runCmd(t, "", "rules", "train", "--model", "mine", "--folds", "3", "--out", outFile, samples)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, errOut)
	}
	for _, want := range []string{"36 samples", "politics.opinion", "precision", "recall", "wrote " + outFile} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rules.Parse(data)
	if err != nil {
		t.Fatalf("written bundle: %v", err)
	}
	if _, ok := b.Models["mine"]; !ok {
		t.Fatalf("written bundle has models %v, want «mine»", len(b.Models))
	}
	if _, _, err := runCmd(t, "", "rules", "test", outFile); err != nil {
		t.Errorf("examples of the written bundle: %v", err)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"text":"x","label":"none"}`+"\n"+`{"text": 3}`+"\n"), 0o644)
	if _, _, err := runCmd(t, "", "rules", "train", "--out", outFile, bad); err == nil || !strings.Contains(err.Error(), "bad.jsonl:2") {
		t.Errorf("bad sample: err %v, want it located at bad.jsonl:2", err)
	}
	if _, _, err := runCmd(t, "", "rules", "train", samples); err == nil {
		t.Error("train without --out succeeded")
	}
}
