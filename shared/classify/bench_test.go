package classify

import (
	"strings"
	"testing"
)

// benchSentence has 25 tokens (23 words and 2 emoji), the length of a
// long sentence in a post.
const benchSentence = "Eg meiner at regjeringa har svikta distrikta fullstendig 👎 og difor kjem eg til å stemme på eit anna parti ved valet til hausten 🙄"

// BenchmarkPredict is the per-sentence cost on every keystroke: features,
// look-ups, softmax and the thresholds. Run it with `make bench`; ns/op and
// allocs/op (0) are the numbers to watch.
func BenchmarkPredict(b *testing.B) {
	if n := len(strings.Fields(benchSentence)); n != 25 {
		b.Fatalf("the benchmark sentence has %d tokens, want 25", n)
	}
	m := mustTrain(b, TrainOptions{})
	text := fold(benchSentence)
	var s Scratch
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		m.Predict(text, &s)
	}
	b.ReportMetric(float64(len(s.feats)), "features/op")
}

func BenchmarkFeatures(b *testing.B) {
	text := fold(benchSentence)
	dst := Features(text, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		dst = Features(text, dst[:0])
	}
}

// BenchmarkTrain is training on the 90 test sentences with the default
// options, which an administrator waits for.
func BenchmarkTrain(b *testing.B) {
	samples := loadSamples(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(samples, TrainOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshal is loading the test model, done once per bundle.
func BenchmarkUnmarshal(b *testing.B) {
	data, err := mustTrain(b, TrainOptions{}).MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}
