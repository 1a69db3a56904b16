package http

import (
	"crypto/hmac"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/rules"
)

// The first run (/setup): while the store has no account, /, /login and
// /admin lead here, and the form creates the first admin (and, if asked,
// a compliance account) and publishes the organisation's profile as a
// new bundle version, all in one transaction. Once any account exists
// the page answers 404. There is no session yet, so the form's CSRF
// token is bound to a random cookie set with the form (double submit,
// SameSite=Strict), and the POST must come from this origin.

const setupCookie = "postvakt_setup"

// setupFirst sends GET requests to /setup while no account exists.
func (s *Server) setupFirst(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		needed, err := s.setup.needed(c.Request().Context())
		if err != nil {
			return err
		}
		if needed {
			return c.Redirect(http.StatusSeeOther, "/setup")
		}
		return next(c)
	}
}

// setupOnly answers 404 once an account exists.
func (s *Server) setupOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		needed, err := s.setup.needed(c.Request().Context())
		if err != nil {
			return err
		}
		if !needed {
			return server.Errorf(server.ENOTFOUND, "Postvakt er allerede satt opp. Logg inn på /login.")
		}
		return next(c)
	}
}

// setupForm is the first-run form as typed (passwords excepted).
type setupForm struct {
	CSRF                 string
	Org                  orgFields
	AdminName, AdminUnit string
	Compliance           bool
	ComplianceName       string
	Errors               map[string]string
	Summary              []formProblem
}

// orgFields is what the "orgfields" template gets.
type orgFields struct {
	F    orgForm
	E    map[string]string
	Full bool
}

// formProblem is one line of a form's error summary; Field is the id of
// the field it is about ("" for the whole form).
type formProblem struct {
	Field, Msg string
}

// summary lists errs in the order of the form's fields.
func summary(errs map[string]string, order []string, rest []string) []formProblem {
	var out []formProblem
	for _, f := range order {
		if m, ok := errs[f]; ok {
			out = append(out, formProblem{f, m})
		}
	}
	for _, m := range rest {
		out = append(out, formProblem{"", m})
	}
	return out
}

var setupOrder = []string{"org_name", "org_number", "own_domains", "phones", "accounts", "blocked_domains",
	"admin_name", "admin_password", "compliance_name", "compliance_password"}

// setupToken returns the form's CSRF token, setting the cookie it is
// bound to when the request has none.
func (s *Server) setupToken(c echo.Context) string {
	v := ""
	if ck, err := c.Cookie(setupCookie); err == nil && len(ck.Value) >= 20 {
		v = ck.Value
	} else {
		v = randomToken()
		c.SetCookie(&http.Cookie{Name: setupCookie, Value: v, Path: "/setup", HttpOnly: true, Secure: s.cfg.SecureCookies,
			SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	}
	return s.cfg.Keys.csrfToken("setup\n" + v)
}

func (s *Server) handleSetupPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		org := rules.Org{}
		f := setupForm{CSRF: s.setupToken(c), Org: orgFields{F: orgFormOf(org), E: map[string]string{}}, Errors: map[string]string{}}
		return s.render(c, http.StatusOK, "setup", page{Title: "Sett opp Postvakt", Data: f})
	}
}

// validPassword says what is wrong with a new password, in bokmål.
func validPassword(pw, again string) string {
	switch {
	case len([]rune(pw)) < minPassword:
		return "Passordet må ha minst 10 tegn."
	case len(pw) > 72:
		return "Passordet kan ha høyst 72 byte."
	case again != pw:
		return "Passordene er ikke like. Skriv det samme passordet to ganger."
	}
	return ""
}

// validUserName says what is wrong with a user name, in bokmål.
func validUserName(name string) string {
	if name == "" {
		return "Skriv et brukernavn."
	}
	if server.ValidName(name) != nil {
		return "Brukernavnet kan ha 1–100 tegn, uten mellomrom, anførselstegn, skråstreker og tegnene < > & ? # %."
	}
	return ""
}

func (s *Server) handleSetupSubmit() echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(setupCookie)
		if err != nil || !hmac.Equal([]byte(c.FormValue("csrf")), []byte(s.cfg.Keys.csrfToken("setup\n"+ck.Value))) {
			return server.Errorf(server.EFORBIDDEN, "Skjemaet er utløpt eller ugyldig (CSRF). Last siden på nytt og prøv igjen.")
		}
		of := readOrgForm(c)
		f := setupForm{CSRF: s.setupToken(c), AdminName: strings.TrimSpace(c.FormValue("admin_name")), AdminUnit: strings.TrimSpace(sanitize(c.FormValue("admin_unit"))),
			Compliance: c.FormValue("compliance") == "on", ComplianceName: strings.TrimSpace(c.FormValue("compliance_name"))}
		org, errs := of.org(rules.Org{})
		if m := validUserName(f.AdminName); m != "" {
			errs["admin_name"] = m
		}
		if m := validPassword(c.FormValue("admin_password"), c.FormValue("admin_password2")); m != "" {
			errs["admin_password"] = m
		}
		if f.Compliance {
			if m := validUserName(f.ComplianceName); m != "" {
				errs["compliance_name"] = m
			} else if f.ComplianceName == f.AdminName {
				errs["compliance_name"] = "Kontoen for arkiv og personvern må ha et annet brukernavn enn administratoren."
			}
			if m := validPassword(c.FormValue("compliance_password"), c.FormValue("compliance_password2")); m != "" {
				errs["compliance_password"] = m
			}
		}
		again := func(rest []string) error {
			f.Org = orgFields{F: of, E: errs}
			f.Errors = errs
			f.Summary = summary(errs, setupOrder, rest)
			msg := "Oppsettet er ikke lagret. Rett dette og send skjemaet igjen (passordene må skrives på nytt):"
			return s.render(c, http.StatusUnprocessableEntity, "setup", page{Title: "Sett opp Postvakt", Error: msg, Data: f})
		}
		if len(errs) > 0 {
			return again(nil)
		}
		users := []*server.User{{Name: f.AdminName, Unit: f.AdminUnit, Roles: []string{server.RoleAdmin, server.RoleStaff}}}
		if f.Compliance {
			users = append(users, &server.User{Name: f.ComplianceName, Roles: []string{server.RoleCompliance}})
		}
		pws := []string{c.FormValue("admin_password"), c.FormValue("compliance_password")}
		for i, u := range users {
			if u.PasswordHash, err = HashPassword(pws[i], 0); err != nil {
				return err
			}
		}
		v, err := s.admin.Setup(c.Request().Context(), server.Actor{Name: f.AdminName, Unit: f.AdminUnit}, users, org)
		switch server.ErrorCode(err) {
		case "":
		case server.ECONFLICT:
			// Someone else finished the first run meanwhile.
			return server.Errorf(server.ENOTFOUND, "Postvakt er allerede satt opp. Logg inn på /login.")
		case server.EINVALID, server.EMALFORMED:
			return again(orgProblems(err, errs))
		default:
			return err
		}
		s.setup.done.Store(true)
		c.SetCookie(&http.Cookie{Name: setupCookie, Value: "", Path: "/setup", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: -1})
		if err := s.startSession(c, users[0]); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/admin?msg=setup&v="+url.QueryEscape(v.Version))
	}
}
