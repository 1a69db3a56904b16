package engine

import (
	"strings"
	"unicode/utf8"

	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/shared/textutil"
)

// runSignature reports a reply or message that is not signed with a
// person's name. The signature is looked for in the last two lines: after a
// closing («Hilsen», «Mvh», «Vennlig hilsen», a dash) or as a short line of
// its own, a capitalised word that is not a unit word (params.terms: the
// names of units such as «biblioteket», «Servicetorget»).
func runSignature(st *state, c *crule) {
	kinds := c.r.Detector.Params.Kinds
	if len(kinds) == 0 {
		kinds = []string{"reply", "message"}
	}
	if !contains(kinds, kindOf(st.d)) {
		return
	}
	if st.signed(c.terms) {
		return
	}
	st.add(-1, -1, -1)
}

// closings are the sign-off formulas in bokmål and nynorsk (both «venleg»
// and «vennleg» are nynorsk spellings); longer ones come first.
var closings = []string{"med vennlig hilsen", "med venleg helsing", "med vennleg helsing", "vennlig hilsen", "venleg helsing", "vennleg helsing", "venlig hilsen", "beste hilsen", "beste helsing", "hilsen fra", "helsing frå", "hilsen", "helsing", "mvh", "mvh.", "kind regards", "best regards", "regards"}

func (st *state) signed(units []rules.Term) bool {
	s := st.f.S
	ws := st.words
	if len(ws) == 0 {
		return false
	}
	// The last two non-empty lines.
	end := len(s)
	for end > 0 && (s[end-1] == '\n' || s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	lineStart := strings.LastIndexByte(s[:end], '\n') + 1
	prevEnd := lineStart - 1
	for prevEnd > 0 && (s[prevEnd-1] == '\n' || s[prevEnd-1] == ' ') {
		prevEnd--
	}
	prevStart := 0
	if prevEnd > 0 {
		prevStart = strings.LastIndexByte(s[:prevEnd], '\n') + 1
	}
	// closing returns the offset just past a closing formula that starts
	// seg at offset a, or -1.
	closing := func(a, b int) int {
		for a < b && (s[a] == ' ' || s[a] == '\t') {
			a++
		}
		for _, cl := range closings {
			if strings.HasPrefix(s[a:b], cl) && (a+len(cl) == b || !isWordByte(s[a+len(cl)])) {
				return a + len(cl)
			}
		}
		return -1
	}
	// signatureLike: a short segment whose words are all capitalised or
	// unit words («Kari, servicetorget», «Kari Nordmann»).
	signatureLike := func(a, b int) bool {
		n := 0
		for i := range ws {
			w := ws[i]
			if int(w.Start) < a || int(w.End) > b {
				continue
			}
			n++
			if !w.Cap && !st.termAt(units, i) && !isClosingWord(s[w.Start:w.End]) {
				return false
			}
		}
		return n > 0 && n <= 4 && !strings.ContainsAny(s[a:b], "?!:")
	}
	check := func(a, b int) bool {
		if strings.TrimSpace(s[a:b]) == "" {
			return false
		}
		// Where the signature starts: after a closing formula at the start
		// of the line or after its last sentence, after a dash, or a short
		// line of names and units.
		rest := closing(a, b)
		if rest < 0 {
			line := strings.TrimSpace(s[a:b])
			if k := strings.LastIndexAny(s[a:b], ".!?"); k >= 0 && strings.TrimSpace(s[a+k+1:b]) != "" {
				tail := a + k + 1
				if r := closing(tail, b); r >= 0 {
					rest = r
				} else if signatureLike(tail, b) {
					rest = tail
				} else if d := dashStart(s[tail:b]); d >= 0 {
					// «Takk for beskjed! 🙏 – Siri i helsestasjonen»
					rest = tail + d
				}
			}
			// The closing may be followed by a full stop of its own
			// («… i morgon. Mvh. Per Ole, vei og park»): try the earlier
			// sentence ends of the line too.
			for k := b; rest < 0 && k > a; {
				k = a + strings.LastIndexAny(s[a:k], ".!?")
				if k < a {
					break
				}
				if r := closing(k+1, b); r >= 0 && !strings.ContainsAny(strings.TrimPrefix(s[r:b], "."), ".!?") {
					rest = r
				}
			}
			if rest < 0 && (strings.HasPrefix(line, "-") || strings.HasPrefix(line, "–") || strings.HasPrefix(line, "—") || strings.HasPrefix(line, "/")) {
				rest = a
			}
			if rest < 0 && signatureLike(a, b) {
				rest = a
			}
			if rest < 0 {
				// «… innen 14 dager 😊 Hilsen Berit Lunde, barnehagekontoret»
				if k := closingAfterBreak(s, a, b, func(x, y int) bool { return closing(x, y) >= 0 }); k >= 0 {
					rest = closing(k, b)
				} else if k := dashAfterEmoji(s, a, b); k >= 0 {
					// «… frå 1. juli 👍 – Per, renovasjon»
					rest = k
				} else if k := st.nameCommaRole(a, b); k >= 0 {
					// «… i posten i løpet av uka 👍 Mia Haugland, kommunikasjon»
					rest = k
				}
			}
			if rest < 0 {
				return false
			}
		}
		for i := range ws {
			w := ws[i]
			if int(w.Start) < rest || int(w.End) > b || !w.Cap {
				continue
			}
			text := s[w.Start:w.End]
			if isAcronym(st.f.Orig, st.f.OrigOffset(int(w.Start)), st.f.OrigOffset(int(w.End))) {
				continue
			}
			if st.termAt(units, i) || i+1 < len(ws) && int(ws[i+1].End) <= b && strings.TrimSpace(s[w.End:ws[i+1].Start]) == "" && st.termAt(units, i+1) {
				// A unit, or a place name that is part of one («Nordbygda skule»).
				continue
			}
			if st.e.org.nameWords[text] || isClosingWord(text) {
				continue
			}
			// «Helsing oss på Solheim»: a capitalised word after a place
			// preposition is a place, as in nameWords.
			if i > 0 && int(ws[i-1].Start) >= rest && !ws[i-1].Cap && placePrepositions[s[ws[i-1].Start:ws[i-1].End]] {
				continue
			}
			return true
		}
		return false
	}
	return check(lineStart, end) || prevEnd > prevStart && check(prevStart, prevEnd)
}

// signOff returns the folded offset where the draft's sign-off starts, or
// len(text) when there is none: one of the last two lines that starts with
// a closing formula («Hilsen», «Mvh», «Vennleg helsing») or a dash or slash,
// or the part of the last line after its last sentence that does.
func (st *state) signOff() int {
	if st.sigD {
		return st.sig
	}
	st.sig, st.sigD = st.findSignOff(), true
	return st.sig
}

// findSignOff does signOff's work, once per check.
func (st *state) findSignOff() int {
	s := st.f.S
	end := len(s)
	for end > 0 && (s[end-1] == '\n' || s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	startsClosing := func(a, b int) bool {
		for a < b && (s[a] == ' ' || s[a] == '\t') {
			a++
		}
		for _, cl := range closings {
			if strings.HasPrefix(s[a:b], cl) && (a+len(cl) == b || !isWordByte(s[a+len(cl)])) {
				return true
			}
		}
		return false
	}
	found := len(s)
	for line := 0; line < 2 && end > 0; line++ {
		a := strings.LastIndexByte(s[:end], '\n') + 1
		seg := strings.TrimLeft(s[a:end], " \t")
		switch {
		case startsClosing(a, end):
			found = a
		case (strings.HasPrefix(seg, "-") || strings.HasPrefix(seg, "–") || strings.HasPrefix(seg, "—") || strings.HasPrefix(seg, "/")) &&
			strings.Count(seg, " ") <= 5:
			// A short dashed line («– Line, Servicetorget»), not a bullet point.
			found = a
		case line == 0:
			if k := strings.LastIndexAny(s[a:end], ".!?"); k >= 0 && startsClosing(a+k+1, end) {
				found = a + k + 1
			} else if k := closingAfterBreak(s, a, end, startsClosing); k >= 0 {
				found = k
			}
		}
		end = a - 1
		for end > 0 && (s[end-1] == '\n' || s[end-1] == ' ' || s[end-1] == '\t') {
			end--
		}
		if end < 0 {
			break
		}
	}
	return found
}

// dashStart returns the offset in seg just past a dash or slash that opens
// a signature after white space and emoji (« 🙏 – Siri»), or -1.
// closingFirst holds the first bytes of the closings, to skip most
// positions of a line at once.
var closingFirst = func() (set [256]bool) {
	for _, c := range closings {
		set[c[0]] = true
	}
	return set
}()

// closingAfterBreak finds, on the last line s[a:end], a closing («Hilsen
// Berit Lunde, barnehagekontoret») that follows an emoji or a link rather
// than a full stop: «… innen 14 dager 😊 Hilsen Berit», «… tinyurl.com/kurs
// Helsing Anne». It returns where the closing starts, or -1.
func closingAfterBreak(s string, a, end int, startsClosing func(a, b int) bool) int {
	for k := end - 1; k > a; k-- {
		if s[k-1] != ' ' || !closingFirst[s[k]] || !startsClosing(k, end) {
			continue
		}
		j := k - 1
		for j > a && s[j-1] == ' ' {
			j--
		}
		if j <= a {
			continue
		}
		if endsWithEmoji(s[a:j]) {
			return k
		}
		// The word before is a link.
		w := strings.LastIndexByte(s[a:j], ' ') + 1
		if tok := s[a+w : j]; strings.Contains(tok, "/") || strings.HasPrefix(tok, "www.") || strings.Contains(tok, ".no") || strings.Contains(tok, ".com") {
			return k
		}
	}
	return -1
}

// nameCommaRole finds, at the end of the line s[a:b], one to three
// capitalised words, a comma and one to three words of a role or unit
// («Terje Hovland, havnesjef»), after a full stop or an emoji. It returns
// where the names start, or -1.
func (st *state) nameCommaRole(a, b int) int {
	s, ws := st.f.S, st.words
	// The words of the line, from the end.
	last := -1
	for i := len(ws) - 1; i >= 0; i-- {
		if int(ws[i].End) <= b && int(ws[i].Start) >= a {
			last = i
			break
		}
	}
	if last < 1 {
		return -1
	}
	// The role: up to three words after the last comma.
	comma := strings.LastIndexByte(s[a:b], ',')
	if comma < 0 {
		return -1
	}
	comma += a
	first := last
	for first > 0 && int(ws[first-1].Start) > comma {
		first--
	}
	if last-first+1 > 3 || int(ws[first].Start) <= comma {
		return -1
	}
	// The names: one to three capitalised words just before the comma.
	n := first - 1
	k := n
	for k >= 0 && n-k < 3 && ws[k].Cap && int(ws[k].Start) >= a && strings.TrimSpace(s[ws[k].End:min(int(ws[k+1].Start), comma)]) == "" {
		k--
	}
	if k == n {
		return -1
	}
	start := int(ws[k+1].Start)
	// What comes before the names ends a sentence: a full stop or an emoji.
	before := strings.TrimRight(s[a:start], " ")
	if before == "" || strings.ContainsAny(s[comma:b], "!?") {
		// A line of its own is signatureLike's; «Ok, takk for beskjed!»
		// is no signature.
		return -1
	}
	if r, _ := utf8.DecodeLastRuneInString(before); r == '.' || r == '!' || r == '?' || endsWithEmoji(before) {
		return start
	}
	return -1
}

// endsWithEmoji reports whether s, without trailing spaces, ends in an
// emoji (or the variation selector that makes a symbol one).
func endsWithEmoji(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, " "))
	return r == 0xFE0F || textutil.IsEmoji(r)
}

// dashAfterEmoji finds, on the last line s[a:b], a dash after an emoji
// («👍 – Per, renovasjon») and returns where the text after it starts, or
// -1.
func dashAfterEmoji(s string, a, b int) int {
	for _, d := range []string{" – ", " - ", " — "} {
		k := strings.LastIndex(s[a:b], d)
		if k <= 0 {
			continue
		}
		if endsWithEmoji(s[a : a+k]) {
			return a + k + len(d)
		}
	}
	return -1
}

func dashStart(seg string) int {
	i := 0
	for i < len(seg) {
		r, n := utf8.DecodeRuneInString(seg[i:])
		if r == ' ' || r == '\t' || r == 0xFE0F || r == 0x200D || textutil.IsEmoji(r) {
			i += n
			continue
		}
		break
	}
	for _, d := range []string{"-", "–", "—", "/"} {
		if strings.HasPrefix(seg[i:], d) {
			return i + len(d)
		}
	}
	return -1
}

func isClosingWord(w string) bool {
	switch w {
	case "hilsen", "helsing", "mvh", "vennlig", "venleg", "vennleg", "venlig", "med", "beste", "takk", "regards", "best", "kind", "fra", "frå":
		return true
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 0x80 || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// termAt reports whether one of the single-word terms matches word i.
func (st *state) termAt(terms []rules.Term, i int) bool {
	w := st.f.S[st.words[i].Start:st.words[i].End]
	for _, t := range terms {
		if len(t.Words) == 1 && wordMatch(w, t.Words[0]) {
			return true
		}
	}
	return false
}
