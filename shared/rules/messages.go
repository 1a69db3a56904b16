package rules

import "fmt"

// nbFormats holds the bokmål form of every validation message, keyed by
// its English format string, so admins read the editor's errors in
// bokmål while the command line and the JSON API keep English. A format
// without an entry falls back to English; a test checks that none does.
var nbFormats = map[string]string{
	"is required":                                                 "må fylles ut",
	"a bundle needs at least one rule":                            "en regelpakke må ha minst én regel",
	"has %d rules, more than the limit of %d":                     "har %d regler, flere enn grensen på %d",
	"must be lower-case words joined by dots, like \"pii.phone\"": "må være ord med små bokstaver skilt med punktum, som «pii.phone»",
	"duplicates rules[%d]":                                        "er lik id-en i rules[%d]",
	"%q does not match the id's prefix":                           "%q stemmer ikke med starten av id-en",
	"%q is not one of %s":                                         "%q er ikke en av %s",
	"needs text in nb, nn and en":                                 "må ha tekst på bokmål (nb), nynorsk (nn) og engelsk (en)",
	"must cite the guideline the rule enforces":                   "må vise til retningslinjen regelen håndhever",
	"%q is not a date (YYYY-MM-DD or RFC 3339)":                   "%q er ikke en dato (ÅÅÅÅ-MM-DD eller RFC 3339)",
	"to must be after from":                                       "«to» må være etter «from»",
	"no rule with id %q in the bundle":                            "ingen regel i pakken har id-en %q",
	"pattern %q: \\b is an ASCII word boundary in RE2 and never matches before %q; write (^|[^\\pL\\pN]) instead": "mønsteret %q: \\b er en ordgrense bare for ASCII i RE2 og treffer aldri foran %q; skriv (^|[^\\pL\\pN]) i stedet",
	"a rule cannot yield to itself":                                                     "en regel kan ikke vike for seg selv",
	"no rule with this id in the bundle":                                                "ingen regel i pakken har denne id-en",
	"%q does not occur in the draft":                                                    "%q står ikke i utkastet",
	"draft has no image %d":                                                             "utkastet har ikke bilde %d",
	"%q is not a domain name":                                                           "%q er ikke et domenenavn",
	"must not be negative":                                                              "kan ikke være negativ",
	"%q is not a rule kind; valid kinds are %s":                                         "%q er ikke en regeltype; gyldige typer er %s",
	"is set but the rule's kind is %q":                                                  "er fylt ut, men regelen er av typen %q",
	"is required for a rule of kind %q":                                                 "må fylles ut for en regel av typen %q",
	"%q is not a built-in detector; valid detectors are %s":                             "%q er ikke en innebygd detektor; gyldige detektorer er %s",
	"must be between 0 and 100 words":                                                   "må være mellom 0 og 100 ord",
	"the %s detector needs terms":                                                       "detektoren %s trenger ord (terms)",
	"needs words or patterns":                                                           "trenger ord (words) eller mønstre (patterns)",
	"%q is not a link check; valid checks are %s":                                       "%q er ikke en lenkesjekk; gyldige sjekker er %s",
	"the shortener check needs the shortener domains":                                   "sjekken for lenkeforkortere trenger domenene til forkorterne",
	"%q is not an image check; valid checks are %s":                                     "%q er ikke en bildesjekk; gyldige sjekker er %s",
	"needs a limit for at least one platform":                                           "trenger en grense for minst én plattform",
	"%q is not a platform; valid platforms are %s":                                      "%q er ikke en plattform; gyldige plattformer er %s",
	"must be a positive number of characters":                                           "må være et positivt antall tegn",
	"%q is not a platform":                                                              "%q er ikke en plattform",
	"must be positive":                                                                  "må være positiv",
	"must be between 0 and 100 (55 is the usual limit)":                                 "må være mellom 0 og 100 (55 er vanlig grense)",
	"has %d terms, more than the limit of %d":                                           "har %d ord, flere enn grensen på %d",
	"pattern is longer than %d bytes":                                                   "mønsteret er lengre enn %d byte",
	"pattern is empty":                                                                  "mønsteret er tomt",
	"invalid RE2 pattern: %s":                                                           "ugyldig RE2-mønster: %s",
	"pattern %q matches the empty string":                                               "mønsteret %q treffer en tom tekst",
	"term is not valid UTF-8":                                                           "ordet er ikke gyldig UTF-8",
	"term is empty":                                                                     "ordet er tomt",
	"term is longer than %d bytes":                                                      "ordet er lengre enn %d byte",
	"term %q has a word that is only a wildcard":                                        "%q har et ord som bare er en stjerne",
	"term %q: `*` may only start or end a word":                                         "%q: `*` kan bare stå først eller sist i et ord",
	"term %q: %q is not a letter or digit; use a pattern for punctuation":               "%q: %q er ikke en bokstav eller et siffer; bruk et mønster (patterns) for tegn",
	"needs at least one role":                                                           "trenger minst én rolle",
	"has %d roles, more than the limit of %d":                                           "har %d roller, flere enn grensen på %d",
	"%q is not a role name (lower-case letters, digits and _, starting with a letter)":  "%q er ikke et rollenavn (små bokstaver, sifre og _, og først en bokstav)",
	"role %q is defined twice":                                                          "rollen %q er definert to ganger",
	"is required: the explanation shows it":                                             "må fylles ut: forklaringen viser den",
	"needs at least one class":                                                          "trenger minst én klasse",
	"has %d classes, more than the limit of %d":                                         "har %d klasser, flere enn grensen på %d",
	"%q is not a class name (lower-case letters, digits and _, starting with a letter)": "%q er ikke et klassenavn (små bokstaver, sifre og _, og først en bokstav)",
	"class %q is defined twice in role %q":                                              "klassen %q er definert to ganger i rollen %q",
	"%q is not a span; valid spans are %s, %s":                                          "%q er ikke et spenn; gyldige spenn er %s, %s",
	"has %d models, more than the limit of %d":                                          "har %d modeller, flere enn grensen på %d",
	"%q is not a model name (lower-case letters, digits and _, starting with a letter)": "%q er ikke et modellnavn (små bokstaver, sifre og _, og først en bokstav)",
	"the model cannot be used: %s":                                                      "modellen kan ikke brukes: %s",
	"must be at least 0 and below 1":                                                    "må være minst 0 og under 1",
	"%q is itself a classifier rule":                                                    "%q er selv en klassifiseringsregel",
	"the bundle has no model %q":                                                        "regelpakken har ingen modell %q",
	"%q is not a class of model %q; its classes are %v":                                 "%q er ikke en klasse i modellen %q; klassene er %v",
	"term %q: `~` must be followed by a lemma":                                          "%q: `~` må følges av et oppslagsord",
	"term %q: %q is not in the lexicon; list the forms as words instead, or add the lemma to shared/lexicon/lemmas.txt": "%q: %q finnes ikke i ordlisten; skriv bøyningsformene som egne ord, eller legg oppslagsordet til i shared/lexicon/lemmas.txt",
	"must be between 0 and 30 words":                "må være mellom 0 og 30 ord",
	"%q is not a role of the frame":                 "%q er ikke en rolle i rammen",
	"%q is not a class of a role after the first":   "%q er ikke en klasse i en rolle etter den første",
	"bundle is %d bytes, more than the limit of %d": "regelpakken er %d byte, mer enn grensen på %d",
	"must be keep or mask":                          "må være keep (behold) eller mask (skjul)",

	// The organisation profile (the setup and profile pages).
	"%q is not an organisation number (nine digits with a valid check digit)": "%q er ikke et organisasjonsnummer (ni sifre med gyldig kontrollsiffer)",
}

// msgError is an error whose message exists in English and bokmål.
type msgError struct{ en, nb string }

func (e *msgError) Error() string { return e.en }

// newMsg formats a message in English and bokmål.
func newMsg(format string, args ...any) *msgError {
	nbf, ok := nbFormats[format]
	if !ok {
		nbf = format
	}
	return &msgError{en: fmt.Sprintf(format, args...), nb: fmt.Sprintf(nbf, args...)}
}

// ve builds a ValidationError from a message format.
func ve(path, rule, format string, args ...any) ValidationError {
	m := newMsg(format, args...)
	return ValidationError{Path: path, Rule: rule, Msg: m.en, NB: m.nb}
}

// fromErr turns an error from ParseTerm or CompilePattern into a
// ValidationError at path.
func fromErr(path, rule string, err error) ValidationError {
	if m, ok := err.(*msgError); ok {
		return ValidationError{Path: path, Rule: rule, Msg: m.en, NB: m.nb}
	}
	return ValidationError{Path: path, Rule: rule, Msg: err.Error(), NB: err.Error()}
}
