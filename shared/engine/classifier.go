package engine

import (
	"hash/maphash"
	"sort"
	"strconv"
	"sync"

	"github.com/postvakt/postvakt/shared/classify"
	"github.com/postvakt/postvakt/shared/rules"
)

// cmodel is a decoded model of the bundle; its sentence scores are
// computed once per check and shared by every rule that names it.
type cmodel struct {
	m       *classify.Model
	classes []string
	cache   *scoreCache
}

// scoreCache remembers a model's scores of recent sentences by their
// text. Typing changes one sentence of a draft at a time, and the whole
// draft is checked on every keystroke, so all other sentences are found
// here. It holds at most maxCached sentences and starts over when full.
type scoreCache struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[uint64][]float32
}

const maxCached = 2048

func (c *scoreCache) get(h uint64) ([]float32, bool) {
	c.mu.Lock()
	row, ok := c.m[h]
	c.mu.Unlock()
	return row, ok
}

func (c *scoreCache) put(h uint64, row []float32) {
	c.mu.Lock()
	if len(c.m) >= maxCached {
		clear(c.m)
	}
	c.m[h] = append([]float32(nil), row...)
	c.mu.Unlock()
}

// cclassifier is a compiled classifier rule.
type cclassifier struct {
	model     int // index into Engine.models
	class     int // index into the model's classes
	threshold float32
	as        *rules.Rule // the rule findings are filed under
	frame     int         // index of that rule when it is a frame (-1 otherwise)
	phrase    *crule      // that rule when it is a phrase rule
	none      int         // index of the none class
	others    []float32   // every class's threshold in the model
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
		e.models = append(e.models, cmodel{m: m, classes: m.Classes(), cache: &scoreCache{seed: maphash.MakeSeed(), m: map[uint64][]float32{}}})
		idx = len(e.models) - 1
	}
	cc := &cclassifier{model: idx, as: c.r, frame: -1}
	for i, n := range e.models[idx].classes {
		if n == cr.Class {
			cc.class = i
		}
	}
	ths := m.Thresholds()
	cc.none = -1
	for i, n := range e.models[idx].classes {
		if n == classify.None {
			cc.none = i
		}
		cc.others = append(cc.others, float32(ths[n]))
	}
	th := cr.Threshold
	if th == 0 {
		th = m.Thresholds()[cr.Class]
	}
	cc.threshold = float32(th)
	if cr.Report != "" && byID[cr.Report] != nil {
		cc.as = byID[cr.Report]
		for _, o := range e.rules {
			if o.r == cc.as && o.frame != nil {
				cc.frame = o.idx
			}
			if o.r == cc.as && o.r.Kind == rules.KindPhrase {
				cc.phrase = o
			}
		}
	}
	c.cls = cc
	c.run = runClassifier
}

// minLearnedWords is the shortest sentence the model judges: with fewer
// words it has too little to go on («FrP og Rødt stemte mot»).
const minLearnedWords = 6

// runClassifier flags each sentence the model puts in the rule's class
// with at least the threshold's probability (the class must also be the
// model's best for the sentence), except sentences the rule it reports as
// already flagged and the sign-off.
func runClassifier(st *state, c *crule) {
	cc := c.cls
	if len(st.sents) == 0 {
		return
	}
	// A rule that reports once per draft («once») and already did needs
	// no more findings.
	once := cc.as.Phrase != nil && cc.as.Phrase.Once || cc.as.Frame != nil && cc.as.Frame.Once
	if once && st.flagged(cc.as.ID, 0, len(st.text)+1) {
		return
	}
	var bestA, bestB int
	var bestP float32
	sig := st.signOff()
	lang := st.opt.Lang
	for si, se := range st.sents {
		// A model's judgement of a sentence of a few words is noise
		// («Endelig!», «Hei»).
		if se.W1-se.W0 < minLearnedWords || int(se.Start) >= sig {
			continue
		}
		// Reporting as a frame, the model judges the sentences in which
		// the frame found its first role but not the others: a party with
		// no listed evaluation, a condition with no listed person.
		if cc.frame >= 0 && (cc.frame >= len(st.partial) || len(st.partial[cc.frame]) <= si || st.partial[cc.frame][si]&1 == 0) {
			continue
		}
		fs, fe := trimSpan(st.f.S, int(se.Start), int(se.End))
		a, b := st.f.OrigOffset(fs), st.f.OrigOffset(fe)
		if cc.as != c.r && st.flagged(cc.as.ID, a, b) {
			continue
		}
		if cc.phrase != nil && cc.phrase.unless >= 0 && se.W1 > se.W0 && st.inSentence(cc.phrase.unless, int(se.W0)) {
			continue // the phrase rule's own exclusions («takk for alle innspel»)
		}
		if cc.frame >= 0 {
			fr := st.e.rules[cc.frame]
			// The frame's exclusions hold for the model too (an
			// attributed quote, a call to vote), and a sentence next to
			// one the frame flagged belongs to that finding when the
			// frame merges adjacent sentences.
			if st.frameUnless(fr.frame, int32(si)) {
				continue
			}
			if fr.r.Frame.Merge && st.adjacentFlagged(cc.as.ID, si) {
				continue
			}
		}
		row := st.sentenceScores(cc.model, si)
		p := row[cc.class]
		if p < cc.threshold {
			continue
		}
		// As classify.Model.Predict decides: among the classes (other
		// than none) at or above their thresholds, the most probable.
		if cc.outranked(row, p) {
			continue
		}
		if once {
			// One finding per draft: the sentence the model is surest of.
			if p > bestP {
				bestA, bestB, bestP = a, b, p
			}
			continue
		}
		st.add(a, b, -1)
		st.spans[len(st.spans)-1].why = learnedWhy(lang, p)
	}
	if once && bestP > 0 {
		st.add(bestA, bestB, -1)
		st.spans[len(st.spans)-1].why = learnedWhy(lang, bestP)
	}
}

// outranked reports whether another class than the rule's, other than
// none, reaches its own threshold with a higher probability than p.
func (cc *cclassifier) outranked(row []float32, p float32) bool {
	for j, q := range row {
		if j != cc.class && j != cc.none && q > p && q >= cc.others[j] {
			return true
		}
	}
	return false
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
		text := st.f.S[se.Start:se.End]
		h := maphash.String(m.cache.seed, text)
		if cached, ok := m.cache.get(h); ok && !st.e.noCache {
			copy(row, cached)
		} else {
			copy(row, m.m.Scores(text, &st.cscratch))
			m.cache.put(h, row)
		}
		st.scored[i][si] = true
	}
	return row
}

// adjacentFlagged reports whether rule id has a finding in the sentence
// before or after sentence si.
func (st *state) adjacentFlagged(id string, si int) bool {
	for _, d := range []int{-1, 1} {
		// The nearest sentence with words: an emoji between two sentences
		// does not part them.
		k := si + d
		for k >= 0 && k < len(st.sents) && st.sents[k].W1 == st.sents[k].W0 {
			k += d
		}
		if k < 0 || k >= len(st.sents) {
			continue
		}
		se := st.sents[k]
		if st.flagged(id, st.f.OrigOffset(int(se.Start)), st.f.OrigOffset(int(se.End))) {
			return true
		}
	}
	return false
}

// flagged reports whether a finding of rule id overlaps original bytes [a, b).
func (st *state) flagged(id string, a, b int) bool {
	out := st.out
	if r, ok := st.ruleOut[id]; ok {
		out = out[r[0]:r[1]]
		if r[2] == 1 {
			// The first finding that ends after a; none before it overlaps.
			i := sort.Search(len(out), func(i int) bool { return out[i].End > a })
			for ; i < len(out) && out[i].Start < b; i++ {
				if out[i].Start >= 0 {
					return true
				}
			}
			return false
		}
	}
	for _, f := range out {
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
