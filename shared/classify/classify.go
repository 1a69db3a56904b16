// Package classify is a small fastText-style text classifier for single
// sentences: multinomial logistic regression over hashed word unigrams,
// word bigrams and character n-grams, trained with AdaGrad and shipped as
// int8 weights of the features that matter.
//
// A linear model over hashed n-grams is what a compliance check on every
// keystroke can afford. fastText (Joulin et al., «Bag of Tricks for
// Efficient Text Classification», 2016, https://fasttext.cc/) showed that
// it comes close to far larger models on sentence classification, and the
// character n-grams of Bojanowski et al. (2017) carry it across Norwegian
// compounds, inflections and bokmål/nynorsk spelling («regjeringen»,
// «regjeringa»). Scoring a sentence is a few hundred table look-ups and
// integer additions, which runs in microseconds in WebAssembly; a model is
// tens of kilobytes, small enough to travel inside a rule bundle; and an
// organisation can retrain it from a few dozen of its own labelled
// sentences per class, the way Microsoft Purview lets tenants train their
// own classifiers from sample content, without sending drafts anywhere.
// Calibrate picks each class's threshold from cross-validated precision,
// so a flag means the same thing whatever the class balance was.
//
// Guarantees: Train, CrossValidate and Calibrate are deterministic for
// the same samples and options on the same platform. A Model is immutable
// and safe for concurrent use; Predict and Scores allocate nothing once
// the Scratch they are given has grown to the sentence's size. Unmarshal
// and Decode never panic, and allocate at most a small multiple of their
// input, which is capped at MaxModelBytes. The package is pure: no I/O,
// no clock, no global state that changes.
package classify

import (
	"math"
)

// None is the label of sentences that should not be flagged. Every model
// has this class.
const None = "none"

// Limits that Train and Unmarshal enforce.
const (
	MaxModelBytes = 2 << 20 // the binary form of a model
	MaxClasses    = 16
	MaxClassName  = 64 // bytes
	MinDim        = 1 << 10
	MaxDim        = 1 << 24
	// MaxParam bounds the magnitude of a class's bias and scale, so that
	// no logit can overflow float32 (127 × 1e6 is far from 3.4e38).
	// Trained values are below 100.
	MaxParam = 1e6
)

// Model is a trained classifier. The zero value is not usable; get one
// from Train, Calibrate, Unmarshal or Decode.
type Model struct {
	classes   []string
	none      int // index of None in classes
	dim       int
	bias      []float32
	scale     []float32 // per class: weight = scale * q
	threshold []float32 // per class; unused for None
	idx       []uint32  // feature index of each stored row, increasing
	q         []int8    // len(idx) rows of len(classes) weights
	table     []slot    // open addressing from feature index to row
	shift     uint
}

// slot maps key-1 (a feature index) to a row; key 0 marks an empty slot.
type slot struct{ key, row uint32 }

// Scratch is the reusable working memory of Predict and Scores. The zero
// value is ready to use; one Scratch must not be used by two goroutines
// at once.
type Scratch struct {
	feats []uint32
	sums  []int64
	probs []float32
}

// Classes returns the class names in the model's order.
func (m *Model) Classes() []string { return append([]string(nil), m.classes...) }

// Dim returns the number of hash buckets, a power of two.
func (m *Model) Dim() int { return m.dim }

// Rows returns the number of features the model stores weights for.
func (m *Model) Rows() int { return len(m.idx) }

// Thresholds returns the probability each class other than None needs
// before Predict flags it.
func (m *Model) Thresholds() map[string]float64 {
	th := make(map[string]float64, len(m.classes)-1)
	for k, c := range m.classes {
		if k != m.none {
			th[c] = float64(m.threshold[k])
		}
	}
	return th
}

// WithThresholds returns a copy of m (sharing its weights) whose
// thresholds for the named classes are replaced. Each must name a class
// other than None and lie in (0, 1].
func (m *Model) WithThresholds(th map[string]float64) (*Model, error) {
	c := *m
	c.threshold = append([]float32(nil), m.threshold...)
	if err := c.setThresholds(th); err != nil {
		return nil, err
	}
	return &c, nil
}

// Scores returns the probability of each class (in Classes order) for one
// folded sentence. The slice belongs to s and is overwritten by the next
// call with s; a nil s costs allocations.
func (m *Model) Scores(text string, s *Scratch) []float32 {
	if s == nil {
		s = new(Scratch)
	}
	s.feats = Features(text, s.feats[:0])
	return m.scoreFeatures(s.feats, s)
}

// Predict returns the class a sentence is flagged for and its
// probability: the most probable class c other than None with
// p(c) ≥ its threshold, or None and p(None) when there is no such class.
func (m *Model) Predict(text string, s *Scratch) (class string, p float32) {
	if s == nil {
		s = new(Scratch)
	}
	probs := m.Scores(text, s)
	k := decide(probs, m.threshold, m.none)
	return m.classes[k], probs[k]
}

// decide applies the flagging rule to one sentence's probabilities.
func decide(probs, threshold []float32, none int) int {
	best := none
	for k, p := range probs {
		if k != none && p >= threshold[k] && (best == none || p > probs[best]) {
			best = k
		}
	}
	return best
}

func (m *Model) scoreFeatures(feats []uint32, s *Scratch) []float32 {
	K := len(m.classes)
	if cap(s.sums) < K {
		s.sums = make([]int64, K)
		s.probs = make([]float32, K)
	}
	sums, probs := s.sums[:K], s.probs[:K]
	clear(sums)
	mask := uint32(m.dim - 1)
	for _, h := range feats {
		r := m.row(h & mask)
		if r < 0 {
			continue
		}
		for k, w := range m.q[r*K : r*K+K] {
			sums[k] += int64(w)
		}
	}
	inv := float32(0)
	if len(feats) > 0 {
		inv = 1 / float32(len(feats))
	}
	for k := range probs {
		probs[k] = m.bias[k] + m.scale[k]*float32(sums[k])*inv
	}
	softmax(probs)
	return probs
}

// softmax turns logits into probabilities in place.
func softmax(z []float32) {
	hi := z[0]
	for _, v := range z[1:] {
		hi = max(hi, v)
	}
	var sum float32
	for k, v := range z {
		e := float32(math.Exp(float64(v - hi)))
		z[k] = e
		sum += e
	}
	for k := range z {
		z[k] /= sum
	}
}

// row returns the row of feature index i, or -1.
func (m *Model) row(i uint32) int {
	mask := uint32(len(m.table) - 1)
	for p := (i * 0x9E3779B1) >> m.shift; ; p = (p + 1) & mask {
		s := m.table[p]
		if s.key == i+1 {
			return int(s.row)
		}
		if s.key == 0 {
			return -1
		}
	}
}

// index builds the look-up table for m.idx, at most half full so that a
// miss (most features of a sentence) ends after a probe or two.
func (m *Model) index() {
	bits := uint(1)
	for 1<<bits < 2*len(m.idx) {
		bits++
	}
	m.table = make([]slot, 1<<bits)
	m.shift = 32 - bits
	mask := uint32(len(m.table) - 1)
	for r, i := range m.idx {
		p := (i * 0x9E3779B1) >> m.shift
		for m.table[p].key != 0 {
			p = (p + 1) & mask
		}
		m.table[p] = slot{key: i + 1, row: uint32(r)}
	}
}
