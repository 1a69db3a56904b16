package engine

import (
	"strings"
	"unicode/utf8"

	"github.com/postvakt/postvakt/shared/rules"
)

// detectorRunners maps the built-in detector names (rules.Detectors) to code.
var detectorRunners = map[string]func(*state, *crule){
	"national_id":  runNationalID,
	"payment_card": runPaymentCard,
	"bank_account": runBankAccount,
	"phone":        runPhone,
	"email":        runEmail,
	"address":      runAddress,
	"sensitive":    runSensitive,
	"signature":    runSignature,
}

// runSensitive reports a sensitive fact (params.terms) tied to an
// identifiable person: a person reference (params.persons, which may hold
// "@name") within params.within words, or in the same sentence when within
// is 0. The finding spans the fact and the person reference. A sentence with
// an `unless` term (general public-health information and the like) is
// skipped.
func runSensitive(st *state, c *crule) {
	terms, persons, unless := c.lists[0], c.lists[1], c.lists[2]
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
	// A capitalised service after «til» is a recipient («sokkar til
	// Flyktningtenesta»); a lower-case one is where someone was referred
	// («meldt til barnevernet»), which counts.
	return workPrepositions[prep] || prep == "til" && st.words[w0].Cap
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

// streetSuffixes end the names of streets and roads; a word ending in one,
// followed by a house number, is a street address.
var streetSuffixes = []string{
	"veien", "vegen", "vei", "veg", "gata", "gaten", "gate", "gt", "stien", "stig", "stigen",
	"bakken", "bakke", "plassen", "plass", "torget", "allé", "alle", "alléen", "lia", "lien",
	"svingen", "kroken", "tunet", "ringen", "brekka", "brekke", "haugen", "åsen", "jordet",
	"kaia", "kaien", "bryggen", "brygga", "strand", "stranda", "løkka", "løkken", "myra",
	"tråkket", "vollen", "toppen", "grenda", "grend", "høgda", "høyden",
}

// address is a street address in folded bytes and its words [w0, w1).
type address struct {
	s, e   int
	w0, w1 int
}

// findAddresses returns street addresses with a house number: «Heiaveien 7»,
// «Bjørkeveien 4, 6810 Nordbygda», «Kong Oscars gate 12B».
func (st *state) findAddresses() []address {
	var out []address
	s := st.f.S
	ws := st.words
	for i := 0; i+1 < len(ws); i++ {
		w := s[ws[i].Start:ws[i].End]
		// Street names are capitalised («Storgata»), or a separate
		// «gate»/«vei» follows one («Kong Oscars gate»).
		if !ws[i].Cap && (i == 0 || !ws[i-1].Cap || len(w) > 6) {
			continue
		}
		// A house number must follow; checking that first spares the
		// suffix list for almost every capitalised word.
		if c := s[ws[i+1].Start]; c < '0' || c > '9' {
			continue
		}
		if !hasStreetSuffix(w) {
			continue
		}
		// The street name is capitalised, either this word or the word
		// before a separate «gate»/«vei».
		w0 := i
		if !ws[i].Cap {
			if i == 0 || !ws[i-1].Cap || utf8.RuneCountInString(w) > 5 {
				continue
			}
			w0 = i - 1
		}
		num := s[ws[i+1].Start:ws[i+1].End]
		if !isHouseNumber(num) || strings.TrimSpace(s[ws[i].End:ws[i+1].Start]) != "" {
			continue
		}
		end := i + 2
		e := int(ws[i+1].End)
		// «, 6810 Nordbygda»
		if end+1 < len(ws) && len(s[ws[end].Start:ws[end].End]) == 4 && allDigits(s[ws[end].Start:ws[end].End]) &&
			strings.TrimSpace(s[e:ws[end].Start]) == "," {
			end += 2
			e = int(ws[end-1].End)
		}
		out = append(out, address{s: int(ws[w0].Start), e: e, w0: w0, w1: end})
		i = end - 1
	}
	return out
}

func hasStreetSuffix(w string) bool {
	for _, suf := range streetSuffixes {
		if strings.HasSuffix(w, suf) && len(w) >= len(suf) {
			return true
		}
	}
	return false
}

func isHouseNumber(w string) bool {
	n := 0
	for n < len(w) && w[n] >= '0' && w[n] <= '9' {
		n++
	}
	if n == 0 || n > 4 || w[0] == '0' {
		return false
	}
	rest := w[n:]
	return rest == "" || len(rest) == 1 && rest[0] >= 'a' && rest[0] <= 'h'
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// runAddress reports a street address tied to a private person: the same
// sentence names a person or a person reference (params.persons, "@name"),
// or says where someone lives (params.terms). Venue sentences
// (params.unless) and the organisation's own addresses are not findings.
func runAddress(st *state, c *crule) {
	terms, persons, unless := c.lists[0], c.lists[1], c.lists[2]
	for _, a := range st.findAddresses() {
		street := squash(st.f.S[a.s:int(st.words[min(a.w0+1, a.w1-1)].End)])
		if st.allowedAddress(a) || street == "" {
			continue
		}
		tied := false
		if terms >= 0 && st.inSentence(terms, a.w0) {
			tied = true
		}
		if !tied {
			if _, _, ok := st.closestPerson(persons, a.w0, a.w1, c.within); ok {
				tied = true
			}
		}
		if !tied || unless >= 0 && st.inSentence(unless, a.w0) || st.venueAddress(a) {
			continue
		}
		st.addFolded(a.s, a.e)
	}
}

// venueSuffixes end the names of public places and businesses: buildings,
// halls, schools, churches, shops («Kulturhuset», «Nordbygda bibliotek»,
// «Fjordvik legesenter»).
var venueSuffixes = []string{
	"hus", "huset", "hall", "hallen", "bibliotek", "biblioteket", "skole", "skolen", "skule", "skulen",
	"barnehage", "barnehagen", "senter", "senteret", "kirke", "kirken", "kyrkje", "kyrkja", "stadion",
	"museum", "museet", "kafé", "kafe", "kafeen", "kaféen", "hotell", "hotellet", "salen", "scene", "scenen",
	"kino", "kinoen", "arena", "arenaen", "galleri", "galleriet", "kontor", "kontoret", "butikk", "butikken",
	"foreningen", "foreininga", "lokale", "lokalet", "lokala", "park", "parken", "bad", "badet", "klubb", "klubben",
}

// venueAddress reports whether address a is the address of a venue named
// just before it: «i Kulturhuset, Storgata 20», «Fjordvik legesenter,
// Storgata 14», «den nye barnehagen i Solbakken 4». Such an address is
// where an event or a service is, not where a person lives.
func (st *state) venueAddress(a address) bool {
	if a.w0 == 0 {
		return false
	}
	s := st.f.S
	k := a.w0 - 1
	between := strings.TrimSpace(s[st.words[k].End:st.words[a.w0].Start])
	switch {
	case between == ",":
	case between == "" && (s[st.words[k].Start:st.words[k].End] == "i" || s[st.words[k].Start:st.words[k].End] == "på") && k > 0:
		k--
		if strings.TrimSpace(s[st.words[k].End:st.words[k+1].Start]) != "" {
			return false
		}
	default:
		return false
	}
	if !st.sameSentence(k, a.w0) {
		return false
	}
	w := s[st.words[k].Start:st.words[k].End]
	for _, suf := range venueSuffixes {
		if strings.HasSuffix(w, suf) {
			// «i huset, Storgata 3» is a home; «Kulturhuset» a venue.
			return len(w) > len(suf) || suf != "hus" && suf != "huset"
		}
	}
	return false
}

func (st *state) allowedAddress(a address) bool {
	if len(st.e.org.addresses) == 0 {
		return false
	}
	// Compare street and number only: «Torggata 5» matches «Torggata 5, 6800 Fjordvik».
	num := a.w0 + 1
	for num < a.w1 && !isHouseNumber(st.f.S[st.words[num].Start:st.words[num].End]) {
		num++
	}
	if num >= a.w1 {
		return false
	}
	key := squash(st.f.S[a.s:st.words[num].End])
	for _, x := range st.e.org.addresses {
		if x == key {
			return true
		}
	}
	return false
}

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
func dashStart(seg string) int {
	i := 0
	for i < len(seg) {
		r, n := utf8.DecodeRuneInString(seg[i:])
		if r == ' ' || r == '\t' || r == 0xFE0F || r == 0x200D || r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF {
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
