package classify

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// fold stands in for textutil.Fold: the test sentences are already NFC,
// so lower-casing is all that is left to do.
func fold(s string) string { return strings.ToLower(s) }

// loadSamples reads testdata/sentences.tsv: «label<TAB>sentence» lines,
// with '#' comments and blank lines.
func loadSamples(tb testing.TB) []Sample {
	tb.Helper()
	data, err := os.ReadFile("testdata/sentences.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	var out []Sample
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			tb.Fatalf("sentences.tsv:%d: no tab in %q", n, line)
		}
		out = append(out, Sample{Text: fold(text), Label: label})
	}
	return out
}

// mustTrain trains on the test sentences with the default options.
func mustTrain(tb testing.TB, opt TrainOptions) *Model {
	tb.Helper()
	m, err := Train(loadSamples(tb), opt)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// heldOut are sentences the model never saw, near enough to the training
// sentences that 90 of them should carry it.
var heldOut = []struct {
	text, want string
}{
	// politics.opinion
	{"Regjeringen må gå av nå", "politics.opinion"},
	{"Jeg stemmer Arbeiderpartiet ved valget", "politics.opinion"},
	{"Eg stemmer Raudt ved valet", "politics.opinion"},
	{"Statsråden burde gå av", "politics.opinion"},
	// pii.sensitive
	{"Kollegaen min har kreft", "pii.sensitive"},
	{"Naboen er sykmeldt med angst", "pii.sensitive"},
	{"Han har fått diagnosen kreft", "pii.sensitive"},
	{"Ho er medlem av Fagforbundet", "pii.sensitive"},
	// none, including a vote that is not an election
	{"Velkommen til julebord på fredag 🎉", "none"},
	{"Kantina har kaker i dag", "none"},
	{"Husk å stemme i avstemninga om ny logo", "none"},
	{"Møtet startar klokka ni", "none"},
}

func TestTrainSeparates(t *testing.T) {
	samples := loadSamples(t)
	if n := len(samples); n < 60 || n > 100 {
		t.Fatalf("got %d test sentences, want 60 to 100", n)
	}
	m := mustTrain(t, TrainOptions{})
	var s Scratch
	for _, x := range samples {
		if got, p := m.Predict(x.Text, &s); got != x.Label {
			t.Errorf("training sentence %q: got %s (%.3f), want %s", x.Text, got, p, x.Label)
		}
	}
	for _, h := range heldOut {
		t.Run(h.text, func(t *testing.T) {
			got, p := m.Predict(fold(h.text), &s)
			if got != h.want {
				t.Errorf("got %s (%.3f), want %s; scores %v", got, p, h.want, m.Scores(fold(h.text), &s))
			}
			sum := float32(0)
			for _, p := range m.Scores(fold(h.text), &s) {
				sum += p
			}
			if math.Abs(float64(sum)-1) > 1e-5 {
				t.Errorf("scores sum to %v, want 1", sum)
			}
		})
	}
}

func TestTrainDeterministic(t *testing.T) {
	for _, opt := range []TrainOptions{{}, {Seed: 42, Epochs: 3}, {Dim: MinDim}} {
		t.Run(fmt.Sprintf("%+v", opt), func(t *testing.T) {
			want, err := mustTrain(t, opt).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				got, _ := mustTrain(t, opt).MarshalBinary()
				if !bytes.Equal(got, want) {
					t.Fatalf("training twice gave different models (%d and %d bytes)", len(got), len(want))
				}
			}
		})
	}
}

// TestTrainMaxRows shows the size a model can be cut to and what it
// still gets right. A pruned model's probabilities shrink towards the
// priors, so it is judged at calibrated thresholds, as it would be used.
func TestTrainMaxRows(t *testing.T) {
	samples := loadSamples(t)
	full, _ := mustTrain(t, TrainOptions{}).MarshalBinary()
	opt := TrainOptions{MaxRows: 1000}
	m, rep, err := Calibrate(samples, 5, opt)
	if err != nil {
		t.Fatal(err)
	}
	small, _ := m.MarshalBinary()
	t.Logf("%d bytes instead of %d\n%s", len(small), len(full), rep)
	if m.Rows() != 1000 || len(small) >= len(full)/3 {
		t.Errorf("got %d rows in %d bytes, want 1000 rows in less than a third of %d bytes", m.Rows(), len(small), len(full))
	}
	for _, c := range rep.Classes {
		if c.F1 < 0.6 {
			t.Errorf("%s: got cross-validated F1 %.3f with 1000 rows, want at least 0.6", c.Class, c.F1)
		}
	}
	var s Scratch
	wrong := 0
	for _, x := range samples {
		if got, _ := m.Predict(x.Text, &s); got != x.Label {
			wrong++
		}
	}
	if wrong > 5 {
		t.Errorf("calibrated with 1000 rows, got %d training sentences wrong, want at most 5", wrong)
	}
}

func TestTrainErrors(t *testing.T) {
	ok := []Sample{{"ja", "none"}, {"nei", "x"}}
	many := []Sample{{"a", "none"}}
	for i := range MaxClasses {
		many = append(many, Sample{"b", fmt.Sprintf("c%d", i)})
	}
	tests := []struct {
		name    string
		samples []Sample
		opt     TrainOptions
		wantErr string
	}{
		// samples
		{"no samples", nil, TrainOptions{}, "classify: no samples"},
		{"empty label", []Sample{{"ja", "none"}, {"nei", ""}}, TrainOptions{}, "samples[1].label: class name is empty"},
		{"long label", []Sample{{"ja", "none"}, {"nei", strings.Repeat("x", 65)}}, TrainOptions{}, "longer than 64"},
		{"control character", []Sample{{"ja", "none"}, {"nei", "a\nb"}}, TrainOptions{}, "control character"},
		{"no none", []Sample{{"ja", "a"}, {"nei", "b"}}, TrainOptions{}, `no sample is labelled "none"`},
		{"only none", []Sample{{"ja", "none"}}, TrainOptions{}, "nothing to flag"},
		{"too many classes", many, TrainOptions{}, "17 classes are more than 16"},
		// options
		{"dim not a power of two", ok, TrainOptions{Dim: 3000}, "dimension 3000 is not a power of two"},
		{"dim too small", ok, TrainOptions{Dim: 512}, "dimension 512"},
		{"dim too large", ok, TrainOptions{Dim: 1 << 25}, "dimension 33554432"},
		{"negative epochs", ok, TrainOptions{Epochs: -1}, "-1 epochs"},
		{"negative learning rate", ok, TrainOptions{LearningRate: -1}, "learning rate -1"},
		{"NaN L2", ok, TrainOptions{L2: math.NaN()}, "L2 weight NaN"},
		{"prune 1", ok, TrainOptions{Prune: 1}, "prune fraction 1"},
		{"negative MaxRows", ok, TrainOptions{MaxRows: -5}, "MaxRows -5"},
		{"target above 1", ok, TrainOptions{TargetPrecision: 1.5}, "target precision 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Train(tt.samples, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestDecide is the flagging rule: the most probable class other than
// None at or above its threshold, else None.
func TestDecide(t *testing.T) {
	th := []float32{0, 0.5, 0.3}
	tests := []struct {
		name  string
		probs []float32
		want  int
	}{
		{"none wins", []float32{0.8, 0.1, 0.1}, 0},
		{"at the threshold", []float32{0.5, 0.5, 0}, 1},
		{"below the threshold", []float32{0.45, 0.49, 0.06}, 0},
		{"low threshold beats none", []float32{0.6, 0.1, 0.3}, 2},
		{"both pass, the more probable wins", []float32{0, 0.55, 0.45}, 1},
		{"tie goes to the first class", []float32{0, 0.5, 0.5}, 1},
		{"equal, but only one passes", []float32{0.2, 0.4, 0.4}, 2},
		{"more probable one below its threshold", []float32{0.2, 0.45, 0.35}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decide(tt.probs, th, 0); got != tt.want {
				t.Errorf("decide(%v): got %d, want %d", tt.probs, got, tt.want)
			}
		})
	}
}

func TestWithThresholds(t *testing.T) {
	m := mustTrain(t, TrainOptions{})
	text := fold("Regjeringen må gå av nå")
	var s Scratch
	if got, _ := m.Predict(text, &s); got != "politics.opinion" {
		t.Fatalf("got %s, want politics.opinion", got)
	}
	strict, err := m.WithThresholds(map[string]float64{"politics.opinion": 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := strict.Predict(text, &s); got != None {
		t.Errorf("with threshold 1: got %s, want none", got)
	}
	if got := m.Thresholds()["politics.opinion"]; got != 0.5 {
		t.Errorf("the original's threshold changed: got %v, want 0.5", got)
	}
	for _, th := range []map[string]float64{{"x": 0.5}, {None: 0.5}, {"pii.sensitive": 0}, {"pii.sensitive": 1.01}, {"pii.sensitive": math.NaN()}, {"pii.sensitive": 1e-50}} {
		if _, err := m.WithThresholds(th); err == nil {
			t.Errorf("WithThresholds(%v): got no error", th)
		}
	}
}

func TestPredictAllocs(t *testing.T) {
	m := mustTrain(t, TrainOptions{})
	var s Scratch
	text := fold(benchSentence)
	m.Predict(text, &s)
	if n := testing.AllocsPerRun(100, func() { m.Predict(text, &s) }); n != 0 {
		t.Errorf("got %v allocations per Predict, want 0", n)
	}
}

func TestPredictEmpty(t *testing.T) {
	m := mustTrain(t, TrainOptions{})
	if got, p := m.Predict("", nil); got != None || !(p > 0 && p <= 1) {
		t.Errorf("Predict(\"\"): got %s %v, want none with a probability", got, p)
	}
}
