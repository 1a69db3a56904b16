package http

import (
	"errors"
	"html/template"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/rules"
)

// formFuncs are the template functions of the form pages (setup,
// profile, rule editor).
var formFuncs = template.FuncMap{
	// fe is what the "field-error" template gets: a form's errors and
	// the name of one field.
	"fe":  func(e map[string]string, n string) fieldError { return fieldError{E: e, N: n} },
	"has": func(l []string, s string) bool { return slices.Contains(l, s) },
}

type fieldError struct {
	E map[string]string
	N string
}

// orgForm is the organisation profile as the setup and profile pages
// show it: one text field or one list (a textarea, one entry a line) per
// setting, kept as typed so a refused form comes back as it was.
type orgForm struct {
	Name, OrgNumber, Postal, Visiting           string
	Domains, Phones, Accounts, Addresses, Units string
	Blocked, Team                               string
}

func orgFormOf(o rules.Org) orgForm {
	j := func(l []string) string { return strings.Join(l, "\n") }
	return orgForm{Name: o.Name, OrgNumber: o.OrgNumber, Postal: o.PostalAddress, Visiting: o.VisitingAddress,
		Domains: j(o.OwnDomains), Phones: j(o.AllowedPhones), Accounts: j(o.AllowedAccounts), Addresses: j(o.AllowedAddresses),
		Units: j(o.Units), Blocked: j(o.BlockedDomains), Team: j(o.CrisisTeam)}
}

func readOrgForm(c echo.Context) orgForm {
	return orgForm{Name: c.FormValue("org_name"), OrgNumber: c.FormValue("org_number"), Postal: c.FormValue("postal_address"),
		Visiting: c.FormValue("visiting_address"), Domains: c.FormValue("own_domains"), Phones: c.FormValue("phones"),
		Accounts: c.FormValue("accounts"), Addresses: c.FormValue("addresses"), Units: c.FormValue("units"),
		Blocked: c.FormValue("blocked_domains"), Team: c.FormValue("crisis_team")}
}

// lines splits a textarea into its non-blank lines, each sanitised.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(sanitize(l)); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// domainOf accepts "https://www.fjordvik.kommune.no/" for
// "fjordvik.kommune.no", as people copy it from the address bar.
func domainOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	return strings.TrimPrefix(s, "www.")
}

var (
	phoneRE   = regexp.MustCompile(`^(\+47|0047)?[ ]?[0-9]{2,3}([ ]?[0-9]{2,3}){2,3}$`)
	accountRE = regexp.MustCompile(`^[0-9]{4}[ .]?[0-9]{2}[ .]?[0-9]{5}$`)
)

// org turns the form into an organisation section and field errors in
// bokmål (keyed by the form field's name). keep is the part of the
// organisation the form does not show (retention).
func (f orgForm) org(keep rules.Org) (rules.Org, map[string]string) {
	errs := map[string]string{}
	o := rules.Org{Name: strings.TrimSpace(sanitize(f.Name)), OrgNumber: strings.TrimSpace(f.OrgNumber),
		PostalAddress: strings.TrimSpace(sanitize(f.Postal)), VisitingAddress: strings.TrimSpace(sanitize(f.Visiting)),
		AllowedPhones: lines(f.Phones), AllowedAccounts: lines(f.Accounts), AllowedAddresses: lines(f.Addresses),
		Units: lines(f.Units), CrisisTeam: lines(f.Team), RetentionDays: keep.RetentionDays}
	for _, d := range lines(f.Domains) {
		o.OwnDomains = append(o.OwnDomains, domainOf(d))
	}
	for _, d := range lines(f.Blocked) {
		o.BlockedDomains = append(o.BlockedDomains, domainOf(d))
	}
	if o.Name == "" {
		errs["org_name"] = "Skriv organisasjonens navn, for eksempel «Fjordvik kommune»."
	}
	if len(o.OwnDomains) == 0 {
		errs["own_domains"] = "Skriv minst ett eget domene, for eksempel «fjordvik.kommune.no». Innlegg skal lenke til eget nettsted."
	}
	if o.OrgNumber != "" && !rules.ValidOrgNumber(o.OrgNumber) {
		errs["org_number"] = "Organisasjonsnummeret skal ha ni sifre, og det siste må være et gyldig kontrollsiffer. Sjekk det i Enhetsregisteret."
	}
	o.OrgNumber = strings.ReplaceAll(o.OrgNumber, " ", "")
	for _, p := range o.AllowedPhones {
		if !phoneRE.MatchString(p) {
			errs["phones"] = "«" + p + "» er ikke et norsk telefonnummer (åtte sifre, gjerne med +47 foran)."
			break
		}
	}
	for _, a := range o.AllowedAccounts {
		if !accountRE.MatchString(a) {
			errs["accounts"] = "«" + a + "» er ikke et kontonummer (11 sifre, som 1234.56.78903)."
			break
		}
	}
	return o, errs
}

// orgProblems maps a refused bundle's problems in the organisation
// section to the form's fields; other problems are returned as text.
func orgProblems(err error, errs map[string]string) []string {
	fields := map[string]string{"org.name": "org_name", "org.own_domains": "own_domains", "org.blocked_domains": "blocked_domains",
		"org.org_number": "org_number", "org.allowed_phones": "phones", "org.allowed_accounts": "accounts"}
	var rest []string
	var pe *server.Error
	if errors.As(err, &pe) {
		if ps, ok := pe.Details.([]Problem); ok {
			for _, p := range ps {
				msg := p.MessageNB
				if msg == "" {
					msg = p.Message
				}
				key, _, _ := strings.Cut(p.Path, "[")
				if f, ok := fields[key]; ok {
					errs[f] = strings.ToUpper(msg[:1]) + msg[1:] + "."
					continue
				}
				rest = append(rest, plainProblem(p))
			}
			return rest
		}
	}
	return []string{server.ErrorMessage(err)}
}

// plainProblem says a bundle problem in bokmål, for people who do not
// read JSON paths.
func plainProblem(p Problem) string {
	msg := p.MessageNB
	if msg == "" {
		msg = p.Message
	}
	if strings.HasPrefix(p.Path, "examples[") {
		return "Et av regelsettets egne eksempler gir ikke lenger det svaret det skal: " + msg
	}
	if p.Rule != "" {
		return "Regelen " + p.Rule + ": " + msg
	}
	return msg
}
