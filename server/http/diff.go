package http

import "strings"

// diffLine is one line of a line diff.
type diffLine struct {
	Mark  string // "+", "-", " " or "…"
	Class string
	Text  string
}

// maxDiffCells bounds the LCS table (lines × lines).
const maxDiffCells = 16 << 20

// diffLines returns a line diff from a to b with three lines of context
// around each change, or tooBig when the documents are too large to
// compare here. No change gives no lines.
func diffLines(a, b string) (out []diffLine, tooBig bool) {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// Trim the common prefix and suffix first; edits are usually small.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	xm, ym := x[pre:len(x)-suf], y[pre:len(y)-suf]
	if len(xm) == 0 && len(ym) == 0 {
		return nil, false
	}
	if (len(xm)+1)*(len(ym)+1) > maxDiffCells {
		return nil, true
	}
	n, m := len(xm), len(ym)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if xm[i] == ym[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var all []diffLine
	for _, l := range x[:pre] {
		all = append(all, diffLine{" ", "same", l})
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && xm[i] == ym[j]:
			all = append(all, diffLine{" ", "same", xm[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			// Removed lines first, as unified diffs show them.
			all = append(all, diffLine{"-", "del", xm[i]})
			i++
		default:
			all = append(all, diffLine{"+", "add", ym[j]})
			j++
		}
	}
	for _, l := range x[len(x)-suf:] {
		all = append(all, diffLine{" ", "same", l})
	}
	// Keep three lines of context around changes.
	keep := make([]bool, len(all))
	for k, l := range all {
		if l.Mark != " " {
			for d := max(0, k-3); d <= min(len(all)-1, k+3); d++ {
				keep[d] = true
			}
		}
	}
	gap := false
	for k, l := range all {
		if keep[k] {
			out = append(out, l)
			gap = false
		} else if !gap {
			out = append(out, diffLine{"…", "gap", ""})
			gap = true
		}
	}
	return out, false
}
