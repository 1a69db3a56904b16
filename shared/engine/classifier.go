package engine

import (
	"strconv"

	"github.com/postvakt/postvakt/shared/classify"
	"github.com/postvakt/postvakt/shared/rules"
)

// cmodel is a decoded model of the bundle; its sentence scores are
// computed once per check and shared by every rule that names it.
type cmodel struct {
	m       *classify.Model
	classes []string
}

// cclassifier is a compiled classifier rule.
type cclassifier struct {
	model     int // index into Engine.models
	class     int // index into the model's classes
	threshold float32
	as        *rules.Rule // the rule findings are filed under
}

func (e *Engine) compileClassifier(c *crule, models map[string]*classify.Model, byID map[string]*rules.Rule) {
	cr := c.r.Classifier
	m := models[cr.Model]
	idx := -1
	for i, cm := range e.models {
		if cm.m == m {
			idx = i
		}
	}
	if idx < 0 {
		e.models = append(e.models, cmodel{m: m, classes: m.Classes()})
		idx = len(e.models) - 1
	}
	cc := &cclassifier{model: idx, as: c.r}
	for i, n := range e.models[idx].classes {
		if n == cr.Class {
			cc.class = i
		}
	}
	th := cr.Threshold
	if th == 0 {
		th = m.Thresholds()[cr.Class]
	}
	cc.threshold = float32(th)
	if cr.Report != "" && byID[cr.Report] != nil {
		cc.as = byID[cr.Report]
	}
	c.cls = cc
	c.run = runClassifier
}

// minLearnedWords is the shortest sentence the model judges.
const minLearnedWords = 4

// runClassifier flags each sentence the model puts in the rule's class
// with at least the threshold's probability (the class must also be the
// model's best for the sentence), except sentences the rule it reports as
// already flagged and the sign-off.
func runClassifier(st *state, c *crule) {
	cc := c.cls
	if len(st.sents) == 0 {
		return
	}
	sig := st.signOff()
	lang := st.opt.Lang
	for si, se := range st.sents {
		// A model's judgement of a sentence of a few words is noise
		// («Endelig!», «Hei»).
		if se.W1-se.W0 < minLearnedWords || int(se.Start) >= sig {
			continue
		}
		fs, fe := trimSpan(st.f.S, int(se.Start), int(se.End))
		a, b := st.f.OrigOffset(fs), st.f.OrigOffset(fe)
		if cc.as != c.r && st.flagged(cc.as.ID, a, b) {
			continue
		}
		row := st.sentenceScores(cc.model, si)
		p := row[cc.class]
		if p < cc.threshold {
			continue
		}
		best := true
		for j, q := range row {
			if j != cc.class && q > p {
				best = false
			}
		}
		if !best {
			continue
		}
		st.add(a, b, -1)
		st.spans[len(st.spans)-1].why = learnedWhy(lang, p)
	}
}

// sentenceScores returns the class probabilities of sentence si under
// model i, computing them on first use in a check, so sentences too short
// or already flagged are never scored.
func (st *state) sentenceScores(i, si int) []float32 {
	m := &st.e.models[i]
	k := len(m.classes)
	for len(st.scores) <= i {
		st.scores = append(st.scores, nil)
		st.scored = append(st.scored, nil)
	}
	if len(st.scored[i]) != len(st.sents) {
		st.scores[i] = append(st.scores[i][:0], make([]float32, len(st.sents)*k)...)
		st.scored[i] = append(st.scored[i][:0], make([]bool, len(st.sents))...)
	}
	row := st.scores[i][si*k : si*k+k]
	if !st.scored[i][si] {
		se := st.sents[si]
		copy(row, m.m.Scores(st.f.S[se.Start:se.End], &st.cscratch))
		st.scored[i][si] = true
	}
	return row
}

// flagged reports whether a finding of rule id overlaps original bytes [a, b).
func (st *state) flagged(id string, a, b int) bool {
	for _, f := range st.out {
		if f.Rule == id && f.Start >= 0 && f.Start < b && a < f.End {
			return true
		}
	}
	return false
}

func learnedWhy(lang string, p float32) string {
	pct := strconv.Itoa(int(p*100 + 0.5))
	switch lang {
	case "nn":
		return "Lært modell: setninga liknar på døme på denne regelen (" + pct + " % sikker)"
	case "en":
		return "Learned model: the sentence resembles examples of this rule (" + pct + " % confident)"
	}
	return "Lært modell: setningen ligner på eksempler på denne regelen (" + pct + " % sikker)"
}
