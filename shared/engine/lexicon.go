package engine

import (
	"slices"
	"sort"
	"strings"

	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/shared/textutil"
)

// lexicon holds every word list of every rule in one byte trie, so a draft
// is scanned once for all of them: each word walks the trie from its first
// byte, emitting exact matches where the word ends and prefix matches on the
// way. Terms whose first word is `*suffix` walk a second trie built over
// reversed bytes; only terms whose first word is `*infix*` are found with
// strings.Index over the folded text.
type lexicon struct {
	root  [256]int32 // child of the root for each first byte, 0 = none
	nodes []lnode
	// rroot and rnodes are a trie over reversed bytes for terms whose first
	// word is `*suffix`; a word walks it from its last byte.
	rroot  [256]int32
	rnodes []lnode
	terms  [][]rules.Term // per list
	affix  []affixRef
	names  []bool // per list: the list holds "@name"
}

type lnode struct {
	labels []byte
	kids   []int32
	exact  []ref
	prefix []ref
	// next holds the multi-word terms whose first word ends here, by their
	// exact second word, so «gi» with a hundred «gi stemmen …» terms
	// verifies only those whose second word follows.
	next map[string][]ref
}

// child returns the node reached by byte c, or 0.
func (nd *lnode) child(c byte) int32 {
	for j, lb := range nd.labels {
		if lb == c {
			return nd.kids[j]
		}
	}
	return 0
}

type ref struct{ list, term int32 }

type affixRef struct {
	ref
	text string
}

// hit is one match of a term of a list: words [w0, w1).
type hit struct {
	list   int32
	w0, w1 int32
}

func newLexicon() *lexicon {
	return &lexicon{nodes: make([]lnode, 1), rnodes: make([]lnode, 1)}
}

// add registers a list and returns its id. Terms were validated by
// rules.Validate; invalid ones are skipped here.
func (l *lexicon) add(list []string) int32 {
	id := int32(len(l.terms))
	var ts []rules.Term
	hasName := false
	var expanded []rules.Term
	for _, s := range list {
		t, err := rules.ParseTerm(normalizeTerm(s))
		if err != nil {
			continue
		}
		if t.Name {
			hasName = true
			continue
		}
		expanded = expandLemmas(t, expanded[:0])
		for _, t := range expanded {
			ts = l.addTerm(id, ts, t)
		}
	}
	l.terms = append(l.terms, ts)
	l.names = append(l.names, hasName)
	return id
}

// maxExpansion bounds the terms one lemma term expands into.
const maxExpansion = 512

// expandLemmas turns a term with `~lemma` words into one term per
// combination of forms (a compile-time cost, never a keystroke's).
func expandLemmas(t rules.Term, out []rules.Term) []rules.Term {
	out = append(out, rules.Term{})
	for _, w := range t.Words {
		if !w.Lemma {
			for i := range out {
				out[i].Words = append(out[i].Words, w)
			}
			continue
		}
		var next []rules.Term
		for _, o := range out {
			for _, f := range w.Forms {
				if len(next) >= maxExpansion {
					break
				}
				ws := append(append([]rules.WordPat(nil), o.Words...), rules.WordPat{Text: f})
				next = append(next, rules.Term{Words: ws})
			}
		}
		out = next
	}
	return out
}

// addTerm registers term t of list id.
func (l *lexicon) addTerm(id int32, ts []rules.Term, t rules.Term) []rules.Term {
	ti := int32(len(ts))
	ts = append(ts, t)
	first := t.Words[0]
	r := ref{list: id, term: ti}
	switch {
	case first.Suffix && first.Prefix:
		l.affix = append(l.affix, affixRef{ref: r, text: first.Text})
	case first.Suffix:
		n := walkCreate(&l.rroot, &l.rnodes, reverse(first.Text))
		l.rnodes[n].exact = append(l.rnodes[n].exact, r)
	default:
		n := walkCreate(&l.root, &l.nodes, first.Text)
		switch {
		case first.Prefix:
			l.nodes[n].prefix = append(l.nodes[n].prefix, r)
		case len(t.Words) > 1 && !t.Words[1].Prefix && !t.Words[1].Suffix:
			nd := &l.nodes[n]
			if nd.next == nil {
				nd.next = map[string][]ref{}
			}
			nd.next[t.Words[1].Text] = append(nd.next[t.Words[1].Text], r)
		default:
			l.nodes[n].exact = append(l.nodes[n].exact, r)
		}
	}
	return ts
}

func normalizeTerm(s string) string {
	f := textutil.Fold(s, nil)
	return f.S
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func walkCreate(root *[256]int32, nodes *[]lnode, s string) int32 {
	n := root[s[0]]
	if n == 0 {
		*nodes = append(*nodes, lnode{})
		n = int32(len(*nodes) - 1)
		root[s[0]] = n
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		nd := &(*nodes)[n]
		found := nd.child(c)
		if found == 0 {
			*nodes = append(*nodes, lnode{})
			found = int32(len(*nodes) - 1)
			nd = &(*nodes)[n]
			nd.labels = append(nd.labels, c)
			nd.kids = append(nd.kids, found)
		}
		n = found
	}
	return n
}

// scan appends every hit in the text to hits, in word order.
func (l *lexicon) scan(s string, words []textutil.Word, hits []hit) []hit {
	for wi := range words {
		w := s[words[wi].Start:words[wi].End]
		n := l.root[w[0]]
		k := 1
		for n != 0 {
			nd := &l.nodes[n]
			for _, r := range nd.prefix {
				hits = l.verify(s, words, wi, r, hits)
			}
			if k == len(w) {
				for _, r := range nd.exact {
					hits = l.verify(s, words, wi, r, hits)
				}
				if nd.next != nil && wi+1 < len(words) {
					for _, r := range nd.next[s[words[wi+1].Start:words[wi+1].End]] {
						hits = l.verify(s, words, wi, r, hits)
					}
				}
				break
			}
			n = nd.child(w[k])
			k++
		}
		// Suffix terms: walk the reversed trie from the word's last byte.
		k = len(w) - 1
		n = l.rroot[w[k]]
		for n != 0 {
			nd := &l.rnodes[n]
			for _, r := range nd.exact {
				hits = l.verify(s, words, wi, r, hits)
			}
			if k == 0 {
				break
			}
			k--
			n = nd.child(w[k])
		}
	}
	if len(l.affix) > 0 {
		start := len(hits)
		for _, a := range l.affix {
			from := 0
			for from < len(s) {
				p := strings.Index(s[from:], a.text)
				if p < 0 {
					break
				}
				p += from
				wi := sort.Search(len(words), func(i int) bool { return int(words[i].End) > p })
				if wi >= len(words) {
					break
				}
				if int(words[wi].Start) <= p {
					hits = l.verify(s, words, wi, a.ref, hits)
				}
				from = max(int(words[wi].End), p+1)
			}
		}
		if len(hits) > start && !slices.IsSortedFunc(hits, byWord) {
			slices.SortStableFunc(hits, byWord)
		}
	}
	return hits
}

func byWord(a, b hit) int { return int(a.w0) - int(b.w0) }

// verify checks all words of term r starting at word wi and appends a hit.
func (l *lexicon) verify(s string, words []textutil.Word, wi int, r ref, hits []hit) []hit {
	t := l.terms[r.list][r.term]
	if len(t.Words) > 1 || t.Words[0].Suffix {
		if wi+len(t.Words) > len(words) {
			return hits
		}
		for k, wp := range t.Words {
			w := s[words[wi+k].Start:words[wi+k].End]
			if !wordMatch(w, wp) {
				return hits
			}
		}
	}
	return append(hits, hit{list: r.list, w0: int32(wi), w1: int32(wi + len(t.Words))})
}

func wordMatch(w string, p rules.WordPat) bool {
	switch {
	case p.Prefix && p.Suffix:
		return strings.Contains(w, p.Text)
	case p.Prefix:
		return strings.HasPrefix(w, p.Text)
	case p.Suffix:
		return strings.HasSuffix(w, p.Text)
	}
	return w == p.Text
}
