package engine

import (
	"fmt"
	"strings"

	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/shared/textutil"
)

// ExampleFailure is one way a bundle's example did not hold.
type ExampleFailure struct {
	Example int    `json:"example"`
	DraftID string `json:"draft_id"`
	Msg     string `json:"message"`
}

func (f ExampleFailure) Error() string {
	return fmt.Sprintf("examples[%d] (%s): %s", f.Example, f.DraftID, f.Msg)
}

// RunExamples checks every example the bundle carries and returns each
// mismatch: a wrong verdict, an expected finding missing, or a finding
// not expected. Matching follows the corpus scorer: a finding with text
// matches a report finding of the same rule that overlaps an occurrence
// of the text; one with an image matches the same rule on that image;
// one with neither matches the same rule.
func (e *Engine) RunExamples() []ExampleFailure {
	var out []ExampleFailure
	for i, ex := range e.bundle.Examples {
		rep := e.Check(ex.Draft, Options{})
		for _, m := range Compare(ex.Draft, ex.Expect, rep) {
			out = append(out, ExampleFailure{Example: i, DraftID: ex.Draft.ID, Msg: m})
		}
	}
	return out
}

// Compare returns the differences between an expected outcome and a
// report, as sentences; none means the report is as expected.
// form.readability is not compared (it depends on style, not on rules of
// the guidelines).
func Compare(d draft.Draft, exp rules.Expect, rep draft.Report) []string {
	var diffs []string
	if rep.Verdict != exp.Verdict {
		diffs = append(diffs, fmt.Sprintf("verdict %s, want %s", rep.Verdict, exp.Verdict))
	}
	used := make([]bool, len(rep.Findings))
	for _, want := range exp.Findings {
		var spans [][2]int
		if want.Text != "" {
			spans = occurrences(d.Text, want.Text)
		}
		hit := false
		for i, f := range rep.Findings {
			// One finding may cover several expected passages (a merged
			// run of sentences), as ../shared/tools/score counts them.
			if (used[i] && want.Text == "") || f.Rule != want.Rule {
				continue
			}
			if want.Text != "" {
				ok := false
				for _, sp := range spans {
					if f.Start < sp[1] && sp[0] < f.End {
						ok = true
						break
					}
				}
				if !ok {
					continue
				}
			} else if want.Image != nil && f.Image != *want.Image {
				continue
			}
			used[i], hit = true, true
			break
		}
		if !hit {
			what := want.Rule
			if want.Text != "" {
				what += fmt.Sprintf(" on %q", want.Text)
			} else if want.Image != nil {
				what += fmt.Sprintf(" on image %d", *want.Image)
			}
			diffs = append(diffs, "missing "+what)
		}
	}
	for i, f := range rep.Findings {
		if !used[i] && f.Rule != "form.readability" {
			diffs = append(diffs, fmt.Sprintf("unexpected %s at %d:%d", f.Rule, f.Start, f.End))
		}
	}
	return diffs
}

// occurrences returns the UTF-16 spans of every occurrence of needle in s.
func occurrences(s, needle string) [][2]int {
	var out [][2]int
	n := textutil.UTF16Len(needle)
	for from := 0; ; {
		i := strings.Index(s[from:], needle)
		if i < 0 {
			return out
		}
		a := textutil.UTF16Len(s[:from+i])
		out = append(out, [2]int{a, a + n})
		from += i + 1
	}
}
