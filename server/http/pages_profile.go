package http

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/rules"
)

// The organisation profile (/admin/profile): the bundle's organisation
// section as a form. «Vis endringene» shows the change as a diff against
// the published version; «Publiser» validates it and publishes it as a
// new version (with its audit entries, in one transaction).

type profileData struct {
	Org       orgFields
	Published string
	Summary   []formProblem
	Diff      []diffLine
	Previewed bool
	Version   string
}

var profileOrder = []string{"org_name", "org_number", "own_domains", "phones", "accounts", "blocked_domains"}

func (s *Server) handleProfilePage() echo.HandlerFunc {
	return func(c echo.Context) error {
		cur, err := s.cfg.Rules.Published(c.Request().Context())
		if err != nil {
			return err
		}
		b, err := rules.Parse(cur.JSON)
		if err != nil {
			return err
		}
		p := page{Title: "Organisasjonsprofil", Nav: "profile"}
		if c.QueryParam("msg") == "published" {
			p.Flash = "Profilen er publisert som versjon " + c.QueryParam("v") + " og sendes til alle nettlesere nå."
		}
		p.Data = profileData{Org: orgFields{F: orgFormOf(b.Org), E: map[string]string{}, Full: true}, Published: cur.Version, Version: c.QueryParam("v")}
		return s.render(c, http.StatusOK, "profile", p)
	}
}

func (s *Server) handleProfileSubmit() echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		cur, err := s.cfg.Rules.Published(ctx)
		if err != nil {
			return err
		}
		old, err := rules.Parse(cur.JSON)
		if err != nil {
			return err
		}
		of := readOrgForm(c)
		org, errs := of.org(old.Org)
		d := profileData{Org: orgFields{F: of, E: errs, Full: true}, Published: cur.Version}
		again := func(rest []string) error {
			d.Summary = summary(errs, profileOrder, rest)
			return s.render(c, http.StatusUnprocessableEntity, "profile", page{Title: "Organisasjonsprofil", Nav: "profile",
				Error: "Profilen er ikke publisert. Rett dette og prøv igjen:", Data: d})
		}
		if len(errs) > 0 {
			return again(nil)
		}
		if c.FormValue("action") != "publish" {
			doc, _, err := s.admin.WithOrg(ctx, org)
			if err != nil {
				return err
			}
			v, _, perr := server.PrepareBundle(doc)
			if perr != nil {
				return again(orgProblems(perr, errs))
			}
			d.Diff, _ = diffLines(string(cur.JSON), string(v.JSON))
			d.Previewed = true
			return s.render(c, http.StatusOK, "profile", page{Title: "Organisasjonsprofil", Nav: "profile", Data: d})
		}
		v, err := s.admin.ChangeProfile(ctx, actorOf(claimsOf(c)), org)
		if k := server.ErrorCode(err); k == server.EINVALID || k == server.EMALFORMED {
			return again(orgProblems(err, errs))
		} else if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/admin/profile?msg=published&v="+url.QueryEscape(v.Version))
	}
}
