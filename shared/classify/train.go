package classify

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Sample is one labelled training sentence. Text must be folded as at
// prediction time (lower case, NFC).
type Sample struct {
	Text  string
	Label string
}

// TrainOptions tune Train, CrossValidate and Calibrate. The zero value of
// each field means its default.
type TrainOptions struct {
	// Dim is the number of hash buckets, a power of two from MinDim to
	// MaxDim. Default 1<<20.
	Dim int
	// Epochs is the number of passes over the samples. Default 10.
	Epochs int
	// LearningRate is AdaGrad's step size. Default 0.2.
	LearningRate float64
	// L2 is the weight of the L2 penalty, applied to the weights a sample
	// touches when it is seen (the usual lazy form for sparse SGD).
	// Default 1e-3.
	L2 float64
	// Seed fixes the order in which samples are seen and the folds of
	// CrossValidate. Zero is a seed like any other.
	Seed uint64
	// Prune drops a feature when every one of its weights is smaller in
	// magnitude than Prune times the largest weight of the same class.
	// Features whose weights all quantise to zero are always dropped.
	// Default 1/64.
	Prune float64
	// MaxRows keeps at most this many features: those whose weights,
	// times how often they occur, move the samples' scores most. A
	// pruned model's probabilities shrink towards the class priors, so
	// use it with thresholds from Calibrate. Default: no limit but
	// MaxModelBytes.
	MaxRows int
	// TargetPrecision is the cross-validated precision Calibrate wants
	// from each class's threshold. Default 0.9.
	TargetPrecision float64
}

func (o TrainOptions) withDefaults() (TrainOptions, error) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if o.Dim == 0 {
		o.Dim = 1 << 20
	}
	if o.Epochs == 0 {
		o.Epochs = 10
	}
	def(&o.LearningRate, 0.2)
	def(&o.L2, 1e-3)
	def(&o.Prune, 1.0/64)
	def(&o.TargetPrecision, 0.9)
	switch {
	case o.Dim < MinDim || o.Dim > MaxDim || o.Dim&(o.Dim-1) != 0:
		return o, fmt.Errorf("classify: dimension %d is not a power of two from %d to %d", o.Dim, MinDim, MaxDim)
	case o.Epochs < 0 || o.Epochs > 1000:
		return o, fmt.Errorf("classify: %d epochs is not between 1 and 1000", o.Epochs)
	case !(o.LearningRate > 0 && o.LearningRate <= 10):
		return o, fmt.Errorf("classify: learning rate %v is not in (0, 10]", o.LearningRate)
	case !(o.L2 > 0 && o.L2 < 1):
		return o, fmt.Errorf("classify: L2 weight %v is not in (0, 1)", o.L2)
	case !(o.Prune > 0 && o.Prune < 1):
		return o, fmt.Errorf("classify: prune fraction %v is not in (0, 1)", o.Prune)
	case o.MaxRows < 0:
		return o, fmt.Errorf("classify: MaxRows %d is negative", o.MaxRows)
	case !(o.TargetPrecision > 0 && o.TargetPrecision <= 1):
		return o, fmt.Errorf("classify: target precision %v is not in (0, 1]", o.TargetPrecision)
	}
	return o, nil
}

// Train fits a model to the samples. The labels name the classes, at most
// MaxClasses of them, and one must be None. Every class but None gets the
// threshold 0.5; Calibrate chooses better ones.
func Train(samples []Sample, opt TrainOptions) (*Model, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	classes, labels, err := classesOf(samples)
	if err != nil {
		return nil, err
	}
	all := make([]int, len(samples))
	for i := range all {
		all[i] = i
	}
	return train(samples, labels, all, classes, opt)
}

// classesOf checks the labels and returns the classes (None first, the
// rest sorted) and each sample's class index.
func classesOf(samples []Sample) ([]string, []int, error) {
	if len(samples) == 0 {
		return nil, nil, errors.New("classify: no samples")
	}
	seen := map[string]bool{}
	for i, s := range samples {
		if err := checkClassName(s.Label); err != nil {
			return nil, nil, fmt.Errorf("classify: samples[%d].label: %w", i, err)
		}
		seen[s.Label] = true
	}
	if !seen[None] {
		return nil, nil, fmt.Errorf("classify: no sample is labelled %q", None)
	}
	if len(seen) < 2 {
		return nil, nil, fmt.Errorf("classify: every sample is labelled %q; there is nothing to flag", None)
	}
	if len(seen) > MaxClasses {
		return nil, nil, fmt.Errorf("classify: %d classes are more than %d", len(seen), MaxClasses)
	}
	classes := make([]string, 0, len(seen))
	for c := range seen {
		if c != None {
			classes = append(classes, c)
		}
	}
	slices.Sort(classes)
	classes = append([]string{None}, classes...)
	labels := make([]int, len(samples))
	for i, s := range samples {
		labels[i] = slices.Index(classes, s.Label)
	}
	return classes, labels, nil
}

// checkClassName says what is wrong with a class name, if anything.
func checkClassName(c string) error {
	switch {
	case c == "":
		return errors.New("class name is empty")
	case len(c) > MaxClassName:
		return fmt.Errorf("class name of %d bytes is longer than %d", len(c), MaxClassName)
	case !utf8.ValidString(c):
		return fmt.Errorf("class name %q is not UTF-8", c)
	}
	for _, r := range c {
		if unicode.IsControl(r) {
			return fmt.Errorf("class name %q has a control character", c)
		}
	}
	return nil
}

// train fits a model to samples[use[i]] with the given classes, which may
// include classes none of those samples has (a cross-validation fold can
// miss a rare class).
//
// The rows that pruning drops are not trained again without the others
// (fastText's «quantize -retrain»): a pruned model's probabilities shrink
// towards the class priors, since it still divides by every feature of a
// sentence, but it ranks sentences nearly as well, and thresholds from
// Calibrate make up for the shrinking. Retraining was no better in
// cross-validation on the test sentences.
func train(samples []Sample, labels, use []int, classes []string, opt TrainOptions) (*Model, error) {
	t := newTrainer(samples, labels, use, len(classes), opt)
	t.epochs()
	t.center()
	m := t.model(classes, t.choose())
	for k, c := range classes {
		if b, s := m.bias[k], m.scale[k]; !(b >= -MaxParam && b <= MaxParam && s <= MaxParam) {
			return nil, fmt.Errorf("classify: training diverged (class %q has bias %v and scale %v); lower the learning rate", c, b, s)
		}
	}
	return m, nil
}

// trainer holds the samples as compact feature rows and the weights being
// learnt.
type trainer struct {
	opt    TrainOptions
	K      int
	labels []int     // class of each sample used
	starts []int     // sample n's rows are feats[starts[n]:starts[n+1]]
	feats  []int32   // rows, in Features order
	rowIdx []uint32  // feature index of each row
	w      []float64 // len(rowIdx) rows of K weights
	bias   []float64
	rng    *rand.Rand
}

func newTrainer(samples []Sample, labels, use []int, K int, opt TrainOptions) *trainer {
	t := &trainer{
		opt:    opt,
		K:      K,
		labels: make([]int, len(use)),
		starts: make([]int, len(use)+1),
		bias:   make([]float64, K),
		rng:    rand.New(rand.NewPCG(opt.Seed, 0x636c617373696679)), // "classify"
	}
	// Rows are numbered in order of first appearance, which depends only
	// on the samples.
	mask := uint32(opt.Dim - 1)
	rowOf := map[uint32]int32{}
	var buf []uint32
	for n, i := range use {
		t.labels[n] = labels[i]
		buf = Features(samples[i].Text, buf[:0])
		for _, h := range buf {
			f := h & mask
			r, ok := rowOf[f]
			if !ok {
				r = int32(len(t.rowIdx))
				rowOf[f] = r
				t.rowIdx = append(t.rowIdx, f)
			}
			t.feats = append(t.feats, r)
		}
		t.starts[n+1] = len(t.feats)
	}
	t.w = make([]float64, len(t.rowIdx)*K)
	return t
}

// epochs runs opt.Epochs passes of AdaGrad over the samples, in an order
// shuffled anew for each pass.
func (t *trainer) epochs() {
	K, w, bias := t.K, t.w, t.bias
	g := make([]float64, len(w)) // AdaGrad's sums of squared gradients
	gb := make([]float64, K)
	z := make([]float64, K)
	lr, l2 := t.opt.LearningRate, t.opt.L2
	const eps = 1e-8
	order := make([]int, len(t.labels))
	for n := range order {
		order[n] = n
	}
	for range t.opt.Epochs {
		t.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, n := range order {
			fs := t.feats[t.starts[n]:t.starts[n+1]]
			inv := 0.0
			if len(fs) > 0 {
				inv = 1 / float64(len(fs))
			}
			copy(z, bias)
			for _, r := range fs {
				for k, v := range w[int(r)*K : int(r)*K+K] {
					z[k] += v * inv
				}
			}
			softmax64(z)
			z[t.labels[n]] -= 1 // z is now the gradient of the loss by the logits
			for k, d := range z {
				gb[k] += d * d
				bias[k] -= lr * d / (math.Sqrt(gb[k]) + eps)
			}
			for _, r := range fs {
				o := int(r) * K
				for k, d := range z {
					grad := d*inv + l2*w[o+k]
					g[o+k] += grad * grad
					w[o+k] -= lr * grad / (math.Sqrt(g[o+k]) + eps)
				}
			}
		}
	}
}

func softmax64(z []float64) {
	hi := slices.Max(z)
	sum := 0.0
	for k, v := range z {
		z[k] = math.Exp(v - hi)
		sum += z[k]
	}
	for k := range z {
		z[k] /= sum
	}
}

// center subtracts each row's mean from its weights. Adding the same
// amount to every class's weight of a feature changes no probability, so
// this gives the same predictions from smaller weights.
func (t *trainer) center() {
	K := t.K
	for r := range t.rowIdx {
		row := t.w[r*K : r*K+K]
		mean := 0.0
		for _, v := range row {
			mean += v
		}
		mean /= float64(K)
		for k := range row {
			row[k] -= mean
		}
	}
}

// classMax returns the largest weight magnitude of each class.
func (t *trainer) classMax() []float64 {
	K := t.K
	hi := make([]float64, K)
	for r := range t.rowIdx {
		for k, v := range t.w[r*K : r*K+K] {
			hi[k] = max(hi[k], math.Abs(v))
		}
	}
	return hi
}

// choose returns the rows to keep, ordered by feature index. A row's
// strength is its largest weight relative to its class's largest (what
// int8 quantisation sees); rows below opt.Prune go, and so do rows that
// would quantise to zero. When more must go for opt.MaxRows or
// MaxModelBytes, the rows that move the logits least over the samples
// (strength times the share of the sentences' features they make up) go
// first.
func (t *trainer) choose() []int {
	K := t.K
	hi := t.classMax()
	mass := make([]float64, len(t.rowIdx))
	for n := range t.labels {
		fs := t.feats[t.starts[n]:t.starts[n+1]]
		for _, r := range fs {
			mass[r] += 1 / float64(len(fs))
		}
	}
	type kept struct {
		row        int
		importance float64
	}
	var keep []kept
	for r := range t.rowIdx {
		s := 0.0
		for k, v := range t.w[r*K : r*K+K] {
			if hi[k] > 0 {
				s = max(s, math.Abs(v)/hi[k])
			}
		}
		if s >= t.opt.Prune && s*127 >= 0.5 {
			keep = append(keep, kept{r, s * mass[r]})
		}
	}
	slices.SortStableFunc(keep, func(a, b kept) int {
		if c := cmp.Compare(b.importance, a.importance); c != 0 {
			return c
		}
		return cmp.Compare(t.rowIdx[a.row], t.rowIdx[b.row])
	})
	if t.opt.MaxRows > 0 && len(keep) > t.opt.MaxRows {
		keep = keep[:t.opt.MaxRows]
	}
	for {
		rows := make([]int, len(keep))
		for n, kr := range keep {
			rows[n] = kr.row
		}
		slices.SortFunc(rows, func(a, b int) int { return cmp.Compare(t.rowIdx[a], t.rowIdx[b]) })
		if t.binarySize(rows) <= MaxModelBytes {
			return rows
		}
		// Too big for a rule bundle: keep the strongest nine tenths.
		keep = keep[:len(keep)*9/10]
	}
}

// binarySize returns the size of the rows' part of the binary form plus a
// bound on the rest (MaxClasses names of MaxClassName bytes).
func (t *trainer) binarySize(rows []int) int {
	size := len(magic) + 1 + 2*binary.MaxVarintLen64 + MaxClasses*(binary.MaxVarintLen64+MaxClassName+12)
	prev := uint32(0)
	for _, r := range rows {
		i := t.rowIdx[r]
		size += uvarintLen(uint64(i-prev)) + t.K
		prev = i
	}
	return size
}

func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// model quantises the chosen rows: per class, weight = scale * q with q
// in [-127, 127] and scale the class's largest magnitude / 127.
func (t *trainer) model(classes []string, rows []int) *Model {
	K := t.K
	hi := t.classMax()
	m := &Model{
		classes:   classes,
		dim:       t.opt.Dim,
		bias:      make([]float32, K),
		scale:     make([]float32, K),
		threshold: make([]float32, K),
		none:      slices.Index(classes, None),
		idx:       make([]uint32, len(rows)),
		q:         make([]int8, len(rows)*K),
	}
	for k := range classes {
		m.bias[k] = float32(t.bias[k])
		m.scale[k] = float32(hi[k] / 127)
		if k != m.none {
			m.threshold[k] = 0.5
		}
	}
	for n, r := range rows {
		m.idx[n] = t.rowIdx[r]
		for k, v := range t.w[r*K : r*K+K] {
			if hi[k] > 0 {
				m.q[n*K+k] = int8(math.Round(v / hi[k] * 127))
			}
		}
	}
	m.index()
	return m
}
