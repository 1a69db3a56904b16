package engine

import (
	"strings"
	"unicode/utf8"

	"github.com/postvakt/postvakt/shared/draft"
)

// runImage checks each image declaration. A child under 15 without written
// consent from guardians gets image.consent_minor only, never image.consent
// as well.
func runImage(st *state, c *crule) {
	for i, im := range st.d.Images {
		var fire bool
		switch c.r.Image.Check {
		case "undeclared":
			fire = im.Persons == "" || im.Persons == draft.PersonsUnknown
		case "consent":
			fire = im.Persons == draft.PersonsAdults && im.Consent != draft.ConsentGiven && im.Consent != draft.ConsentGuardianWritten
		case "consent_minor":
			fire = im.Persons == draft.PersonsMinors && im.Consent != draft.ConsentGuardianWritten
		case "alt_text":
			fire = strings.TrimSpace(im.Alt) == ""
		}
		if fire {
			st.add(-1, -1, i)
		}
	}
}

// runLength compares the draft's length, as the platform counts it, with
// the platform's limit; the finding covers the text past the limit.
func runLength(st *state, c *crule) {
	p := st.d.Platform
	limit, ok := c.r.Length.Limits[p]
	if !ok {
		return
	}
	text := st.d.Text // the full text, not the checked prefix
	weight := c.r.Length.URLWeight[p]
	n := 0
	over := -1
	var ls []link
	if weight > 0 {
		ls = st.links()
	}
	// Bytes never number fewer than characters: a draft this short
	// cannot be over the limit, and most are.
	if len(text)+len(ls)*weight <= limit {
		return
	}
	li := 0
	for i := 0; i < len(text); {
		start := i
		if li < len(ls) && i == ls[li].s {
			n += weight
			i = ls[li].e
			li++
		} else {
			_, w := utf8.DecodeRuneInString(text[i:])
			n++
			i += w
		}
		if n > limit {
			// The character (or link) that crosses the limit.
			over = start
			break
		}
	}
	if over < 0 {
		return
	}
	if over >= len(st.text) {
		st.add(-1, -1, -1)
		return
	}
	st.add(over, len(st.text), -1)
}

// runReadability computes LIX: words per sentence plus the share of words
// longer than six letters, in per cent.
func runReadability(st *state, c *crule) {
	words, long, sents := 0, 0, 0
	s := st.f.S
	for _, se := range st.sents {
		n := 0
		for _, w := range st.words[se.W0:se.W1] {
			t := s[w.Start:w.End]
			if t[0] >= '0' && t[0] <= '9' {
				continue
			}
			n++
			if utf8.RuneCountInString(t) > 6 {
				long++
			}
		}
		if n > 0 {
			sents++
			words += n
		}
	}
	min := c.r.Readability.MinWords
	if min == 0 {
		min = 30
	}
	if words < min || sents == 0 {
		return
	}
	lix := float64(words)/float64(sents) + 100*float64(long)/float64(words)
	if lix > c.r.Readability.MaxLIX {
		st.add(-1, -1, -1)
	}
}

// runCrisis blocks everyone outside the crisis team while crisis mode is on.
func runCrisis(st *state, c *crule) {
	cr := st.opt.Crisis
	if cr == nil || !cr.Active {
		return
	}
	user := strings.ToLower(strings.TrimSpace(st.d.User))
	if user != "" {
		if st.e.org.team[user] {
			return
		}
		for _, t := range cr.Team {
			if strings.EqualFold(strings.TrimSpace(t), user) {
				return
			}
		}
	}
	st.add(-1, -1, -1)
}
