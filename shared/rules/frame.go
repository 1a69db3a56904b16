package rules

import (
	"fmt"
	"regexp"
)

// KindFrame is a rule that combines roles found in one sentence: a
// political target and an evaluation, a person and a special-category
// fact, an addressee and an act on their case. Flat phrase lists cannot
// say «a party AND an evaluation of it»; a frame can, and its finding
// names the words that filled each role, so the writer sees why.
const KindFrame = "frame"

// FrameRule fires on a sentence in which every role has a match and no
// `unless` term or pattern matches.
type FrameRule struct {
	// Roles must all be filled, in any order.
	Roles []Role `json:"roles"`
	// Unless drops a sentence in which one of these terms occurs (neutral
	// reports, attributed quotes, general information).
	Unless         []string `json:"unless,omitempty"`
	UnlessPatterns []string `json:"unless_patterns,omitempty"`
	// Overrule lifts Unless in a sentence that also has one of these
	// patterns: a strong irony cue turns the thanks an exception was
	// written for into mockery («Imponerande innsats i kommunestyret: tre
	// timar debatt for å seie nei 👏👏»).
	Overrule []string `json:"overrule,omitempty"`
	// Within bounds the distance in words between the first role's match
	// and each other role's match; 0 means anywhere in the sentence.
	Within int `json:"within,omitempty"`
	// Span is what a finding covers: "sentence" (default) or "roles"
	// (from the first to the last word that filled a role).
	Span string `json:"span,omitempty"`
	// Merge makes adjacent sentences that fire one finding.
	Merge bool `json:"merge,omitempty"`
	// Once makes one finding per draft, from the first to the last
	// sentence that fires (a request for input makes the whole post one
	// to journalføre).
	Once bool `json:"once,omitempty"`
	// Cover names roles whose sentences a once-per-draft finding also
	// covers when they fill only that role: the requests for input of a
	// post that asks for it («Vi vil ha innspel frå deg!»).
	Cover []string `json:"cover,omitempty"`
	// Carry lets a sentence that refers back («Dette er ei gledeleg
	// avgjerd», «Det mener vi er feil») take its first role (the party,
	// the person) from the sentence before it, when it has one of these
	// words. Only without
	// Within, since distance across sentences means nothing.
	Carry []string `json:"carry,omitempty"`
	// CarryShort lets a sentence of at most this many words take its first
	// role from the sentence before it without a word that refers back:
	// «Kortsynt 👎», «Heilt forkasta, spør du meg.»
	CarryShort int `json:"carry_short,omitempty"`
	// CarryWith names classes (of any role but the first) whose match lets
	// a sentence take the first role from the sentence before it without a
	// word that refers back: an opinion marker or an ironic emoji judges
	// what was just said («Heldigvis har vi penger nok til alt 🙃»).
	CarryWith []string `json:"carry_with,omitempty"`
	// SkipSignOff ignores matches in a reply's sign-off («Helsing Kari,
	// barnevernstenesta»), which names the writer and the unit.
	SkipSignOff bool `json:"skip_sign_off,omitempty"`
}

// Role is one slot of a frame. It is filled by a match of any of its
// classes; the class names what kind of word filled it («party»,
// «health»), for the explanation and for tuning.
type Role struct {
	Name    string       `json:"name"`
	Label   Text         `json:"label"`
	Classes []FrameClass `json:"classes"`
	// SkipWorkplace ignores a match that names a service as someone's
	// workplace («leiar for barnevernstenesta»).
	SkipWorkplace bool `json:"skip_workplace,omitempty"`
}

// FrameClass is a word list (term syntax of phrase rules, including
// `~lemma` and `@name`) and RE2 patterns.
type FrameClass struct {
	Name     string   `json:"name"`
	Label    Text     `json:"label"`
	Words    []string `json:"words,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	// Kinds limits the class to some kinds of draft: «du» is the person
	// answered in a reply or message, but anyone at all in a post.
	Kinds []string `json:"kinds,omitempty"`
}

// Frame spans.
const (
	SpanSentence = "sentence"
	SpanRoles    = "roles"
)

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// MaxRoles and MaxClasses bound a frame's size.
const (
	MaxRoles   = 6
	MaxClasses = 32
)

func validateFrame(fr *FrameRule, p, id string, errs *ValidationErrors) {
	add := func(path, format string, args ...any) {
		*errs = append(*errs, ve(path, id, format, args...))
	}
	if len(fr.Roles) == 0 {
		add(p+".frame.roles", "needs at least one role")
	}
	if len(fr.Roles) > MaxRoles {
		add(p+".frame.roles", "has %d roles, more than the limit of %d", len(fr.Roles), MaxRoles)
		return
	}
	roleNames := map[string]bool{}
	for i, r := range fr.Roles {
		rp := fmt.Sprintf("%s.frame.roles[%d]", p, i)
		if !nameRe.MatchString(r.Name) {
			add(rp+".name", "%q is not a role name (lower-case letters, digits and _, starting with a letter)", r.Name)
		} else if roleNames[r.Name] {
			add(rp+".name", "role %q is defined twice", r.Name)
		}
		roleNames[r.Name] = true
		if r.Label.NB == "" {
			add(rp+".label.nb", "is required: the explanation shows it")
		}
		if len(r.Classes) == 0 {
			add(rp+".classes", "needs at least one class")
		}
		if len(r.Classes) > MaxClasses {
			add(rp+".classes", "has %d classes, more than the limit of %d", len(r.Classes), MaxClasses)
			continue
		}
		classNames := map[string]bool{}
		for j, c := range r.Classes {
			cp := fmt.Sprintf("%s.classes[%d]", rp, j)
			if !nameRe.MatchString(c.Name) {
				add(cp+".name", "%q is not a class name (lower-case letters, digits and _, starting with a letter)", c.Name)
			} else if classNames[c.Name] {
				add(cp+".name", "class %q is defined twice in role %q", c.Name, r.Name)
			}
			classNames[c.Name] = true
			if c.Label.NB == "" {
				add(cp+".label.nb", "is required: the explanation shows it")
			}
			if len(c.Words) == 0 && len(c.Patterns) == 0 {
				add(cp, "needs words or patterns")
			}
			checkTerms(cp+".words", id, c.Words, errs)
			checkPatterns(cp+".patterns", id, c.Patterns, errs)
			checkList(cp+".kinds", id, c.Kinds, kindsDraft, errs)
		}
	}
	checkTerms(p+".frame.unless", id, fr.Unless, errs)
	checkTerms(p+".frame.carry", id, fr.Carry, errs)
	checkPatterns(p+".frame.unless_patterns", id, fr.UnlessPatterns, errs)
	checkPatterns(p+".frame.overrule", id, fr.Overrule, errs)
	for i, n := range fr.CarryWith {
		found := false
		for ri, r := range fr.Roles {
			for _, c := range r.Classes {
				found = found || ri > 0 && c.Name == n
			}
		}
		if !found {
			add(fmt.Sprintf("%s.frame.carry_with[%d]", p, i), "%q is not a class of a role after the first", n)
		}
	}
	for i, n := range fr.Cover {
		if !roleNames[n] {
			add(fmt.Sprintf("%s.frame.cover[%d]", p, i), "%q is not a role of the frame", n)
		}
	}
	if fr.CarryShort < 0 || fr.CarryShort > 30 {
		add(p+".frame.carry_short", "must be between 0 and 30 words")
	}
	if fr.Within < 0 || fr.Within > 100 {
		add(p+".frame.within", "must be between 0 and 100 words")
	}
	if fr.Span != "" && fr.Span != SpanSentence && fr.Span != SpanRoles {
		add(p+".frame.span", "%q is not a span; valid spans are %s, %s", fr.Span, SpanSentence, SpanRoles)
	}
}
