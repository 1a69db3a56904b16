package engine

import (
	"strings"
)

// runSensitive reports a sensitive fact (params.terms) tied to an
// identifiable person: a person reference (params.persons, which may hold
// "@name") within params.within words, or in the same sentence when within
// is 0. The finding spans the fact and the person reference. A sentence with
// an `unless` term (general public-health information and the like) is
// skipped.
func runSensitive(st *state, c *crule) {
	terms, persons, unless := c.words, c.persons, c.unless
	if terms < 0 {
		return
	}
	// Facts about the same person in one sentence are one finding: the
	// span grows to cover them all.
	lastSent, a0, b0 := int32(-1), 0, 0
	sig := st.signOff()
	flush := func() {
		if lastSent >= 0 {
			st.addFolded(int(st.words[a0].Start), int(st.words[b0-1].End))
		}
	}
	for _, h := range st.hits {
		if h.list != terms {
			continue
		}
		w0, w1 := int(h.w0), int(h.w1)
		if unless >= 0 && st.inSentence(unless, w0) {
			continue
		}
		// The sign-off names the writer and the unit («Helsing Kjersti,
		// barnevernstenesta»): a unit name there is no fact about anyone.
		if int(st.words[w0].Start) >= sig {
			continue
		}
		if st.workplace(w0, w1) {
			continue
		}
		p0, p1, ok := st.closestPerson(persons, w0, w1, c.within)
		if !ok {
			continue
		}
		a, b := min(w0, p0), max(w1, p1)
		if sent := st.words[w0].Sent; sent == lastSent {
			a0, b0 = min(a0, a), max(b0, b)
			continue
		} else {
			flush()
			lastSent, a0, b0 = sent, a, b
		}
	}
	flush()
}

// unitSuffixes end the names of services, wards and organisations
// («barnevernstjenesten», «intensivavdelingen», «Kreftforeningen»).
var unitSuffixes = []string{
	"tjenesten", "tjenestene", "tjeneste", "tenesta", "tenestene", "teneste", "avdelingen", "avdelinga", "avdeling",
	"vernet", "kontoret", "senteret", "teamet", "klinikken", "seksjonen", "foreningen", "foreininga", "posten",
}

// workPrepositions link a person to the place they work («Kari fra
// barnevernet», «leder for psykiatritjenesten», «jobber på intensiven»).
var workPrepositions = map[string]bool{
	"fra": true, "frå": true, "på": true, "ved": true, "for": true, "hos": true, "i": true,
}

// workplace reports whether the sensitive term at words [w0, w1) is the
// name of a service or organisation that a preposition ties someone to as
// their workplace: «Ingrid Moe er ny leder for barnevernstjenesten» tells
// nothing sensitive about Ingrid Moe. «Barnevernet har overtatt omsorgen»
// and «meldt til barnevernet» still count.
func (st *state) workplace(w0, w1 int) bool {
	if w1 != w0+1 || w0 == 0 {
		return false
	}
	s := st.f.S
	w := s[st.words[w0].Start:st.words[w0].End]
	unit := false
	for _, suf := range unitSuffixes {
		if strings.HasSuffix(w, suf) {
			unit = true
			break
		}
	}
	if !unit {
		return false
	}
	k := w0 - 1
	// «rus- og psykiatritjenesten»: skip the first half of the pair.
	if k >= 2 && s[st.words[k].Start:st.words[k].End] == "og" && strings.HasPrefix(s[st.words[k-1].End:], "-") {
		k -= 2
	}
	if !st.sameSentence(k, w0) {
		return false
	}
	prep := s[st.words[k].Start:st.words[k].End]
	// Living or being cared for at a ward is no workplace: «Signe har budd
	// på demensavdelinga i fire år».
	if k > 0 && st.sameSentence(k-1, w0) && residenceVerbs[s[st.words[k-1].Start:st.words[k-1].End]] {
		return false
	}
	// A capitalised service after «til» is a recipient («sokkar til
	// Flyktningtenesta»); a lower-case one is where someone was referred
	// («meldt til barnevernet»), which counts.
	return workPrepositions[prep] || prep == "til" && st.words[w0].Cap
}

// residenceVerbs before a ward's name say someone lives or is cared for
// there.
var residenceVerbs = map[string]bool{
	"bor": true, "bur": true, "bodd": true, "budd": true, "bu": true, "bo": true, "innlagt": true, "innlagd": true,
	"inn": true, "ligg": true, "ligger": true, "flytta": true, "flyttet": true, "plass": true, "plassen": true,
}

// closestPerson finds the person reference nearest to words [w0, w1).
func (st *state) closestPerson(persons int32, w0, w1, within int) (int, int, bool) {
	best, b0, b1 := -1, 0, 0
	consider := func(n0, n1 int) {
		if n0 < w1 && w0 < n1 {
			return // the fact itself («Fagforbundet») is not the person
		}
		if within == 0 && !st.sameSentence(n0, w0) {
			return
		}
		d := 0
		if n1 <= w0 {
			d = w0 - n1
		} else {
			d = n0 - w1
		}
		if within > 0 && d > within {
			return
		}
		if best < 0 || d < best {
			best, b0, b1 = d, n0, n1
		}
	}
	if persons >= 0 {
		for _, h := range st.hits {
			if h.list == persons {
				consider(int(h.w0), int(h.w1))
			}
		}
		if st.e.lex.names[persons] {
			for _, n := range st.nameWords() {
				consider(int(n), int(n)+1)
			}
		}
	}
	return b0, b1, best >= 0
}
