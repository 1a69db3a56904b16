package engine

import (
	"os"
	"testing"

	"github.com/postvakt/postvakt/shared/draft"
)

// BenchmarkCheck runs the full built-in bundle on a 300-character, a
// 3,000-character and a 63,206-character draft (Facebook's limit). Run it
// with `make bench`; MB/s and allocs/op are the numbers to watch, since
// the check runs on every keystroke in WebAssembly. Each run starts
// cold: the learned rules score every sentence anew.
func BenchmarkCheck(b *testing.B) {
	benchCheck(b, true)
}

// BenchmarkCheckTyping is the same drafts as typed: every check follows
// a keystroke at the end of the draft, so one sentence is new and the
// learned rules find the others' scores in their cache.
func BenchmarkCheckTyping(b *testing.B) {
	benchCheck(b, false)
}

func benchCheck(b *testing.B, cold bool) {
	e := builtin(b)
	e.noCache = cold
	for _, name := range []string{"short", "typical", "long"} {
		data, err := os.ReadFile("testdata/bench/" + name + ".txt")
		if err != nil {
			b.Fatal(err)
		}
		d := draft.Draft{ID: name, Text: string(data), Platform: "facebook", Kind: "post",
			Images: []draft.Image{{Alt: "", Persons: "adults", Consent: "none"}}}
		typed := []string{d.Text + " k", d.Text + " ku"}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var findings int
			for i := 0; i < b.N; i++ {
				if !cold {
					d.Text = typed[i%2]
				}
				findings = len(e.Check(d, Options{}).Findings)
			}
			b.ReportMetric(float64(findings), "findings/op")
		})
	}
}

// BenchmarkNew measures compiling the built-in bundle (done once per
// bundle version, not per keystroke).
func BenchmarkNew(b *testing.B) {
	bundle := builtin(b).Bundle()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := New(bundle); err != nil {
			b.Fatal(err)
		}
	}
}
