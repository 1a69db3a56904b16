package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
)

// A standard is one written standard and its dictionaries in
// apertium-nno-nob. Apertium names files by translation direction, so the
// analyser of a standard is the one that translates from it, and its
// generator the one that translates into it.
type standard struct {
	name string // "nob" or "nno"
	morf string // analyser: surface → lemma<tags>
	gen  string // generator: lemma<tags> → surface
	bil  string // bilingual dictionary from this standard to the other

	morfT, bilT *fst
	forms       map[string]map[string]*nodeForms // lemma → pos → forms
}

func standards() []*standard {
	return []*standard{
		{name: "nob", morf: "nob-nno.automorf.bin", gen: "nno-nob.autogen.bin", bil: "nob-nno.autobil.bin"},
		{name: "nno", morf: "nno-nob.automorf.bin", gen: "nob-nno.autogen.bin", bil: "nno-nob.autobil.bin"},
	}
}

// nodeForms is what one standard's analyser holds for a lemma and part of
// speech: the surface forms on its paths and the lexical forms
// ("mann<n><m><pl><def>") to feed the generator.
type nodeForms struct {
	surfaces map[string]bool
	lexical  map[string]bool
}

// A node is a lemma with a part of speech in one standard.
type node struct {
	std   int
	lemma string
	pos   string
}

// builder expands requests into groups of lemmas and their forms.
type builder struct {
	tools  tools
	stds   []*standard
	stderr io.Writer
	noted  map[string]bool
}

func (b *builder) notef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if b.noted[msg] {
		return
	}
	b.noted[msg] = true
	fmt.Fprintln(b.stderr, "note:", msg)
}

// load prints the four transducers, in parallel since each takes seconds.
func (b *builder) load(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 2*len(b.stds))
	for i, s := range b.stds {
		wg.Go(func() { s.morfT, errs[2*i] = b.tools.print(ctx, s.morf) })
		wg.Go(func() { s.bilT, errs[2*i+1] = b.tools.print(ctx, s.bil) })
		s.forms = map[string]map[string]*nodeForms{}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// lemmaForms returns, by part of speech, what standard std's analyser holds
// for lemma. Compound parts and multiword paths are left out.
func (b *builder) lemmaForms(std int, lemma string) (map[string]*nodeForms, error) {
	s := b.stds[std]
	if m, ok := s.forms[lemma]; ok {
		return m, nil
	}
	paths, err := s.morfT.lookup(outputSide, lemma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.morf, err)
	}
	m := map[string]*nodeForms{}
	for _, p := range paths {
		surface, stags, ok1 := split(p.in)
		lem, tags, ok2 := split(p.out)
		if !ok1 || !ok2 || len(stags) > 0 || surface == "" || baseLemma(lem) != lemma {
			continue
		}
		pos := coarsePOS(tags)
		if pos == "" {
			continue
		}
		nf := m[pos]
		if nf == nil {
			nf = &nodeForms{surfaces: map[string]bool{}, lexical: map[string]bool{}}
			m[pos] = nf
		}
		nf.surfaces[surface] = true
		nf.lexical[lem+"<"+strings.Join(tags, "><")+">"] = true
	}
	s.forms[lemma] = m
	return m, nil
}

// A candidate is a lemma of the other standard that a bilingual dictionary
// links to a node.
type candidate struct {
	lemma, pos string
}

// counterparts returns the lemmas of the other standard that either
// bilingual dictionary links to n: looked up forwards in n's own dictionary
// and backwards in the other's, because the two directions differ (bokmål
// «sykmelde» → nynorsk «sjukmelde», but «sjukmelde» → «sykemelde»).
func (b *builder) counterparts(n node) ([]candidate, error) {
	own, other := b.stds[n.std], b.stds[1-n.std]
	var out []candidate
	add := func(paths []path, from, to func(path) []string) {
		for _, p := range paths {
			_, ftags, ok1 := split(from(p))
			word, ttags, ok2 := split(to(p))
			if !ok1 || !ok2 || coarsePOS(ftags) != n.pos || coarsePOS(ttags) != n.pos {
				continue
			}
			out = append(out, candidate{lemma: baseLemma(word), pos: n.pos})
		}
	}
	in := func(p path) []string { return p.in }
	outp := func(p path) []string { return p.out }
	fwd, err := own.bilT.lookup(inputSide, n.lemma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", own.bil, err)
	}
	add(fwd, in, outp)
	rev, err := other.bilT.lookup(outputSide, n.lemma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", other.bil, err)
	}
	add(rev, outp, in)
	return out, nil
}

// A group is one line of the data file: lemmas that spell the same word in
// bokmål and nynorsk, with one part of speech.
type group struct {
	pos   string
	nodes map[node]bool
	forms []string
}

// sortedNodes returns the nodes in a fixed order, for stable output.
func (g *group) sortedNodes() []node {
	return slices.SortedFunc(maps.Keys(g.nodes), func(a, b node) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
}

func (g *group) lemmas() []string {
	set := map[string]bool{}
	for n := range g.nodes {
		set[canon(n.lemma)] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// expand finds the groups for one request: for each part of speech the
// lemma has in either standard, the lemma and every spelling variant the
// bilingual dictionaries link to it, followed to a fixed point.
func (b *builder) expand(r request) ([]*group, error) {
	byPOS := map[string]*group{}
	for std := range b.stds {
		m, err := b.lemmaForms(std, r.lemma)
		if err != nil {
			return nil, err
		}
		for pos := range m {
			if r.pos != "" && pos != r.pos {
				continue
			}
			g := byPOS[pos]
			if g == nil {
				g = &group{pos: pos, nodes: map[node]bool{}}
				byPOS[pos] = g
			}
			g.nodes[node{std, r.lemma, pos}] = true
		}
	}
	if len(byPOS) == 0 {
		return nil, b.unknown(r)
	}
	for _, g := range byPOS {
		queue := slices.Collect(maps.Keys(g.nodes))
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			cands, err := b.counterparts(n)
			if err != nil {
				return nil, err
			}
			// The same spelling in the other standard is a counterpart
			// too («barnevern» in both).
			cands = append(cands, candidate{n.lemma, n.pos})
			for _, c := range cands {
				next := node{1 - n.std, c.lemma, c.pos}
				if g.nodes[next] {
					continue
				}
				if !spellingVariant(r.lemma, c.lemma) {
					b.notef("%s: leaving out %s %s/%s (linked to %s): too unlike %s to be a spelling of it", r, b.stds[next.std].name, c.lemma, c.pos, n.lemma, r.lemma)
					continue
				}
				m, err := b.lemmaForms(next.std, c.lemma)
				if err != nil {
					return nil, err
				}
				if m[c.pos] == nil {
					continue
				}
				g.nodes[next] = true
				queue = append(queue, next)
			}
		}
	}
	var out []*group
	for _, pos := range slices.Sorted(maps.Keys(byPOS)) {
		out = append(out, byPOS[pos])
	}
	return out, nil
}

// unknown explains why a request has no forms.
func (b *builder) unknown(r request) error {
	var parts []string
	for std, s := range b.stds {
		m, _ := b.lemmaForms(std, r.lemma)
		if len(m) > 0 {
			parts = append(parts, fmt.Sprintf("%s has it only as %s", s.name, strings.Join(slices.Sorted(maps.Keys(m)), ", ")))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "neither analyser has it as a lemma (is it an inflected form, or a compound the dictionaries lack?)")
	}
	return fmt.Errorf("lemmas.txt:%d: %s: %s", r.line, r, strings.Join(parts, "; "))
}

// merge joins groups of one part of speech that share a lemma, so that each
// spelling is a key of at most one line per part of speech.
func merge(groups []*group) []*group {
	var out []*group
	byKey := map[string]*group{}
	for _, g := range groups {
		var into *group
		for n := range g.nodes {
			if h := byKey[n.pos+"\t"+n.lemma]; h != nil {
				into = h
				break
			}
		}
		if into == nil {
			into = &group{pos: g.pos, nodes: map[node]bool{}}
			out = append(out, into)
		}
		for n := range g.nodes {
			into.nodes[n] = true
			byKey[n.pos+"\t"+n.lemma] = into
		}
	}
	// A later group may have bridged two earlier ones; repeat until stable.
	if len(out) < len(groups) {
		return merge(out)
	}
	return out
}

// fill computes the forms of every group: the analyser's surface forms plus
// the generator's output for each lexical form, keeping only candidates that
// the analyser of the same standard reads back as the node's lemma and part
// of speech. The lexicon, not a suffix rule, decides.
func (b *builder) fill(ctx context.Context, groups []*group) error {
	type key struct {
		std  int
		form string
	}
	cands := map[key][]node{}
	enumerated := map[key]bool{}
	// One generator run per standard: lt-proc takes longer to load a
	// transducer than to generate every form of the list.
	lexical := make([][]string, len(b.stds))
	lexNode := make([][]node, len(b.stds))
	for _, g := range groups {
		for _, n := range g.sortedNodes() {
			m, err := b.lemmaForms(n.std, n.lemma)
			if err != nil {
				return err
			}
			nf := m[n.pos]
			for f := range nf.surfaces {
				k := key{n.std, f}
				cands[k] = append(cands[k], n)
				enumerated[k] = true
			}
			for _, l := range slices.Sorted(maps.Keys(nf.lexical)) {
				lexical[n.std] = append(lexical[n.std], l)
				lexNode[n.std] = append(lexNode[n.std], n)
			}
		}
	}
	for std, s := range b.stds {
		gen, err := b.tools.generate(ctx, s.gen, lexical[std])
		if err != nil {
			return err
		}
		for i, f := range gen {
			if f == "" {
				continue
			}
			k, n := key{std, f}, lexNode[std][i]
			if !slices.Contains(cands[k], n) {
				cands[k] = append(cands[k], n)
			}
		}
	}
	accepted := map[node]map[string]bool{}
	for std, s := range b.stds {
		var words []string
		for k := range cands {
			if k.std == std {
				words = append(words, k.form)
			}
		}
		slices.Sort(words)
		res, err := b.tools.analyse(ctx, s.morf, words)
		if err != nil {
			return err
		}
		for _, w := range words {
			k := key{std, w}
			ok := false
			for _, n := range cands[k] {
				for _, a := range res[w] {
					if baseLemma(a.lemma) == n.lemma && coarsePOS(a.tags) == n.pos {
						if accepted[n] == nil {
							accepted[n] = map[string]bool{}
						}
						accepted[n][w] = true
						ok = true
						break
					}
				}
			}
			switch {
			case !ok && enumerated[k]:
				b.notef("%s: dropping %q: lt-proc does not read it back as %s", s.name, w, cands[k][0].lemma)
			case ok && !enumerated[k]:
				b.notef("%s: %q came from the generator only", s.name, w)
			}
		}
	}
	for _, g := range groups {
		set := map[string]bool{}
		for n := range g.nodes {
			for f := range accepted[n] {
				set[canon(f)] = true
			}
		}
		if len(set) == 0 {
			return fmt.Errorf("%s/%s: no form survived validation", strings.Join(g.lemmas(), ","), g.pos)
		}
		g.forms = slices.Sorted(maps.Keys(set))
	}
	return nil
}

// header is the comment block at the top of the data file. Keep "DO NOT
// EDIT" in it: the tests check for it.
func header(version string) string {
	return `# Code generated by "go run ./shared/lexicon/gen"; DO NOT EDIT.
# Edit shared/lexicon/lemmas.txt and run the generator again; see SOURCES.md.
# Source: Apertium apertium-nno-nob ` + version + ` (Debian package), GPL-2+,
# whose lexical data derives from Norsk ordbank (Språkbanken), CC BY 4.0.
# Columns, tab-separated: lemmas (comma-separated spellings in bokmål and
# nynorsk), part of speech, forms (space-separated, lower case, NFC, sorted).
`
}

// writeTSV writes the data file, one line per group sorted by lemmas and
// part of speech, so that regenerating from the same inputs is byte-stable.
func writeTSV(w io.Writer, version string, groups []*group) error {
	var b strings.Builder
	b.WriteString(header(version))
	lines := make([]string, 0, len(groups))
	for _, g := range groups {
		lines = append(lines, strings.Join(g.lemmas(), ",")+"\t"+g.pos+"\t"+strings.Join(g.forms, " "))
	}
	slices.Sort(lines)
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
