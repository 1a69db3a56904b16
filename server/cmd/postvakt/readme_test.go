package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeExample runs the example in the README's "What it finds"
// section, so the README cannot show output the checker does not give.
func TestReadmeExample(t *testing.T) {
	data, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "$ echo '") || !strings.HasSuffix(l, "' | postvakt check") || i+1 >= len(lines) {
			continue
		}
		in := strings.TrimSuffix(strings.TrimPrefix(l, "$ echo '"), "' | postvakt check")
		out, _, err := runCmd(t, in, "check")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.TrimSpace(out), lines[i+1]; got != want {
			t.Fatalf("README example:\ngot  %s\nwant %s", got, want)
		}
		return
	}
	t.Fatal("README has no `$ echo '...' | postvakt check` example")
}
