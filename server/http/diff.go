package http

import "strings"

// diffLine is one line of a line diff.
type diffLine struct {
	Mark  string // "+", "-", " " or "…"
	Class string
	Text  string
}

// maxDiffEdits bounds the number of changed lines a diff looks for
// (Myers' algorithm takes time and memory in proportion to lines × edits
// and edits², so small changes to a large bundle are cheap).
const maxDiffEdits = 4000

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
	mid, ok := editScript(xm, ym, maxDiffEdits)
	if !ok {
		return nil, true
	}
	var all []diffLine
	for _, l := range x[:pre] {
		all = append(all, diffLine{" ", "same", l})
	}
	all = append(all, mid...)
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

// editScript is Myers' O((N+M)D) diff of a and b: every line of both,
// marked same, deleted or added, with the deletions of a changed block
// before its additions. ok is false when more than maxD lines differ.
func editScript(a, b []string, maxD int) (out []diffLine, ok bool) {
	n, m := len(a), len(b)
	maxD = min(maxD, n+m)
	off := maxD + 1
	v := make([]int, 2*off+1)
	var trace [][]int
	end := -1
	for d := 0; d <= maxD && end < 0; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				end = d
				break
			}
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
	}
	if end < 0 {
		return nil, false
	}
	var rev []diffLine
	x, y := n, m
	for d := end; d > 0; d-- {
		prev := trace[d-1]
		get := func(k int) int { return prev[k+d-1] }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && get(k-1) < get(k+1)) {
			prevK = k + 1
		}
		px := get(prevK)
		py := px - prevK
		for x > px && y > py {
			rev = append(rev, diffLine{" ", "same", a[x-1]})
			x, y = x-1, y-1
		}
		if x == px {
			rev = append(rev, diffLine{"+", "add", b[y-1]})
			y--
		} else {
			rev = append(rev, diffLine{"-", "del", a[x-1]})
			x--
		}
	}
	for x > 0 && y > 0 {
		rev = append(rev, diffLine{" ", "same", a[x-1]})
		x, y = x-1, y-1
	}
	for i := len(rev) - 1; i >= 0; i-- {
		out = append(out, rev[i])
	}
	// Deletions first in each changed block, as unified diffs show them.
	for i := 0; i < len(out); {
		if out[i].Mark == " " {
			i++
			continue
		}
		j := i
		for j < len(out) && out[j].Mark != " " {
			j++
		}
		block := out[i:j]
		sorted := make([]diffLine, 0, len(block))
		for _, l := range block {
			if l.Mark == "-" {
				sorted = append(sorted, l)
			}
		}
		for _, l := range block {
			if l.Mark == "+" {
				sorted = append(sorted, l)
			}
		}
		copy(block, sorted)
		i = j
	}
	return out, true
}
