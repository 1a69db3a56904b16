// Package engine turns a Draft into a Report by running a rule bundle. It
// is the one place where checking happens: the wasm module in the browser,
// the server's test box and `postvakt check` all call it, so a draft gets
// the same findings everywhere.
//
// New compiles a bundle once (word lists into one trie, patterns into RE2
// programs); Engine.Check then only matches. Check is deterministic
// (findings sorted by start, end, rule id and image), safe for concurrent
// use, and allocates O(len(text)) once per draft plus a few allocations per
// finding, because it runs on every keystroke in WebAssembly.
package engine

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/postvakt/postvakt/shared/classify"
	"github.com/postvakt/postvakt/shared/detect"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/shared/textutil"
)

// MaxTextLen caps the text checked: Facebook's limit is 63,206 characters
// and wasm memory never shrinks, so a pasted book must not be scanned. The
// length rule still reports the whole length.
const MaxTextLen = 256 << 10

// Options are the inputs a check needs besides the draft and the bundle.
type Options struct {
	// Lang selects the message language: "nb" (default), "nn" or "en".
	Lang string
	// Now is used when the draft has no `at`; zero means time.Now().
	Now time.Time
	// Crisis is the server's crisis state; nil means no crisis.
	Crisis *Crisis
}

// Crisis is the runtime state behind the crisis.active rule.
type Crisis struct {
	Active  bool     `json:"active"`
	Message string   `json:"message"`
	Team    []string `json:"team"`
}

// Engine is a compiled bundle.
type Engine struct {
	bundle *rules.Bundle
	lex    *lexicon
	rules  []*crule
	org    orgIndex
	models []cmodel
	// yields is true when some enabled rule gives way to others.
	yields bool
	pool   sync.Pool
	// noCache makes the learned rules score every sentence anew (cold
	// benchmarks).
	noCache bool
}

// crule is a compiled rule.
type crule struct {
	r    *rules.Rule
	from time.Time
	to   time.Time
	run  func(st *state, c *crule)
	// The rule's word lists in the lexicon, -1 when it has none.
	words   int32 // phrase words; a detector's terms
	nearL   int32 // phrase near words
	persons int32 // a detector's person references
	unless  int32 // phrase and detector unless
	pats    []*regexp.Regexp
	near    []*regexp.Regexp
	within  int
	nearSet bool
	terms   []rules.Term // single-word terms matched on demand (signature units)
	frame   *cframe
	cls     *cclassifier
	idx     int // position in Engine.rules
}

// Check compiles b and checks d with default options. Callers that check
// more than one draft should compile once with New. A bundle that does not
// compile fails closed: the report blocks, with one finding (rule
// "engine.bundle_invalid") that carries the error, so a broken bundle can
// never wave a draft through.
func Check(d draft.Draft, b *rules.Bundle) draft.Report {
	e, err := New(b)
	if err != nil {
		return draft.Report{ID: d.ID, Verdict: draft.VerdictBlock, Bundle: b.Version, Findings: []draft.Finding{{
			Rule: "engine.bundle_invalid", Category: "engine", Severity: draft.SeverityBlock,
			Start: -1, End: -1, Image: -1, Message: err.Error(),
		}}}
	}
	return e.Check(d, Options{})
}

// Bundle returns the bundle the engine was compiled from.
func (e *Engine) Bundle() *rules.Bundle { return e.bundle }

// New validates and compiles a bundle.
func New(b *rules.Bundle) (*Engine, error) {
	models, err := b.ValidateModels()
	if err != nil {
		return nil, err
	}
	e := &Engine{bundle: b, lex: newLexicon(), org: newOrgIndex(&b.Org)}
	byID := map[string]*rules.Rule{}
	for i := range b.Rules {
		byID[b.Rules[i].ID] = &b.Rules[i]
	}
	for i := range b.Rules {
		r := &b.Rules[i]
		if !r.Enabled {
			continue
		}
		c := &crule{r: r, words: -1, nearL: -1, persons: -1, unless: -1}
		if r.Active != nil {
			c.from, _ = rules.ParseTime(r.Active.From)
			c.to, _ = rules.ParseTime(r.Active.To)
		}
		if r.Kind == rules.KindClassifier {
			e.compileClassifier(c, models, byID)
		} else if err := e.compile(c); err != nil {
			return nil, err
		}
		c.idx = len(e.rules)
		e.rules = append(e.rules, c)
		e.yields = e.yields || len(r.YieldTo) > 0
	}
	e.pool.New = func() any { return new(state) }
	return e, nil
}

func (e *Engine) compile(c *crule) error {
	r := c.r
	list := func(ws []string) int32 {
		if len(ws) == 0 {
			return -1
		}
		return e.lex.add(ws)
	}
	pats := compilePatterns
	var err error
	switch r.Kind {
	case rules.KindPhrase:
		ph := r.Phrase
		c.words = list(ph.Words)
		c.unless = list(ph.Unless)
		if c.pats, err = pats(ph.Patterns); err != nil {
			return err
		}
		if ph.Near != nil {
			c.nearSet = true
			c.within = ph.Near.Within
			c.nearL = list(ph.Near.Words)
			if c.near, err = pats(ph.Near.Patterns); err != nil {
				return err
			}
		}
		c.run = runPhrase
	case rules.KindDetector:
		p := r.Detector.Params
		if r.Detector.Name == "signature" {
			// Unit words are only looked up in the last lines of a reply,
			// so they stay out of the lexicon that scans the whole text.
			for _, t := range p.Terms {
				if pt, err := rules.ParseTerm(normalizeTerm(t)); err == nil && !pt.Name {
					c.terms = append(c.terms, pt)
				}
			}
			c.run = runSignature
			break
		}
		c.words = list(p.Terms)
		c.persons = list(p.Persons)
		c.unless = list(p.Unless)
		c.within = p.Within
		c.run = detectorRunners[r.Detector.Name]
	case rules.KindFrame:
		if c.frame, err = e.compileFrame(r.Frame); err != nil {
			return err
		}
		c.run = runFrame
	case rules.KindLink:
		c.run = runLink
	case rules.KindImage:
		c.run = runImage
	case rules.KindLength:
		c.run = runLength
	case rules.KindReadability:
		c.run = runReadability
	case rules.KindCrisis:
		c.run = runCrisis
	}
	return nil
}

// state is the per-check scratch space, pooled between checks.
type state struct {
	e        *Engine
	d        *draft.Draft
	opt      *Options
	text     string
	f        textutil.Folded
	buf      []byte
	words    []textutil.Word
	sents    []textutil.Sentence
	hits     []hit
	names    []int32 // word indices of personal names, computed on demand
	midCap   map[string]bool
	sig      int // where the sign-off starts (signOff), computed on demand
	sigD     bool
	namesD   bool
	linksBuf []link
	linksD   bool
	out      []draft.Finding
	src      []*crule // the rule that made each finding of out
	archive  bool
	offs     []int
	spans    []span
	nums     []detect.Match // byte spans of the current rule's findings, for merging
	year     int            // the year of the check, for the 2032 rule of national ids
	fms      []fmatch       // the current frame rule's role matches
	fcarry   []fmatch       // a sentence's matches plus those carried from the one before
	fmask    []uint8        // per sentence: the roles a word list filled
	fcount   []int32        // counting sort of matches by sentence
	fsorted  []fmatch
	ruleOut  map[string][3]int // where each rule's findings are in out, and whether sorted by start
	partial  [][]uint8         // per frame rule (crule.idx): the roles each sentence filled
	scores   [][]float32       // per model: class probabilities, sentence by sentence
	scored   [][]bool
	cscratch classify.Scratch
}

// span is a finding of the current rule in original bytes; why explains
// it (frames and the classifier say which words made it a finding).
type span struct {
	s, e, img int
	why       string
}

// Check runs every enabled rule in scope on d.
func (e *Engine) Check(d draft.Draft, opt Options) draft.Report {
	st := e.pool.Get().(*state)
	defer func() {
		st.d, st.opt, st.f, st.text = nil, nil, textutil.Folded{}, ""
		e.pool.Put(st)
	}()
	st.e, st.d, st.opt = e, &d, &opt
	st.text = d.Text
	if len(st.text) > MaxTextLen {
		st.text = truncate(st.text, MaxTextLen)
	}
	st.f = textutil.Fold(st.text, st.buf)
	st.words, st.sents = textutil.Segment(&st.f, st.words, st.sents)
	st.hits = e.lex.scan(st.f.S, st.words, st.hits[:0])
	st.namesD, st.linksD, st.sigD = false, false, false
	for i := range st.scored {
		st.scored[i] = st.scored[i][:0]
	}
	st.out, st.src, st.archive = nil, st.src[:0], false
	clear(st.ruleOut)

	now := opt.Now
	if t, ok := rules.ParseTime(d.At); ok && d.At != "" {
		now = t
	} else if now.IsZero() {
		now = time.Now()
	}
	st.year = now.Year()
	for _, c := range e.rules {
		if !inScope(c, &d, now) {
			continue
		}
		st.spans = st.spans[:0]
		c.run(st, c)
		st.flush(c)
	}
	return st.report()
}

// yielded drops the findings of rules that give way to another rule's
// overlapping finding (rules.Rule.YieldTo). The rule that made a finding
// decides, not the rule it is filed under: the learned politics model
// gives way to a call to vote, the politics frame does not.
func (st *state) yielded(out []draft.Finding) []draft.Finding {
	if !st.e.yields || len(out) < 2 {
		return out
	}
	var keep []draft.Finding
	for i, f := range out {
		y := st.src[i].r.YieldTo
		drop := len(y) > 0 && f.Start >= 0 && slices.ContainsFunc(out, func(g draft.Finding) bool {
			return g.Start >= 0 && g.Start < f.End && f.Start < g.End && slices.Contains(y, g.Rule)
		})
		if drop && keep == nil {
			keep = append(make([]draft.Finding, 0, len(out)), out[:i]...)
		} else if !drop && keep != nil {
			keep = append(keep, f)
		}
	}
	if keep == nil {
		return out
	}
	return keep
}

func truncate(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func inScope(c *crule, d *draft.Draft, now time.Time) bool {
	if s := c.r.Scope; s != nil {
		if len(s.Platforms) > 0 && !slices.Contains(s.Platforms, d.Platform) {
			return false
		}
		if len(s.Kinds) > 0 && !slices.Contains(s.Kinds, kindOf(d)) {
			return false
		}
		if len(s.Units) > 0 && !slices.Contains(s.Units, d.Unit) {
			return false
		}
	}
	if !c.from.IsZero() && now.Before(c.from) {
		return false
	}
	if !c.to.IsZero() && !now.Before(c.to) {
		return false
	}
	return true
}

func kindOf(d *draft.Draft) string {
	if d.Kind == "" {
		return "post"
	}
	return d.Kind
}

// add records a finding of the current rule on original byte span [s, e),
// merging it with an overlapping finding of the same rule (one finding per
// occurrence). s = e = -1 marks a whole-draft finding; img >= 0 an image.
func (st *state) add(s, e, img int) {
	for i := range st.spans {
		p := &st.spans[i]
		if p.img != img {
			continue
		}
		if s < 0 && p.s < 0 {
			return
		}
		if s >= 0 && p.s >= 0 && s < p.e && p.s < e {
			p.s, p.e = min(p.s, s), max(p.e, e)
			return
		}
	}
	st.spans = append(st.spans, span{s: s, e: e, img: img})
}

// addFolded records a finding on folded byte span [s, e).
func (st *state) addFolded(s, e int) {
	st.add(st.f.OrigOffset(s), st.f.OrigOffset(e), -1)
}

func (st *state) flush(c *crule) {
	r := c.r
	if c.cls != nil {
		r = c.cls.as
	}
	if len(st.spans) > 0 && c.cls == nil {
		if st.ruleOut == nil {
			st.ruleOut = map[string][3]int{}
		}
		sorted := 0
		if slices.IsSortedFunc(st.spans, func(x, y span) int { return x.s - y.s }) {
			sorted = 1
		}
		st.ruleOut[r.ID] = [3]int{len(st.out), len(st.out) + len(st.spans), sorted}
	}
	lang := st.opt.Lang
	if len(st.spans) > 0 && r.Archive {
		st.archive = true
	}
	for _, sp := range st.spans {
		f := draft.Finding{
			Rule: r.ID, Category: r.Category, Severity: r.Severity,
			Start: sp.s, End: sp.e, Image: sp.img,
			Message: r.Message.In(lang), Suggestion: r.Suggestion.In(lang),
			Why: sp.why,
		}
		if sp.s >= 0 {
			f.Excerpt = excerpt(r.ID, st.text[sp.s:sp.e])
		}
		if r.Kind == rules.KindCrisis && st.opt.Crisis != nil && st.opt.Crisis.Message != "" {
			f.Message = st.opt.Crisis.Message
		}
		st.out = append(st.out, f)
		st.src = append(st.src, c)
	}
}

func (st *state) report() draft.Report {
	out := st.yielded(st.out)
	if out == nil {
		out = []draft.Finding{}
	}
	// Convert byte offsets to UTF-16 in one pass over the text.
	slices.SortFunc(out, func(a, b draft.Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if a.End != b.End {
			return a.End - b.End
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return a.Image - b.Image
	})
	st.offs = st.offs[:0]
	for _, f := range out {
		if f.Start >= 0 {
			st.offs = append(st.offs, f.Start, f.End)
		}
	}
	slices.Sort(st.offs)
	bytesOffs := slices.Compact(st.offs)
	units := append([]int(nil), bytesOffs...)
	textutil.UTF16(st.text, units)
	conv := func(o int) int {
		if o < 0 {
			return o
		}
		i, _ := slices.BinarySearch(bytesOffs, o)
		return units[i]
	}
	for i := range out {
		out[i].Start, out[i].End = conv(out[i].Start), conv(out[i].End)
	}
	rep := draft.Report{ID: st.d.ID, Bundle: st.e.bundle.Version, Verdict: draft.VerdictOK, Archive: st.archive, Findings: out}
	for _, f := range out {
		switch f.Severity {
		case draft.SeverityBlock:
			rep.Verdict = draft.VerdictBlock
		case draft.SeverityWarn:
			if rep.Verdict == draft.VerdictOK {
				rep.Verdict = draft.VerdictWarn
			}
		}
	}
	return rep
}
