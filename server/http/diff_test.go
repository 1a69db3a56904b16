package http

import (
	"fmt"
	"strings"
	"testing"
)

func TestDiffLines(t *testing.T) {
	render := func(ls []diffLine) string {
		var b strings.Builder
		for _, l := range ls {
			fmt.Fprintf(&b, "%s%s|", l.Mark, l.Text)
		}
		return b.String()
	}
	for _, tc := range []struct{ name, a, b, want string }{
		{"same", "a\nb", "a\nb", ""},
		{"changed line", "a\nb\nc", "a\nB\nc", " a|-b|+B| c|"},
		{"added at end", "a", "a\nb", " a|+b|"},
		{"two far apart", "a\n1\n2\n3\n4\n5\n6\n7\n8\nz", "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ", "-a|+A| 1| 2| 3|…| 6| 7| 8|-z|+Z|"},
		{"insert and delete", "a\nb\nc\nd", "a\nc\nd\ne", " a|-b| c| d|+e|"},
		{"context is three lines", "1\n2\n3\n4\n5\n6\n7\n8\n9", "1\n2\n3\n4\n5\n6\n7\n8\nX", "…| 6| 7| 8|-9|+X|"},
	} {
		got, big := diffLines(tc.a, tc.b)
		if big || render(got) != tc.want {
			t.Errorf("%s: got %q (too big %v), want %q", tc.name, render(got), big, tc.want)
		}
	}
}

// A small change at each end of a large document is still shown.
func TestDiffLinesLarge(t *testing.T) {
	var a []string
	for i := range 20000 {
		a = append(a, fmt.Sprintf("line %d", i))
	}
	b := append([]string{"first"}, a[1:]...)
	b[len(b)-1] = "last"
	got, big := diffLines(strings.Join(a, "\n"), strings.Join(b, "\n"))
	if big || len(got) != 2+3+1+3+2 {
		t.Fatalf("%d lines, too big %v", len(got), big)
	}
}
