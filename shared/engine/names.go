package engine

import "strings"

// placePrepositions precede place names, which are capitalised like
// personal names («bor i Nordbygda», «på Solheim»).
var placePrepositions = map[string]bool{
	"i": true, "på": true, "ved": true, "fra": true, "frå": true, "over": true, "gjennom": true,
	"langs": true, "utenfor": true, "utanfor": true, "innenfor": true, "nær": true, "rundt": true,
	"via": true, "mellom": true,
}

// nameWords returns the indices of words that look like personal names: a
// capitalised word that does not start a sentence, is not an acronym, does
// not follow a place preposition (unless it continues a name) and is not
// part of the organisation's name. Computed once per draft, on demand.
func (st *state) nameWords() []int32 {
	if st.namesD {
		return st.names
	}
	st.namesD = true
	st.names = st.names[:0]
	s := st.f.S
	// The capitalised words inside sentences, once, so that telling
	// whether a sentence's first word is a name costs no second pass over
	// the draft (a 60,000-character draft has thousands of sentences).
	if st.midCap == nil {
		st.midCap = map[string]bool{}
	}
	clear(st.midCap)
	for k, o := range st.words {
		if !o.Cap || k == 0 || st.words[k-1].Sent != o.Sent || st.sentenceInitial(k) {
			continue
		}
		prev := st.words[k-1]
		if placePrepositions[s[prev.Start:prev.End]] && !prev.Cap {
			continue
		}
		st.midCap[s[o.Start:o.End]] = true
	}
	for i, w := range st.words {
		if !w.Cap {
			continue
		}
		text := s[w.Start:w.End]
		if i == 0 || st.words[i-1].Sent != w.Sent || st.sentenceInitial(i) {
			if st.initialName(i, text) {
				st.names = append(st.names, int32(i))
			}
			continue
		}
		// Road and model names with digits («E39», «Fv60») are not names,
		// nor are organisations («Sjukepleiarforbundet», «Idrettslaget»).
		if strings.ContainsAny(text, "0123456789") || orgLike(text) {
			continue
		}
		if isAcronym(st.f.Orig, st.f.OrigOffset(int(w.Start)), st.f.OrigOffset(int(w.End))) {
			continue
		}
		if st.e.org.nameWords[text] {
			continue
		}
		prev := st.words[i-1]
		prevText := s[prev.Start:prev.End]
		if placePrepositions[prevText] && !prev.Cap {
			continue
		}
		if len(st.names) > 0 && int(st.names[len(st.names)-1]) == i-1 {
			// Continuation of a name ("Ahmed Rahimi") counts as the same name.
			st.names = append(st.names, int32(i))
			continue
		}
		if prev.Cap && !st.isName(i-1) {
			if st.sentenceInitial(i-1) && !st.e.org.nameWords[prevText] {
				// «Jovna Somby i 4A ...»: two capitalised words opening a
				// sentence are a first and a last name.
				st.names = append(st.names, int32(i-1), int32(i))
			}
			// Otherwise part of a capitalised phrase that is not a name.
			continue
		}
		st.names = append(st.names, int32(i))
	}
	return st.names
}

// firstNames are common given names in Norway (lower case). A sentence
// opens with a capital anyway, so only a known given name tells that the
// first word of «Ahmed kom som flyktning i 2016» is a person. Names that
// are also common words («Dag», «Tone», «Hans», «Odd», «Even») are left
// out.
var firstNames = map[string]bool{}

func init() {
	for _, n := range []string{
		"ada", "agnes", "ahmed", "aisha", "alexander", "ali", "amalie", "amina", "andrea", "andreas",
		"anette", "anita", "anna", "anne", "anders", "arne", "asbjørn", "aslak", "astrid", "atle",
		"audun", "bjørg", "bjørn", "bjørnar", "berit", "birgitte", "bente", "brita", "britt", "camilla",
		"carina", "cecilie", "christian", "daniel", "david", "elias", "elin", "elisabeth", "ella",
		"ellen", "else", "emil", "emilie", "emma", "erik", "eirik", "einar", "eivind", "elise", "espen",
		"fatima", "filip", "frank", "frida", "geir", "gerd", "gunnar", "gunn", "grete", "gro", "guro",
		"hanne", "hanna", "harald", "hege", "heidi", "helene", "helga", "henrik", "henriette", "hilde",
		"håkon", "idun", "ida", "ingrid", "inger", "ingvild", "ine", "isak", "iselin", "jakob", "jan",
		"janne", "jens", "jenny", "johan", "johanne", "johannes", "jon", "jonas", "jorunn", "josefine",
		"julie", "jørgen", "kaja", "karen", "kari", "karin", "karl", "kasper", "katrine", "kim", "kjell",
		"kjersti", "knut", "kristian", "kristin", "kristine", "kristoffer", "lars", "laila", "lea",
		"leah", "lena", "lene", "leon", "line", "linn", "linnea", "lisa", "lise", "lotte", "lucas",
		"ludvig", "lukas", "magnus", "maja", "malin", "marianne", "marit", "marius", "markus", "marte",
		"martin", "mathias", "mats", "mia", "mikkel", "mohammad", "mohammed", "mona", "morten",
		"muhammad", "nils", "nina", "noah", "nora", "olav", "ola", "ole", "oliver", "olivia", "oscar",
		"oskar", "pernille", "petter", "philip", "ragnhild", "ragnar", "randi", "rune", "ruth", "sander",
		"sara", "sebastian", "selma", "signe", "sigrid", "silje", "simen", "simon", "sindre", "siri",
		"siv", "sofie", "solveig", "sondre", "steinar", "stian", "stine", "svein", "synnøve", "sverre",
		"sølvi", "terje", "thea", "theo", "thomas", "tiril", "tobias", "tonje", "tor", "torbjørn", "tore",
		"torill", "torstein", "tove", "trine", "trond", "tuva", "turid", "unni", "vegard", "vetle",
		"viljar", "viktor", "wenche", "william", "yusuf", "øyvind", "åse", "åshild",
		"kenneth", "roger", "stig", "trygve", "vidar", "per", "paul", "petra", "hilde", "liv",
		"gunhild", "ingeborg", "marte", "maria", "mari", "amira", "omar", "hassan", "fredrik",
		"halvor", "helge", "jostein", "kåre", "leif", "magne", "oddvar", "rolf", "sigurd", "svein",
		"tone", "tormod", "ulrik", "aud", "bodil", "eli", "grethe", "irene", "jannicke", "mette",
		"oda", "ragnhild", "sissel", "vigdis", "alex", "robin", "kim", "sam",
	} {
		firstNames[n] = true
	}
}

// initialName reports whether the capitalised word i, which opens a
// sentence, is still a personal name: it is followed by an age in
// parentheses («Emma (8) i 3B»), it is a common given name, or the same
// word is capitalised inside a sentence elsewhere in the draft («… Tøffe
// Emma!»).
func (st *state) initialName(i int, text string) bool {
	if strings.ContainsAny(text, "0123456789") || st.e.org.nameWords[text] || len(text) < 2 || orgLike(text) {
		return false
	}
	if firstNames[text] {
		return !isAcronym(st.f.Orig, st.f.OrigOffset(int(st.words[i].Start)), st.f.OrigOffset(int(st.words[i].End)))
	}
	s := st.f.S
	w := st.words[i]
	if rest := s[w.End:]; strings.HasPrefix(rest, " (") {
		j := 2
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j > 2 && j <= 5 && j < len(rest) && rest[j] == ')' {
			return !isAcronym(st.f.Orig, st.f.OrigOffset(int(w.Start)), st.f.OrigOffset(int(w.End)))
		}
	}
	if st.midCap[text] {
		return !isAcronym(st.f.Orig, st.f.OrigOffset(int(w.Start)), st.f.OrigOffset(int(w.End)))
	}
	return false
}

// orgSuffixes end the names of organisations, institutions and places,
// which are capitalised like personal names but name no person: a union
// that signs an agreement is no one's union membership.
var orgSuffixes = []string{
	"forbundet", "forbund", "foreningen", "foreininga", "forening", "foreining",
	"laget", "partiet", "kommune", "kommunen", "fylkeskommune", "senteret", "sentret",
	"skole", "skolen", "skule", "skulen", "barnehage", "barnehagen", "klubb", "klubben",
	"departementet", "direktoratet", "tilsynet", "etaten", "kontoret", "tjenesten",
	"tenesta", "banken", "selskapet", "stiftelsen", "stiftinga", "rådet", "utvalget",
	"utvalet", "nemnda", "sykehus", "sykehuset", "sjukehus", "sjukehuset", "kirke",
	"kirken", "kyrkje", "kyrkja", "biblioteket", "museet", "hallen", "teateret",
}

// orgLike reports whether a capitalised word (lower case here) ends like
// the name of an organisation or institution, with at least three letters
// before the ending («Fagforbundet», «Rådhuskontoret»).
func orgLike(w string) bool {
	for _, suf := range orgSuffixes {
		if len(w) >= len(suf)+3 && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

func (st *state) isName(i int) bool {
	for _, n := range st.names {
		if int(n) == i {
			return true
		}
	}
	return false
}

// sentenceInitial reports whether word i is the first word of its sentence
// or follows a colon, a dash or an opening quote that starts a clause.
func (st *state) sentenceInitial(i int) bool {
	w := st.words[i]
	se := st.sents[w.Sent]
	if int(se.W0) == i {
		return true
	}
	// Look back over spaces to the previous non-space byte.
	s := st.f.S
	j := int(w.Start) - 1
	for j >= 0 && (s[j] == ' ' || s[j] == '\t') {
		j--
	}
	if j < 0 {
		return true
	}
	switch s[j] {
	case ':', '«', '"', '(', '-', '\n':
		return s[j] != '-' || j == 0 || s[j-1] == ' '
	}
	if j >= 1 && s[j-1:j+1] == "\xc2\xab" { // «
		return true
	}
	return false
}

func isAcronym(orig string, a, b int) bool {
	if b-a < 2 {
		return false
	}
	up := 0
	for _, r := range orig[a:b] {
		if r >= 'A' && r <= 'Z' || r == 'Æ' || r == 'Ø' || r == 'Å' {
			up++
		}
	}
	return up >= 2
}
