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
		{"context is three lines", "1\n2\n3\n4\n5\n6\n7\n8\n9", "1\n2\n3\n4\n5\n6\n7\n8\nX", "…| 6| 7| 8|-9|+X|"},
	} {
		got, big := diffLines(tc.a, tc.b)
		if big || render(got) != tc.want {
			t.Errorf("%s: got %q (too big %v), want %q", tc.name, render(got), big, tc.want)
		}
	}
}
