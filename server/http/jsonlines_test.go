package http

import "testing"

func TestJSONLines(t *testing.T) {
	doc := `{
  "version": "v1",
  "org": {"name": "X",
    "own_domains": ["a.no",
      "b.no"]},
  "rules": [
    {"id": "a.b",
     "phrase": {"patterns": ["x", "y"]}},
    {"id": "c.d"}
  ]
}`
	lines := jsonLines([]byte(doc))
	for _, tc := range []struct {
		path string
		want int
	}{
		{"version", 2},
		{"org", 3},
		{"org.name", 3},
		{"org.own_domains[1]", 5},
		{"rules", 6},
		{"rules[0].phrase.patterns[1]", 8},
		{"rules[1].id", 9},
		{"rules[1].severity", 9}, // missing: its parent's line
		{"rules[5]", 6},
		{"", 0},
	} {
		if got := lineOf(lines, tc.path); got != tc.want {
			t.Errorf("lineOf(%q) = %d, want %d", tc.path, got, tc.want)
		}
	}
}
