package engine

import (
	"regexp"
	"sort"
)

// runPhrase reports each match of the rule's words or patterns that has a
// `near` match within reach (when the rule has `near`) and no `unless` match
// in its sentence.
func runPhrase(st *state, c *crule) {
	ph := c.r.Phrase
	emit := func(w0, w1 int, fs, fe int) {
		if c.nearSet && !st.nearby(c.nearL, c.near, w0, w1, c.within) {
			return
		}
		if c.unless >= 0 && st.inSentence(c.unless, w0) {
			return
		}
		if ph.Sentence && w0 < len(st.words) {
			se := st.sents[st.words[w0].Sent]
			fs, fe = int(se.Start), max(int(se.End), fe)
			fs, fe = trimSpan(st.f.S, fs, fe)
		}
		st.addFolded(fs, fe)
	}
	if c.words >= 0 {
		for _, h := range st.hits {
			if h.list != c.words {
				continue
			}
			emit(int(h.w0), int(h.w1), int(st.words[h.w0].Start), int(st.words[h.w1-1].End))
			if ph.Once && len(st.spans) > 0 {
				return
			}
		}
	}
	for _, re := range c.pats {
		for _, m := range re.FindAllStringIndex(st.f.S, -1) {
			w0, w1 := st.wordRange(m[0], m[1])
			emit(w0, w1, m[0], m[1])
			if ph.Once && len(st.spans) > 0 {
				return
			}
		}
	}
}

// trimSpan drops white space and closing punctuation at the ends of a span.
func trimSpan(s string, a, b int) (int, int) {
	for a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\t') {
		a++
	}
	for b > a && (s[b-1] == ' ' || s[b-1] == '\n' || s[b-1] == '\t' || s[b-1] == '.' || s[b-1] == '!' || s[b-1] == '?') {
		b--
	}
	return a, b
}

// wordRange returns the words overlapping folded bytes [a, b): [w0, w1).
// A span between words gives the following word.
func (st *state) wordRange(a, b int) (int, int) {
	ws := st.words
	w0 := sort.Search(len(ws), func(i int) bool { return int(ws[i].End) > a })
	w1 := sort.Search(len(ws), func(i int) bool { return int(ws[i].Start) >= b })
	if w1 <= w0 {
		w1 = min(w0+1, len(ws))
	}
	return w0, w1
}

// nearby reports whether list or patterns match within `within` words of
// words [w0, w1), or in the same sentence when within is 0.
func (st *state) nearby(list int32, pats []*regexp.Regexp, w0, w1, within int) bool {
	ok := func(n0, n1 int) bool {
		if within == 0 {
			return st.sameSentence(w0, n0)
		}
		d := 0
		if n1 <= w0 {
			d = w0 - n1
		} else if n0 >= w1 {
			d = n0 - w1
		}
		return d <= within
	}
	if list >= 0 {
		for _, h := range st.hits {
			if h.list == list && ok(int(h.w0), int(h.w1)) {
				return true
			}
		}
		if st.e.lex.names[list] {
			for _, n := range st.nameWords() {
				if (int(n) < w0 || int(n) >= w1) && ok(int(n), int(n)+1) {
					return true
				}
			}
		}
	}
	if len(pats) > 0 {
		lo, hi := st.window(w0, w1, within)
		for _, re := range pats {
			if re.MatchString(st.f.S[lo:hi]) {
				return true
			}
		}
	}
	return false
}

// window is the folded byte range a `near` pattern is searched in.
func (st *state) window(w0, w1, within int) (int, int) {
	if len(st.words) == 0 {
		return 0, len(st.f.S)
	}
	w0 = min(w0, len(st.words)-1)
	if within == 0 {
		se := st.sents[st.words[w0].Sent]
		return int(se.Start), int(se.End)
	}
	a := max(0, w0-within)
	b := min(len(st.words)-1, max(w1-1, w0)+within)
	return int(st.words[a].Start), int(st.words[b].End)
}

func (st *state) sameSentence(a, b int) bool {
	if a >= len(st.words) || b >= len(st.words) {
		return false
	}
	return st.words[a].Sent == st.words[b].Sent
}

// inSentence reports whether list matches in the sentence of word w.
func (st *state) inSentence(list int32, w int) bool {
	for _, h := range st.hits {
		if h.list == list && st.sameSentence(int(h.w0), w) {
			return true
		}
	}
	if st.e.lex.names[list] {
		for _, n := range st.nameWords() {
			if st.sameSentence(int(n), w) {
				return true
			}
		}
	}
	return false
}
