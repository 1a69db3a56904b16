package engine

import (
	"regexp"
	"slices"
	"strings"

	"github.com/postvakt/postvakt/shared/rules"
)

// cframe is a compiled frame rule: per role, per class, a lexicon list and
// RE2 patterns.
type cframe struct {
	roles      []crole
	unless     int32
	carry      int32
	unlessPats []fpattern
	overrule   []fpattern
}

type crole struct {
	r         *rules.Role
	classes   []cclass
	carryWith []bool // per class: FrameRule.CarryWith names it
}

type cclass struct {
	c    *rules.FrameClass
	list int32
	pats []fpattern
}

// fmatch is one word range that fills a role of the current frame.
type fmatch struct {
	role, class int16
	sent        int32
	w0, w1      int32
	// a, b are the folded bytes a pattern matched, for the explanation
	// (an emoji is no word); b == 0 for a word-list match.
	a, b int32
}

func (e *Engine) compileFrame(fr *rules.FrameRule) (*cframe, error) {
	cf := &cframe{unless: -1, carry: -1}
	for i := range fr.Roles {
		r := &fr.Roles[i]
		cr := crole{r: r}
		for j := range r.Classes {
			cl := &r.Classes[j]
			cr.carryWith = append(cr.carryWith, i > 0 && slices.Contains(fr.CarryWith, cl.Name))
			cc := cclass{c: cl, list: -1}
			if len(cl.Words) > 0 {
				cc.list = e.lex.add(cl.Words)
			}
			ps, err := compilePatterns(cl.Patterns)
			if err != nil {
				return nil, err
			}
			for _, re := range ps {
				cc.pats = append(cc.pats, newFPattern(re))
			}
			cr.classes = append(cr.classes, cc)
		}
		cf.roles = append(cf.roles, cr)
	}
	if len(fr.Unless) > 0 {
		cf.unless = e.lex.add(fr.Unless)
	}
	if len(fr.Carry) > 0 && fr.Within == 0 {
		cf.carry = e.lex.add(fr.Carry)
	}
	ups, err := compilePatterns(fr.UnlessPatterns)
	if err != nil {
		return nil, err
	}
	for _, re := range ups {
		cf.unlessPats = append(cf.unlessPats, newFPattern(re))
	}
	ops, err := compilePatterns(fr.Overrule)
	for _, re := range ops {
		cf.overrule = append(cf.overrule, newFPattern(re))
	}
	return cf, err
}

// carries reports whether one of the matches is of a class that allows
// carrying the first role from the sentence before (FrameRule.CarryWith).
func (cf *cframe) carries(ms []fmatch) bool {
	for _, m := range ms {
		if m.role > 0 && cf.roles[m.role].carryWith[m.class] {
			return true
		}
	}
	return false
}

func compilePatterns(ps []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range ps {
		re, err := rules.CompilePattern(p)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

// runFrame reports each sentence in which every role of the frame is
// filled, unless an `unless` term or pattern occurs in it. With Within,
// every role must be filled within that many words of the first role's
// match. The finding says which words filled which role (Finding.Why).
func runFrame(st *state, c *crule) {
	fr, cf := c.r.Frame, c.frame
	if len(st.words) == 0 {
		return
	}
	ms := st.frameMatches(c)
	if len(ms) == 0 {
		return
	}
	ms = st.sortMatches(ms)
	lastSent, lastSpan := int32(-2), -1
	chosen := make([]int, len(cf.roles))
	var prev []fmatch // the previous sentence's matches
	for i := 0; i < len(ms); {
		j := i
		for j < len(ms) && ms[j].sent == ms[i].sent {
			j++
		}
		sent := ms[i].sent
		group := ms[i:j]
		i = j
		if len(prev) > 0 && prev[0].sent != sent-1 {
			prev = nil
		}
		own := group
		if !st.frameFills(cf, fr.Within, group, chosen) {
			// A sentence that refers back takes the missing roles from
			// the sentence before it.
			short := fr.CarryShort > 0 && int(st.sents[sent].W1-st.sents[sent].W0) <= fr.CarryShort
			if prev == nil || !short && !st.sentenceHas(cf.carry, sent) && !cf.carries(own) {
				prev = own
				continue
			}
			// Only the first role is carried: «det» and «hun» refer to
			// the party or the person, never to an evaluation.
			group = append(st.fcarry[:0], own...)
			for _, m := range prev {
				if m.role == 0 {
					group = append(group, m)
				}
			}
			st.fcarry = group
			if !st.frameFills(cf, fr.Within, group, chosen) {
				prev = own
				continue
			}
		}
		prev = own
		if len(group) > len(own) {
			// It fired on a carried role: the next sentence may carry it
			// on («Genialt – no får dei halvannan time buss. Godt jobba.»).
			prev = append(own[:len(own):len(own)], group[len(own):]...)
		}
		if st.frameUnless(cf, sent) {
			continue
		}
		var fs, fe int
		if fr.Span == rules.SpanRoles {
			// The chosen words, and every other match of the first role
			// in the sentence: facts about the same person are one
			// finding. Words carried from the sentence before are not
			// part of it.
			fs, fe = len(st.f.S), 0
			for k, m := range group {
				if m.sent == sent && (m.role == 0 || slices.Contains(chosen, k)) {
					fs = min(fs, int(st.words[m.w0].Start))
					fe = max(fe, int(st.words[m.w1-1].End))
				}
			}
		} else {
			se := st.sents[sent]
			fs, fe = trimSpan(st.f.S, int(se.Start), int(se.End))
		}
		why := st.frameWhy(cf, group, chosen)
		if fr.Once && lastSpan >= 0 {
			// One finding per draft, over every sentence that fires.
			sp := &st.spans[lastSpan]
			sp.e = max(sp.e, st.f.OrigOffset(fe))
			continue
		}
		if fr.Merge && lastSpan >= 0 && sent > lastSent && st.wordless(lastSent+1, sent) {
			sp := &st.spans[lastSpan]
			sp.e = max(sp.e, st.f.OrigOffset(fe))
			sp.why += " · " + why
		} else {
			st.addFolded(fs, fe)
			lastSpan = len(st.spans) - 1
			st.spans[lastSpan].why = why
		}
		lastSent = sent
	}
	// A once-per-draft finding also covers the sentences that fill a role
	// named in Cover: in «Vi vil ha innspel frå deg! … Svar på
	// undersøkinga innan 1. november» the request is part of what is to be
	// journalført.
	if fr.Once && lastSpan >= 0 && len(fr.Cover) > 0 {
		sp := &st.spans[lastSpan]
		for _, m := range ms {
			if !slices.Contains(fr.Cover, cf.roles[m.role].r.Name) {
				continue
			}
			se := st.sents[m.sent]
			fs, fe := trimSpan(st.f.S, int(se.Start), int(se.End))
			sp.s, sp.e = min(sp.s, st.f.OrigOffset(fs)), max(sp.e, st.f.OrigOffset(fe))
		}
	}
	// st.fms and st.fsorted keep their own arrays for the next check.
}

// sortMatches orders matches by sentence, then by word: a counting sort
// by sentence (a long draft has thousands of matches), then insertion
// sort within each sentence's few.
func (st *state) sortMatches(ms []fmatch) []fmatch {
	n := len(st.sents)
	if cap(st.fcount) < n+1 {
		st.fcount = make([]int32, n+1)
	}
	count := st.fcount[:n+1]
	clear(count)
	for _, m := range ms {
		count[m.sent+1]++
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	out := st.fsorted[:0]
	out = append(out, ms...)
	for _, m := range ms {
		out[count[m.sent]] = m
		count[m.sent]++
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j-1].sent == out[j].sent && out[j-1].w0 > out[j].w0; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	st.fsorted = out
	return out
}

// frameMatches collects the word ranges that fill a role, dropping those
// in the sign-off and services named as workplaces when the frame asks.
func (st *state) frameMatches(c *crule) []fmatch {
	fr, cf := c.r.Frame, c.frame
	ms := st.fms[:0]
	sig := len(st.f.S)
	if fr.SkipSignOff {
		sig = st.signOff()
	}
	addSpan := func(ri, ci, w0, w1, a, b int) {
		if w0 >= len(st.words) || int(st.words[w0].Start) >= sig {
			return
		}
		if cf.roles[ri].r.SkipWorkplace && st.workplace(w0, w1) {
			return
		}
		ms = append(ms, fmatch{role: int16(ri), class: int16(ci), sent: st.words[w0].Sent, w0: int32(w0), w1: int32(w1), a: int32(a), b: int32(b)})
	}
	addMatch := func(ri, ci, w0, w1 int) { addSpan(ri, ci, w0, w1, 0, 0) }
	kind := kindOf(st.d)
	for ri := range cf.roles {
		for ci := range cf.roles[ri].classes {
			cl := &cf.roles[ri].classes[ci]
			if len(cl.c.Kinds) > 0 && !slices.Contains(cl.c.Kinds, kind) {
				continue
			}
			if cl.list >= 0 {
				for _, h := range st.hits {
					if h.list == cl.list {
						addMatch(ri, ci, int(h.w0), int(h.w1))
					}
				}
				if st.e.lex.names[cl.list] {
					for _, n := range st.nameWords() {
						addMatch(ri, ci, int(n), int(n)+1)
					}
				}
			}
		}
	}
	// Patterns are slower than the word lists, so they are tried only in
	// sentences where a word list left this role empty and filled every
	// other role (or, with carry, where the sentence before has the first
	// role).
	full := uint8(1)<<len(cf.roles) - 1
	mask := st.fmask[:0]
	for range st.sents {
		mask = append(mask, 0)
	}
	for _, m := range ms {
		mask[m.sent] |= 1 << m.role
	}
	st.fmask = mask
	for ri := range cf.roles {
		for ci := range cf.roles[ri].classes {
			cl := &cf.roles[ri].classes[ci]
			if len(cl.pats) == 0 || len(cl.c.Kinds) > 0 && !slices.Contains(cl.c.Kinds, kind) {
				continue
			}
			for si, se := range st.sents {
				if mask[si]&(1<<ri) != 0 {
					continue // a word list already filled this role here
				}
				have := mask[si] | 1<<ri
				if have != full && !(cf.carry >= 0 && si > 0 && mask[si-1]&1 != 0 && have|1 == full) {
					continue
				}
				for pi := range cl.pats {
					for _, m := range cl.pats[pi].findAll(st.f.S[se.Start:se.End]) {
						w0, w1 := st.wordRange(int(se.Start)+m[0], int(se.Start)+m[1])
						// A match between words (an emoji closing the
						// sentence) belongs to this sentence's last word,
						// not to the next sentence's first.
						if se.W1 <= se.W0 {
							continue
						}
						w0, w1 = min(max(w0, int(se.W0)), int(se.W1)-1), min(max(w1, int(se.W0)+1), int(se.W1))
						if w1 <= w0 {
							w1 = w0 + 1
						}
						addSpan(ri, ci, w0, w1, int(se.Start)+m[0], int(se.Start)+m[1])
					}
				}
			}
		}
	}
	st.fms = ms
	// Keep which roles each sentence filled, for a classifier that
	// reports as this rule (it judges sentences the frame half found).
	for _, m := range ms {
		mask[m.sent] |= 1 << m.role
	}
	for len(st.partial) <= c.idx {
		st.partial = append(st.partial, nil)
	}
	st.partial[c.idx] = append(st.partial[c.idx][:0], mask...)
	return ms
}

// frameFills chooses, for one sentence's matches, a match per role: the
// first role's match that has every other role filled by a match that
// does not overlap it (within `within` words when set), taking the
// closest. chosen receives indices into group.
func (st *state) frameFills(cf *cframe, within int, group []fmatch, chosen []int) bool {
	for a := range group {
		if group[a].role != 0 {
			continue
		}
		anchor := group[a]
		chosen[0] = a
		ok := true
		for ri := 1; ri < len(cf.roles) && ok; ri++ {
			best, bestD := -1, 0
			for k := range group {
				m := group[k]
				// A word range fills one role: «Fagforbundet» is the fact,
				// not the person. Overlapping ranges are allowed
				// («einaste partiet» praises «partiet»).
				if int(m.role) != ri || (m.w0 == anchor.w0 && m.w1 == anchor.w1) {
					continue
				}
				d := 0
				if m.w1 <= anchor.w0 {
					d = int(anchor.w0 - m.w1)
				} else {
					d = int(m.w0 - anchor.w1)
				}
				if within > 0 && d > within {
					continue
				}
				if m.sent != anchor.sent {
					d += 1 << 20 // a role carried from the sentence before is the last resort
				}
				if best < 0 || d < bestD {
					best, bestD = k, d
				}
			}
			if best < 0 {
				ok = false
			}
			chosen[ri] = best
		}
		if ok {
			return true
		}
	}
	return false
}

// wordless reports whether sentences [a, b) have no words: an emoji or a
// row of them between two sentences («Endeleg! 🎭 Vedtaket …») does not
// keep the sentences on either side from being adjacent.
func (st *state) wordless(a, b int32) bool {
	for k := a; k < b; k++ {
		if se := st.sents[k]; se.W1 > se.W0 {
			return false
		}
	}
	return true
}

// sentenceHas reports whether list has a hit in sentence sent.
func (st *state) sentenceHas(list, sent int32) bool {
	if list < 0 {
		return false
	}
	// Hits are in word order: start at the sentence's first word.
	se := st.sents[sent]
	i, _ := slices.BinarySearchFunc(st.hits, se.W0, func(h hit, w int32) int { return int(h.w0 - w) })
	for ; i < len(st.hits) && st.hits[i].w0 < se.W1; i++ {
		if st.hits[i].list == list {
			return true
		}
	}
	return false
}

func (st *state) frameUnless(cf *cframe, sent int32) bool {
	se := st.sents[sent]
	text := st.f.S[se.Start:se.End]
	hit := st.sentenceHas(cf.unless, sent)
	for i := 0; !hit && i < len(cf.unlessPats); i++ {
		hit = cf.unlessPats[i].match(text)
	}
	if !hit {
		return false
	}
	for i := range cf.overrule {
		if cf.overrule[i].match(text) {
			return false
		}
	}
	return true
}

// frameWhy explains a finding in the check's language: each role's label,
// the words that filled it and their class («Politisk aktør: «Høgre»
// (parti) · Vurdering: «velfortjent» (ros)»). It quotes the draft, so it
// is shown to the writer and never goes into an audit entry.
func (st *state) frameWhy(cf *cframe, group []fmatch, chosen []int) string {
	lang := st.opt.Lang
	var b strings.Builder
	for ri, k := range chosen {
		m := group[k]
		if ri > 0 {
			b.WriteString(" · ")
		}
		role := &cf.roles[ri]
		b.WriteString(role.r.Label.In(lang))
		b.WriteString(": «")
		a := st.f.OrigOffset(int(st.words[m.w0].Start))
		e := st.f.OrigOffset(int(st.words[m.w1-1].End))
		if m.b > 0 {
			a, e = st.f.OrigOffset(int(m.a)), st.f.OrigOffset(int(m.b))
		}
		b.WriteString(st.text[a:e])
		b.WriteString("» (")
		b.WriteString(role.classes[m.class].c.Label.In(lang))
		b.WriteString(")")
	}
	return b.String()
}
