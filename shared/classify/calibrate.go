package classify

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Report is the cross-validated quality of a classifier trained on some
// samples: for every class other than None, the threshold calibration
// chose and the precision, recall and F1 of the flagging rule (see
// Predict) at those thresholds, each sentence scored by a model that did
// not see it.
type Report struct {
	Samples         int
	Folds           int
	TargetPrecision float64
	Classes         []ClassReport // in the model's class order, None left out
}

// ClassReport is one class's line of a Report.
type ClassReport struct {
	Class     string
	Threshold float64
	// Reached is false when no threshold gave TargetPrecision and
	// Threshold is the fallback 0.5.
	Reached bool
	// Support is the number of samples labelled Class; TP, FP and FN count
	// sentences flagged as Class correctly, flagged wrongly and missed.
	Support    int
	TP, FP, FN int
	Precision  float64
	Recall     float64
	F1         float64
}

// Thresholds returns the chosen thresholds by class, the form
// Model.WithThresholds and Encoded take.
func (r Report) Thresholds() map[string]float64 {
	th := make(map[string]float64, len(r.Classes))
	for _, c := range r.Classes {
		th[c.Class] = c.Threshold
	}
	return th
}

// String formats the report as a table, one class a line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d samples, %d folds, target precision %.2f\n", r.Samples, r.Folds, r.TargetPrecision)
	for _, c := range r.Classes {
		mark := ""
		if !c.Reached {
			mark = " (target not reached)"
		}
		fmt.Fprintf(&b, "%-20s threshold %.3f  precision %.3f  recall %.3f  F1 %.3f  (%d samples, %d TP, %d FP, %d FN)%s\n",
			c.Class, c.Threshold, c.Precision, c.Recall, c.F1, c.Support, c.TP, c.FP, c.FN, mark)
	}
	return b.String()
}

// fallbackThreshold is used for a class whose cross-validated precision
// never reaches the target.
const fallbackThreshold = 0.5

// CrossValidate splits the samples into folds stratified by label,
// trains on all folds but one and scores the one left out, for each fold
// in turn. From these out-of-fold probabilities it chooses each class's
// threshold as Calibrate does and reports the flagging rule's precision,
// recall and F1 at those thresholds. The folds depend only on the samples
// and opt.Seed.
func CrossValidate(samples []Sample, folds int, opt TrainOptions) (Report, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Report{}, err
	}
	classes, labels, err := classesOf(samples)
	if err != nil {
		return Report{}, err
	}
	if folds < 2 || folds > len(samples) {
		return Report{}, fmt.Errorf("classify: %d folds is not from 2 to the number of samples, %d", folds, len(samples))
	}
	K := len(classes)
	fold := stratify(labels, K, folds, opt.Seed)
	probs := make([]float32, len(samples)*K)
	var s Scratch
	for f := range folds {
		var in, out []int
		for i, fi := range fold {
			if fi == f {
				out = append(out, i)
			} else {
				in = append(in, i)
			}
		}
		m, err := train(samples, labels, in, classes, opt)
		if err != nil {
			return Report{}, err
		}
		for _, i := range out {
			copy(probs[i*K:], m.Scores(samples[i].Text, &s))
		}
	}

	rep := Report{Samples: len(samples), Folds: folds, TargetPrecision: opt.TargetPrecision}
	threshold := make([]float32, K)
	p := make([]float32, len(samples))
	pos := make([]bool, len(samples))
	for k, c := range classes {
		if k == 0 { // classesOf puts None first
			continue
		}
		for i := range samples {
			p[i], pos[i] = probs[i*K+k], labels[i] == k
		}
		th, ok := chooseThreshold(p, pos, opt.TargetPrecision)
		threshold[k] = th
		rep.Classes = append(rep.Classes, ClassReport{Class: c, Threshold: float64(th), Reached: ok})
	}
	for i := range samples {
		got := decide(probs[i*K:i*K+K], threshold, 0)
		want := labels[i]
		if want != 0 {
			rep.Classes[want-1].Support++
		}
		switch {
		case got == want && got != 0:
			rep.Classes[got-1].TP++
		case got != want:
			if got != 0 {
				rep.Classes[got-1].FP++
			}
			if want != 0 {
				rep.Classes[want-1].FN++
			}
		}
	}
	for n := range rep.Classes {
		c := &rep.Classes[n]
		if c.TP+c.FP > 0 {
			c.Precision = float64(c.TP) / float64(c.TP+c.FP)
		}
		if c.Support > 0 {
			c.Recall = float64(c.TP) / float64(c.Support)
		}
		if c.Precision+c.Recall > 0 {
			c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
		}
	}
	return rep, nil
}

// Calibrate cross-validates as CrossValidate does, trains a model on all
// the samples and gives it the thresholds the report chose: for each
// class other than None, the lowest probability at which the
// out-of-fold precision of «p(class) ≥ threshold» is at least
// opt.TargetPrecision, or 0.5 when no threshold reaches it.
func Calibrate(samples []Sample, folds int, opt TrainOptions) (*Model, Report, error) {
	rep, err := CrossValidate(samples, folds, opt)
	if err != nil {
		return nil, Report{}, err
	}
	m, err := Train(samples, opt)
	if err != nil {
		return nil, Report{}, err
	}
	m, err = m.WithThresholds(rep.Thresholds())
	if err != nil {
		return nil, Report{}, err
	}
	return m, rep, nil
}

// chooseThreshold returns the lowest of the probabilities p at which the
// samples with p[i] ≥ threshold are positive in at least the target
// fraction, and true; or the fallback and false. Ties are taken
// together: a threshold keeps every sample with that probability.
func chooseThreshold(p []float32, pos []bool, target float64) (float32, bool) {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[b], p[a]) })
	best, found := float32(fallbackThreshold), false
	tp := 0
	for n, i := range order {
		if pos[i] {
			tp++
		}
		if n+1 < len(order) && p[order[n+1]] == p[i] {
			continue // the rest of the tie comes with this threshold
		}
		if p[i] > 0 && float64(tp)/float64(n+1) >= target-1e-9 {
			best, found = p[i], true
		}
	}
	return best, found
}

// stratify assigns each sample to a fold so that every fold holds nearly
// the same share of every label: the samples of each label, shuffled with
// the seed, are dealt out in turn, continuing from fold to fold across
// labels so that the fold sizes differ by at most one.
func stratify(labels []int, K, folds int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x666f6c6473)) // "folds"
	fold := make([]int, len(labels))
	next := 0
	for k := range K {
		var members []int
		for i, l := range labels {
			if l == k {
				members = append(members, i)
			}
		}
		rng.Shuffle(len(members), func(a, b int) { members[a], members[b] = members[b], members[a] })
		for _, i := range members {
			fold[i] = next
			next = (next + 1) % folds
		}
	}
	return fold
}
