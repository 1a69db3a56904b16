package engine

import (
	"strings"
	"unicode/utf8"
)

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
	terms, persons, unless := c.words, c.persons, c.unless
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
